//! `PageSession`: a page load inside the admin iframe carries its session token as `id_token`
//! (Shopify adds it to the app URL; our links pass the current one along). A framed load whose
//! token is missing or stale is bounced for a fresh one (`bounce.rs`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::{AdminSession, bounce, session};
use crate::error::AppError;
use crate::state::AppState;

pub struct PageSession {
    pub session: AdminSession,
    pub id_token: String,
    /// The app's client id, for the `shopify-api-key` meta App Bridge reads (admin/base.html).
    pub api_key: String,
}

/// Why a page load was not served: bounced for a fresh token, or refused with the reason.
pub enum PageRejection {
    Bounce(Response),
    Refused(AppError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Bounce(response) => response,
            PageRejection::Refused(err) => err.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = PageRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let id_token = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "id_token")
            .map(|(_, v)| v.into_owned());
        // Only a token App Bridge can replace is bounced: a valid token for a shop that is not
        // installed would come back the same.
        let stale = id_token
            .as_deref()
            .is_none_or(|token| session::verify(state, token).is_err());
        if stale && bounce::embedded_document(&parts.headers, &parts.uri) {
            return Err(PageRejection::Bounce(bounce::redirect(
                &state.config.app_url,
                &parts.uri,
            )));
        }
        let id_token = id_token.ok_or_else(|| {
            PageRejection::Refused(AppError::InvalidSession(
                "open SegOps from your Shopify admin (no id_token)".into(),
            ))
        })?;
        let session = AdminSession::from_token(state, &id_token)
            .await
            .map_err(PageRejection::Refused)?;
        Ok(PageSession {
            session,
            id_token,
            api_key: state.config.api_key.clone(),
        })
    }
}
