//! Bulk operations from the app's side: start a bulk query, read an operation's state, stream
//! its JSONL result with children nested under their parents, and push tag changes for many
//! customers as one bulk mutation. Everything here speaks Shopify; callers get our own types.

mod customers;
mod orders;
pub mod queries;
mod rows;
mod stream;
mod tags;

pub use customers::customer;
pub use orders::{BulkOrder, order};
pub use stream::{ChildField, ResultStream};
pub use tags::{LineError, LineResults, TagChange, line_errors, line_results, start_tag_mutation};

use super::admin_api::bulk_documents::{
    BulkOperationById, BulkOperationCancel, BulkOperationRunQuery, bulk_operation_by_id,
    bulk_operation_cancel, bulk_operation_run_query,
};
use super::admin_api::{AdminApiError, ShopClient};

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error(transparent)]
    Api(#[from] AdminApiError),
    #[error("Shopify refused the bulk operation: {0}")]
    Refused(String),
    #[error("a bulk operation of this kind is already running for the shop: {0}")]
    InProgress(String),
    #[error("Shopify has no bulk operation {0} for this shop")]
    NotFound(String),
    #[error("the staged upload was refused: {0}")]
    Upload(String),
    #[error("the bulk result could not be downloaded: {0}")]
    Download(String),
    #[error("line {line} of the bulk result is unusable: {reason}")]
    BadLine { line: u64, reason: String },
}

/// Where an operation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkStatus {
    Created,
    Running,
    Canceling,
    Canceled,
    Completed,
    Expired,
    Failed,
}

impl BulkStatus {
    /// No further change will come.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Canceled | Self::Completed | Self::Expired | Self::Failed
        )
    }
}

/// One bulk operation's state, as `BulkOperation` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkOperationState {
    pub id: String,
    pub status: BulkStatus,
    /// Shopify's `BulkOperationErrorCode` (`ACCESS_DENIED`, `INTERNAL_SERVER_ERROR`, `TIMEOUT`).
    pub error_code: Option<String>,
    pub object_count: u64,
    pub root_object_count: u64,
    /// The result file once completed.
    pub url: Option<String>,
    /// What was written before a failure or cancel.
    pub partial_data_url: Option<String>,
}

fn joined(errors: impl Iterator<Item = String>) -> String {
    errors.collect::<Vec<_>>().join("; ")
}

/// Starts a bulk query; returns the operation's GID.
pub async fn start_query(client: &ShopClient, query: &str) -> Result<String, BulkError> {
    let data = client
        .run::<BulkOperationRunQuery>(bulk_operation_run_query::Variables {
            query: query.to_owned(),
        })
        .await?;
    let payload = data
        .bulk_operation_run_query
        .ok_or_else(|| BulkError::Refused("no payload returned".into()))?;
    if let Some(op) = payload.bulk_operation {
        return Ok(op.id);
    }
    let in_progress = payload.user_errors.iter().any(|e| {
        matches!(
            e.code,
            Some(bulk_operation_run_query::BulkOperationUserErrorCode::OPERATION_IN_PROGRESS)
        )
    });
    let reason = joined(payload.user_errors.into_iter().map(|e| e.message));
    Err(if in_progress {
        BulkError::InProgress(reason)
    } else {
        BulkError::Refused(reason)
    })
}

/// Reads an operation's state.
pub async fn status(client: &ShopClient, id: &str) -> Result<BulkOperationState, BulkError> {
    use bulk_operation_by_id::BulkOperationStatus as S;
    let data = client
        .run::<BulkOperationById>(bulk_operation_by_id::Variables { id: id.to_owned() })
        .await?;
    let op = data
        .bulk_operation
        .ok_or_else(|| BulkError::NotFound(id.to_owned()))?;
    let count = |raw: &str| raw.parse::<u64>().unwrap_or_default();
    Ok(BulkOperationState {
        status: match op.status {
            S::CREATED => BulkStatus::Created,
            S::RUNNING => BulkStatus::Running,
            S::CANCELING => BulkStatus::Canceling,
            S::CANCELED => BulkStatus::Canceled,
            S::COMPLETED => BulkStatus::Completed,
            S::EXPIRED => BulkStatus::Expired,
            S::FAILED => BulkStatus::Failed,
            S::Other(other) => {
                return Err(BulkError::Refused(format!("unknown status {other}")));
            }
        },
        error_code: op.error_code.map(|c| match c {
            bulk_operation_by_id::BulkOperationErrorCode::Other(o) => o,
            known => format!("{known:?}"),
        }),
        object_count: count(&op.object_count),
        root_object_count: count(&op.root_object_count),
        url: op.url,
        partial_data_url: op.partial_data_url,
        id: op.id,
    })
}

/// Asks Shopify to cancel a running operation.
pub async fn cancel(client: &ShopClient, id: &str) -> Result<(), BulkError> {
    let data = client
        .run::<BulkOperationCancel>(bulk_operation_cancel::Variables { id: id.to_owned() })
        .await?;
    let payload = data
        .bulk_operation_cancel
        .ok_or_else(|| BulkError::Refused("no payload returned".into()))?;
    if payload.user_errors.is_empty() {
        Ok(())
    } else {
        Err(BulkError::Refused(joined(
            payload.user_errors.into_iter().map(|e| e.message),
        )))
    }
}

/// Opens an operation's result file for streaming.
pub async fn open_result(
    client: &ShopClient,
    url: &str,
    children: &'static [ChildField],
) -> Result<ResultStream, BulkError> {
    ResultStream::open(client.http(), url, children).await
}
