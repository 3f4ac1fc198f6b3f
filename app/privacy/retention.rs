//! How long raw deliveries, events and the access log are kept, per shop.

use crate::clock::now_ms;
use crate::store::Db;
use crate::store::ExecuteInTurn;

pub const MIN_DAYS: i64 = 30;
pub const MAX_DAYS: i64 = 3650;

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("retention must be between {MIN_DAYS} and {MAX_DAYS} days, got {0}")]
    OutOfRange(i64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub async fn days(db: &Db, shop_id: &str) -> Result<i64, sqlx::Error> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT retention_days FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_optional(db.pool())
            .await?
            .unwrap_or(365),
    )
}

pub async fn set_days(db: &Db, shop_id: &str, days: i64) -> Result<(), RetentionError> {
    if !(MIN_DAYS..=MAX_DAYS).contains(&days) {
        return Err(RetentionError::OutOfRange(days));
    }
    sqlx::query("UPDATE shops SET retention_days = $1, updated_at = $2 WHERE id = $3")
        .bind(days)
        .bind(now_ms())
        .bind(shop_id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

/// What a purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub deliveries: u64,
    pub events: u64,
    pub access_log: u64,
}

/// Deletes what is older than the shop's retention. Deliveries still waiting to be processed
/// are kept whatever their age.
pub async fn purge(db: &Db, shop_id: &str) -> Result<Purged, sqlx::Error> {
    let cutoff = now_ms() - days(db, shop_id).await? * 24 * 3600 * 1000;
    let deliveries = sqlx::query("DELETE FROM webhook_deliveries WHERE shop_id = $1 AND received_at < $2 AND status = 'processed'")
        .bind(shop_id)
        .bind(cutoff)
        .execute_in_turn(db)
        .await?
        .rows_affected();
    let events = sqlx::query("DELETE FROM events WHERE shop_id = $1 AND occurred_at < $2")
        .bind(shop_id)
        .bind(cutoff)
        .execute_in_turn(db)
        .await?
        .rows_affected();
    let access_log =
        sqlx::query("DELETE FROM pii_access_log WHERE shop_id = $1 AND accessed_at < $2")
            .bind(shop_id)
            .bind(cutoff)
            .execute_in_turn(db)
            .await?
            .rows_affected();
    Ok(Purged {
        deliveries,
        events,
        access_log,
    })
}
