//! How far behind processing is: deliveries (webhooks and pixel batches) acknowledged but not yet
//! processed, and how long the shop's latest deliveries waited between receipt and processing.

use crate::clock::now_ms;
use crate::store::Db;

/// Deliveries sampled for the recent lag.
const RECENT: i64 = 100;

/// Above this, the dashboard says processing is behind.
pub const BEHIND_MS: i64 = 60_000;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessingLag {
    /// Acknowledged, not yet processed (queued or being processed now).
    pub waiting: i64,
    /// How long the oldest of them has waited.
    pub oldest_waiting_ms: Option<i64>,
    /// Receipt to processing, over the shop's latest processed deliveries (at most [`RECENT`],
    /// among the newest [`NEWEST`] of all shops).
    pub recent: Option<Spread>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spread {
    pub deliveries: usize,
    pub median_ms: i64,
    pub max_ms: i64,
}

impl ProcessingLag {
    pub fn behind(&self) -> bool {
        self.oldest_waiting_ms.is_some_and(|ms| ms > BEHIND_MS)
    }
}

/// Deliveries of all shops, the newest, among which the recent lag is sampled: the read stays a
/// bounded range of the primary key however many deliveries the table holds.
const NEWEST: i64 = 5_000;

pub async fn processing_lag(db: &Db, shop_id: &str) -> Result<ProcessingLag, sqlx::Error> {
    // Only the queue's partial index (unfinished rows of every shop) is read; the shop is picked
    // out in the aggregate, so no planner walks the shop's whole history instead.
    let (waiting, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(CASE WHEN shop_id = $1 THEN 1 END), MIN(CASE WHEN shop_id = $1 THEN received_at END) \
         FROM webhook_deliveries WHERE status IN ('queued', 'running')",
    )
    .bind(shop_id)
    .fetch_one(db.pool())
    .await?;
    // `shop_id || ''` keeps the shop's index out of it: the newest ids are a key range.
    let lags: Vec<i64> = sqlx::query_scalar(
        "SELECT processed_at - received_at FROM webhook_deliveries \
         WHERE id > (SELECT COALESCE(MAX(id), 0) - $2 FROM webhook_deliveries) \
         AND shop_id || '' = $1 AND status = 'processed' AND processed_at IS NOT NULL \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(shop_id)
    .bind(NEWEST)
    .bind(RECENT)
    .fetch_all(db.pool())
    .await?;
    Ok(ProcessingLag {
        waiting,
        oldest_waiting_ms: oldest.map(|at| (now_ms() - at).max(0)),
        recent: spread(lags),
    })
}

fn spread(mut lags: Vec<i64>) -> Option<Spread> {
    if lags.is_empty() {
        return None;
    }
    lags.sort_unstable();
    Some(Spread {
        deliveries: lags.len(),
        median_ms: lags[lags.len() / 2].max(0),
        max_ms: lags[lags.len() - 1].max(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spread_is_the_middle_and_the_largest_wait() {
        assert_eq!(spread(Vec::new()), None);
        assert_eq!(
            spread(vec![40, 10, 30, 20, 9_000]),
            Some(Spread {
                deliveries: 5,
                median_ms: 30,
                max_ms: 9_000
            })
        );
    }

    #[test]
    fn behind_means_the_oldest_waiting_delivery_passed_a_minute() {
        let lag = |oldest| ProcessingLag {
            waiting: 1,
            oldest_waiting_ms: oldest,
            recent: None,
        };
        assert!(!lag(None).behind());
        assert!(!lag(Some(BEHIND_MS)).behind());
        assert!(lag(Some(BEHIND_MS + 1)).behind());
    }
}
