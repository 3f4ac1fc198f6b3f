//! One run of the backfill job: start the phase's bulk query, wait for it (the job sleeps; the
//! `bulk_operations/finish` webhook or the next poll wakes it), then stream the result and
//! apply it in short batches, each committed with its checkpoint. A run applies a bounded
//! number of rows and then yields its worker; the next run resumes from the checkpoint.

use serde_json::Value;

use super::store::{self, Checkpoint};
use super::{Phase, suggestion};
use crate::clock::now_ms;
use crate::events::{Mapped, backfilled_customer, backfilled_order};
use crate::jobs::JobError;
use crate::pii::Vault;
use crate::shopify::admin_api::ShopClient;
use crate::shopify::bulk::{self, BulkError, BulkStatus, queries};
use crate::state::App;
use crate::store::Backend;
use crate::tenants;

/// Rows per transaction: SQLite has one writer that webhook intake shares, so its write
/// transactions stay short.
fn batch_size(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 50,
        Backend::Postgres => 250,
    }
}

fn retry(err: impl std::fmt::Display) -> JobError {
    JobError::Retry(err.to_string())
}

pub async fn run(app: &App, shop_id: &str) -> Result<(), JobError> {
    let shop = tenants::shop_by_id(&app.db, shop_id).await.map_err(retry)?;
    // Uninstalled meanwhile: nothing can be read; a reinstall queues the job again.
    let Some(shop) = shop.filter(tenants::ShopRecord::is_installed) else {
        return Ok(());
    };
    let client = match app.shop_client(&shop) {
        Ok(Some(client)) => client,
        Ok(None) => return Ok(()),
        Err(err) => return Err(JobError::Permanent(err.to_string())),
    };
    let vault = Vault::for_shop(&app.db, &app.config.master_key, shop_id)
        .await
        .map_err(retry)?;
    let mut budget = app.config.backfill.rows_per_run.max(1);
    loop {
        let Some(row) = store::load(&app.db, shop_id).await? else {
            return Ok(());
        };
        let phase = row.phase;
        let (query, children) = match phase {
            Phase::Orders => {
                let since = time::Date::parse(&row.orders_since, DATE)
                    .map_err(|e| JobError::Permanent(format!("orders_since: {e}")))?;
                (queries::orders_since(since), queries::ORDER_CHILDREN)
            }
            Phase::Customers => (queries::CUSTOMERS.to_owned(), queries::CUSTOMER_CHILDREN),
            Phase::Done | Phase::Failed => return Ok(()),
        };
        let wait = || JobError::Wait(now_ms() + app.config.backfill.poll.as_millis() as i64);
        let Some(operation) = row.operation_id.clone() else {
            match bulk::start_query(&client, &query).await {
                Ok(id) => {
                    store::set_operation(&app.db, shop_id, phase, &id).await?;
                    return Err(wait());
                }
                // Shopify runs one bulk query per shop: wait for the other one to end.
                Err(BulkError::InProgress(_)) => return Err(wait()),
                Err(BulkError::Refused(reason)) => {
                    store::fail(
                        &app.db,
                        shop_id,
                        &format!("Shopify refused the {} import: {reason}", phase.as_str()),
                    )
                    .await?;
                    return Ok(());
                }
                Err(err) => return Err(noted(app, shop_id, err).await),
            }
        };
        let state = match bulk::status(&client, &operation).await {
            Ok(state) => state,
            Err(err) => return Err(noted(app, shop_id, err).await),
        };
        match state.status {
            BulkStatus::Completed => {}
            BulkStatus::Created | BulkStatus::Running | BulkStatus::Canceling => {
                return Err(wait());
            }
            BulkStatus::Failed | BulkStatus::Canceled | BulkStatus::Expired => {
                let reason = format!(
                    "Shopify's bulk {} export ended {:?}{}",
                    phase.as_str(),
                    state.status,
                    state
                        .error_code
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                );
                store::fail(&app.db, shop_id, &reason).await?;
                return Ok(());
            }
        }
        store::set_expected(&app.db, shop_id, phase, state.root_object_count as i64).await?;
        if let Some(url) = state.url.as_deref() {
            let finished = apply_result(
                app,
                &client,
                &vault,
                shop_id,
                &row,
                url,
                children,
                &mut budget,
            )
            .await?;
            if !finished {
                // Yield the worker; the next run resumes from the checkpoint.
                return Err(JobError::Wait(now_ms()));
            }
        }
        let next = match phase {
            Phase::Orders => Phase::Customers,
            _ => Phase::Done,
        };
        store::advance(&app.db, shop_id, phase, next).await?;
        if next == Phase::Done {
            // The suggestion is a nicety: a failure to compute it must not fail the import.
            if let Err(err) = suggestion::compute(app, shop_id).await {
                tracing::warn!(shop_id, error = %err, "no first segment suggested");
            }
            tracing::info!(shop_id, "backfill done");
            return Ok(());
        }
    }
}

/// Records a passing problem for the admin and asks for a retry.
async fn noted(app: &App, shop_id: &str, err: BulkError) -> JobError {
    let reason = err.to_string();
    if let Err(db) = store::note_error(&app.db, shop_id, &reason).await {
        tracing::warn!(shop_id, error = %db, "could not record a backfill error");
    }
    JobError::Retry(reason)
}

/// Streams the result from the checkpoint on; true when the file is done, false when this
/// run's budget ran out first.
#[allow(clippy::too_many_arguments)]
async fn apply_result(
    app: &App,
    client: &ShopClient,
    vault: &Vault,
    shop_id: &str,
    row: &store::BackfillRow,
    url: &str,
    children: &'static [bulk::ChildField],
    budget: &mut usize,
) -> Result<bool, JobError> {
    let since_ms = since_ms(&row.orders_since);
    let mut stream = match bulk::open_result(client, url, children).await {
        Ok(stream) => stream,
        Err(err) => return Err(noted(app, shop_id, err).await),
    };
    let mut position: i64 = 0;
    while position < row.cursor {
        if stream.next().await.map_err(retry)?.is_none() {
            break;
        }
        position += 1;
    }
    let size = batch_size(app.db.backend());
    let mut batch = Mapped::default();
    let mut in_batch: i64 = 0;
    let mut applied_any = false;
    loop {
        let next = match stream.next().await {
            Ok(next) => next,
            // The download can time out while batches are applied; what was applied is
            // checkpointed, so a run that made progress yields and the next one resumes.
            Err(err) if applied_any => {
                tracing::info!(shop_id, error = %err, "bulk result interrupted; resuming from the checkpoint");
                return Ok(false);
            }
            Err(err) => return Err(retry(err)),
        };
        let end = next.is_none();
        if let Some(root) = next {
            in_batch += 1;
            match map_root(row.phase, &root, since_ms) {
                Ok(Some(mapped)) => {
                    batch.events.extend(mapped.events);
                    batch.entities.extend(mapped.entities);
                    batch.people.extend(mapped.people);
                }
                Ok(None) => {}
                // One unusable row must not stop the import; it is named in the log.
                Err(err) => {
                    tracing::warn!(shop_id, row = position + in_batch, error = %err, "backfill row skipped")
                }
            }
        }
        // A batch never overshoots the run's budget: a run applies at most `rows_per_run`.
        if in_batch > 0 && (end || in_batch as usize >= size.min(*budget)) {
            let checkpoint = Checkpoint {
                shop_id,
                phase: row.phase,
                from: position,
                to: position + in_batch,
            };
            crate::ingest::apply_batch(
                app,
                vault,
                shop_id,
                std::mem::take(&mut batch),
                &checkpoint,
            )
            .await?;
            app.jobs_notify.notify_waiters();
            position += in_batch;
            applied_any = true;
            *budget = budget.saturating_sub(in_batch as usize);
            in_batch = 0;
            if *budget == 0 && !end {
                return Ok(false);
            }
        }
        if end {
            return Ok(true);
        }
    }
}

/// The UTC midnight orders are imported from, in Unix ms.
fn since_ms(since: &str) -> i64 {
    time::Date::parse(since, DATE)
        .map(|d| (d.midnight().assume_utc().unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or(0)
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn map_root(phase: Phase, root: &Value, since_ms: i64) -> Result<Option<Mapped>, BulkError> {
    Ok(match phase {
        Phase::Orders => {
            let found = bulk::order(root)?;
            // The query filters by date already; this keeps the 90-day promise whatever
            // the server did.
            (found.order.created_at_ms >= since_ms)
                .then(|| backfilled_order(&found.order, &found.refunds))
        }
        _ => Some(backfilled_customer(&bulk::customer(root)?)),
    })
}
