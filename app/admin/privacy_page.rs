//! The Privacy page: what protected customer data SegOps processes and why, and the privacy
//! requests Shopify sent with their due dates; plus the export download.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;

use super::AdminSession;
use super::page_session::PageSession;
use crate::clock::format_ms;
use crate::error::AppError;
use crate::privacy;
use crate::state::AppState;

pub struct RequestRow {
    pub id: String,
    pub kind: &'static str,
    pub customer: String,
    pub received: String,
    pub due: String,
    pub state: &'static str,
    pub has_export: bool,
}

pub struct AccessRow {
    pub staff: String,
    pub customer: String,
    pub what: String,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/privacy.html")]
pub struct PrivacyPage {
    pub api_key: String,
    pub id_token: String,
    pub shop_domain: String,
    pub requests: Vec<RequestRow>,
    pub pending: usize,
    pub overdue: usize,
    pub retention_days: i64,
    pub min_days: i64,
    pub max_days: i64,
    pub access: Vec<AccessRow>,
}

pub async fn page(State(app): State<AppState>, page: PageSession) -> Result<PrivacyPage, AppError> {
    let shop = &page.session.shop;
    let requests: Vec<RequestRow> = privacy::list(&app.db, &shop.id)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            kind: match r.kind.as_str() {
                "data_request" => "Data request",
                "customer_redact" => "Customer erasure",
                _ => "Shop erasure",
            },
            customer: r.customer_id.clone().unwrap_or_else(|| "—".into()),
            received: format_ms(r.received_at),
            due: format_ms(r.due_at),
            state: r.state(),
            has_export: r.has_export,
            id: r.id,
        })
        .collect();
    let access = privacy::access_log::recent(&app.db, &shop.id, 50)
        .await?
        .into_iter()
        .map(|a| AccessRow {
            staff: a.staff_user_id.unwrap_or_else(|| "unknown".into()),
            customer: a.customer_id.unwrap_or_else(|| "—".into()),
            what: a.what,
            at: format_ms(a.accessed_at),
        })
        .collect();
    Ok(PrivacyPage {
        retention_days: privacy::retention::days(&app.db, &shop.id).await?,
        min_days: privacy::retention::MIN_DAYS,
        max_days: privacy::retention::MAX_DAYS,
        access,
        pending: requests.iter().filter(|r| r.state == "pending").count(),
        overdue: requests.iter().filter(|r| r.state == "overdue").count(),
        requests,
        api_key: page.api_key,
        id_token: page.id_token,
        shop_domain: shop.domain.to_string(),
    })
}

/// `GET /admin/api/privacy/{id}/export`: the fulfilled export, as a JSON download.
pub async fn export(
    State(app): State<AppState>,
    session: AdminSession,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let shop_id = &session.shop.id;
    let sealed = privacy::load_export(&app.db, shop_id, &id)
        .await?
        .ok_or_else(|| {
            AppError::NotFound("no export for that request (unknown, or not fulfilled yet)".into())
        })?;
    let vault = crate::pii::Vault::for_shop(&app.db, &app.config.master_key, shop_id)
        .await
        .map_err(AppError::internal)?;
    let document = vault
        .sealer()
        .open(&sealed, &privacy::export_context(shop_id, &id))
        .map_err(|_| {
            AppError::internal(anyhow::anyhow!("export does not open with this shop's key"))
        })?;
    let customer = privacy::list(&app.db, shop_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .and_then(|r| r.customer_id);
    privacy::access_log::record(
        &app.db,
        shop_id,
        session.token.user_id.as_deref(),
        customer.as_deref(),
        "data request export downloaded",
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"segops-data-request-{id}.json\""),
            ),
        ],
        document,
    ))
}

#[derive(serde::Deserialize)]
pub struct RetentionInput {
    days: i64,
}

/// `POST /admin/api/privacy/retention {"days": n}`.
pub async fn set_retention(
    State(app): State<AppState>,
    session: AdminSession,
    input: Result<axum::Json<RetentionInput>, axum::extract::rejection::JsonRejection>,
) -> Result<axum::Json<serde_json::Value>, AppError> {
    let axum::Json(input) =
        input.map_err(|rejection| AppError::BadRequest(rejection.body_text()))?;
    privacy::retention::set_days(&app.db, &session.shop.id, input.days)
        .await
        .map_err(|err| match err {
            privacy::retention::RetentionError::OutOfRange(_) => {
                AppError::BadRequest(err.to_string())
            }
            privacy::retention::RetentionError::Database(err) => err.into(),
        })?;
    Ok(axum::Json(
        serde_json::json!({ "retention_days": input.days }),
    ))
}
