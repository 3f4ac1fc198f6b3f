//! Page loads inside the admin's iframe whose session token is missing or stale (App Bridge's
//! sidebar links carry none; a tab outlives its token's minute) are bounced to a page that
//! loads only App Bridge, which reloads them with a fresh token. Anywhere else they are refused
//! with the reason, as before, and the bounce page never sends anyone outside the app.

use crate::helpers::{Store, TestApp, spawn_app};

const SHOP: &str = "bounce.myshopify.com";

async fn get(app: &TestApp, path: &str, framed: bool) -> reqwest::Response {
    let mut request = app.http.get(format!("{}{path}", app.app_url));
    if framed {
        request = request.header("Sec-Fetch-Dest", "iframe");
    }
    request.send().await.unwrap()
}

/// The `shopify-reload` target of a bounce response, after checking it is one.
fn reload_target(response: &reqwest::Response) -> String {
    assert_eq!(response.status(), 303, "a bounce");
    let location = response.headers()["location"].to_str().unwrap();
    let query = location
        .strip_prefix("/auth/session-token?")
        .unwrap_or_else(|| panic!("to the bounce page: {location}"));
    assert!(
        !query.contains("id_token"),
        "the stale token is dropped: {location}"
    );
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "shopify-reload")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| panic!("a shopify-reload target: {location}"))
}

#[tokio::test]
async fn a_framed_page_load_without_a_fresh_token_is_bounced_to_app_bridge() {
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let token = app.session_token(SHOP).await;

    // A sidebar link: no token at all.
    let response = get(&app, &format!("/admin/segments?shop={SHOP}"), true).await;
    let target = reload_target(&response);
    assert_eq!(
        target,
        format!("{}/admin/segments?shop={SHOP}", app.app_url)
    );
    let bounce = app
        .http
        .get(format!(
            "{}{}",
            app.app_url,
            response.headers()["location"].to_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bounce.status(), 200);
    let html = bounce.text().await.unwrap();
    let head = &html[..html.find("</head>").unwrap()];
    assert!(
        head.contains(&format!(
            r#"<meta name="shopify-api-key" content="{}">"#,
            app.api_key
        )),
        "{head}"
    );
    assert_eq!(
        html.find("<script"),
        html.find(r#"<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>"#),
        "App Bridge is the first and only script: {html}"
    );

    // A stale (here: tampered) token on Shopify's embedded load is replaced the same way.
    let stale = format!("{}x", &token[..token.len() - 1]);
    let response = get(
        &app,
        &format!("/admin/profiles?embedded=1&id_token={stale}"),
        false,
    )
    .await;
    assert_eq!(
        reload_target(&response),
        format!("{}/admin/profiles?embedded=1", app.app_url)
    );

    // The sidebar's home link too; with a fresh token the page itself is served.
    let response = get(&app, "/", true).await;
    assert_eq!(reload_target(&response), format!("{}/", app.app_url));
    let page = get(&app, &format!("/admin/segments?id_token={token}"), true).await;
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn outside_the_iframe_a_missing_token_is_refused_with_the_reason() {
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let response = get(&app, "/admin/segments", false).await;
    assert_eq!(response.status(), 401);
    assert!(
        response.text().await.unwrap().contains("no id_token"),
        "the reason is given"
    );
    // The public landing page is still what a browser outside Shopify sees at `/`.
    let landing = get(&app, "/", false).await;
    assert_eq!(landing.status(), 200);
    assert!(landing.text().await.unwrap().contains("SegOps for Shopify"));
}

#[tokio::test]
async fn a_valid_token_for_a_shop_without_segops_is_refused_not_bounced_forever() {
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    app.create_shop(SHOP).await;
    let token = app.session_token(SHOP).await;
    let response = get(&app, &format!("/admin/segments?id_token={token}"), true).await;
    assert_eq!(response.status(), 401);
    assert!(response.text().await.unwrap().contains("not installed"));
}

#[tokio::test]
async fn the_bounce_page_reloads_only_pages_of_this_app() {
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    for target in [
        "https://evil.example/admin",
        "javascript:alert(1)",
        &format!("{}.evil.example/admin", app.app_url),
    ] {
        let query: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("shopify-reload", target)
            .finish();
        let response = get(&app, &format!("/auth/session-token?{query}"), true).await;
        assert_eq!(response.status(), 400, "{target}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("must be a page of this app"),
            "{target}"
        );
    }
    let response = get(&app, "/auth/session-token", true).await;
    assert_eq!(response.status(), 400);
}
