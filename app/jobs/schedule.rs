//! Periodic work: every so often each shop gets its daily purge, and every segment whose rule has
//! a time window its daily full evaluation (windows slide with no event to trigger anything).
//! Enqueueing is keyed per shop and day, so replicas scheduling at once add one job,
//! not several.

use std::time::Duration;

use super::{EvaluateSegments, NewJob, PurgeExpired, queue};
use crate::clock::now_ms;
use crate::segments_store::{self, StoreError};
use crate::state::{App, AppState};

const EVERY: Duration = Duration::from_secs(15 * 60);

pub fn spawn_scheduler(app: AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(err) = schedule_purges(&app).await {
                tracing::warn!(error = %err, "scheduling purges failed");
            }
            if let Err(err) = schedule_sweeps(&app).await {
                tracing::warn!(error = %err, "scheduling segment sweeps failed");
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// Enqueues today's purge for every shop we hold data of.
pub async fn schedule_purges(app: &App) -> Result<usize, sqlx::Error> {
    let shops: Vec<String> = sqlx::query_scalar("SELECT id FROM shops")
        .fetch_all(app.db.pool())
        .await?;
    let day = now_ms() / (24 * 3600 * 1000);
    let _turn = app.db.write_turn().await?;
    let mut conn = app.db.pool().acquire().await?;
    for shop_id in &shops {
        let mut job = NewJob::now(
            shop_id,
            PurgeExpired::KIND,
            &PurgeExpired {
                shop_id: shop_id.clone(),
            },
        );
        job.unique_key = Some(PurgeExpired::key(shop_id, day));
        queue::enqueue(&mut conn, &job).await?;
    }
    Ok(shops.len())
}

/// Enqueues today's full evaluation of every time-dependent segment: one job per shop covering
/// all of its due segments, so the shop's profiles are read once. Returns how many segments.
pub async fn schedule_sweeps(app: &App) -> Result<usize, StoreError> {
    let due = segments_store::time_dependent(&app.db).await?;
    let day = now_ms() / (24 * 3600 * 1000);
    // `time_dependent` lists segments ordered by shop.
    let mut by_shop: Vec<(String, Vec<String>)> = Vec::new();
    for (shop_id, segment_id) in &due {
        match by_shop.last_mut() {
            Some((shop, ids)) if shop == shop_id => ids.push(segment_id.clone()),
            _ => by_shop.push((shop_id.clone(), vec![segment_id.clone()])),
        }
    }
    let _turn = app.db.write_turn().await?;
    let mut conn = app.db.pool().acquire().await?;
    for (shop_id, segment_ids) in by_shop {
        let mut job = NewJob::now(
            &shop_id,
            EvaluateSegments::KIND,
            &EvaluateSegments {
                shop_id: shop_id.clone(),
                segment_ids,
            },
        );
        job.unique_key = Some(format!("sweep:{shop_id}:{day}"));
        queue::enqueue(&mut conn, &job).await?;
    }
    Ok(due.len())
}
