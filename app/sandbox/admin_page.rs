//! The Shopify admin's app link: `/store/{shop}/admin/apps/{api_key}` frames the app with a signed
//! query and a fresh session token, or sends the merchant to the app URL to install it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::oauth::{found, host_param};
use super::session_token;
use super::signing::signed_query;
use super::state::{SharedState, random_hex};

pub fn default_user_id(shop_numeric_id: u64) -> String {
    (shop_numeric_id % 100_000_000 + 70_000_000).to_string()
}

/// `GET /store/{shop}/admin/apps/{api_key}`
pub async fn app_link(
    State(state): State<SharedState>,
    Path((shop, api_key)): Path<(String, String)>,
) -> Response {
    if api_key != state.config.api_key {
        return (StatusCode::NOT_FOUND, "App not found").into_response();
    }
    let (installed, user_id) = {
        let world = state.world();
        let Some(s) = world.shops.get(&shop) else {
            return (StatusCode::NOT_FOUND, "There's no store at this address.").into_response();
        };
        (s.installation.is_some(), default_user_id(s.numeric_id))
    };
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    let secret = &state.config.api_secret;
    let app_url = &state.config.app_url;
    if !installed {
        let query = signed_query(
            secret,
            vec![
                ("host".into(), host_param(&shop)),
                ("shop".into(), shop.clone()),
                ("timestamp".into(), timestamp),
            ],
        );
        return found(&format!("{app_url}/?{query}"));
    }
    let id_token = session_token::mint(&state.config.api_key, secret, &shop, &user_id);
    let query = signed_query(
        secret,
        vec![
            ("embedded".into(), "1".into()),
            ("host".into(), host_param(&shop)),
            ("id_token".into(), id_token),
            ("locale".into(), "en".into()),
            ("session".into(), random_hex(32)),
            ("shop".into(), shop.clone()),
            ("timestamp".into(), timestamp),
        ],
    );
    let src = format!("{app_url}/?{query}").replace('&', "&amp;");
    Html(format!(
        "<!doctype html><html><head><title>{shop} · Shopify admin (sandbox)</title>\
         <style>body{{margin:0;font-family:sans-serif}}header{{background:#1a1a1a;color:#fff;padding:8px 16px}}\
         iframe{{border:0;width:100%;height:calc(100vh - 40px)}}</style></head>\
         <body><header>Shopify admin (sandbox) · {shop}</header>\
         <iframe id=\"app-iframe\" name=\"app-iframe\" src=\"{src}\"></iframe></body></html>"
    ))
    .into_response()
}
