//! The job queue in the database: typed jobs, one per file and registered in `dispatch`,
//! enqueued in the same transaction as the write that causes them, retried with backoff and
//! parked with their reason after repeated failure. Safe with many workers and replicas.

mod abandon_checkout;
mod backfill;
mod delivery_queue;
mod evaluate_membership;
mod evaluate_segment;
mod evaluate_segments;
pub mod pending_evaluations;
mod privacy_request;
mod process_delivery;
mod purge_expired;
mod push_segment_native;
mod push_segment_tags;
pub mod queue;
mod runner;
mod schedule;
mod set_up_shop;

pub use abandon_checkout::AbandonCheckout;
pub use backfill::Backfill;
pub use evaluate_membership::{ChangedTraits, EvaluateMembership};
pub use evaluate_segment::EvaluateSegment;
pub use evaluate_segments::EvaluateSegments;
pub use privacy_request::PrivacyWork;
pub use process_delivery::ProcessDelivery;
pub use purge_expired::PurgeExpired;
pub use push_segment_native::PushSegmentNative;
pub use push_segment_tags::PushSegmentTags;
pub use queue::{NewJob, ParkedJob};
pub use runner::{DrainReport, default_workers, drain, run_next, spawn_workers};
pub use schedule::{schedule_purges, schedule_sweeps, spawn_scheduler};
pub use set_up_shop::SetUpShop;

use crate::state::App;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (database busy, Shopify unreachable…).
    #[error("{0}")]
    Retry(String),
    /// Retrying cannot help (the payload is invalid): park at once, with the reason.
    #[error("{0}")]
    Permanent(String),
    /// Not failed, waiting on something outside (a bulk operation): run again at this Unix ms
    /// time, or sooner when woken (`queue::wake`). No attempt is counted.
    #[error("waiting until {0}")]
    Wait(i64),
}

impl From<sqlx::Error> for JobError {
    fn from(err: sqlx::Error) -> Self {
        JobError::Retry(format!("database: {err}"))
    }
}

/// Runs one claimed job by kind. Every job kind is listed here.
async fn dispatch(app: &App, job: &queue::Claimed) -> Result<(), JobError> {
    fn parse<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, JobError> {
        serde_json::from_str(payload)
            .map_err(|err| JobError::Permanent(format!("job payload unreadable: {err}")))
    }
    match job.kind.as_str() {
        ProcessDelivery::KIND => parse::<ProcessDelivery>(&job.payload)?.run(app).await,
        AbandonCheckout::KIND => parse::<AbandonCheckout>(&job.payload)?.run(app).await,
        PrivacyWork::KIND => parse::<PrivacyWork>(&job.payload)?.run(app).await,
        PurgeExpired::KIND => parse::<PurgeExpired>(&job.payload)?.run(app).await,
        EvaluateMembership::KIND => parse::<EvaluateMembership>(&job.payload)?.run(app).await,
        EvaluateSegment::KIND => parse::<EvaluateSegment>(&job.payload)?.run(app).await,
        EvaluateSegments::KIND => parse::<EvaluateSegments>(&job.payload)?.run(app).await,
        PushSegmentTags::KIND => parse::<PushSegmentTags>(&job.payload)?.run(app).await,
        PushSegmentNative::KIND => parse::<PushSegmentNative>(&job.payload)?.run(app).await,
        SetUpShop::KIND => parse::<SetUpShop>(&job.payload)?.run(app).await,
        Backfill::KIND => parse::<Backfill>(&job.payload)?.run(app).await,
        other => Err(JobError::Permanent(format!("unknown job kind {other:?}"))),
    }
}
