//! The one error type that crosses into HTTP: client errors say why, server errors
//! log their cause chain once and answer with a generic body.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// A missing or invalid credential (HMAC, state, API key).
    #[error("{0}")]
    Unauthorized(String),
    /// A missing or invalid App Bridge session token: the embedded admin retries these
    /// with a fresh token when it sees Shopify's retry header.
    #[error("{0}")]
    InvalidSession(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Over a rate limit; the caller may try again after `retry_after_secs`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    /// Shopify (or the sandbox) is unreachable or answered with something unusable.
    #[error("Shopify could not be reached: {0}")]
    Upstream(String),
    /// Temporarily unable to take the request (storage unavailable); the caller should retry.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        AppError::Internal(err.into())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) | AppError::InvalidSession(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "request failed");
                "internal error; it has been logged".to_owned()
            }
            AppError::Upstream(reason) => {
                tracing::warn!(reason = %reason, "upstream failure");
                self.to_string()
            }
            other => other.to_string(),
        };
        let mut response = (status, axum::Json(json!({ "error": message }))).into_response();
        if matches!(self, AppError::InvalidSession(_)) {
            response.headers_mut().insert(
                "X-Shopify-Retry-Invalid-Session-Request",
                HeaderValue::from_static("1"),
            );
        }
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = self
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("database"))
    }
}
