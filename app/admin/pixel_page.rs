//! The Pixel page: whether Shopify holds our Web Pixel, which storefront events it sends and at
//! what sampling rate, how well visitors are stitched to customers, and which identifier becomes
//! a profile's userId.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AdminSession;
use super::page_session::PageSession;
use crate::clock::{format_ms, now_ms};
use crate::error::AppError;
use crate::identity::{self, StitchReport, UserIdMode};
use crate::pixel::envelope::TRACKED;
use crate::pixel::settings::{self, SettingsError};
use crate::state::AppState;

/// A pixel counts as live when it sent something within this long.
const RECENT_MS: i64 = 24 * 3600 * 1000;

pub struct EventChoice {
    pub name: &'static str,
    pub enabled: bool,
}

pub struct ModeChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pixel.html")]
pub struct PixelPage {
    pub api_key: String,
    pub id_token: String,
    pub shop_domain: String,
    pub status: String,
    pub error: Option<String>,
    pub last_event: String,
    pub sample_rate: String,
    pub events: Vec<EventChoice>,
    pub stitch: StitchReport,
    pub stitch_rate: String,
    pub modes: Vec<ModeChoice>,
}

/// What the dashboard shows of the storefront.
pub struct StorefrontSummary {
    pub pixel_status: String,
    pub seen_recently: bool,
    pub last_event: String,
    pub stitch_rate: String,
    pub stitch: StitchReport,
}

pub async fn summary(
    app: &crate::state::App,
    shop_id: &str,
) -> Result<StorefrontSummary, AppError> {
    let pixel = settings::load(&app.db, shop_id)
        .await
        .map_err(settings_error)?;
    let stitch = identity::report(&app.db, shop_id).await?;
    let last = pixel.as_ref().and_then(|p| p.last_event_at);
    Ok(StorefrontSummary {
        pixel_status: pixel.map(|p| p.status).unwrap_or_else(|| "pending".into()),
        seen_recently: last.is_some_and(|at| now_ms() - at < RECENT_MS),
        last_event: last.map(format_ms).unwrap_or_else(|| "never".into()),
        stitch_rate: rate_text(&stitch),
        stitch,
    })
}

fn rate_text(stitch: &StitchReport) -> String {
    match stitch.rate_percent() {
        Some(rate) => format!("{rate}%"),
        None => "no storefront purchases yet".into(),
    }
}

fn settings_error(err: SettingsError) -> AppError {
    match err {
        SettingsError::Database(err) => err.into(),
        other => AppError::BadRequest(other.to_string()),
    }
}

pub async fn page(State(app): State<AppState>, page: PageSession) -> Result<PixelPage, AppError> {
    let shop = &page.session.shop;
    let pixel = settings::ensure(&app.db, &shop.id)
        .await
        .map_err(settings_error)?;
    let stitch = identity::report(&app.db, &shop.id).await?;
    let mode = identity::user_id::mode(&app.db, &shop.id).await?;
    Ok(PixelPage {
        api_key: page.api_key,
        id_token: page.id_token,
        shop_domain: shop.domain.to_string(),
        status: pixel.status.clone(),
        error: pixel.error.clone(),
        last_event: pixel
            .last_event_at
            .map(format_ms)
            .unwrap_or_else(|| "never".into()),
        sample_rate: pixel.sample_rate.normalize().to_string(),
        events: TRACKED
            .iter()
            .map(|name| EventChoice {
                name,
                enabled: pixel.events.is_empty() || pixel.events.iter().any(|e| e == name),
            })
            .collect(),
        stitch_rate: rate_text(&stitch),
        stitch,
        modes: UserIdMode::ALL
            .into_iter()
            .map(|m| ModeChoice {
                value: m.as_str(),
                label: m.label(),
                selected: m == mode,
            })
            .collect(),
    })
}

#[derive(Deserialize)]
pub struct PixelInput {
    pub events: Vec<String>,
    pub sample_rate: String,
}

/// `POST /admin/api/pixel`: stores the choice, then sends it to Shopify (`webPixelUpdate`).
pub async fn save(
    State(app): State<AppState>,
    session: AdminSession,
    input: Result<axum::Json<PixelInput>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<Value>, AppError> {
    let axum::Json(input) =
        input.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    // Every event chosen means "all", which also follows events added in later versions.
    let events = if TRACKED.iter().all(|t| input.events.iter().any(|e| e == t)) {
        Vec::new()
    } else {
        input.events
    };
    settings::choose(&app.db, &session.shop.id, &events, &input.sample_rate)
        .await
        .map_err(settings_error)?;
    let pushed = crate::pixel::install::push(&app, &session.shop).await;
    let current = settings::load(&app.db, &session.shop.id)
        .await
        .map_err(settings_error)?;
    Ok(axum::Json(json!({
        "pixel": current,
        "pushed": pushed.is_ok(),
        "error": pushed.err().map(|e| e.to_string()),
    })))
}

#[derive(Deserialize)]
pub struct IdentityInput {
    pub user_id_mode: String,
}

/// `POST /admin/api/identity`: which identifier becomes a profile's userId.
pub async fn set_identity(
    State(app): State<AppState>,
    session: AdminSession,
    input: Result<axum::Json<IdentityInput>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<Value>, AppError> {
    let axum::Json(input) =
        input.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    let mode = UserIdMode::parse(&input.user_id_mode).ok_or_else(|| {
        AppError::BadRequest(format!(
            "user_id_mode must be one of customer_id, email_hash, email; got {:?}",
            input.user_id_mode
        ))
    })?;
    identity::user_id::set_mode(&app.db, &session.shop.id, mode).await?;
    Ok(axum::Json(json!({ "user_id_mode": mode.as_str() })))
}
