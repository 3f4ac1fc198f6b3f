//! Changing how a segment reaches Shopify, and changing its rule, with the pushes that follow.
//! Native mode is refused, clause by clause, for a rule Shopify's segment language cannot
//! express. Leaving tag mode clears `segops:<slug>` from every customer SegOps tagged (SegOps
//! owns that tag; merchant tags are never touched); returning to tag mode adds it again; leaving
//! native mode deletes the Shopify segment SegOps made.

use sqlx::AnyConnection;

use super::{PushMode, SegmentRow, StoreError, get};
use crate::clock::now_ms;
use crate::jobs::{EvaluateSegment, NewJob, PushSegmentNative, PushSegmentTags, queue};
use crate::segments::{CompiledRule, Rule, translate};
use crate::store::{Db, WriteTx};

/// What a mode change queues.
#[derive(Debug, Clone, Copy, Default)]
struct Follow {
    tags: bool,
    native: bool,
    evaluate: bool,
}

/// Sets the segment's push mode. Native needs a rule that translates.
pub async fn set_mode(
    db: &Db,
    shop_id: &str,
    id: &str,
    mode: PushMode,
) -> Result<SegmentRow, StoreError> {
    let current = get(db, shop_id, id).await?.ok_or(StoreError::NotFound)?;
    if current.push_mode == mode.as_str() {
        return Ok(current);
    }
    if mode == PushMode::Native {
        translate(&Rule::from_json(&current.rule)?)?;
    }
    let running: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM segment_pushes WHERE shop_id = $1 AND segment_id = $2",
    )
    .bind(shop_id)
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    if running > 0 {
        return Err(StoreError::PushRunning);
    }
    let was_tag = current.push_mode == PushMode::Tag.as_str();
    let follow = Follow {
        tags: was_tag || mode == PushMode::Tag,
        native: mode == PushMode::Native || current.push_mode == PushMode::Native.as_str(),
        evaluate: false,
    };
    let mut conn = begin(db).await?;
    let written = async {
        sqlx::query(
            "UPDATE segments SET push_mode = $3, push_state = 'idle', push_done = 0, \
             push_total = 0, push_error = NULL, updated_at = $4 \
             WHERE shop_id = $1 AND id = $2",
        )
        .bind(shop_id)
        .bind(id)
        .bind(mode.as_str())
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
        if follow.tags {
            // Members carry the tag (leaving tag mode: it comes off) or lack it (entering tag
            // mode: it goes on); either way their row is pushed again.
            sqlx::query(
                "UPDATE memberships SET pushed = 0 \
                 WHERE shop_id = $1 AND segment_id = $2 AND member = 1",
            )
            .bind(shop_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
        queue_follow_ups(&mut conn, shop_id, id, follow).await
    }
    .await;
    end(conn, written).await?;
    get(db, shop_id, id).await?.ok_or(StoreError::NotFound)
}

/// Replaces the segment's rule (and name, when given) and re-evaluates it; a native segment
/// keeps its mode only with a rule that translates.
pub async fn update_rule(
    db: &Db,
    shop_id: &str,
    id: &str,
    name: Option<&str>,
    rule: &Rule,
) -> Result<SegmentRow, StoreError> {
    CompiledRule::compile(rule)?;
    let current = get(db, shop_id, id).await?.ok_or(StoreError::NotFound)?;
    let native = current.push_mode == PushMode::Native.as_str();
    if native {
        translate(rule)?;
    }
    let name = match name.map(str::trim) {
        Some("") => return Err(StoreError::EmptyName),
        Some(name) => name.to_owned(),
        None => current.name.clone(),
    };
    let json = rule.to_json();
    let follow = Follow {
        tags: false,
        native,
        evaluate: true,
    };
    let mut conn = begin(db).await?;
    let written = async {
        sqlx::query(
            "UPDATE segments SET rule = $3, name = $4, updated_at = $5 \
             WHERE shop_id = $1 AND id = $2",
        )
        .bind(shop_id)
        .bind(id)
        .bind(&json)
        .bind(&name)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
        queue_follow_ups(&mut conn, shop_id, id, follow).await
    }
    .await;
    end(conn, written).await?;
    get(db, shop_id, id).await?.ok_or(StoreError::NotFound)
}

async fn begin(db: &Db) -> Result<WriteTx<'static>, sqlx::Error> {
    db.begin_write().await
}

async fn end(conn: WriteTx<'_>, written: Result<(), sqlx::Error>) -> Result<(), sqlx::Error> {
    match written {
        Ok(()) => {
            conn.commit().await?;
            Ok(())
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}

/// Queues the jobs that carry the change to Shopify, in the caller's transaction.
async fn queue_follow_ups(
    conn: &mut AnyConnection,
    shop_id: &str,
    id: &str,
    follow: Follow,
) -> Result<(), sqlx::Error> {
    let mut jobs = Vec::new();
    if follow.evaluate {
        let job = EvaluateSegment {
            shop_id: shop_id.to_owned(),
            segment_id: id.to_owned(),
        };
        jobs.push(NewJob::now(shop_id, EvaluateSegment::KIND, &job));
    }
    if follow.tags {
        let job = PushSegmentTags {
            shop_id: shop_id.to_owned(),
            segment_id: id.to_owned(),
            poll: false,
        };
        jobs.push(NewJob::now(shop_id, PushSegmentTags::KIND, &job));
    }
    if follow.native {
        let job = PushSegmentNative {
            shop_id: shop_id.to_owned(),
            segment_id: id.to_owned(),
        };
        jobs.push(NewJob::now(shop_id, PushSegmentNative::KIND, &job));
    }
    for job in &jobs {
        queue::enqueue(conn, job).await?;
    }
    Ok(())
}
