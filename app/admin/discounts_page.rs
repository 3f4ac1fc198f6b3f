//! The Discounts page: the shop's segment discount rules, a form to create or edit one, and the
//! JSON endpoints that save them and push the configuration to the automatic discount.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};

use super::AdminSession;
use super::page_session::PageSession;
use crate::discounts::{self, DiscountError, Rule, RuleInput, Saved, SegmentChoice};
use crate::error::AppError;
use crate::state::AppState;

/// A rule as the list shows it.
pub struct RuleRow {
    pub rule: Rule,
    pub segment: String,
    pub rule_json: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/discounts.html")]
pub struct DiscountsPage {
    pub api_key: String,
    pub id_token: String,
    pub shop_domain: String,
    pub rules: Vec<RuleRow>,
    pub segments: Vec<SegmentChoice>,
    pub discount_id: Option<String>,
    pub last_error: Option<String>,
    pub max_active: usize,
    pub max_message: usize,
}

fn discount_error(err: DiscountError) -> AppError {
    match err {
        DiscountError::Invalid(err) => AppError::BadRequest(err.to_string()),
        DiscountError::NotFound(_) => AppError::NotFound(err.to_string()),
        DiscountError::Database(err) => err.into(),
    }
}

/// `GET /admin/discounts`.
pub async fn page(
    State(app): State<AppState>,
    page: PageSession,
) -> Result<DiscountsPage, AppError> {
    let shop = &page.session.shop;
    let segments = discounts::segments(&app.db, &shop.id).await?;
    let rules = discounts::list_rules(&app.db, &shop.id).await?;
    let state = discounts::shop_discount(&app.db, &shop.id).await?;
    let rules = rules
        .into_iter()
        .map(|rule| RuleRow {
            segment: segments
                .iter()
                .find(|s| s.id == rule.segment_id)
                .map(|s| format!("{} ({})", s.name, s.slug))
                .unwrap_or_else(|| format!("deleted segment {}", rule.segment_id)),
            rule_json: serde_json::to_string(&rule).unwrap_or_default(),
            rule,
        })
        .collect();
    Ok(DiscountsPage {
        api_key: page.api_key,
        id_token: page.id_token,
        shop_domain: shop.domain.to_string(),
        rules,
        segments,
        discount_id: state.discount_id,
        last_error: state.last_error,
        max_active: discounts::MAX_ACTIVE_RULES,
        max_message: discounts::MAX_MESSAGE_CHARS,
    })
}

fn body(input: Result<Json<RuleInput>, JsonRejection>) -> Result<RuleInput, AppError> {
    input
        .map(|Json(input)| input)
        .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
}

/// `POST /admin/api/discounts`: creates a rule.
pub async fn create(
    State(app): State<AppState>,
    session: AdminSession,
    input: Result<Json<RuleInput>, JsonRejection>,
) -> Result<Json<Saved>, AppError> {
    let input = body(input)?;
    discounts::save(&app, &session.shop, None, input)
        .await
        .map(Json)
        .map_err(discount_error)
}

/// `POST /admin/api/discounts/{id}`: edits a rule; `{"active": false}` alone deactivates it.
pub async fn update(
    State(app): State<AppState>,
    session: AdminSession,
    Path(id): Path<String>,
    input: Result<Json<RuleInput>, JsonRejection>,
) -> Result<Json<Saved>, AppError> {
    let input = body(input)?;
    discounts::save(&app, &session.shop, Some(&id), input)
        .await
        .map(Json)
        .map_err(discount_error)
}
