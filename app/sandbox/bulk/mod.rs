//! Bulk operations as Shopify runs them: one query and one mutation operation at a time per
//! shop, executed in the background against the sandbox's own schema, results written as JSONL
//! and served from a URL, `bulk_operations/finish` delivered at the end. Also the staged
//! uploads that carry a bulk mutation's variables, and the test controls (pause, forced failure).

pub mod control;
pub mod files;
mod jsonl;
mod runner;
pub mod validate;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;
use tokio::sync::watch;

pub use runner::{RunAs, spawn};

/// Rows of a root connection a bulk query reads per internal page.
const SCAN_PAGE: usize = 250;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Query,
    Mutation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Created,
    Running,
    Canceling,
    Canceled,
    Completed,
    Failed,
}

impl Status {
    pub fn finished(self) -> bool {
        matches!(self, Status::Canceled | Status::Completed | Status::Failed)
    }
}

/// Shopify's `BulkOperationErrorCode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    AccessDenied,
    InternalServerError,
    Timeout,
}

impl ErrorCode {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw.to_ascii_uppercase().as_str() {
            "ACCESS_DENIED" => Self::AccessDenied,
            "INTERNAL_SERVER_ERROR" => Self::InternalServerError,
            "TIMEOUT" => Self::Timeout,
            _ => return None,
        })
    }
    /// The webhook's spelling: `internal_server_error`.
    pub fn snake(self) -> &'static str {
        match self {
            Self::AccessDenied => "access_denied",
            Self::InternalServerError => "internal_server_error",
            Self::Timeout => "timeout",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Operation {
    pub id: u64,
    pub shop: String,
    pub kind: Kind,
    pub status: Status,
    pub error_code: Option<ErrorCode>,
    pub object_count: u64,
    pub root_object_count: u64,
    pub file_size: Option<u64>,
    pub url: Option<String>,
    pub partial_data_url: Option<String>,
    pub created_at: OffsetDateTime,
    pub completed_at: Option<OffsetDateTime>,
    /// The query (or mutation) document as the app sent it.
    pub query: String,
    /// Where a mutation's variables were uploaded.
    pub staged_upload_path: Option<String>,
    /// A failure the control API scheduled for this operation.
    pub doomed: Option<ErrorCode>,
}

#[derive(Default, Clone)]
struct ShopControl {
    paused: bool,
    fail_next: Option<ErrorCode>,
}

#[derive(Default)]
struct Inner {
    ops: HashMap<u64, Operation>,
    /// Staged upload key → the uploaded file.
    uploads: HashMap<String, Vec<u8>>,
    /// Result file token → JSONL bytes.
    results: HashMap<String, Arc<Vec<u8>>>,
    controls: HashMap<String, ShopControl>,
}

/// Every shop's bulk operations, staged uploads and result files.
pub struct BulkOperations {
    inner: Mutex<Inner>,
    /// Signs staged upload forms so the upload endpoint accepts only targets it issued.
    upload_secret: String,
    /// Bumped whenever a control or an operation changes, so runners and waiters re-check.
    changed: watch::Sender<u64>,
}

impl Default for BulkOperations {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            upload_secret: crate::sandbox::state::random_hex(32),
            changed: watch::channel(0).0,
        }
    }
}

impl BulkOperations {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn upload_secret(&self) -> &str {
        &self.upload_secret
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n += 1);
    }

    pub fn get(&self, shop: &str, id: u64) -> Option<Operation> {
        self.lock().ops.get(&id).filter(|o| o.shop == shop).cloned()
    }

    /// The shop's newest operation of `kind`.
    pub fn current(&self, shop: &str, kind: Kind) -> Option<Operation> {
        self.lock()
            .ops
            .values()
            .filter(|o| o.shop == shop && o.kind == kind)
            .max_by_key(|o| (o.created_at, o.id))
            .cloned()
    }

    /// Registers a new operation unless one of that kind is still running for the shop;
    /// then the running one's id is the error.
    pub fn start(&self, mut op: Operation) -> Result<Operation, u64> {
        let mut inner = self.lock();
        if let Some(running) = inner
            .ops
            .values()
            .find(|o| o.shop == op.shop && o.kind == op.kind && !o.status.finished())
        {
            return Err(running.id);
        }
        let control = inner.controls.entry(op.shop.clone()).or_default();
        op.doomed = control.fail_next.take();
        inner.ops.insert(op.id, op.clone());
        drop(inner);
        self.bump();
        Ok(op)
    }

    /// Applies `change` to an operation and returns the result.
    pub fn update(&self, id: u64, change: impl FnOnce(&mut Operation)) -> Option<Operation> {
        let updated = {
            let mut inner = self.lock();
            let op = inner.ops.get_mut(&id)?;
            change(op);
            op.clone()
        };
        self.bump();
        Some(updated)
    }

    pub fn store_upload(&self, key: String, bytes: Vec<u8>) {
        self.lock().uploads.insert(key, bytes);
    }

    pub fn upload(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().uploads.get(key).cloned()
    }

    pub fn has_upload(&self, key: &str) -> bool {
        self.lock().uploads.contains_key(key)
    }

    pub fn store_result(&self, token: String, bytes: Vec<u8>) {
        self.lock().results.insert(token, Arc::new(bytes));
    }

    pub fn result(&self, token: &str) -> Option<Arc<Vec<u8>>> {
        self.lock().results.get(token).cloned()
    }

    pub fn set_paused(&self, shop: &str, paused: bool) {
        self.lock()
            .controls
            .entry(shop.to_string())
            .or_default()
            .paused = paused;
        self.bump();
    }

    pub fn fail_next(&self, shop: &str, code: ErrorCode) {
        self.lock()
            .controls
            .entry(shop.to_string())
            .or_default()
            .fail_next = Some(code);
    }

    fn paused(&self, shop: &str) -> bool {
        self.lock().controls.get(shop).is_some_and(|c| c.paused)
    }

    /// Returns once the shop's bulk work is not paused.
    pub async fn wait_unpaused(&self, shop: &str) {
        let mut rx = self.changed.subscribe();
        while self.paused(shop) {
            if rx.changed().await.is_err() {
                return;
            }
        }
    }
}

/// Request data that turns a query execution into one step of a bulk scan: the root connection
/// reads `page_size` rows after `after` and records where the next page starts; nested
/// connections without `first` return every node.
#[derive(Clone)]
pub struct BulkScan {
    pub after: Option<u64>,
    pub page_size: usize,
    next: Arc<Mutex<Option<u64>>>,
}

impl BulkScan {
    pub fn new(after: Option<u64>) -> Self {
        Self {
            after,
            page_size: SCAN_PAGE,
            next: Arc::new(Mutex::new(None)),
        }
    }

    /// A scan that reads nothing: lets the schema validate a bulk query without running it.
    pub fn empty() -> Self {
        Self {
            after: None,
            page_size: 0,
            next: Arc::new(Mutex::new(None)),
        }
    }

    pub fn set_next(&self, next: Option<u64>) {
        *self.next.lock().unwrap_or_else(|e| e.into_inner()) = next;
    }

    pub fn next(&self) -> Option<u64> {
        *self.next.lock().unwrap_or_else(|e| e.into_inner())
    }
}
