//! The `segments` table: create (unique slug, validated rule), list and get per shop.

use sqlx::AnyConnection;

use super::StoreError;
use super::load::EventNeeds;
use super::page::scan_profiles;
use crate::clock::now_ms;
use crate::jobs::{EvaluateSegment, NewJob, PushSegmentNative, queue};
use crate::segments::{CompiledRule, Deps, Rule, unique_slug};
use crate::store::Db;

/// How a segment reaches Shopify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushMode {
    Tag,
    Native,
    None,
}

impl PushMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PushMode::Tag => "tag",
            PushMode::Native => "native",
            PushMode::None => "none",
        }
    }
}

/// A segment as the merchant defines it.
#[derive(Debug, Clone)]
pub struct NewSegment {
    pub name: String,
    pub rule: Rule,
    pub push_mode: PushMode,
}

/// One stored segment with its counts and push progress.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SegmentRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub rule: String,
    pub push_mode: String,
    pub member_count: i64,
    pub push_state: String,
    pub push_done: i64,
    pub push_total: i64,
    pub push_error: Option<String>,
    pub created_at: i64,
    /// The Shopify segment a native push made, and how many customers Shopify counts in it.
    pub native_segment_id: Option<String>,
    pub shopify_member_count: Option<i64>,
}

impl SegmentRow {
    /// Shopify's count minus ours, once a native push has read it.
    pub fn drift(&self) -> Option<i64> {
        self.shopify_member_count.map(|n| n - self.member_count)
    }
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i64,
    Option<String>,
    i64,
    Option<String>,
    Option<i64>,
);

macro_rules! columns {
    () => {
        "id, slug, name, rule, push_mode, member_count, push_state, push_done, push_total, \
         push_error, created_at, native_segment_id, shopify_member_count"
    };
}

fn from_row(r: Row) -> SegmentRow {
    SegmentRow {
        id: r.0,
        slug: r.1,
        name: r.2,
        rule: r.3,
        push_mode: r.4,
        member_count: r.5,
        push_state: r.6,
        push_done: r.7,
        push_total: r.8,
        push_error: r.9,
        created_at: r.10,
        native_segment_id: r.11,
        shopify_member_count: r.12,
    }
}

/// Stores a new segment under a slug no other segment of the shop uses.
pub async fn create(db: &Db, shop_id: &str, new: &NewSegment) -> Result<SegmentRow, StoreError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(StoreError::EmptyName);
    }
    CompiledRule::compile(&new.rule)?;
    let id = uuid::Uuid::now_v7().to_string();
    let mut conn = db.begin_write().await?;
    match insert(&mut conn, shop_id, &id, name, new).await {
        Ok(()) => conn.commit().await?,
        Err(err) => {
            let _ = conn.rollback().await;
            return Err(err.into());
        }
    };
    get(db, shop_id, &id)
        .await?
        .ok_or(StoreError::Db(sqlx::Error::RowNotFound))
}

/// Inserts the segment and queues its first evaluation, in the caller's transaction.
async fn insert(
    conn: &mut AnyConnection,
    shop_id: &str,
    id: &str,
    name: &str,
    new: &NewSegment,
) -> Result<(), sqlx::Error> {
    let taken: Vec<String> = sqlx::query_scalar("SELECT slug FROM segments WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_all(&mut *conn)
        .await?;
    let slug = unique_slug(name, |s| taken.iter().any(|t| t == s));
    let now = now_ms();
    sqlx::query(
        "INSERT INTO segments (id, shop_id, slug, name, rule, push_mode, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(slug.as_str())
    .bind(name)
    .bind(new.rule.to_json())
    .bind(new.push_mode.as_str())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let job = EvaluateSegment {
        shop_id: shop_id.to_owned(),
        segment_id: id.to_owned(),
    };
    queue::enqueue(conn, &NewJob::now(shop_id, EvaluateSegment::KIND, &job)).await?;
    if new.push_mode == PushMode::Native {
        let job = PushSegmentNative {
            shop_id: shop_id.to_owned(),
            segment_id: id.to_owned(),
        };
        queue::enqueue(conn, &NewJob::now(shop_id, PushSegmentNative::KIND, &job)).await?;
    }
    Ok(())
}

/// The shop's segments, oldest first.
pub async fn list(db: &Db, shop_id: &str) -> Result<Vec<SegmentRow>, StoreError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM segments WHERE shop_id = $1 ORDER BY created_at, id"
    ))
    .bind(shop_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn get(db: &Db, shop_id: &str, id: &str) -> Result<Option<SegmentRow>, StoreError> {
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM segments WHERE shop_id = $1 AND id = $2"
    ))
    .bind(shop_id)
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(from_row))
}

/// The shop's segments as `(id, rule)`, for evaluation inside a transaction.
pub(super) async fn rules_in(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> Result<Vec<(String, Rule)>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, rule FROM segments WHERE shop_id = $1 ORDER BY created_at, id")
            .bind(shop_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut rules = Vec::with_capacity(rows.len());
    for (id, json) in rows {
        rules.push((id, Rule::from_json(&json)?));
    }
    Ok(rules)
}

/// Every segment, of every shop, whose answer can change with time alone (a day window, "more
/// than N days ago"), as `(shop_id, segment_id)`: the daily sweep re-evaluates these.
pub async fn time_dependent(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT shop_id, id, rule FROM segments ORDER BY shop_id, id")
            .fetch_all(db.pool())
            .await?;
    let mut due = Vec::new();
    for (shop_id, id, json) in rows {
        // A rule that no longer reads is reported by its own evaluation, not by the sweep.
        if Rule::from_json(&json).is_ok_and(|rule| Deps::of(&rule).clock) {
            due.push((shop_id, id));
        }
    }
    Ok(due)
}

/// How many of the shop's profiles match `rule` now: the shop's profiles read a page at a time,
/// with only the events the rule counts.
pub async fn preview_count(db: &Db, shop_id: &str, rule: &Rule) -> Result<i64, StoreError> {
    let compiled = CompiledRule::compile(rule)?;
    let now = now_ms();
    let mut count = 0;
    scan_profiles(db, shop_id, EventNeeds::of([rule]), now, |profile| {
        count += i64::from(compiled.matches(&profile, now));
    })
    .await?;
    Ok(count)
}
