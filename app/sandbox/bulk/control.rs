//! Control API for bulk work and tags, for tests and the demo:
//! `POST /_sandbox/shops/{shop}/bulk_operations/pause` and `…/resume` hold and release every
//! running operation of the shop between steps; `…/fail_next {"error_code"}` makes the next one
//! fail with that `BulkOperationErrorCode` after writing partial data; `GET …/bulk_operations`
//! lists them; `GET /_sandbox/shops/{shop}/customers/{id}/tags` reads a customer's tags and
//! `GET /_sandbox/shops/{shop}/customer_tags` every customer's, for checks over large pushes.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ErrorCode, Kind, Operation};
use crate::sandbox::errors::{ControlError, parse_body, shop_not_found};
use crate::sandbox::state::{SharedState, gid};

type Reply = Result<(StatusCode, Json<Value>), ControlError>;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/_sandbox/shops/{shop}/bulk_operations", get(list))
        .route("/_sandbox/shops/{shop}/bulk_operations/pause", post(pause))
        .route(
            "/_sandbox/shops/{shop}/bulk_operations/resume",
            post(resume),
        )
        .route(
            "/_sandbox/shops/{shop}/bulk_operations/fail_next",
            post(fail_next),
        )
        .route("/_sandbox/shops/{shop}/customers/{id}/tags", get(tags))
        .route("/_sandbox/shops/{shop}/customer_tags", get(all_tags))
}

fn known_shop(state: &SharedState, shop: &str) -> Result<(), ControlError> {
    if state.world().shops.contains_key(shop) {
        Ok(())
    } else {
        Err(shop_not_found(shop))
    }
}

fn view(op: &Operation) -> Value {
    json!({
        "id": gid("BulkOperation", op.id),
        "type": match op.kind { Kind::Query => "QUERY", Kind::Mutation => "MUTATION" },
        "status": format!("{:?}", op.status).to_uppercase(),
        "object_count": op.object_count,
        "root_object_count": op.root_object_count,
        "error_code": op.error_code.map(|c| c.snake().to_uppercase()),
        "url": op.url,
        "partial_data_url": op.partial_data_url,
    })
}

async fn list(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    known_shop(&state, &shop)?;
    let ops: Vec<Value> = [Kind::Query, Kind::Mutation]
        .into_iter()
        .filter_map(|k| state.bulk.current(&shop, k))
        .map(|op| view(&op))
        .collect();
    Ok((StatusCode::OK, Json(json!(ops))))
}

async fn pause(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    known_shop(&state, &shop)?;
    state.bulk.set_paused(&shop, true);
    Ok((StatusCode::OK, Json(json!({ "paused": true }))))
}

async fn resume(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    known_shop(&state, &shop)?;
    state.bulk.set_paused(&shop, false);
    Ok((StatusCode::OK, Json(json!({ "paused": false }))))
}

#[derive(Deserialize)]
struct FailInput {
    error_code: String,
}

async fn fail_next(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    known_shop(&state, &shop)?;
    let input: FailInput = parse_body(&body)?;
    let code = ErrorCode::parse(&input.error_code).ok_or_else(|| {
        ControlError::Invalid(
            "error_code must be ACCESS_DENIED, INTERNAL_SERVER_ERROR or TIMEOUT".into(),
        )
    })?;
    state.bulk.fail_next(&shop, code);
    Ok((
        StatusCode::OK,
        Json(json!({ "fail_next": code.snake().to_uppercase() })),
    ))
}

async fn tags(State(state): State<SharedState>, Path((shop, id)): Path<(String, String)>) -> Reply {
    let numeric: u64 = id
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ControlError::NotFound(format!("no customer with id {id}")))?;
    let world = state.world();
    let s = world
        .shops
        .get(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
    let c = s
        .customers
        .get(&numeric)
        .ok_or_else(|| ControlError::NotFound(format!("customer {numeric} not found")))?;
    Ok((StatusCode::OK, Json(json!({ "tags": c.tags }))))
}

async fn all_tags(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    let world = state.world();
    let s = world
        .shops
        .get(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
    let customers: Vec<Value> = s
        .customers
        .values()
        .map(|c| json!({ "id": c.id, "tags": c.tags }))
        .collect();
    Ok((StatusCode::OK, Json(json!({ "customers": customers }))))
}
