//! Large pushes through one bulk mutation at a time (Shopify's rule per shop): the pending rows
//! of one change kind are snapshotted as numbered lines, uploaded, run by Shopify, and read back
//! from the result file, so exactly the lines Shopify confirmed are marked pushed. The claim and
//! its poller job are written together; the poller survives restarts and never holds a worker
//! while Shopify works.

use super::{POLL_INTERVAL_MS, PushError, TagTarget, progress};
use crate::clock::now_ms;
use crate::jobs::{NewJob, PushSegmentTags, queue};
use crate::shopify::admin_api::ShopClient;
use crate::shopify::bulk::{self, BulkError, BulkStatus, LineResults, TagChange};
use crate::store::Db;
use crate::store::ExecuteInTurn;

/// Lines per operation: a staged upload for bulk variables holds up to 100 MB, and a line is
/// under 100 bytes, so this keeps far from the limit while moving most pushes in one operation.
const MAX_LINES: i64 = 100_000;

/// A bulk push claimed for a segment.
#[derive(Debug, Clone)]
pub(super) struct Flight {
    change: TagChange,
    /// Shopify's operation id once accepted.
    bulk_id: Option<String>,
    lines: i64,
    done_before: i64,
}

pub(super) enum Advance {
    /// Shopify has not finished (or not accepted) the operation yet.
    Waiting,
    /// The operation finished and every line went through; `pushed` lines were confirmed.
    Settled { pushed: u64 },
    /// Some lines failed or never ran; they stay unpushed and the reason is on the segment.
    Failed { reason: String },
}

fn change_name(change: TagChange) -> &'static str {
    match change {
        TagChange::Add => "add",
        TagChange::Remove => "remove",
    }
}

pub(super) async fn in_flight(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
) -> Result<Option<Flight>, sqlx::Error> {
    let row: Option<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT change, bulk_id, lines, done_before FROM segment_pushes \
         WHERE shop_id = $1 AND segment_id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(change, bulk_id, lines, done_before)| Flight {
        change: if change == "add" {
            TagChange::Add
        } else {
            TagChange::Remove
        },
        bulk_id,
        lines,
        done_before,
    }))
}

/// Claims the segment's next bulk push: the pending rows of one change kind become the file's
/// lines, and (when `queue_poller`) the job that follows the operation is queued, all in one
/// transaction, so a crash leaves either nothing or a claim with its poller. False when another
/// push claimed it first.
pub(super) async fn claim(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    target: &TagTarget,
    queue_poller: bool,
) -> Result<bool, PushError> {
    let done_before = progress::current(db, shop_id, segment_id).await?;
    let adds: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0 \
         AND person_id LIKE 'customer:%' AND member = 1",
    )
    .bind(shop_id)
    .bind(segment_id)
    .fetch_one(db.pool())
    .await?;
    // Adds first: entering customers are what the merchant is waiting for.
    let change = if !target.clearing && adds > 0 {
        TagChange::Add
    } else {
        TagChange::Remove
    };
    let (low, high) = target.members_for(change);
    let mut conn = db.begin_write().await?;
    let claimed = async {
        let inserted = sqlx::query(
            "INSERT INTO segment_pushes (shop_id, segment_id, change, bulk_id, lines, done_before, \
             started_at) VALUES ($1, $2, $3, NULL, 0, $4, $5) \
             ON CONFLICT (shop_id, segment_id) DO NOTHING",
        )
        .bind(shop_id)
        .bind(segment_id)
        .bind(change_name(change))
        .bind(done_before)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            return Ok::<bool, sqlx::Error>(false);
        }
        sqlx::query("DELETE FROM segment_push_lines WHERE shop_id = $1 AND segment_id = $2")
            .bind(shop_id)
            .bind(segment_id)
            .execute(&mut *conn)
            .await?;
        // Lines are numbered from 0 in person order, as Shopify numbers the file's lines.
        let lines = sqlx::query(
            "INSERT INTO segment_push_lines (shop_id, segment_id, line, person_id, member) \
             SELECT $1, $2, ROW_NUMBER() OVER (ORDER BY person_id) - 1, person_id, member FROM ( \
               SELECT person_id, member FROM memberships \
               WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0 \
               AND person_id LIKE 'customer:%' AND member BETWEEN $3 AND $4 \
               ORDER BY person_id LIMIT $5) pending",
        )
        .bind(shop_id)
        .bind(segment_id)
        .bind(low)
        .bind(high)
        .bind(MAX_LINES)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        sqlx::query("UPDATE segment_pushes SET lines = $3 WHERE shop_id = $1 AND segment_id = $2")
            .bind(shop_id)
            .bind(segment_id)
            .bind(lines as i64)
            .execute(&mut *conn)
            .await?;
        if queue_poller {
            let poller = PushSegmentTags {
                shop_id: shop_id.to_owned(),
                segment_id: segment_id.to_owned(),
                poll: true,
            };
            let mut job = NewJob::now(shop_id, PushSegmentTags::KIND, &poller);
            job.run_at += POLL_INTERVAL_MS;
            queue::enqueue(&mut conn, &job).await?;
        }
        Ok(true)
    }
    .await;
    match claimed {
        Ok(true) => {
            conn.commit().await?;
            Ok(true)
        }
        Ok(false) => {
            conn.rollback().await?;
            Ok(false)
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err.into())
        }
    }
}

/// Moves the claimed push one step: start the operation, report its progress, or settle it.
pub(super) async fn advance(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
    target: &TagTarget,
    flight: &Flight,
) -> Result<Advance, PushError> {
    let Some(bulk_id) = &flight.bulk_id else {
        return start(db, client, shop_id, segment_id, target, flight).await;
    };
    let state = match bulk::status(client, bulk_id).await {
        Ok(state) => state,
        // Shopify forgot it (expired): nothing was confirmed, the lines go again.
        Err(BulkError::NotFound(_)) => {
            let reason = format!("Shopify no longer knows bulk operation {bulk_id}");
            return settle(db, shop_id, segment_id, flight, bulk_id, None, Some(reason)).await;
        }
        Err(err) => return Err(err.into()),
    };
    if !state.status.is_final() {
        let done = flight.done_before + state.root_object_count as i64;
        progress::done(db, shop_id, segment_id, done).await?;
        return Ok(Advance::Waiting);
    }
    let file = state.url.as_ref().or(state.partial_data_url.as_ref());
    let results = match file {
        Some(url) => bulk::line_results(client, url, flight.change).await?,
        None => LineResults::default(),
    };
    let ended = (state.status != BulkStatus::Completed).then(|| {
        format!(
            "Shopify's bulk mutation ended {:?}{}",
            state.status,
            state
                .error_code
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        )
    });
    settle(
        db,
        shop_id,
        segment_id,
        flight,
        bulk_id,
        Some(&results),
        ended,
    )
    .await
}

/// Uploads the claimed lines and starts the operation; another operation of the shop running
/// means waiting for it.
async fn start(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
    target: &TagTarget,
    flight: &Flight,
) -> Result<Advance, PushError> {
    let people: Vec<String> = sqlx::query_scalar(
        "SELECT person_id FROM segment_push_lines WHERE shop_id = $1 AND segment_id = $2 \
         ORDER BY line",
    )
    .bind(shop_id)
    .bind(segment_id)
    .fetch_all(db.pool())
    .await?;
    let items = people.iter().map(|person| {
        let customer = person.trim_start_matches("customer:");
        (
            format!("gid://shopify/Customer/{customer}"),
            vec![target.tag.clone()],
        )
    });
    match bulk::start_tag_mutation(client, flight.change, items).await {
        Ok(id) => {
            sqlx::query(
                "UPDATE segment_pushes SET bulk_id = $3 \
                 WHERE shop_id = $1 AND segment_id = $2 AND bulk_id IS NULL",
            )
            .bind(shop_id)
            .bind(segment_id)
            .bind(&id)
            .execute_in_turn(db)
            .await?;
            tracing::info!(lines = flight.lines, "bulk tag mutation started");
            Ok(Advance::Waiting)
        }
        Err(BulkError::InProgress(_)) => Ok(Advance::Waiting),
        Err(err) => Err(err.into()),
    }
}

/// Contiguous runs of line numbers, so marking takes a few statements rather than one per line.
fn runs(mut lines: Vec<u64>) -> Vec<(u64, u64)> {
    lines.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for line in lines {
        match out.last_mut() {
            Some((_, end)) if *end + 1 == line => *end = line,
            Some((_, end)) if *end == line => {}
            _ => out.push((line, line)),
        }
    }
    out
}

/// Marks the confirmed lines' memberships pushed, in one transaction with the claim's release,
/// so two pollers cannot both settle one operation.
async fn settle(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    flight: &Flight,
    bulk_id: &str,
    results: Option<&LineResults>,
    ended: Option<String>,
) -> Result<Advance, PushError> {
    let succeeded = results.map(|r| r.succeeded.clone()).unwrap_or_default();
    let confirmed = succeeded.len() as u64;
    let mut conn = db.begin_write().await?;
    let settled = async {
        let released = sqlx::query(
            "DELETE FROM segment_pushes WHERE shop_id = $1 AND segment_id = $2 AND bulk_id = $3",
        )
        .bind(shop_id)
        .bind(segment_id)
        .bind(bulk_id)
        .execute(&mut *conn)
        .await?;
        if released.rows_affected() == 0 {
            return Ok::<Option<Vec<String>>, sqlx::Error>(None);
        }
        for (first, last) in runs(succeeded) {
            sqlx::query(
                "UPDATE segment_push_lines SET ok = 1 \
                 WHERE shop_id = $1 AND segment_id = $2 AND line BETWEEN $3 AND $4",
            )
            .bind(shop_id)
            .bind(segment_id)
            .bind(first as i64)
            .bind(last as i64)
            .execute(&mut *conn)
            .await?;
        }
        // A row that moved since its line was written keeps `pushed = 0`: its new state is
        // sent by the next push.
        sqlx::query(
            "UPDATE memberships SET pushed = 1 WHERE shop_id = $1 AND segment_id = $2 \
             AND pushed = 0 AND EXISTS (SELECT 1 FROM segment_push_lines l \
               WHERE l.shop_id = memberships.shop_id AND l.segment_id = memberships.segment_id \
               AND l.person_id = memberships.person_id AND l.member = memberships.member \
               AND l.ok = 1)",
        )
        .bind(shop_id)
        .bind(segment_id)
        .execute(&mut *conn)
        .await?;
        let mut failures = Vec::new();
        for failed in results.map(|r| r.failed.as_slice()).unwrap_or_default() {
            if failures.len() == 3 {
                break;
            }
            let person: Option<String> = sqlx::query_scalar(
                "SELECT person_id FROM segment_push_lines \
                 WHERE shop_id = $1 AND segment_id = $2 AND line = $3",
            )
            .bind(shop_id)
            .bind(segment_id)
            .bind(failed.line as i64)
            .fetch_optional(&mut *conn)
            .await?;
            failures.push(format!(
                "{}: {}",
                person.unwrap_or_else(|| format!("line {}", failed.line)),
                failed.messages.join("; ")
            ));
        }
        sqlx::query("DELETE FROM segment_push_lines WHERE shop_id = $1 AND segment_id = $2")
            .bind(shop_id)
            .bind(segment_id)
            .execute(&mut *conn)
            .await?;
        Ok(Some(failures))
    }
    .await;
    let failures = match settled {
        Ok(Some(failures)) => {
            conn.commit().await?;
            failures
        }
        Ok(None) => {
            // Another poller settled it.
            conn.rollback().await?;
            return Ok(Advance::Settled { pushed: 0 });
        }
        Err(err) => {
            let _ = conn.rollback().await;
            return Err(err.into());
        }
    };
    progress::done(
        db,
        shop_id,
        segment_id,
        flight.done_before + confirmed as i64,
    )
    .await?;
    let failed = results.map_or(0, |r| r.failed.len()) as u64;
    let unrun = (flight.lines as u64).saturating_sub(confirmed + failed);
    if failed == 0 && unrun == 0 && ended.is_none() {
        return Ok(Advance::Settled { pushed: confirmed });
    }
    let mut reason = format!(
        "{failed} of {} tag changes were refused by Shopify and {unrun} did not run",
        flight.lines
    );
    if let Some(ended) = ended {
        reason = format!("{ended}: {reason}");
    }
    if !failures.is_empty() {
        reason.push_str(&format!(" ({})", failures.join(" | ")));
    }
    progress::fail(db, shop_id, segment_id, &reason).await?;
    Ok(Advance::Failed { reason })
}

#[cfg(test)]
mod tests {
    #[test]
    fn confirmed_lines_collapse_into_runs() {
        assert_eq!(
            super::runs(vec![5, 0, 1, 2, 7, 8, 8]),
            vec![(0, 2), (5, 5), (7, 8)]
        );
        assert!(super::runs(Vec::new()).is_empty());
    }
}
