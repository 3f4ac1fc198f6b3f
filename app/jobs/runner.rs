//! Workers: claim, run (a panic counts as a failure, not a dead worker), record the outcome.

use std::time::Duration;

use futures::FutureExt;

use super::{JobError, dispatch, queue};
use crate::state::{App, AppState};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainReport {
    pub done: usize,
    pub retried: usize,
    pub parked: usize,
    /// Jobs that went back to sleep until something outside happens (`JobError::Wait`).
    pub waiting: usize,
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
    let Some(job) = queue::claim(&app.db).await? else {
        return Ok(None);
    };
    let run = std::panic::AssertUnwindSafe(dispatch(app, &job)).catch_unwind();
    tokio::pin!(run);
    // Renew the claim a few times per lease while the job runs, so only a dead worker loses it.
    let mut heartbeat = tokio::time::interval(Duration::from_millis(
        (queue::lease_ms() / 3).max(100) as u64,
    ));
    heartbeat.tick().await;
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            _ = heartbeat.tick() => {
                if let Err(err) = queue::renew(&app.db, job.id).await {
                    tracing::warn!(job = job.id, error = %err, "could not renew a job's claim");
                }
            }
        }
    };
    let failure = match result {
        Ok(Ok(())) => None,
        Ok(Err(JobError::Retry(why))) => Some((why, false)),
        Ok(Err(JobError::Permanent(why))) => Some((why, true)),
        Ok(Err(JobError::Wait(until))) => {
            // Never due at once again, or `drain` would spin on it.
            let until = until.max(crate::clock::now_ms() + 1);
            queue::postpone(&app.db, job.id, until).await?;
            return Ok(Some(Outcome::Waiting));
        }
        Err(panic) => {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned());
            Some((format!("job panicked: {}", why.unwrap_or_default()), false))
        }
    };
    Ok(Some(match failure {
        None => {
            queue::complete(&app.db, job.id).await?;
            Outcome::Done
        }
        Some((why, permanent)) => {
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, reason = %why, "job failed");
            if queue::fail(&app.db, &job, &why, permanent).await? {
                crate::health::bump(
                    &app.db,
                    job.shop_id.as_deref().unwrap_or_default(),
                    crate::health::Metric::ParkedJobs,
                    Some(&why),
                )
                .await?;
                Outcome::Parked
            } else {
                Outcome::Retried
            }
        }
    }))
}
