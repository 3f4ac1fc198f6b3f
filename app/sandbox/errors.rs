//! The control API's errors: JSON `{"error": "…"}` with the status that says why.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let status = match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

pub fn shop_not_found(shop: &str) -> ControlError {
    ControlError::NotFound(format!("shop {shop} not found"))
}

/// Parses a JSON body ourselves so a bad body gets our 422 shape, not axum's plain-text rejection.
pub fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ControlError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| ControlError::Invalid(format!("invalid JSON body: {e}")))
}
