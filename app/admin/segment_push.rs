//! The push parts of the Segments page's API: choosing a segment's push mode (native refused,
//! clause by clause, when the rule does not translate) and changing a segment's rule.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AdminSession;
use crate::error::AppError;
use crate::segments::{MetafieldUse, NotNative, Refusal, Rule, translate};
use crate::segments_store::{self, PushMode, SegmentRow, StoreError};
use crate::state::AppState;

/// How a segment would look as a native Shopify segment: the query, or why not.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NativeCheck {
    pub query: Option<String>,
    pub refusals: Vec<Refusal>,
    /// Clauses the query reads through a `segops` customer metafield SegOps writes.
    pub via_metafields: Vec<MetafieldUse>,
}

impl NativeCheck {
    pub fn of_rule(rule: &Rule) -> NativeCheck {
        match translate(rule) {
            Ok(native) => NativeCheck {
                query: Some(native.query),
                refusals: Vec::new(),
                via_metafields: native.via_metafields,
            },
            Err(not) => NativeCheck {
                query: None,
                refusals: not.refusals,
                via_metafields: Vec::new(),
            },
        }
    }

    /// For a stored segment (its rule is valid JSON; an unreadable one refuses as a whole).
    pub fn of_row(row: &SegmentRow) -> NativeCheck {
        match Rule::from_json(&row.rule) {
            Ok(rule) => Self::of_rule(&rule),
            Err(err) => NativeCheck {
                query: None,
                refusals: vec![Refusal {
                    clause: row.rule.clone(),
                    reason: err.to_string(),
                }],
                via_metafields: Vec::new(),
            },
        }
    }
}

/// 422 naming every clause Shopify cannot express and why.
pub fn not_native(not: &NotNative) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({
            "error": format!("native mode is not available: {not}"),
            "refusals": not.refusals,
        })),
    )
        .into_response()
}

fn rejection(err: StoreError) -> Result<Response, AppError> {
    match err {
        StoreError::NotNative(not) => Ok(not_native(&not)),
        StoreError::NotFound => Err(AppError::NotFound(err.to_string())),
        StoreError::PushRunning => Err(AppError::Conflict(err.to_string())),
        StoreError::Db(err) => Err(err.into()),
        other => Err(AppError::BadRequest(other.to_string())),
    }
}

#[derive(serde::Deserialize)]
pub struct ModeInput {
    mode: String,
}

/// `POST /admin/api/segments/{id}/mode {"mode": "tag" | "native" | "none"}`.
pub async fn set_mode(
    State(app): State<AppState>,
    session: AdminSession,
    Path(id): Path<String>,
    input: Result<Json<ModeInput>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(input) = input.map_err(|r| AppError::BadRequest(r.body_text()))?;
    let mode = match input.mode.as_str() {
        "tag" => PushMode::Tag,
        "native" => PushMode::Native,
        "none" => PushMode::None,
        other => {
            return Err(AppError::BadRequest(format!(
                "mode must be tag, native or none, not {other:?}"
            )));
        }
    };
    match segments_store::set_mode(&app.db, &session.shop.id, &id, mode).await {
        Ok(segment) => {
            app.jobs_notify.notify_one();
            Ok(Json(segment).into_response())
        }
        Err(err) => rejection(err),
    }
}

#[derive(serde::Deserialize)]
pub struct UpdateInput {
    name: Option<String>,
    rule: String,
}

/// `PUT /admin/api/segments/{id} {"rule": text, "name"?}`: a new rule, re-evaluated; a native
/// segment's Shopify twin follows.
pub async fn update(
    State(app): State<AppState>,
    session: AdminSession,
    Path(id): Path<String>,
    input: Result<Json<UpdateInput>, JsonRejection>,
) -> Result<Response, AppError> {
    let Json(input) = input.map_err(|r| AppError::BadRequest(r.body_text()))?;
    let rule = match Rule::parse_text(&input.rule) {
        Ok(rule) => rule,
        Err(err) => return Ok(super::segments_page::parse_rejection(&input.rule, &err)),
    };
    let updated =
        segments_store::update_rule(&app.db, &session.shop.id, &id, input.name.as_deref(), &rule)
            .await;
    match updated {
        Ok(segment) => {
            app.jobs_notify.notify_one();
            Ok(Json(segment).into_response())
        }
        Err(err) => rejection(err),
    }
}
