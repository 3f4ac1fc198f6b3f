//! The Segments page: the shop's segments with member counts and push progress, a form to
//! create one from rule text with a live preview, and the JSON endpoints behind it.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AdminSession;
use super::page_session::PageSession;
use super::segment_push::{NativeCheck, not_native};
use crate::error::AppError;
use crate::jobs::{EvaluateSegment, NewJob, queue};
use crate::segments::{ParseError, Rule, translate};
use crate::segments_store::{self, NewSegment, PushMode, SegmentRow, StoreError};
use crate::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/segments.html")]
pub struct SegmentsPage {
    pub api_key: String,
    pub id_token: String,
    pub shop_domain: String,
    pub segments: Vec<SegmentView>,
}

/// A listed segment with what native mode would make of its rule, shown before the merchant
/// picks the mode.
pub struct SegmentView {
    pub row: SegmentRow,
    pub native: NativeCheck,
}

/// `GET /admin/segments`.
pub async fn page(
    State(app): State<AppState>,
    page: PageSession,
) -> Result<SegmentsPage, AppError> {
    let shop = &page.session.shop;
    Ok(SegmentsPage {
        segments: segments_store::list(&app.db, &shop.id)
            .await
            .map_err(store_error)?
            .into_iter()
            .map(|row| SegmentView {
                native: NativeCheck::of_row(&row),
                row,
            })
            .collect(),
        api_key: page.api_key,
        id_token: page.id_token,
        shop_domain: shop.domain.to_string(),
    })
}

#[derive(serde::Deserialize)]
pub struct RuleInput {
    #[serde(default)]
    name: String,
    rule: String,
    /// `tag` (the default), `native` or `none`.
    #[serde(default)]
    push_mode: Option<String>,
}

/// A rule that does not parse: 400 with the column, so the editor can point at it.
pub(super) fn parse_rejection(text: &str, err: &ParseError) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({
            "error": format!("the rule does not parse at column {}: {}", err.column, err.message),
            "column": err.column,
            "pointer": err.pointer(text),
        })),
    )
        .into_response()
}

fn store_error(err: StoreError) -> AppError {
    match err {
        StoreError::Db(err) => err.into(),
        other => AppError::BadRequest(other.to_string()),
    }
}

fn read(input: Result<Json<RuleInput>, JsonRejection>) -> Result<RuleInput, AppError> {
    input
        .map(|Json(input)| input)
        .map_err(|rejection| AppError::BadRequest(rejection.body_text()))
}

/// `POST /admin/api/segments/preview {"rule": text}`: how many profiles match now, and whether
/// the rule translates to a native Shopify segment query (or which clauses refuse, and why).
pub async fn preview(
    State(app): State<AppState>,
    session: AdminSession,
    input: Result<Json<RuleInput>, JsonRejection>,
) -> Result<Response, AppError> {
    let input = read(input)?;
    let rule = match Rule::parse_text(&input.rule) {
        Ok(rule) => rule,
        Err(err) => return Ok(parse_rejection(&input.rule, &err)),
    };
    let count = segments_store::preview_count(&app.db, &session.shop.id, &rule)
        .await
        .map_err(store_error)?;
    let native = NativeCheck::of_rule(&rule);
    Ok(Json(serde_json::json!({
        "count": count,
        "rule": rule.to_json(),
        "native": native,
    }))
    .into_response())
}

/// `POST /admin/api/segments {"name": n, "rule": text}`: creates a tag-pushed segment and
/// queues its first evaluation.
pub async fn create(
    State(app): State<AppState>,
    session: AdminSession,
    input: Result<Json<RuleInput>, JsonRejection>,
) -> Result<Response, AppError> {
    let input = read(input)?;
    let rule = match Rule::parse_text(&input.rule) {
        Ok(rule) => rule,
        Err(err) => return Ok(parse_rejection(&input.rule, &err)),
    };
    let push_mode = match input.push_mode.as_deref() {
        None | Some("tag") => PushMode::Tag,
        Some("none") => PushMode::None,
        Some("native") => match translate(&rule) {
            Ok(_) => PushMode::Native,
            Err(not) => return Ok(not_native(&not)),
        },
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "push_mode must be tag, native or none, not {other:?}"
            )));
        }
    };
    let new = NewSegment {
        name: input.name,
        rule,
        push_mode,
    };
    let segment = segments_store::create(&app.db, &session.shop.id, &new)
        .await
        .map_err(store_error)?;
    app.jobs_notify.notify_one();
    Ok((StatusCode::CREATED, Json(segment)).into_response())
}

/// `POST /admin/api/segments/{id}/evaluate`: re-evaluates every profile against the segment.
pub async fn reevaluate(
    State(app): State<AppState>,
    session: AdminSession,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let shop_id = &session.shop.id;
    segments_store::get(&app.db, shop_id, &id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| AppError::NotFound("no such segment in this shop".into()))?;
    let job = EvaluateSegment {
        shop_id: shop_id.clone(),
        segment_id: id,
    };
    let _turn = app.db.write_turn().await?;
    let mut conn = app.db.pool().acquire().await?;
    queue::enqueue(
        &mut conn,
        &NewJob::now(shop_id, EvaluateSegment::KIND, &job),
    )
    .await?;
    app.jobs_notify.notify_one();
    Ok(Json(serde_json::json!({ "queued": true })))
}

/// `GET /admin/api/segments`: the shop's segments.
pub async fn list(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Vec<SegmentRow>>, AppError> {
    Ok(Json(
        segments_store::list(&app.db, &session.shop.id)
            .await
            .map_err(store_error)?,
    ))
}
