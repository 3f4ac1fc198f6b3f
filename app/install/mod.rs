//! Installing SegOps into a shop: the OAuth grant (`/auth`, `/auth/callback`), connect links
//! that attach a new install to an existing workspace, token exchange for managed installs, and
//! the setup that follows (shop details, scopes, webhook subscriptions).

mod handlers;
mod oauth_state;
mod setup;

use axum::Router;
use axum::routing::get;

pub use handlers::begin_oauth;
pub use setup::{after_install, check_scopes, install_with_session_token, sync_webhooks};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth", get(handlers::begin))
        .route("/auth/callback", get(handlers::callback))
        .route("/connect", get(handlers::connect))
        .route("/auth/regrant", get(handlers::regrant))
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    Shop(#[from] crate::shopify::ShopDomainError),
    #[error("install request rejected: {0}")]
    Hmac(#[from] crate::shopify::QueryHmacError),
    #[error("the request is too old (timestamp outside 90 seconds); start the install again")]
    StaleTimestamp,
    #[error("the OAuth state {0}")]
    State(oauth_state::StateProblem),
    #[error("link rejected: {0}")]
    Link(#[from] crate::signed_link::LinkError),
    #[error("missing query parameter {0}")]
    Missing(&'static str),
    #[error(transparent)]
    OAuth(#[from] crate::shopify::oauth::OAuthError),
    #[error(transparent)]
    Tenant(#[from] crate::tenants::TenantError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<InstallError> for crate::error::AppError {
    fn from(err: InstallError) -> Self {
        use crate::error::AppError;
        use crate::shopify::oauth::OAuthError;
        match err {
            InstallError::Shop(_) | InstallError::Missing(_) | InstallError::State(_) => {
                AppError::BadRequest(err.to_string())
            }
            InstallError::Hmac(_) | InstallError::StaleTimestamp | InstallError::Link(_) => {
                AppError::Unauthorized(err.to_string())
            }
            InstallError::OAuth(OAuthError::Refused(_)) => AppError::BadRequest(err.to_string()),
            InstallError::OAuth(other) => AppError::Upstream(other.to_string()),
            InstallError::Tenant(other) => other.into(),
            InstallError::Database(other) => other.into(),
        }
    }
}
