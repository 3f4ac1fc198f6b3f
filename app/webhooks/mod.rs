//! `POST /webhooks`: every topic arrives here. The signature is checked over the raw bytes
//! before anything is parsed; each delivery is sealed, stored once per (shop, topic, event id)
//! by group commit (the row is also its processing's queue entry), and only then acknowledged.

pub mod body;
mod headers;
pub mod intake;
mod receive;
pub mod shop_keys;
pub mod writer_stats;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

pub use headers::DeliveryHeaders;

use crate::state::AppState;

/// Shopify's largest order payloads stay well under this.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks", post(receive::receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}
