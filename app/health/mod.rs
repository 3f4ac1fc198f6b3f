//! Data-health counters a merchant sees on the dashboard: duplicates dropped, events that failed
//! spec validation, jobs parked. Counted, never silent. And how far behind processing is.

mod lag;

pub use lag::{BEHIND_MS, ProcessingLag, Spread, processing_lag};

use sqlx::AnyConnection;

use crate::clock::now_ms;
use crate::store::Db;

#[derive(Debug, Clone, Copy)]
pub enum Metric {
    DuplicatesDropped,
    SpecInvalid,
    ParkedJobs,
    /// Pixel events discarded for want of analytics consent.
    ConsentWithheld,
    /// Anonymous visitors joined to a customer.
    Stitched,
    /// Links refused because they would have joined two customers.
    IdentityConflicts,
    /// Deliveries or import batches that named customers erased by a privacy request; what
    /// was about them was not stored.
    ErasedDropped,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::DuplicatesDropped => "duplicates_dropped",
            Metric::SpecInvalid => "spec_invalid",
            Metric::ParkedJobs => "parked_jobs",
            Metric::ConsentWithheld => "consent_withheld",
            Metric::Stitched => "stitched",
            Metric::IdentityConflicts => "identity_conflicts",
            Metric::ErasedDropped => "erased_dropped",
        }
    }
}

const UPSERT: &str = "INSERT INTO data_health (shop_id, metric, count, last_detail, updated_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (shop_id, metric) DO UPDATE SET count = data_health.count + excluded.count, \
     last_detail = COALESCE(excluded.last_detail, data_health.last_detail), updated_at = excluded.updated_at";

pub async fn bump(
    db: &Db,
    shop_id: &str,
    metric: Metric,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    let _turn = db.write_turn().await?;
    let mut conn = db.pool().acquire().await?;
    bump_by(&mut conn, shop_id, metric, 1, detail).await
}

pub async fn bump_by(
    conn: &mut AnyConnection,
    shop_id: &str,
    metric: Metric,
    by: i64,
    detail: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(UPSERT)
        .bind(shop_id)
        .bind(metric.as_str())
        .bind(by)
        .bind(detail)
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// `(metric, count, last detail)` for one shop.
pub async fn counts(
    db: &Db,
    shop_id: &str,
) -> Result<Vec<(String, i64, Option<String>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT metric, count, last_detail FROM data_health WHERE shop_id = $1 ORDER BY metric",
    )
    .bind(shop_id)
    .fetch_all(db.pool())
    .await
}

pub async fn count(db: &Db, shop_id: &str, metric: Metric) -> Result<i64, sqlx::Error> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT count FROM data_health WHERE shop_id = $1 AND metric = $2",
    )
    .bind(shop_id)
    .bind(metric.as_str())
    .fetch_optional(db.pool())
    .await?
    .unwrap_or(0))
}
