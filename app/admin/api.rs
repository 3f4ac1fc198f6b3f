//! JSON endpoints of the embedded admin.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::AdminSession;
use super::setup_steps;
use crate::error::AppError;
use crate::install;
use crate::signed_link;
use crate::state::AppState;
use crate::tenants;

/// The workspace of the session's shop, and nothing of any other.
pub async fn workspace(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Value>, AppError> {
    let shop = &session.shop;
    let tenant = tenants::find_tenant(&app.db, &shop.tenant_id)
        .await?
        .ok_or_else(|| AppError::NotFound("workspace not found".into()))?;
    let public_key = tenants::public_key(&app.db, &tenant.id).await?;
    let shops = tenants::shops_of_tenant(&app.db, &tenant.id).await?;
    let missing = crate::shopify::scopes::missing(&shop.granted_scopes);
    let steps = setup_steps::steps(shop, &tenant.slug, public_key.is_some(), &missing);
    Ok(Json(json!({
        "workspace": { "id": tenant.id, "slug": tenant.slug, "name": tenant.name },
        "shop": { "domain": shop.domain.as_str(), "name": shop.name, "currency": shop.currency },
        "shops": shops.iter().map(|s| s.domain.as_str()).collect::<Vec<_>>(),
        "public_key": public_key,
        "server_key_hint": tenants::server_key_hint(&app.db, &tenant.id).await?,
        "missing_scopes": missing,
        "webhooks": { "present": shop.webhooks.present, "expected": shop.webhooks.expected, "error": shop.webhooks.error },
        "setup_steps": steps,
    })))
}

/// A link another store's owner can use to attach their install to this workspace.
pub async fn connect_link(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Value>, AppError> {
    let ttl = 7 * 24 * 3600;
    let link = signed_link::sign(
        &app.config.master_key.link_signing_key(),
        "connect",
        &session.shop.tenant_id,
        ttl,
    );
    Ok(Json(json!({
        "url": format!("{}/connect?link={link}", app.config.app_url),
        "expires_in_seconds": ttl,
    })))
}

/// Replaces the server key; the new key is in this response and nowhere else.
pub async fn rotate_server_key(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Value>, AppError> {
    let tenant_id = &session.shop.tenant_id;
    tenants::rotate_server_key(&app.db, &app.token_sealer, tenant_id).await?;
    let key = tenants::reveal_server_key(&app.db, &app.token_sealer, tenant_id)
        .await?
        .ok_or_else(|| {
            AppError::internal(anyhow::anyhow!("new server key could not be revealed"))
        })?;
    Ok(Json(
        json!({ "server_key": key.0, "note": "Shown once: store it now." }),
    ))
}

pub async fn sync_webhooks(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Value>, AppError> {
    install::sync_webhooks(&app, &session.shop).await;
    let shop = tenants::shop_by_id(&app.db, &session.shop.id)
        .await?
        .unwrap_or(session.shop);
    Ok(Json(
        json!({ "present": shop.webhooks.present, "expected": shop.webhooks.expected, "error": shop.webhooks.error }),
    ))
}
