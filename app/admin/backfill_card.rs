//! The dashboard's "History import" card: its JSON (polled by `static/backfill.js`) and the
//! one-click acceptance of the suggested first segment.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AdminSession;
use crate::backfill::{self, Progress};
use crate::error::AppError;
use crate::state::AppState;

/// `GET /admin/api/backfill`: the shop's import progress and, once done, the suggestion.
pub async fn progress(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Option<Progress>>, AppError> {
    Ok(Json(backfill::progress(&app.db, &session.shop.id).await?))
}

/// `POST /admin/api/segments/suggested`: creates the suggested segment (201), or returns the
/// one created before (200).
pub async fn accept(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let (segment, created) = backfill::accept_suggestion(&app, &session.shop.id).await?;
    app.jobs_notify.notify_waiters();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(segment)).into_response())
}
