//! The stitch rate the merchant sees: of the storefront purchases we saw, how many visitors are
//! now joined to a customer, and why the others are not.

use serde::Serialize;
use sqlx::AnyConnection;

use crate::health::{self, Metric};
use crate::store::Db;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StitchReport {
    /// Storefront purchases (visitor, checkout) seen.
    pub attempts: i64,
    pub stitched: i64,
    /// Missed: the purchase event carried no checkout token.
    pub no_token: i64,
    /// Missed: no webhook has tied the checkout token to a customer (yet).
    pub token_unknown: i64,
    /// Events discarded because the visitor had not granted analytics consent.
    pub consent_withheld: i64,
    /// Anonymous ids joined to customers (Segment aliases recorded).
    pub aliases: i64,
}

impl StitchReport {
    /// Percentage of storefront purchases stitched, when there were any.
    pub fn rate_percent(&self) -> Option<u32> {
        (self.attempts > 0).then(|| ((self.stitched * 100) / self.attempts) as u32)
    }
}

/// A storefront purchase: a chance to join its visitor to the order's customer.
pub async fn record_attempt(
    conn: &mut AnyConnection,
    shop_id: &str,
    anonymous_id: &str,
    checkout_token: Option<&str>,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO stitch_attempts (shop_id, anonymous_id, checkout_token, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(shop_id)
    .bind(anonymous_id)
    .bind(checkout_token.unwrap_or(""))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn report(db: &Db, shop_id: &str) -> Result<StitchReport, sqlx::Error> {
    let (attempts, stitched, no_token) = sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT COUNT(*), \
         COALESCE(SUM(CASE WHEN i.person_id LIKE 'customer:%' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN a.checkout_token = '' THEN 1 ELSE 0 END), 0) \
         FROM stitch_attempts a LEFT JOIN identities i \
         ON i.shop_id = a.shop_id AND i.kind = 'anonymous' AND i.value = a.anonymous_id \
         WHERE a.shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(db.pool())
    .await?;
    let aliases = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM aliases WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(db.pool())
        .await?;
    Ok(StitchReport {
        attempts,
        stitched,
        no_token,
        token_unknown: attempts - stitched - no_token,
        consent_withheld: health::count(db, shop_id, Metric::ConsentWithheld).await?,
        aliases,
    })
}
