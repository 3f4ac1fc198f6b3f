//! What follows a grant: shop details, granted scopes, and webhook subscriptions. Failures are
//! recorded on the shop (and shown as setup steps in the admin) rather than failing the install.

use crate::shopify::admin_api::{AccessScopes, AdminApiError, ShopInfo, access_scopes, shop_info};
use crate::shopify::{ShopDomain, scopes, subscriptions};
use crate::state::App;
use crate::tenants::{self, Installation, ShopRecord, WebhookSyncState};

/// Reads the shop's details and makes its webhook subscriptions; the outcome is recorded on the
/// shop for the admin. An error means it is worth trying again later.
pub async fn after_install(app: &App, shop: &ShopRecord) -> Result<(), String> {
    let client = match app.shop_client(shop) {
        Ok(Some(client)) => client,
        Ok(None) => return Ok(()),
        Err(err) => return Err(format!("cannot open the shop's token: {err}")),
    };
    match client.run::<ShopInfo>(shop_info::Variables).await {
        Ok(data) => {
            let currency = serde_json::to_value(&data.shop.currency_code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            if let Err(err) = tenants::record_shop_info(
                &app.db,
                &shop.id,
                &data.shop.id,
                &data.shop.name,
                &currency,
                &data.shop.primary_domain.host,
            )
            .await
            {
                tracing::error!(shop = %shop.domain, error = %err, "cannot record shop details");
            }
        }
        Err(err) => return Err(format!("cannot read shop details: {err}")),
    }
    let webhooks = sync_webhooks(app, shop).await;
    // A failed pixel install is recorded for the admin (which can retry it), not retried here.
    if let Err(err) = crate::pixel::install::push(app, shop).await {
        tracing::warn!(shop = %shop.domain, error = %err, "pixel not installed");
    }
    match webhooks {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Lists and creates the webhook subscriptions, and records the outcome for the admin. Returns
/// the Admin API error when Shopify could not be asked at all.
pub async fn sync_webhooks(app: &App, shop: &ShopRecord) -> Option<String> {
    let Ok(Some(client)) = app.shop_client(shop) else {
        return None;
    };
    let mut failure = None;
    let callback = format!("{}/webhooks", app.config.app_url);
    let state = match subscriptions::ensure(&client, &callback).await {
        Ok(report) => WebhookSyncState {
            expected: report.expected as i64,
            present: report.present as i64,
            synced_at: Some(crate::clock::now_ms()),
            error: (!report.refused.is_empty()).then(|| {
                report
                    .refused
                    .iter()
                    .map(|(topic, why)| format!("{topic}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        },
        Err(err) => {
            failure = Some(err.to_string());
            WebhookSyncState {
                expected: crate::shopify::topics::SUBSCRIBED.len() as i64,
                present: shop.webhooks.present,
                synced_at: shop.webhooks.synced_at,
                error: Some(err.to_string()),
            }
        }
    };
    tracing::info!(shop = %shop.domain, present = state.present, expected = state.expected, "webhook subscriptions synced");
    if let Err(err) = tenants::record_webhook_sync(&app.db, &shop.id, &state).await {
        tracing::error!(shop = %shop.domain, error = %err, "cannot record webhook sync");
    }
    failure
}

/// Reads the scopes Shopify says the app holds, records them, and returns those still missing.
pub async fn check_scopes(
    app: &App,
    shop: &ShopRecord,
) -> Result<Vec<&'static str>, AdminApiError> {
    let Ok(Some(client)) = app.shop_client(shop) else {
        return Err(AdminApiError::Unauthorized);
    };
    let data = client.run::<AccessScopes>(access_scopes::Variables).await?;
    let granted = data
        .current_app_installation
        .access_scopes
        .iter()
        .map(|s| s.handle.as_str())
        .collect::<Vec<_>>()
        .join(",");
    if granted != shop.granted_scopes
        && let Err(err) = tenants::record_scopes(&app.db, &shop.id, &granted).await
    {
        tracing::error!(shop = %shop.domain, error = %err, "cannot record scopes");
    }
    Ok(scopes::missing(&granted))
}

/// Managed install: a merchant opened the app with a valid session token but we hold no token.
pub async fn install_with_session_token(
    app: &App,
    shop: &ShopDomain,
    session_token: &str,
) -> Result<Installation, super::InstallError> {
    let grant = app
        .oauth
        .exchange_session_token(&app.config.shop_base_url(shop), session_token)
        .await?;
    let installation = tenants::provision(
        &app.db,
        &app.token_sealer,
        shop,
        &grant.access_token,
        &grant.scopes,
        None,
    )
    .await?;
    app.jobs_notify.notify_waiters();
    Ok(installation)
}
