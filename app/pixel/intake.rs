//! `POST /pixel/v1/events`: the public endpoint the Web Pixel posts batches to. The storefront
//! key in the body names the shop; valid events are sealed and committed before the answer,
//! through the same group-commit writer as webhooks, and processed by the same jobs.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::envelope::{self, Envelope, MAX_EVENTS, StoredBatch};
use super::origins;
use crate::clock::now_ms;
use crate::error::AppError;
use crate::health::{self, Metric};
use crate::state::AppState;
use crate::webhooks::intake::{NewDelivery, Stored};

/// The topic pixel batches are stored under, beside webhook deliveries.
pub const TOPIC: &str = "pixel/events";
/// Shopify caps a pixel request at 64 KiB; so do we.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub async fn receive(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let result = accept(&app, &headers, origin.as_deref(), body).await;
    let mut response = match result {
        Ok(summary) => (StatusCode::OK, axum::Json(summary)).into_response(),
        Err(err) => err.into_response(),
    };
    // Error answers carry CORS headers too, so a storefront's developer tools show the reason.
    if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// Preflight for `fetch` with a JSON content type (`sendBeacon` with text needs none). The key
/// travels in the body, so the origin is checked on the POST itself.
pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(origin) = headers.get(header::ORIGIN).cloned() {
        let out = response.headers_mut();
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        out.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("POST"),
        );
        out.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type"),
        );
        out.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("86400"),
        );
        out.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

async fn accept(
    app: &AppState,
    headers: &HeaderMap,
    origin: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, AppError> {
    let body = body.map_err(|rejection| match rejection {
        BytesRejection::FailedToBufferBody(_) => AppError::PayloadTooLarge(format!(
            "a pixel request is at most {MAX_BODY_BYTES} bytes; split the batch"
        )),
        other => AppError::BadRequest(other.body_text()),
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/plain");
    if !(content_type.starts_with("text/plain") || content_type.starts_with("application/json")) {
        return Err(AppError::UnsupportedMediaType(format!(
            "send the batch as text/plain or application/json, not {content_type:?}"
        )));
    }
    let envelope: Envelope = serde_json::from_slice(&body)
        .map_err(|err| AppError::BadRequest(format!("the body is not a pixel batch: {err}")))?;
    if envelope.batch.is_empty() {
        return Err(AppError::BadRequest("`batch` holds no events".into()));
    }
    if envelope.batch.len() > MAX_EVENTS {
        return Err(AppError::PayloadTooLarge(format!(
            "a batch holds at most {MAX_EVENTS} events"
        )));
    }
    let shop = app
        .pixel_keys
        .get(&app.db, &app.config.master_key, &envelope.key)
        .await?
        .ok_or_else(|| AppError::Unauthorized("unknown storefront key".into()))?;
    if !shop.installed {
        return Err(AppError::Forbidden(
            "this store no longer has SegOps installed".into(),
        ));
    }
    if let Some(origin) = origin
        && !origins::allowed(origin, &shop.hosts, &app.config.pixel.extra_origins)
    {
        return Err(AppError::Forbidden(format!(
            "origin {origin} is not a storefront of this shop"
        )));
    }
    app.pixel_limiter
        .take(&shop.shop_id, envelope.batch.len())
        .map_err(|retry_after_secs| AppError::TooManyRequests {
            message: "too many pixel events for this storefront; retry later".into(),
            retry_after_secs,
        })?;

    let now = now_ms();
    let mut events = Vec::with_capacity(envelope.batch.len());
    let mut rejected = Vec::new();
    let mut consent_withheld = 0;
    for (index, raw) in envelope.batch.iter().enumerate() {
        match envelope::validate(raw, now) {
            Ok(event) => events.push(event),
            Err(problem) => {
                if problem == envelope::EventProblem::ConsentWithheld {
                    consent_withheld += 1;
                }
                rejected.push(json!({ "index": index, "reason": problem.to_string() }));
            }
        }
    }
    if consent_withheld > 0 {
        let mut conn = app.db.pool().acquire().await?;
        health::bump_by(
            &mut conn,
            &shop.shop_id,
            Metric::ConsentWithheld,
            consent_withheld,
            None,
        )
        .await?;
    }
    if events.is_empty() {
        let reasons: Vec<String> = rejected
            .iter()
            .filter_map(|r| r["reason"].as_str().map(str::to_owned))
            .collect();
        return Err(AppError::BadRequest(format!(
            "no event in the batch was accepted: {}",
            reasons.join("; ")
        )));
    }
    let accepted = events.len();
    let stored = serde_json::to_vec(&StoredBatch { events }).map_err(AppError::internal)?;
    // A resent request (a retried fetch) has the same bytes, hence the same id: stored once.
    let batch_id = crate::crypto::sha256_hex(&body)[..32].to_owned();
    let body_enc =
        crate::webhooks::body::seal(&shop.sealer, &shop.shop_id, TOPIC, &batch_id, &stored);
    let outcome = app
        .intake
        .store(NewDelivery {
            shop_id: shop.shop_id.clone(),
            topic: TOPIC.to_owned(),
            event_id: batch_id,
            webhook_id: None,
            triggered_at: None,
            api_version: None,
            body_enc,
        })
        .await
        .map_err(|_| AppError::Unavailable("the batch could not be stored right now".into()))?;
    Ok(json!({
        "accepted": accepted,
        "duplicate": outcome == Stored::Duplicate,
        "rejected": rejected,
    }))
}
