//! Storefront capture through our Web Pixel: the public intake, its validation and limits,
//! the mapping of Shopify's standard pixel events to canonical events, and each shop's pixel
//! settings. Identity is never taken from the client (see `identity`).

pub mod envelope;
pub mod install;
pub mod intake;
pub mod keys;
pub mod map;
mod origins;
mod process;
pub mod rate_limit;
pub mod settings;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

pub use process::process_batch;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/pixel/v1/events",
            post(intake::receive).options(intake::preflight),
        )
        .layer(DefaultBodyLimit::max(intake::MAX_BODY_BYTES))
}
