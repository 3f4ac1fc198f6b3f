//! Running an accepted bulk operation in the background: a query walks its root connection page
//! by page through the sandbox schema; a mutation runs once per line of the uploaded variables.
//! Either ends by publishing the JSONL file and the `bulk_operations/finish` webhook.

use serde_json::{Value as Json, json};
use time::OffsetDateTime;

use super::{BulkScan, ErrorCode, Kind, Operation, Status, jsonl};
use crate::sandbox::admin_api::schema::{AdminSchema, ApiContext};
use crate::sandbox::state::{SharedState, gid, random_hex};
use crate::sandbox::webhooks::emit;
use crate::sandbox::webhooks::payloads::ts;

/// Who the operation runs as: the shop and the scopes of the token that started it.
pub struct RunAs {
    pub shop: String,
    pub scopes: Vec<String>,
    pub api_version: String,
}

/// Starts the operation's work on its own task.
pub fn spawn(state: SharedState, schema: AdminSchema, op: Operation, run_as: RunAs) {
    tokio::spawn(async move {
        state.bulk.wait_unpaused(&run_as.shop).await;
        if !mark_running(&state, op.id) {
            finish(&state, op.id, Status::Canceled, None, Vec::new());
            return;
        }
        match op.kind {
            Kind::Query => run_query(&state, &schema, &op, &run_as).await,
            Kind::Mutation => run_mutation(&state, &schema, &op, &run_as).await,
        }
    });
}

/// CREATED → RUNNING; false if it was canceled before it started.
fn mark_running(state: &SharedState, id: u64) -> bool {
    state
        .bulk
        .update(id, |o| {
            if o.status == Status::Created {
                o.status = Status::Running;
            }
        })
        .is_some_and(|o| o.status == Status::Running)
}

fn context(state: &SharedState, run_as: &RunAs) -> ApiContext {
    ApiContext {
        state: state.clone(),
        shop: run_as.shop.clone(),
        scopes: run_as.scopes.clone(),
        api_version: run_as.api_version.clone(),
    }
}

/// What stops a running operation between steps: a cancel, or a failure the test scheduled.
fn interrupted(state: &SharedState, op: &Operation, written: &[u8]) -> Option<Status> {
    let now = state.bulk.get(&op.shop, op.id)?;
    if now.status == Status::Canceling {
        return Some(Status::Canceled);
    }
    (op.doomed.is_some() && !written.is_empty()).then_some(Status::Failed)
}

async fn run_query(state: &SharedState, schema: &AdminSchema, op: &Operation, run_as: &RunAs) {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        state.bulk.wait_unpaused(&op.shop).await;
        if let Some(status) = interrupted(state, op, &out) {
            return finish(state, op.id, status, op.doomed, out);
        }
        let scan = BulkScan::new(after);
        let request = async_graphql::Request::new(op.query.clone())
            .data(context(state, run_as))
            .data(scan.clone());
        let response = schema.execute(request).await;
        if !response.errors.is_empty() {
            tracing::warn!(id = op.id, errors = ?response.errors, "bulk query failed");
            return finish(
                state,
                op.id,
                Status::Failed,
                Some(ErrorCode::InternalServerError),
                out,
            );
        }
        let (objects, roots) = jsonl::write_page(&response.data, &mut out);
        state.bulk.update(op.id, |o| {
            o.object_count += objects;
            o.root_object_count += roots;
        });
        match scan.next() {
            Some(next) => after = Some(next),
            None if op.doomed.is_some() && out.is_empty() => {
                return finish(state, op.id, Status::Failed, op.doomed, out);
            }
            None => return finish(state, op.id, Status::Completed, None, out),
        }
        tokio::task::yield_now().await;
    }
}

async fn run_mutation(state: &SharedState, schema: &AdminSchema, op: &Operation, run_as: &RunAs) {
    let file = op
        .staged_upload_path
        .as_deref()
        .and_then(|p| state.bulk.upload(p))
        .unwrap_or_default();
    let mut out = Vec::new();
    let text = String::from_utf8_lossy(&file);
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        state.bulk.wait_unpaused(&op.shop).await;
        if let Some(status) = interrupted(state, op, &out) {
            return finish(state, op.id, status, op.doomed, out);
        }
        let result = match serde_json::from_str::<Json>(line) {
            Ok(variables @ Json::Object(_)) => {
                let request = async_graphql::Request::new(op.query.clone())
                    .variables(async_graphql::Variables::from_json(variables))
                    .data(context(state, run_as));
                let response = schema.execute(request).await;
                let mut v = serde_json::to_value(&response).unwrap_or(Json::Null);
                if let Json::Object(map) = &mut v {
                    map.remove("extensions");
                }
                v
            }
            _ => {
                json!({ "errors": [{ "message": format!("Line {number} is not a JSON object of variables") }] })
            }
        };
        let mut result = result;
        result["__lineNumber"] = json!(number);
        out.extend_from_slice(result.to_string().as_bytes());
        out.push(b'\n');
        state.bulk.update(op.id, |o| {
            o.object_count += 1;
            o.root_object_count += 1;
        });
    }
    let status = if op.doomed.is_some() {
        Status::Failed
    } else {
        Status::Completed
    };
    finish(state, op.id, status, op.doomed, out)
}

/// Stores the file, settles the operation and tells subscribed apps.
fn finish(state: &SharedState, id: u64, status: Status, error: Option<ErrorCode>, out: Vec<u8>) {
    let url = (!out.is_empty()).then(|| {
        let token = random_hex(16);
        let url = format!("{}/bulk-operation-outputs/{token}.jsonl", state.base_url);
        state.bulk.store_result(token, out.clone());
        url
    });
    let now = OffsetDateTime::now_utc();
    let Some(op) = state.bulk.update(id, |o| {
        o.status = status;
        o.completed_at = Some(now);
        match status {
            Status::Completed => {
                o.file_size = url.as_ref().map(|_| out.len() as u64);
                o.url = url.clone();
            }
            _ => {
                o.error_code = if status == Status::Failed {
                    error
                } else {
                    None
                };
                o.partial_data_url = url.clone();
            }
        }
    }) else {
        return;
    };
    let payload = json!({
        "admin_graphql_api_id": gid("BulkOperation", op.id),
        "completed_at": op.completed_at.map(ts),
        "created_at": ts(op.created_at),
        "error_code": op.error_code.map(ErrorCode::snake),
        "status": match status {
            Status::Completed => "completed",
            Status::Failed => "failed",
            _ => "canceled",
        },
        "type": match op.kind { Kind::Query => "query", Kind::Mutation => "mutation" },
    });
    let world = state.world();
    if let Some(shop) = world.shops.get(&op.shop) {
        emit(state, shop, vec![("bulk_operations/finish", payload)]);
    }
}
