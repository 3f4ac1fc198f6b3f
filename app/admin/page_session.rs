//! `PageSession`: a page load inside the admin iframe carries its session token as `id_token`
//! (Shopify adds it to the app URL; our links pass the current one along).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::AdminSession;
use crate::error::AppError;
use crate::state::AppState;

pub struct PageSession {
    pub session: AdminSession,
    pub id_token: String,
    /// The app's client id, for the `shopify-api-key` meta App Bridge reads (admin/base.html).
    pub api_key: String,
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let id_token = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "id_token")
            .map(|(_, v)| v.into_owned())
            .ok_or_else(|| {
                AppError::InvalidSession("open SegOps from your Shopify admin (no id_token)".into())
            })?;
        let session = AdminSession::from_token(state, &id_token).await?;
        Ok(PageSession {
            session,
            id_token,
            api_key: state.config.api_key.clone(),
        })
    }
}
