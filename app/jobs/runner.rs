//! Workers: claim, run (a panic counts as a failure, not a dead worker), record the outcome.

use std::time::Duration;

use futures::FutureExt;
use futures::future::FusedFuture;

use super::{JobError, ProcessDelivery, delivery_queue, dispatch, pending_evaluations, queue};
use crate::state::{App, AppState};
use crate::store::Backend;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    pub done: usize,
    pub retried: usize,
    pub parked: usize,
    /// Jobs that went back to sleep until something outside happens (`JobError::Wait`).
    pub waiting: usize,
}

/// Workers `serve` runs per process. A PostgreSQL worker spends most of its time waiting on
/// round trips, so more of them overlap those waits (one shop at 100 storefront events/s fell
/// behind with 2 and kept p95 under half a second with 4); SQLite has a single writer, so
/// workers beyond two only queue on its lock.
pub fn default_workers(backend: Backend) -> usize {
    match backend {
        Backend::Postgres => 6,
        Backend::Sqlite => 2,
    }
}

/// Starts `count` workers that run until the process ends. They wake when the intake commits
/// new work and otherwise poll, which also picks up retries and other replicas' jobs.
pub fn spawn_workers(app: AppState, count: usize) {
    for worker in 0..count {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                match run_one(&app).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(err) => tracing::error!(worker, error = %err, "job queue unavailable"),
                }
                let notified = app.jobs_notify.notified();
                let _ = tokio::time::timeout(Duration::from_millis(250), notified).await;
            }
        });
    }
}

/// Runs every job that is due, until none is; retries scheduled for later stay queued. Tests use
/// this to process deterministically.
pub async fn drain(app: &App) -> Result<DrainReport, sqlx::Error> {
    let mut report = DrainReport::default();
    while let Some(outcome) = run_one(app).await? {
        match outcome {
            Outcome::Done => report.done += 1,
            Outcome::Retried => report.retried += 1,
            Outcome::Parked => report.parked += 1,
            Outcome::Waiting => report.waiting += 1,
        }
    }
    Ok(report)
}

/// Runs the next due job, if any; true when one ran. Tests use this to stop between two runs of
/// a long job (a restart mid-backfill).
pub async fn run_next(app: &App) -> Result<bool, sqlx::Error> {
    Ok(run_one(app).await?.is_some())
}

enum Outcome {
    Done,
    Retried,
    Parked,
    Waiting,
}

async fn run_one(app: &App) -> Result<Option<Outcome>, sqlx::Error> {
    if let Some(job) = queue::claim(&app.db).await? {
        return run_job(app, job).await.map(Some);
    }
    // Evaluations before new deliveries: they finish what an event started, and a batch
    // takes every change waiting for its shop.
    if let Some(ran) = pending_evaluations::run_next(app).await? {
        return Ok(Some(match ran {
            pending_evaluations::Ran::Evaluated => Outcome::Done,
            pending_evaluations::Ran::Failed {
                shop_id,
                why,
                parked,
            } => settle(app, Some(&shop_id), parked, &why).await?,
        }));
    }
    if let Some(delivery) = delivery_queue::claim(&app.db).await? {
        return run_delivery(app, delivery).await.map(Some);
    }
    Ok(None)
}

async fn run_job(app: &App, job: queue::Claimed) -> Result<Outcome, sqlx::Error> {
    let ended = supervise(dispatch(app, &job), || queue::renew(&app.db, job.id)).await;
    Ok(match ended {
        Ended::Done => {
            queue::complete(&app.db, job.id).await?;
            Outcome::Done
        }
        Ended::Wait(until) => {
            // Never due at once again, or `drain` would spin on it.
            let until = until.max(crate::clock::now_ms() + 1);
            queue::postpone(&app.db, job.id, until).await?;
            Outcome::Waiting
        }
        Ended::Failed(why, permanent) => {
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, reason = %why, "job failed");
            let parked = queue::fail(&app.db, &job, &why, permanent).await?;
            settle(app, job.shop_id.as_deref(), parked, &why).await?
        }
    })
}

/// A stored delivery's first attempt; a failure moves it to the jobs table for the rest.
async fn run_delivery(
    app: &App,
    delivery: delivery_queue::ClaimedDelivery,
) -> Result<Outcome, sqlx::Error> {
    let job = ProcessDelivery {
        delivery_id: delivery.id,
    };
    let ended = supervise(job.run(app), || delivery_queue::renew(&app.db, delivery.id)).await;
    Ok(match ended {
        Ended::Done => {
            delivery_queue::complete(&app.db, delivery.id).await?;
            Outcome::Done
        }
        // Processing a delivery never waits on purpose; if it asks to, the jobs table's
        // backoff takes over, as for any failed first attempt.
        Ended::Wait(_) => {
            let why = "processing asked to wait";
            let parked = delivery_queue::hand_over(&app.db, &delivery, why, false).await?;
            settle(app, Some(&delivery.shop_id), parked, why).await?
        }
        Ended::Failed(why, permanent) => {
            tracing::warn!(delivery = delivery.id, reason = %why, "processing a delivery failed");
            let parked = delivery_queue::hand_over(&app.db, &delivery, &why, permanent).await?;
            settle(app, Some(&delivery.shop_id), parked, &why).await?
        }
    })
}

async fn settle(
    app: &App,
    shop_id: Option<&str>,
    parked: bool,
    why: &str,
) -> Result<Outcome, sqlx::Error> {
    if !parked {
        return Ok(Outcome::Retried);
    }
    crate::health::bump(
        &app.db,
        shop_id.unwrap_or_default(),
        crate::health::Metric::ParkedJobs,
        Some(why),
    )
    .await?;
    Ok(Outcome::Parked)
}

/// How a unit of work ended.
enum Ended {
    Done,
    /// Asked to run again at this time (Unix ms), e.g. while Shopify prepares an export.
    Wait(i64),
    /// Why, and whether it is permanent.
    Failed(String, bool),
}

/// Runs one unit of work, renewing its claim a few times per lease so only a dead worker loses
/// it; a panic counts as a retryable failure.
async fn supervise<R>(
    work: impl Future<Output = Result<(), JobError>>,
    renew: impl Fn() -> R,
) -> Ended
where
    R: Future<Output = Result<(), sqlx::Error>>,
{
    let every = Duration::from_millis((queue::lease_ms() / 3).max(100) as u64);
    supervise_every(every, work, renew).await
}

async fn supervise_every<R>(
    every: Duration,
    work: impl Future<Output = Result<(), JobError>>,
    renew: impl Fn() -> R,
) -> Ended
where
    R: Future<Output = Result<(), sqlx::Error>>,
{
    let run = std::panic::AssertUnwindSafe(work).catch_unwind();
    tokio::pin!(run);
    let mut heartbeat = tokio::time::interval(every);
    heartbeat.tick().await;
    // The renewal runs beside the work, never instead of it: awaited in the heartbeat's arm, it
    // would stop polling the work, and on SQLite it then waits for the write turn that very work
    // may hold (a deadlock until the turn times out, with the database's writes stalled).
    let renewal = futures::future::Fuse::terminated();
    tokio::pin!(renewal);
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            _ = heartbeat.tick(), if renewal.is_terminated() => renewal.set(renew().fuse()),
            renewed = &mut renewal, if !renewal.is_terminated() => {
                if let Err(err) = renewed {
                    tracing::warn!(error = %err, "could not renew a claim");
                }
            }
        }
    };
    match result {
        Ok(Ok(())) => Ended::Done,
        Ok(Err(JobError::Retry(why))) => Ended::Failed(why, false),
        Ok(Err(JobError::Permanent(why))) => Ended::Failed(why, true),
        Ok(Err(JobError::Wait(until))) => Ended::Wait(until),
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned());
            Ended::Failed(format!("job panicked: {}", why.unwrap_or_default()), false)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::sync::Notify;

    use super::{Ended, supervise_every};
    use crate::store::Db;

    /// A job holding SQLite's write turn when its heartbeat fires must go on running: the renewal
    /// (which needs the turn too) waits beside it, not instead of it.
    #[tokio::test]
    async fn a_heartbeat_never_stops_the_work_that_holds_the_write_turn() {
        let path = std::env::temp_dir().join(format!("segops-runner-{}.db", uuid::Uuid::new_v4()));
        let db = Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let renewing = Arc::new(Notify::new());
        let work = {
            let (db, renewing) = (db.clone(), renewing.clone());
            async move {
                let turn = db.write_turn().await.map_err(super::JobError::from)?;
                // Holds the turn until the heartbeat has asked for it.
                renewing.notified().await;
                drop(turn);
                Ok(())
            }
        };
        let renew = || {
            let (db, renewing) = (db.clone(), renewing.clone());
            async move {
                renewing.notify_one();
                let _turn = db.write_turn().await?;
                Ok(())
            }
        };
        let ended = tokio::time::timeout(
            Duration::from_secs(10),
            supervise_every(Duration::from_millis(20), work, renew),
        )
        .await
        .expect("the work finished while its renewal waited for the turn");
        assert!(matches!(ended, Ended::Done));
        db.close().await;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
