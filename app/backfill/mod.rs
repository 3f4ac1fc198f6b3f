//! The install backfill: 90 days of orders (with line items and refunds) and every customer,
//! read through bulk operations and fed into the same pipeline as webhooks, with its progress
//! persisted for the admin; and the first segment SegOps proposes once the history is in.

mod run;
mod store;
mod suggestion;

use serde::Serialize;
use sqlx::AnyConnection;

pub use run::run;
pub use suggestion::{SuggestionError, accept_suggestion};

use crate::jobs::{Backfill, NewJob, queue};
use crate::store::Db;

/// Where a backfill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Orders,
    Customers,
    Done,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Orders => "orders",
            Phase::Customers => "customers",
            Phase::Done => "done",
            Phase::Failed => "failed",
        }
    }

    fn parse(raw: &str) -> Phase {
        match raw {
            "orders" => Phase::Orders,
            "customers" => Phase::Customers,
            "done" => Phase::Done,
            _ => Phase::Failed,
        }
    }

    /// What the merchant reads on the dashboard.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Orders => "Importing orders from the last 90 days",
            Phase::Customers => "Importing customers",
            Phase::Done => "History imported",
            Phase::Failed => "History import stopped",
        }
    }
}

/// Records the shop's backfill and queues its job. A shop backfilled before (a reinstall) is
/// not backfilled again.
pub async fn enqueue_in(
    conn: &mut AnyConnection,
    shop_id: &str,
    days: u32,
) -> Result<(), sqlx::Error> {
    let since = (time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days))).date();
    store::begin_in(conn, shop_id, &since.to_string()).await?;
    // A reinstall of a shop whose import did not finish resumes it; a finished one stays.
    let phase: String = sqlx::query_scalar("SELECT phase FROM backfills WHERE shop_id = $1")
        .bind(shop_id)
        .fetch_one(&mut *conn)
        .await?;
    if matches!(Phase::parse(&phase), Phase::Orders | Phase::Customers) {
        let mut job = NewJob::now(
            shop_id,
            Backfill::KIND,
            &Backfill {
                shop_id: shop_id.to_owned(),
            },
        );
        job.unique_key = Some(Backfill::key(shop_id));
        queue::enqueue(conn, &job).await?;
    }
    Ok(())
}

/// The proposed first segment, as the dashboard shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SuggestedSegment {
    pub name: String,
    /// The rule in its readable text form.
    pub rule: String,
    pub members: i64,
    pub why: String,
    /// Set once accepted: the segment it became.
    pub segment_id: Option<String>,
}

/// A shop's backfill progress (`GET /admin/api/backfill`).
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub phase: &'static str,
    pub label: &'static str,
    pub rows_done: i64,
    pub rows_expected: i64,
    /// 0–100; 100 only once done.
    pub percent: i64,
    pub orders_since: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<String>,
    pub suggestion: Option<SuggestedSegment>,
}

/// The shop's backfill, or `None` when none was started (installed before backfills existed).
pub async fn progress(db: &Db, shop_id: &str) -> Result<Option<Progress>, sqlx::Error> {
    let Some(row) = store::load(db, shop_id).await? else {
        return Ok(None);
    };
    let percent = match row.phase {
        Phase::Done => 100,
        _ if row.rows_expected > 0 => (row.rows_done * 100 / row.rows_expected).clamp(0, 99),
        _ => 0,
    };
    let suggestion = match (&row.suggestion_name, &row.suggestion_rule) {
        (Some(name), Some(rule_json)) => Some(suggestion::view(
            name,
            rule_json,
            row.suggestion_members.unwrap_or(0),
            row.suggestion_segment_id.clone().filter(|s| !s.is_empty()),
        )),
        _ => None,
    };
    Ok(Some(Progress {
        phase: row.phase.as_str(),
        label: row.phase.label(),
        rows_done: row.rows_done,
        rows_expected: row.rows_expected.max(row.rows_done),
        percent,
        orders_since: row.orders_since,
        started_at: row.started_at,
        finished_at: row.finished_at,
        error: row.last_error,
        suggestion,
    }))
}
