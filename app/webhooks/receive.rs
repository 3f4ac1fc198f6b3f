//! The intake handler: verify, identify the shop, store durably once, answer.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};

use super::headers::{self, DeliveryHeaders};
use super::intake::{NewDelivery, Stored};
use crate::error::AppError;
use crate::shopify::{topics, webhook_hmac};
use crate::state::AppState;
use crate::tenants;

pub async fn receive(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    let body = body.map_err(|rejection| match rejection {
        BytesRejection::FailedToBufferBody(_) => AppError::PayloadTooLarge(format!(
            "the body exceeds {} bytes or was cut short",
            super::MAX_BODY_BYTES
        )),
        other => AppError::BadRequest(other.body_text()),
    })?;
    // Nothing is parsed before the signature holds.
    webhook_hmac::verify(
        app.config.api_secret.expose().as_bytes(),
        &body,
        headers::header(&headers, "hmac-sha256"),
    )
    .map_err(|err| AppError::Unauthorized(err.to_string()))?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/json") {
        return Err(AppError::UnsupportedMediaType(format!(
            "expected application/json, got {content_type:?}"
        )));
    }
    let delivery =
        DeliveryHeaders::parse(&headers).map_err(|err| AppError::BadRequest(err.to_string()))?;
    let topic = delivery.topic.as_str();
    let compliance = topics::COMPLIANCE.contains(&topic);
    if !compliance && !topics::SUBSCRIBED.contains(&topic) {
        return Err(AppError::BadRequest(format!(
            "SegOps does not handle topic {topic:?}"
        )));
    }
    let Some(shop) = app
        .shop_keys
        .get(&app.db, &app.config.master_key, &delivery.shop)
        .await?
    else {
        // Nothing is held for this shop (never installed, or already redacted): a privacy
        // request is trivially honoured; anything else has nowhere to go.
        if compliance {
            return Ok(StatusCode::OK);
        }
        return Err(AppError::NotFound(format!(
            "{} has no SegOps workspace",
            delivery.shop
        )));
    };
    let body_enc = super::body::seal(
        &shop.sealer,
        &shop.shop_id,
        topic,
        &delivery.event_id,
        &body,
    );
    let stored = app
        .intake
        .store(NewDelivery {
            shop_id: shop.shop_id.clone(),
            topic: delivery.topic.clone(),
            event_id: delivery.event_id.clone(),
            webhook_id: delivery.webhook_id.clone(),
            triggered_at: delivery.triggered_at.clone(),
            api_version: delivery.api_version.clone(),
            body_enc,
        })
        .await
        // The writer has logged the cause; Shopify only needs to know to retry.
        .map_err(|_| {
            AppError::Unavailable("the delivery could not be stored right now; retry later".into())
        })?;
    if stored == Stored::Duplicate {
        tracing::debug!(shop = %delivery.shop, topic, "duplicate delivery acknowledged");
        return Ok(StatusCode::OK);
    }
    // The installation itself changes at once; everything else waits for the queue.
    if topic == "app/uninstalled" && tenants::mark_uninstalled(&app.db, &delivery.shop).await? {
        tracing::info!(shop = %delivery.shop, "uninstalled: token dropped, data kept");
    }
    Ok(StatusCode::OK)
}
