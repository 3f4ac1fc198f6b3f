//! `GET /`: where Shopify opens the app. With a session token (`id_token`) it renders the
//! workspace home, installing first through token exchange when the shop is new (managed
//! install); with only Shopify's signed query it starts the OAuth grant.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use super::setup_steps::{self, Step};
use super::{bounce, session};
use crate::error::AppError;
use crate::install;
use crate::shopify::{ShopDomain, verify_query};
use crate::signed_link;
use crate::state::{App, AppState};
use crate::tenants::{self, ShopRecord};

#[derive(Template, WebTemplate)]
#[template(path = "admin/home.html")]
pub struct HomePage {
    pub api_key: String,
    pub shop_domain: String,
    pub shop_name: String,
    pub workspace_slug: String,
    pub workspace_created: String,
    pub public_key: String,
    pub server_key_once: Option<String>,
    pub server_key_hint: String,
    pub steps: Vec<Step>,
    pub missing_scopes: Vec<&'static str>,
    pub regrant_url: String,
    pub connect_url: String,
    pub scope_check_error: Option<String>,
    /// Carried into links so the next page load is authenticated too.
    pub id_token: String,
    pub health: Vec<HealthRow>,
    pub parked: Vec<crate::jobs::ParkedJob>,
    pub deliveries_received: i64,
    pub events_captured: i64,
    pub storefront: super::pixel_page::StorefrontSummary,
    pub lag: super::lag_view::LagView,
    pub backfill: Option<crate::backfill::Progress>,
}

pub struct HealthRow {
    pub label: &'static str,
    pub count: i64,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/landing.html")]
pub struct Landing;

pub async fn entry(
    State(app): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let raw = raw.unwrap_or_default();
    let params: HashMap<String, String> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    // Inside the admin's iframe (the sidebar's home link, a stale tab) a missing or expired
    // token is replaced by App Bridge; Shopify's signed loads keep their own paths below.
    let stale = params
        .get("id_token")
        .is_none_or(|token| session::verify(&app, token).is_err());
    if stale && !params.contains_key("hmac") && bounce::embedded_document(&headers, &uri) {
        return Ok(bounce::redirect(&app.config.app_url, &uri));
    }
    if let Some(id_token) = params.get("id_token") {
        let token = session::verify(&app, id_token)?;
        let shop = match app.installed_shop(&token.shop).await? {
            Some(shop) => shop,
            None => {
                install::install_with_session_token(&app, &token.shop, id_token)
                    .await?
                    .shop
            }
        };
        return Ok(render_home(&app, &shop, id_token).await?.into_response());
    }
    if params.contains_key("hmac") {
        let shop = ShopDomain::parse(params.get("shop").map(String::as_str).unwrap_or_default())
            .map_err(|err| AppError::BadRequest(err.to_string()))?;
        verify_query(app.config.api_secret.expose().as_bytes(), &raw)
            .map_err(|err| AppError::Unauthorized(format!("install request rejected: {err}")))?;
        // Shopify sends a signed, non-embedded load only when it considers the app not
        // installed, whatever we remember: (re)grant. Provisioning is idempotent.
        return Ok(Redirect::to(&install::begin_oauth(&app, &shop, None).await?).into_response());
    }
    Ok(Landing.into_response())
}

async fn render_home(app: &App, shop: &ShopRecord, id_token: &str) -> Result<HomePage, AppError> {
    let tenant = tenants::find_tenant(&app.db, &shop.tenant_id)
        .await?
        .ok_or_else(|| AppError::NotFound("workspace not found".into()))?;
    let (missing_scopes, scope_check_error) = match install::check_scopes(app, shop).await {
        Ok(missing) => (missing, None),
        Err(err) => (
            crate::shopify::scopes::missing(&shop.granted_scopes),
            Some(err.to_string()),
        ),
    };
    // Re-read: the scope check may have recorded a change.
    let shop = tenants::shop_by_id(&app.db, &shop.id)
        .await?
        .unwrap_or_else(|| shop.clone());
    let public_key = tenants::public_key(&app.db, &tenant.id)
        .await?
        .unwrap_or_default();
    let server_key_hint = tenants::server_key_hint(&app.db, &tenant.id)
        .await?
        .unwrap_or_default();
    let server_key_once = tenants::reveal_server_key(&app.db, &app.token_sealer, &tenant.id)
        .await?
        .map(|r| r.0);
    let link_key = app.config.master_key.link_signing_key();
    let regrant_url = format!(
        "{}/auth/regrant?link={}",
        app.config.app_url,
        signed_link::sign(&link_key, "regrant", shop.domain.as_str(), 15 * 60)
    );
    let connect_url = format!(
        "{}/connect?link={}",
        app.config.app_url,
        signed_link::sign(&link_key, "connect", &tenant.id, 7 * 24 * 3600)
    );
    let steps = setup_steps::steps(&shop, &tenant.slug, !public_key.is_empty(), &missing_scopes);
    let counts = crate::health::counts(&app.db, &shop.id).await?;
    let health = [
        (
            crate::health::Metric::DuplicatesDropped,
            "Duplicate deliveries dropped",
        ),
        (
            crate::health::Metric::SpecInvalid,
            "Events failing the Segment spec",
        ),
        (
            crate::health::Metric::ParkedJobs,
            "Deliveries parked after repeated failure",
        ),
        (
            crate::health::Metric::ErasedDropped,
            "Deliveries about erased customers, not stored",
        ),
    ]
    .into_iter()
    .map(|(metric, label)| {
        let found = counts.iter().find(|(m, _, _)| m == metric.as_str());
        HealthRow {
            label,
            count: found.map(|(_, c, _)| *c).unwrap_or(0),
            detail: found.and_then(|(_, _, d)| d.clone()).unwrap_or_default(),
        }
    })
    .collect();
    let parked = crate::jobs::queue::parked(&app.db, &shop.id).await?;
    let deliveries_received =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM webhook_deliveries WHERE shop_id = $1")
            .bind(&shop.id)
            .fetch_one(app.db.pool())
            .await?;
    let events_captured =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM events WHERE shop_id = $1")
            .bind(&shop.id)
            .fetch_one(app.db.pool())
            .await?;
    Ok(HomePage {
        api_key: app.config.api_key.clone(),
        shop_domain: shop.domain.to_string(),
        shop_name: shop
            .name
            .clone()
            .unwrap_or_else(|| shop.domain.name().to_owned()),
        workspace_slug: tenant.slug,
        workspace_created: crate::clock::format_ms(tenant.created_at),
        public_key,
        server_key_once,
        server_key_hint,
        steps,
        missing_scopes,
        regrant_url,
        connect_url,
        scope_check_error,
        id_token: id_token.to_owned(),
        health,
        parked,
        deliveries_received,
        events_captured,
        storefront: super::pixel_page::summary(app, &shop.id).await?,
        lag: (&crate::health::processing_lag(&app.db, &shop.id).await?).into(),
        backfill: crate::backfill::progress(&app.db, &shop.id).await?,
    })
}
