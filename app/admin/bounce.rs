//! The session-token bounce. A page load inside the admin iframe whose `id_token` is missing or
//! no longer valid (a sidebar link of `<ui-nav-menu>`, the back button, a tab left open past the
//! token's one minute) is sent to a page that loads only App Bridge, which reloads the original
//! URL with a fresh token: the `shopify-reload` parameter, as Shopify's own app libraries use it.
//! Outside the iframe (a bookmarked link, the demo without App Bridge) the load fails as before,
//! with the reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::AppError;
use crate::state::AppState;

pub const PATH: &str = "/auth/session-token";
const RELOAD: &str = "shopify-reload";

#[derive(Template, WebTemplate)]
#[template(path = "admin/bounce.html")]
pub struct BouncePage {
    pub api_key: String,
}

/// Whether the request is a page load inside the Shopify admin's iframe, where App Bridge can
/// supply a fresh token: Shopify marks such loads `embedded=1`, and browsers send
/// `Sec-Fetch-Dest: iframe` for any navigation of a frame. Calls from scripts carry an
/// `Authorization` header instead and get a 401 that App Bridge retries.
pub fn embedded_document(headers: &HeaderMap, uri: &Uri) -> bool {
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        return false;
    }
    let framed = headers
        .get("sec-fetch-dest")
        .is_some_and(|dest| dest.as_bytes() == b"iframe");
    let embedded = url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .any(|(key, value)| key == "embedded" && value == "1");
    framed || embedded
}

/// Sends the load to the bounce page, carrying its query (without the stale token, which App
/// Bridge replaces) and the URL to reload, absolute under the configured app URL so it survives
/// a proxy that rewrites the Host header.
pub fn redirect(app_url: &str, uri: &Uri) -> Response {
    let kept: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .filter(|(key, _)| key != "id_token" && key != RELOAD)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&kept)
        .finish();
    let reload = if query.is_empty() {
        format!("{}{}", app_url.trim_end_matches('/'), uri.path())
    } else {
        format!("{}{}?{query}", app_url.trim_end_matches('/'), uri.path())
    };
    let bounce = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&kept)
        .append_pair(RELOAD, &reload)
        .finish();
    Redirect::to(&format!("{PATH}?{bounce}")).into_response()
}

/// `GET /auth/session-token`: App Bridge alone, which follows `shopify-reload` with a fresh
/// token. The target must be this app: the page never sends anyone elsewhere.
pub async fn page(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let raw = raw.unwrap_or_default();
    let reload = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(key, _)| key == RELOAD)
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| AppError::BadRequest(format!("{RELOAD} is required")))?;
    if !within(&app.config.app_url, &reload) {
        return Err(AppError::BadRequest(format!(
            "{RELOAD} must be a page of this app ({})",
            app.config.app_url
        )));
    }
    Ok(BouncePage {
        api_key: app.config.api_key.clone(),
    }
    .into_response())
}

/// Whether `target` is `app_url` itself or a path under it (not merely a prefix of the host:
/// `https://app.example` must not admit `https://app.example.evil`).
fn within(app_url: &str, target: &str) -> bool {
    let base = app_url.trim_end_matches('/');
    target
        .strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_of_the_app_may_be_reloaded() {
        let app = "https://segops.example/";
        assert!(within(app, "https://segops.example/admin/segments?shop=a"));
        assert!(within(app, "https://segops.example"));
        assert!(within(app, "https://segops.example?host=x"));
        assert!(!within(app, "https://segops.example.evil/admin"));
        assert!(!within(app, "https://other.example/admin"));
        assert!(!within(app, "javascript:alert(1)"));
    }

    #[test]
    fn the_bounce_keeps_the_query_but_not_the_stale_token() {
        let uri: Uri = "/admin/segments?shop=a.myshopify.com&id_token=old&host=aG9zdA&embedded=1"
            .parse()
            .unwrap();
        let response = redirect("https://segops.example", &uri);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        let query: Vec<(String, String)> = url::form_urlencoded::parse(
            location
                .strip_prefix("/auth/session-token?")
                .unwrap()
                .as_bytes(),
        )
        .into_owned()
        .collect();
        assert_eq!(
            query,
            [
                ("shop".to_owned(), "a.myshopify.com".to_owned()),
                ("host".to_owned(), "aG9zdA".to_owned()),
                ("embedded".to_owned(), "1".to_owned()),
                (
                    "shopify-reload".to_owned(),
                    "https://segops.example/admin/segments?shop=a.myshopify.com&host=aG9zdA&embedded=1"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn a_framed_page_load_bounces_and_a_script_call_does_not() {
        let uri: Uri = "/admin/segments".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert!(!embedded_document(&headers, &uri));
        headers.insert("sec-fetch-dest", "iframe".parse().unwrap());
        assert!(embedded_document(&headers, &uri));
        headers.insert("authorization", "Bearer x".parse().unwrap());
        assert!(!embedded_document(&headers, &uri));
        let embedded: Uri = "/admin/segments?embedded=1".parse().unwrap();
        assert!(embedded_document(&HeaderMap::new(), &embedded));
    }
}
