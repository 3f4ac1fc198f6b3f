//! The intake handler.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};

use super::headers::{self, DeliveryHeaders};
use crate::clock::now_ms;
use crate::error::AppError;
use crate::shopify::{topics, webhook_hmac};
use crate::state::{App, AppState};
use crate::tenants;

pub async fn receive(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, AppError> {
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
    let known_topic = topics::SUBSCRIBED.contains(&delivery.topic.as_str())
        || topics::COMPLIANCE.contains(&delivery.topic.as_str());
    if !known_topic {
        return Err(AppError::BadRequest(format!(
            "SegOps does not handle topic {:?}",
            delivery.topic
        )));
    }
    let Some(shop) = tenants::find_shop(&app.db, &delivery.shop).await? else {
        // Nothing is held for a shop we never had: a privacy request is trivially honoured.
        if topics::COMPLIANCE.contains(&delivery.topic.as_str()) {
            return Ok(StatusCode::OK);
        }
        return Err(AppError::NotFound(format!(
            "{} has no SegOps workspace",
            delivery.shop
        )));
    };
    let fresh = store(&app, &delivery, &body).await?;
    if fresh {
        tracing::info!(shop = %delivery.shop, topic = %delivery.topic, "webhook stored");
        act(&app, &delivery, &shop).await?;
    } else {
        tracing::debug!(shop = %delivery.shop, topic = %delivery.topic, "duplicate webhook ignored");
    }
    Ok(StatusCode::OK)
}

/// Stores the delivery once; returns whether it was new.
async fn store(app: &App, delivery: &DeliveryHeaders, body: &[u8]) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "INSERT INTO webhook_deliveries (shop_domain, topic, event_id, webhook_id, triggered_at, api_version, body, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (shop_domain, topic, event_id) DO NOTHING",
    )
    .bind(delivery.shop.as_str())
    .bind(&delivery.topic)
    .bind(&delivery.event_id)
    .bind(delivery.webhook_id.as_deref())
    .bind(delivery.triggered_at.as_deref())
    .bind(delivery.api_version.as_deref())
    .bind(body)
    .bind(now_ms())
    .execute(app.db.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}

/// App lifecycle topics change the installation itself.
async fn act(
    app: &AppState,
    delivery: &DeliveryHeaders,
    shop: &tenants::ShopRecord,
) -> Result<(), AppError> {
    match delivery.topic.as_str() {
        "app/uninstalled" if tenants::mark_uninstalled(&app.db, &delivery.shop).await? => {
            tracing::info!(shop = %delivery.shop, "uninstalled: token dropped, data kept");
        }
        "app/scopes_update" => {
            let app = app.clone();
            let shop = shop.clone();
            // Answer Shopify now; the re-check makes its own Admin API calls.
            tokio::spawn(async move {
                if let Err(err) = crate::install::check_scopes(&app, &shop).await {
                    tracing::warn!(shop = %shop.domain, error = %err, "scope re-check failed");
                }
                crate::install::sync_webhooks(&app, &shop).await;
            });
        }
        _ => {}
    }
    Ok(())
}
