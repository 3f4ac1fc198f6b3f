//! Reading and writing the shop's discount rules, its segments (read only) and its automatic
//! discount's id.

use serde::Serialize;

use super::rules::{Kind, Rule, Scope};
use crate::clock::now_ms;
use crate::store::Db;
use crate::store::ExecuteInTurn;

/// A segment the merchant can pick; only tag-pushed segments are visible to the Function.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentChoice {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub push_mode: String,
}

impl SegmentChoice {
    /// Checkout sees customer tags only, so a segment pushed otherwise never matches.
    pub fn warning(&self) -> Option<String> {
        (self.push_mode != "tag").then(|| {
            format!(
                "Segment \"{}\" is pushed as {:?}, not as customer tags: the checkout Function can only see tags, so this discount will not apply until the segment is pushed in tag mode.",
                self.name, self.push_mode
            )
        })
    }
}

/// The shop's automatic discount, as far as the app knows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ShopDiscount {
    pub discount_id: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Option<i64>,
}

pub async fn segments(db: &Db, shop_id: &str) -> Result<Vec<SegmentChoice>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (String, String, String, String)>(
        "SELECT id, slug, name, push_mode FROM segments WHERE shop_id = $1 ORDER BY name, slug",
    )
    .bind(shop_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, slug, name, push_mode)| SegmentChoice {
            id,
            slug,
            name,
            push_mode,
        })
        .collect())
}

type RuleRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

fn from_row(row: RuleRow) -> Rule {
    let (
        id,
        segment_id,
        kind,
        value,
        scope,
        products,
        collections,
        minimum,
        message,
        priority,
        active,
    ) = row;
    Rule {
        id,
        segment_id,
        kind: Kind::parse(&kind).unwrap_or(Kind::Percentage),
        value,
        scope: Scope::parse(&scope).unwrap_or(Scope::Order),
        product_ids: serde_json::from_str(&products).unwrap_or_default(),
        collection_ids: serde_json::from_str(&collections).unwrap_or_default(),
        minimum_subtotal: minimum,
        message,
        priority,
        active: active != 0,
    }
}

/// The shop's rules, by priority then creation.
pub async fn list_rules(db: &Db, shop_id: &str) -> Result<Vec<Rule>, sqlx::Error> {
    let rows = sqlx::query_as::<_, RuleRow>(
        "SELECT id, segment_id, kind, value, scope, product_ids, collection_ids, minimum_subtotal,
                message, priority, active
         FROM discount_rules WHERE shop_id = $1 ORDER BY priority, created_at, id",
    )
    .bind(shop_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Inserts or replaces the rule (scoped to the shop: another shop's id is never touched).
pub async fn put_rule(db: &Db, shop_id: &str, rule: &Rule) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let products = serde_json::to_string(&rule.product_ids).unwrap_or_else(|_| "[]".into());
    let collections = serde_json::to_string(&rule.collection_ids).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO discount_rules (id, shop_id, segment_id, kind, value, scope, product_ids, collection_ids, minimum_subtotal, message, priority, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (id) DO UPDATE SET segment_id = excluded.segment_id, kind = excluded.kind,
           value = excluded.value, scope = excluded.scope, product_ids = excluded.product_ids,
           collection_ids = excluded.collection_ids, minimum_subtotal = excluded.minimum_subtotal,
           message = excluded.message, priority = excluded.priority, active = excluded.active,
           updated_at = excluded.updated_at
         WHERE discount_rules.shop_id = excluded.shop_id",
    )
    .bind(&rule.id)
    .bind(shop_id)
    .bind(&rule.segment_id)
    .bind(rule.kind.as_str())
    .bind(&rule.value)
    .bind(rule.scope.as_str())
    .bind(products)
    .bind(collections)
    .bind(&rule.minimum_subtotal)
    .bind(&rule.message)
    .bind(rule.priority)
    .bind(i64::from(rule.active))
    .bind(now)
    .bind(now)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

pub async fn shop_discount(db: &Db, shop_id: &str) -> Result<ShopDiscount, sqlx::Error> {
    let row = sqlx::query_as::<_, (Option<String>, Option<String>, i64)>(
        "SELECT discount_id, last_error, created_at FROM shop_discounts WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row
        .map(|(discount_id, last_error, created_at)| ShopDiscount {
            discount_id,
            last_error,
            created_at: Some(created_at),
        })
        .unwrap_or_default())
}

/// Records the outcome of a push: the discount's id once known, or why Shopify refused.
pub async fn record_push(
    db: &Db,
    shop_id: &str,
    outcome: Result<&str, &str>,
) -> Result<(), sqlx::Error> {
    let (id, error) = match outcome {
        Ok(id) => (Some(id), None),
        Err(reason) => (None, Some(reason)),
    };
    sqlx::query(
        "INSERT INTO shop_discounts (shop_id, discount_id, last_error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (shop_id) DO UPDATE SET
           discount_id = COALESCE(excluded.discount_id, shop_discounts.discount_id),
           last_error = excluded.last_error, updated_at = excluded.updated_at",
    )
    .bind(shop_id)
    .bind(id)
    .bind(error)
    .bind(now_ms())
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(())
}
