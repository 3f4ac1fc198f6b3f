//! The embedded admin: pages served inside the Shopify admin iframe and the JSON endpoints its
//! scripts call, all authenticated by App Bridge session tokens.

mod api;
mod backfill_card;
mod bounce;
mod deliveries;
mod discounts_page;
mod home;
mod lag_view;
mod page_session;
mod pixel_page;
mod privacy_page;
mod profile_views;
mod profiles_list_view;
mod profiles_page;
mod segment_push;
mod segments_page;
mod session;
mod setup_steps;

use axum::Router;
use axum::routing::{get, post};

pub use session::AdminSession;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::entry))
        .route(bounce::PATH, get(bounce::page))
        .route("/admin/api/workspace", get(api::workspace))
        .route("/admin/api/connect-links", post(api::connect_link))
        .route("/admin/api/server-key", post(api::rotate_server_key))
        .route("/admin/api/webhooks/sync", post(api::sync_webhooks))
        .route("/admin/privacy", get(privacy_page::page))
        .route("/admin/pixel", get(pixel_page::page))
        .route("/admin/api/pixel", post(pixel_page::save))
        .route("/admin/api/identity", post(pixel_page::set_identity))
        .route("/admin/discounts", get(discounts_page::page))
        .route("/admin/api/discounts", post(discounts_page::create))
        .route("/admin/api/discounts/{id}", post(discounts_page::update))
        .route("/admin/api/privacy/{id}/export", get(privacy_page::export))
        .route(
            "/admin/api/privacy/retention",
            post(privacy_page::set_retention),
        )
        .route("/admin/segments", get(segments_page::page))
        .route(
            "/admin/api/segments",
            get(segments_page::list).post(segments_page::create),
        )
        .route("/admin/api/segments/preview", post(segments_page::preview))
        .route("/admin/api/segments/suggested", post(backfill_card::accept))
        .route("/admin/api/backfill", get(backfill_card::progress))
        .route(
            "/admin/api/segments/{id}/evaluate",
            post(segments_page::reevaluate),
        )
        .route(
            "/admin/api/segments/{id}",
            axum::routing::put(segment_push::update),
        )
        .route(
            "/admin/api/segments/{id}/mode",
            post(segment_push::set_mode),
        )
        .route("/admin/profiles", get(profiles_page::list_page))
        .route("/admin/profiles/{id}", get(profiles_page::detail_page))
        .route("/admin/api/profiles", get(profiles_page::list))
        .route("/admin/api/profiles/{id}", get(profiles_page::detail))
        .route("/admin/api/parked", get(deliveries::parked))
        .route("/admin/api/parked/{id}/replay", post(deliveries::replay))
}
