//! Stored deliveries as queue entries: the intake's one row per delivery is what a worker
//! claims, so the hot path writes no job row. A first attempt that fails hands the delivery to
//! the `jobs` table as a `process_delivery` job, which brings backoff, parking and replay.
//! Claims follow `queue`: `FOR UPDATE SKIP LOCKED` on PostgreSQL, an atomic `UPDATE …
//! RETURNING` with a lease on SQLite; an expired lease makes the delivery claimable again.

use super::ProcessDelivery;
use super::queue;
use crate::clock::now_ms;
use crate::store::ExecuteInTurn;
use crate::store::{Backend, Db};

#[derive(Debug, Clone)]
pub struct ClaimedDelivery {
    pub id: i64,
    pub shop_id: String,
}

pub async fn claim(db: &Db) -> Result<Option<ClaimedDelivery>, sqlx::Error> {
    let now = now_ms();
    // The first condition repeats the partial index's own, so both planners use it.
    let sql = match db.backend() {
        Backend::Postgres => {
            "UPDATE webhook_deliveries SET status = 'running', locked_until = $1 WHERE id = ( \
             SELECT id FROM webhook_deliveries WHERE status IN ('queued', 'running') \
             AND (status = 'queued' OR locked_until < $2) \
             ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, shop_id"
        }
        Backend::Sqlite => {
            "UPDATE webhook_deliveries SET status = 'running', locked_until = $1 WHERE id = ( \
             SELECT id FROM webhook_deliveries WHERE status IN ('queued', 'running') \
             AND (status = 'queued' OR locked_until < $2) \
             ORDER BY id LIMIT 1) RETURNING id, shop_id"
        }
    };
    let _turn = db.write_turn().await?;
    let row = sqlx::query_as::<_, (i64, String)>(sql)
        .bind(now + queue::lease_ms())
        .bind(now)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(id, shop_id)| ClaimedDelivery { id, shop_id }))
}

/// Renews a running delivery's claim (the worker's heartbeat).
pub async fn renew(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET locked_until = $1 WHERE id = $2 AND status = 'running'",
    )
    .bind(now_ms() + queue::lease_ms())
    .bind(id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Ends a successful attempt. Processing marks the delivery itself in its own transaction;
/// this covers the paths that have nothing to write, so no delivery is claimed twice.
pub async fn complete(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'processed', processed_at = $1, locked_until = NULL \
         WHERE id = $2 AND status = 'running'",
    )
    .bind(now_ms())
    .bind(id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// A failed first attempt: the delivery becomes a `process_delivery` job, retried with backoff
/// from the second attempt, or parked at once when retrying cannot help. True when parked.
pub async fn hand_over(
    db: &Db,
    delivery: &ClaimedDelivery,
    error: &str,
    permanent: bool,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let park = permanent;
    let mut conn = db.begin_write().await?;
    let result = async {
        let moved = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'retrying', locked_until = NULL WHERE id = $1 AND status = 'running'",
        )
        .bind(delivery.id)
        .execute(&mut *conn)
        .await?;
        // Already processed or erased by someone else meanwhile: nothing to retry.
        if moved.rows_affected() == 1 {
            let payload = serde_json::to_string(&ProcessDelivery {
                delivery_id: delivery.id,
            })
            .unwrap_or_default();
            sqlx::query(
                "INSERT INTO jobs (shop_id, kind, unique_key, payload, status, run_at, attempts, last_error, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) ON CONFLICT (unique_key) DO NOTHING",
            )
            .bind(&delivery.shop_id)
            .bind(ProcessDelivery::KIND)
            .bind(ProcessDelivery::key(delivery.id))
            .bind(payload)
            .bind(if park { "parked" } else { "queued" })
            // The job queue's first backoff step.
            .bind(now + 1000)
            .bind(error)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    match result {
        Ok(()) => {
            conn.commit().await?;
            Ok(park)
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}
