//! Parked work: what kept failing, why, and a way to run it again.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::AdminSession;
use crate::error::AppError;
use crate::jobs::queue;
use crate::state::AppState;

pub async fn parked(
    State(app): State<AppState>,
    session: AdminSession,
) -> Result<Json<Value>, AppError> {
    let jobs = queue::parked(&app.db, &session.shop.id).await?;
    Ok(Json(json!({ "parked": jobs })))
}

pub async fn replay(
    State(app): State<AppState>,
    session: AdminSession,
    Path(id): Path<i64>,
) -> Result<Json<Value>, AppError> {
    if !queue::replay(&app.db, &session.shop.id, id).await? {
        return Err(AppError::NotFound(format!(
            "no parked job {id} in this shop"
        )));
    }
    app.jobs_notify.notify_waiters();
    Ok(Json(json!({ "replayed": id })))
}
