//! `AdminSession`: the installed shop a request's session token speaks for. No token and a bad
//! token are told apart, and both carry Shopify's retry header so App Bridge fetches a fresh one.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::AppError;
use crate::shopify::session_token::{self, SessionToken, SessionTokenError};
use crate::state::{App, AppState};
use crate::tenants::ShopRecord;

pub struct AdminSession {
    pub shop: ShopRecord,
    pub token: SessionToken,
}

impl AdminSession {
    /// Verifies a raw token and finds its installed shop.
    pub async fn from_token(app: &App, raw: &str) -> Result<AdminSession, AppError> {
        let token = verify(app, raw)?;
        let shop = app.installed_shop(&token.shop).await?.ok_or_else(|| {
            AppError::InvalidSession(format!("SegOps is not installed on {}", token.shop))
        })?;
        Ok(AdminSession { shop, token })
    }
}

pub fn verify(app: &App, raw: &str) -> Result<SessionToken, AppError> {
    session_token::verify(
        raw,
        &app.config.api_key,
        app.config.api_secret.expose().as_bytes(),
    )
    .map_err(|err| {
        tracing::info!(reason = %err, "session token rejected");
        AppError::InvalidSession(err.to_string())
    })
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let raw = match header {
            None => {
                return Err(AppError::InvalidSession(
                    SessionTokenError::Missing.to_string(),
                ));
            }
            Some(value) => value.strip_prefix("Bearer ").ok_or_else(|| {
                AppError::InvalidSession("Authorization must be `Bearer <session token>`".into())
            })?,
        };
        AdminSession::from_token(state, raw.trim()).await
    }
}
