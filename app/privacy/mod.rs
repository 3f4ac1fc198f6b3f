//! The mandatory privacy webhooks: each request is recorded with its due date (30 days after
//! receipt) and carried out through the job queue: an export for `customers/data_request`,
//! erasure of one customer's personal data for `customers/redact`, of everything of a shop for
//! `shop/redact`.

pub mod access_log;
mod erased;
mod export;
mod redact;
mod requests;
pub mod retention;

pub use erased::{erased_in, without};
pub use requests::{PrivacyRequest, export_context, list, load_export};

use crate::clock::now_ms;
use crate::events::ComplianceRequest;
use crate::jobs::{JobError, NewJob, PrivacyWork, queue};
use crate::state::App;

pub const DUE_AFTER_MS: i64 = 30 * 24 * 3600 * 1000;

/// Records the request and queues its work, in one transaction. The compliance payload's own
/// body (it names the customer) is dropped once its ids are extracted.
pub async fn record(
    app: &App,
    shop_id: &str,
    delivery_id: i64,
    request: ComplianceRequest,
) -> Result<(), JobError> {
    let (kind, customer_id, orders) = match request {
        ComplianceRequest::DataRequest {
            customer_id,
            orders_requested,
            ..
        } => ("data_request", customer_id, orders_requested),
        ComplianceRequest::CustomerRedact {
            customer_id,
            orders_to_redact,
            ..
        } => ("customer_redact", customer_id, orders_to_redact),
        ComplianceRequest::ShopRedact { .. } => ("shop_redact", None, Vec::new()),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let mut conn = app.db.begin_write().await?;
    let result = async {
        let inserted = sqlx::query(
            "INSERT INTO privacy_requests (id, shop_id, kind, customer_id, orders, delivery_id, received_at, due_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (delivery_id) DO NOTHING",
        )
        .bind(&id)
        .bind(shop_id)
        .bind(kind)
        .bind(customer_id.as_deref())
        .bind(serde_json::to_string(&orders).unwrap_or_else(|_| "[]".into()))
        .bind(delivery_id)
        .bind(now)
        .bind(now + DUE_AFTER_MS)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            let mut job = NewJob::now(shop_id, PrivacyWork::KIND, &PrivacyWork { request_id: id.clone() });
            job.unique_key = Some(format!("privacy:{id}"));
            queue::enqueue(&mut conn, &job).await?;
        }
        sqlx::query("UPDATE webhook_deliveries SET status = 'processed', processed_at = $1, body_enc = NULL WHERE id = $2")
            .bind(now)
            .bind(delivery_id)
            .execute(&mut *conn)
            .await?;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    match result {
        Ok(()) => {
            conn.commit().await?;
            tracing::info!(shop_id, kind, "privacy request recorded");
            Ok(())
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err.into())
        }
    }
}

/// Runs a recorded request; a request already done is left alone.
pub async fn carry_out(app: &App, request_id: &str) -> Result<(), JobError> {
    let Some(request) = requests::find(&app.db, request_id).await? else {
        return Ok(());
    };
    if request.status == "done" {
        return Ok(());
    }
    // Deliveries received before the request must be processed first, or they would bring
    // back what is about to be erased.
    let earlier: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_deliveries d WHERE d.shop_id = $1 AND d.id < $2 \
         AND (d.status IN ('queued', 'running') OR (d.status = 'retrying' \
         AND EXISTS (SELECT 1 FROM jobs j WHERE j.unique_key = 'delivery:' || CAST(d.id AS TEXT) AND j.status IN ('queued', 'running'))))",
    )
    .bind(&request.shop_id)
    .bind(request.delivery_id)
    .fetch_one(app.db.pool())
    .await?;
    if earlier > 0 {
        return Err(JobError::Retry(format!(
            "waiting for {earlier} earlier deliveries to be processed"
        )));
    }
    match request.kind.as_str() {
        "data_request" => export::fulfil(app, &request).await,
        "customer_redact" => redact::customer(app, &request).await,
        "shop_redact" => redact::shop(app, &request).await,
        other => Err(JobError::Permanent(format!(
            "unknown privacy request kind {other:?}"
        ))),
    }
}
