//! HTTP handlers of the install flow; each one extracts, parses, calls a named step, redirects.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::{InstallError, oauth_state};
use crate::error::AppError;
use crate::shopify::{self, ShopDomain, scopes};
use crate::signed_link;
use crate::state::{App, AppState};
use crate::tenants;

/// Shopify signs install and callback URLs with a timestamp; older ones are replays.
const MAX_SKEW_SECS: i64 = 90;

struct SignedQuery {
    params: HashMap<String, String>,
    shop: ShopDomain,
}

/// Checks the shop, the HMAC and the timestamp of a query Shopify signed.
fn signed_query(app: &App, raw: Option<String>) -> Result<SignedQuery, InstallError> {
    let raw = raw.unwrap_or_default();
    let params: HashMap<String, String> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let shop = ShopDomain::parse(params.get("shop").ok_or(InstallError::Missing("shop"))?)?;
    shopify::verify_query(app.config.api_secret.expose().as_bytes(), &raw)?;
    let timestamp: i64 = params
        .get("timestamp")
        .ok_or(InstallError::Missing("timestamp"))?
        .parse()
        .map_err(|_| InstallError::StaleTimestamp)?;
    if (crate::clock::now_secs() - timestamp).abs() > MAX_SKEW_SECS {
        return Err(InstallError::StaleTimestamp);
    }
    Ok(SignedQuery { params, shop })
}

/// Issues a state and returns the shop's authorize URL for every scope SegOps needs.
pub async fn begin_oauth(
    app: &App,
    shop: &ShopDomain,
    connect_tenant: Option<&str>,
) -> Result<String, InstallError> {
    oauth_state::prune(&app.db).await?;
    let state = oauth_state::issue(&app.db, shop, connect_tenant).await?;
    Ok(app.oauth.authorize_url(
        &app.config.shop_base_url(shop),
        &state.nonce,
        &scopes::required_csv(),
    )?)
}

/// `GET /auth?shop=…&hmac=…&timestamp=…`: the start of an install from Shopify.
pub async fn begin(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Redirect, AppError> {
    let query = signed_query(&app, raw)?;
    Ok(Redirect::to(&begin_oauth(&app, &query.shop, None).await?))
}

/// `GET /auth/callback?code&hmac&host&shop&state&timestamp`: Shopify sends the merchant back.
pub async fn callback(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Redirect, AppError> {
    let query = signed_query(&app, raw)?;
    let state = query
        .params
        .get("state")
        .ok_or(InstallError::State(oauth_state::StateProblem::Missing))?;
    let code = query
        .params
        .get("code")
        .ok_or(InstallError::Missing("code"))?;
    let connect_tenant = oauth_state::consume(&app.db, state, &query.shop)
        .await
        .map_err(InstallError::from)?
        .map_err(InstallError::State)?;
    let grant = app
        .oauth
        .exchange_code(&app.config.shop_base_url(&query.shop), code)
        .await
        .map_err(InstallError::from)?;
    tenants::provision(
        &app.db,
        &app.token_sealer,
        &query.shop,
        &grant.access_token,
        &grant.scopes,
        connect_tenant.as_deref(),
    )
    .await
    .map_err(InstallError::from)?;
    // Shop details and webhook subscriptions follow in a job queued with the provisioning.
    app.jobs_notify.notify_waiters();
    // Back into the Shopify admin, which opens the app embedded.
    Ok(Redirect::to(&format!(
        "{}/admin/apps/{}",
        app.config.shop_base_url(&query.shop),
        app.config.api_key
    )))
}

/// `GET /connect?link=…&shop=…`: install into a shop and attach it to the workspace the signed
/// link names instead of creating a new one.
pub async fn connect(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let link = params.get("link").ok_or(InstallError::Missing("link"))?;
    let tenant_id = signed_link::verify(&app.config.master_key.link_signing_key(), "connect", link)
        .map_err(InstallError::from)?;
    let Some(shop) = params.get("shop").filter(|s| !s.is_empty()) else {
        return Ok(Html(connect_form(link)).into_response());
    };
    let shop = ShopDomain::parse(shop).map_err(InstallError::from)?;
    Ok(Redirect::to(&begin_oauth(&app, &shop, Some(&tenant_id)).await?).into_response())
}

/// `GET /auth/regrant?link=…`: asks Shopify again for scopes the shop has not granted.
pub async fn regrant(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Redirect, AppError> {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let link = params.get("link").ok_or(InstallError::Missing("link"))?;
    let shop = signed_link::verify(&app.config.master_key.link_signing_key(), "regrant", link)
        .map_err(InstallError::from)?;
    let shop = ShopDomain::parse(&shop).map_err(InstallError::from)?;
    Ok(Redirect::to(&begin_oauth(&app, &shop, None).await?))
}

fn connect_form(link: &str) -> String {
    let link = askama::filters::escape(link, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Connect a store to SegOps</title>\
         <link rel=\"stylesheet\" href=\"/static/admin.css\"></head><body><main class=\"page\"><h1>Connect a store</h1>\
         <form method=\"get\" action=\"/connect\"><input type=\"hidden\" name=\"link\" value=\"{link}\">\
         <label for=\"shop\">Store domain (your-store.myshopify.com)</label> <input id=\"shop\" name=\"shop\" required>\
         <button type=\"submit\">Install and connect</button></form></main></body></html>"
    )
}
