//! The `jobs` table: enqueue, claim, finish, retry, park, replay. Claims differ by store:
//! PostgreSQL skips rows other workers hold (`FOR UPDATE SKIP LOCKED`); SQLite has one writer,
//! so an atomic `UPDATE … RETURNING` with a lease suffices. An expired lease (a worker killed
//! mid-job) makes the job claimable again.

use sqlx::AnyConnection;

use crate::clock::now_ms;
use crate::store::ExecuteInTurn;
use crate::store::{Backend, Db};

/// After this many failed attempts a job is parked with its last error.
pub const MAX_ATTEMPTS: i64 = 6;
/// How long a claim lasts unless its worker renews it: a worker that dies (kill -9, lost
/// replica) releases its jobs this long after its last heartbeat. `SEGOPS_JOB_LEASE_SECS`.
pub fn lease_ms() -> i64 {
    static LEASE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *LEASE.get_or_init(|| {
        std::env::var("SEGOPS_JOB_LEASE_SECS")
            .ok()
            .and_then(|v| v.parse::<i64>().ok())
            .filter(|s| *s > 0)
            .unwrap_or(30)
            * 1000
    })
}

pub struct NewJob {
    pub shop_id: Option<String>,
    pub kind: &'static str,
    /// At most one live job per key (e.g. one abandonment timer per checkout).
    pub unique_key: Option<String>,
    pub payload: String,
    pub run_at: i64,
}

impl NewJob {
    pub fn now(shop_id: &str, kind: &'static str, payload: &impl serde::Serialize) -> NewJob {
        NewJob {
            shop_id: Some(shop_id.to_owned()),
            kind,
            unique_key: None,
            payload: serde_json::to_string(payload).unwrap_or_default(),
            run_at: now_ms(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub shop_id: Option<String>,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ParkedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub updated_at: i64,
}

pub async fn enqueue(conn: &mut AnyConnection, job: &NewJob) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO jobs (shop_id, kind, unique_key, payload, run_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(job.shop_id.as_deref())
    .bind(job.kind)
    .bind(job.unique_key.as_deref())
    .bind(&job.payload)
    .bind(job.run_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Enqueues many jobs in a few multi-row statements.
pub async fn enqueue_many(conn: &mut AnyConnection, jobs: &[NewJob]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let mut offset = 0;
    for size in crate::store::dialect::statement_sizes(jobs.len()) {
        let chunk = &jobs[offset..offset + size];
        offset += size;
        let mut sql = String::from(
            "INSERT INTO jobs (shop_id, kind, unique_key, payload, run_at, created_at, updated_at) VALUES ",
        );
        sql.push_str(&crate::store::dialect::values(chunk.len(), 7));
        sql.push_str(" ON CONFLICT (unique_key) DO NOTHING");
        // Only the `$n` markers are interpolated; every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for job in chunk {
            query = query
                .bind(job.shop_id.as_deref())
                .bind(job.kind)
                .bind(job.unique_key.as_deref())
                .bind(&job.payload)
                .bind(job.run_at)
                .bind(now)
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

pub async fn claim(db: &Db) -> Result<Option<Claimed>, sqlx::Error> {
    match db.backend() {
        Backend::Postgres => claim_postgres(db).await,
        Backend::Sqlite => claim_sqlite(db).await,
    }
}

async fn claim_postgres(db: &Db) -> Result<Option<Claimed>, sqlx::Error> {
    let now = now_ms();
    let row = sqlx::query_as::<_, (i64, Option<String>, String, String, i64)>(
        // Two index-ordered probes, not one OR (which scans and sorts the whole table on each
        // claim): an expired lease first, else the oldest due job. COALESCE runs the second
        // only when the first finds nothing.
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 WHERE id = COALESCE( \
         (SELECT id FROM jobs WHERE status = 'running' AND locked_until < $2 ORDER BY locked_until LIMIT 1 FOR UPDATE SKIP LOCKED), \
         (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $2 ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)) \
         RETURNING id, shop_id, kind, payload, attempts",
    )
    .bind(now + lease_ms())
    .bind(now)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(claimed))
}

/// SQLite: find a candidate with plain reads (no write lock while the queue is idle, and each
/// query walks `jobs_due` in order instead of sorting every due job, as one query with an OR
/// would), then take it with a write that re-checks it is still claimable.
async fn claim_sqlite(db: &Db) -> Result<Option<Claimed>, sqlx::Error> {
    // Another worker of this process may take the candidate first; then look again.
    for _ in 0..3 {
        let now = now_ms();
        let expired: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE status = 'running' AND locked_until < $1 LIMIT 1",
        )
        .bind(now)
        .fetch_optional(db.pool())
        .await?;
        let candidate = match expired {
            Some(id) => Some(id),
            None => {
                sqlx::query_scalar(
                    "SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $1 ORDER BY run_at, id LIMIT 1",
                )
                .bind(now)
                .fetch_optional(db.pool())
                .await?
            }
        };
        let Some(id) = candidate else {
            return Ok(None);
        };
        let _turn = db.write_turn().await?;
        let row = sqlx::query_as::<_, (i64, Option<String>, String, String, i64)>(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 \
             WHERE id = $3 AND ((status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_until < $2)) \
             RETURNING id, shop_id, kind, payload, attempts",
        )
        .bind(now + lease_ms())
        .bind(now)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
        if let Some(row) = row {
            return Ok(Some(claimed(row)));
        }
    }
    Ok(None)
}

fn claimed(
    (id, shop_id, kind, payload, attempts): (i64, Option<String>, String, String, i64),
) -> Claimed {
    Claimed {
        id,
        shop_id,
        kind,
        payload,
        attempts,
    }
}

/// Renews a running job's claim (the worker's heartbeat).
pub async fn renew(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET locked_until = $1 WHERE id = $2 AND status = 'running'")
        .bind(now_ms() + lease_ms())
        .bind(id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

pub async fn complete(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM jobs WHERE id = $1")
        .bind(id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

/// Schedules another attempt with exponential backoff, or parks the job when it has had enough.
pub async fn fail(
    db: &Db,
    job: &Claimed,
    error: &str,
    permanent: bool,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let park = permanent || job.attempts >= MAX_ATTEMPTS;
    if park {
        sqlx::query("UPDATE jobs SET status = 'parked', locked_until = NULL, last_error = $1, updated_at = $2 WHERE id = $3")
            .bind(error)
            .bind(now)
            .bind(job.id)
            .execute_in_turn(db)
            .await?;
    } else {
        // 1 s, 4 s, 16 s, 64 s, 256 s.
        let delay = 1000 * 4i64.pow(job.attempts.saturating_sub(1).min(8) as u32);
        sqlx::query(
            "UPDATE jobs SET status = 'queued', locked_until = NULL, last_error = $1, run_at = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(error)
        .bind(now + delay)
        .bind(now)
        .bind(job.id)
        .execute_in_turn(db)
        .await?;
    }
    Ok(park)
}

pub async fn parked(db: &Db, shop_id: &str) -> Result<Vec<ParkedJob>, sqlx::Error> {
    let rows = sqlx::query_as::<_, (i64, String, String, i64, Option<String>, i64)>(
        "SELECT id, kind, payload, attempts, last_error, updated_at FROM jobs WHERE shop_id = $1 AND status = 'parked' ORDER BY id",
    )
    .bind(shop_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, kind, payload, attempts, last_error, updated_at)| ParkedJob {
                id,
                kind,
                payload,
                attempts,
                last_error,
                updated_at,
            },
        )
        .collect())
}

/// Puts a parked job of this shop back in the queue; false when there is no such job.
pub async fn replay(db: &Db, shop_id: &str, id: i64) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let result = sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $1, updated_at = $1 WHERE id = $2 AND shop_id = $3 AND status = 'parked'",
    )
    .bind(now)
    .bind(id)
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Jobs that are due now (queued and not waiting for a retry, or with an expired lease).
pub async fn due_count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM jobs WHERE (status = 'queued' AND run_at <= $1) OR (status = 'running' AND locked_until < $1)",
    )
    .bind(now_ms())
    .fetch_one(db.pool())
    .await
}

/// Cancels a pending job by its key (e.g. the abandonment timer of a checkout that completed).
pub async fn cancel(conn: &mut AnyConnection, unique_key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM jobs WHERE unique_key = $1 AND status = 'queued'")
        .bind(unique_key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts a running job back to sleep until `run_at` without counting an attempt: the job is
/// waiting on something outside (a bulk operation), not failing.
pub async fn postpone(db: &Db, id: i64, run_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE jobs SET status = 'queued', locked_until = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
         run_at = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(run_at)
    .bind(now_ms())
    .bind(id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Makes this shop's sleeping jobs of `kind` due now (what they waited for has happened).
/// Returns how many were woken.
pub async fn wake(db: &Db, shop_id: &str, kind: &str) -> Result<u64, sqlx::Error> {
    let now = now_ms();
    let woken = sqlx::query(
        "UPDATE jobs SET run_at = $1, updated_at = $1 WHERE shop_id = $2 AND kind = $3 AND status = 'queued' AND run_at > $1",
    )
    .bind(now)
    .bind(shop_id)
    .bind(kind)
    .execute_in_turn(db)
    .await?;
    Ok(woken.rows_affected())
}
