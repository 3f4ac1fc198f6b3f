//! The embedded admin as Shopify expects it: every page carries App Bridge exactly as Shopify
//! documents it (checked on the served HTML, no browser needed), and in headless Chromium
//! (tests/browser/admin.mjs), with Shopify's CDN unreachable, every page still works on its
//! fallback and confirms a merchant's actions with accessible in-page toasts (and, when App
//! Bridge is there, with its toasts and fresh session tokens).

use serde_json::{Value, json};

use crate::browser::{artefacts, available, run_script};
use crate::helpers::{Store, TestApp, spawn_app};

const SHOP: &str = "admin-chrome.myshopify.com";

/// The script tag Shopify documents: from its CDN, and without async, defer or type=module.
const APP_BRIDGE: &str =
    r#"<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"></script>"#;

/// What is wrong with a page's App Bridge set-up, as Shopify documents it: the api key meta and
/// the script tag in `<head>`, the script being the first one. Empty when nothing is.
fn app_bridge_problems(html: &str, api_key: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(head_end) = html.find("</head>") else {
        return vec!["no </head>".into()];
    };
    let head = &html[..head_end];
    let meta = format!(r#"<meta name="shopify-api-key" content="{api_key}">"#);
    if !head.contains(&meta) {
        problems.push(format!("no {meta} in <head>"));
    }
    match (head.find(APP_BRIDGE), html.find("<script")) {
        (None, _) => problems.push(format!("no {APP_BRIDGE} in <head>")),
        (Some(at), Some(first)) if at != first => {
            problems.push("app-bridge.js is not the first script".into())
        }
        _ => {}
    }
    if html.matches("app-bridge.js").count() != 1 {
        problems.push("app-bridge.js is included more than once".into());
    }
    problems
}

#[test]
fn the_check_reports_an_async_app_bridge_a_later_script_and_a_missing_meta() {
    let good = format!(r#"<head><meta name="shopify-api-key" content="k">{APP_BRIDGE}</head>"#);
    assert!(app_bridge_problems(&good, "k").is_empty());
    let async_script = good.replace("></script>", " async></script>");
    assert!(!app_bridge_problems(&async_script, "k").is_empty());
    let later = good.replace(
        r#"content="k">"#,
        r#"content="k"><script src="/static/admin.js"></script>"#,
    );
    assert_eq!(
        app_bridge_problems(&later, "k"),
        ["app-bridge.js is not the first script"]
    );
    assert_eq!(app_bridge_problems(&good, "other").len(), 1);
}

/// A shop with one segment and one customer's profile, so every page has something to show.
/// Returns the admin paths (every embedded page) and the segment's id.
async fn shop_with_a_profile_and_a_segment(app: &TestApp) -> (Vec<String>, String) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    crate::profiles::customer(app, SHOP, "Grace", "grace@example.net").await;
    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Buyers", "rule": "order_count >= 1" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    app.settle(2).await;
    let (status, profiles) = app
        .admin_call(
            SHOP,
            reqwest::Method::GET,
            "/admin/api/profiles",
            Value::Null,
        )
        .await;
    assert_eq!(status, 200, "{profiles}");
    let person = profiles["profiles"][0]["person_id"]
        .as_str()
        .unwrap_or_else(|| panic!("a profile for the customer: {profiles}"))
        .to_owned();
    let profile = format!("/admin/profiles/{}", urlencoding(&person));
    let paths = [
        "/",
        "/admin/segments",
        "/admin/profiles",
        profile.as_str(),
        "/admin/discounts",
        "/admin/pixel",
        "/admin/privacy",
    ]
    .map(str::to_owned)
    .to_vec();
    (paths, segment["id"].as_str().unwrap().to_owned())
}

fn urlencoding(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn every_embedded_admin_page_carries_app_bridge_as_shopify_documents() {
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    let api_key = app.state.config.api_key.clone();
    let (paths, _) = shop_with_a_profile_and_a_segment(&app).await;
    let token = app.session_token(SHOP).await;
    for path in &paths {
        let html = app.admin_page(path, &token).await;
        let problems = app_bridge_problems(&html, &api_key);
        assert!(problems.is_empty(), "{path}: {problems:?}");
    }
    // The public landing page is not embedded: App Bridge there would look for an admin.
    let landing = app
        .http
        .get(format!("{}/", app.app_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(landing.contains("SegOps for Shopify"), "{landing}");
    assert!(!landing.contains("app-bridge.js") && !landing.contains("shopify-api-key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_page_works_without_app_bridge_and_toasts_through_it_when_present() {
    if !available("admin browser test") {
        return;
    }
    let Some(app) = spawn_app(Store::Sqlite).await else {
        return;
    };
    let api_key = app.state.config.api_key.clone();
    let (paths, segment) = shop_with_a_profile_and_a_segment(&app).await;
    let screenshots = artefacts("admin");
    let token = app.session_token(SHOP).await;
    let fresh = app.session_token(SHOP).await;
    assert_ne!(token, fresh, "the sandbox mints a new token each time");
    let report = run_script(
        "admin.mjs",
        &[
            "--base",
            &app.app_url,
            "--token",
            &token,
            "--fresh-token",
            &fresh,
            "--pages",
            &paths.join(","),
            "--segment",
            &segment,
            "--screenshot-dir",
            screenshots.to_str().unwrap(),
        ],
    )
    .await;

    for path in &paths {
        let page = &report["pages"][path];
        assert_eq!(page["status"], 200, "{path}: {page}");
        let problems = app_bridge_problems(page["head"].as_str().unwrap_or_default(), &api_key);
        assert!(problems.is_empty(), "{path}: {problems:?}");
        // The browser asked for App Bridge, could not get it, and the page ran on its fallback.
        assert_eq!(
            page["cdn_requests"],
            json!(["https://cdn.shopify.com/shopifycloud/app-bridge.js"]),
            "{path}"
        );
        assert_eq!(page["app_bridge"], "undefined", "{path}");
        assert_eq!(page["admin_js"], true, "{path}: admin.js loaded");
        // Without App Bridge the in-page tabs navigate and its sidebar menu stays hidden.
        assert_eq!(page["tabs_visible"], true, "{path}");
        assert_eq!(page["nav_menu_visible"], false, "{path}");
        assert_eq!(page["errors"], json!([]), "{path}: no script errors");
        assert!(
            !page["h1"].as_str().unwrap_or_default().is_empty(),
            "{path}: a page title"
        );
    }
    for (path, primary) in [
        ("/", "Create segment"),
        ("/admin/segments", "Create segment"),
        ("/admin/discounts", "Create rule"),
        ("/admin/pixel", "Save and update the pixel"),
        ("/admin/privacy", "Save retention"),
    ] {
        assert_eq!(
            report["pages"][path]["primary"],
            json!([primary]),
            "{path}: one primary action, top right"
        );
    }

    let actions = &report["actions"];
    let error = &actions["error"];
    assert!(
        error["text"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Segment not created: "),
        "{actions}"
    );
    assert_eq!(error["region_role"], "alert", "{actions}");
    assert_eq!(error["stayed"], true, "errors stay until closed: {actions}");
    assert_eq!(error["closed"], true, "{actions}");
    assert_eq!(error["close_label"], "Dismiss notification", "{actions}");
    let confirmation = &actions["confirmation"];
    assert_eq!(
        confirmation["text"], "Re-evaluation queued; member counts update when it finishes",
        "{actions}"
    );
    assert_eq!(confirmation["region_role"], "status", "{actions}");
    assert_eq!(confirmation["region_live"], "polite", "{actions}");
    assert_eq!(confirmation["hid"], true, "{actions}");
    assert_eq!(
        actions["created"]["text"], "Segment “Big spenders” created",
        "the toast survives the reload: {actions}"
    );
    assert_eq!(actions["created"]["listed"], 2, "{actions}");
    // When App Bridge is there, its toast and its fresh session tokens are used instead.
    let bridge = &actions["app_bridge"];
    assert_eq!(
        bridge["toasts"],
        json!([{ "message": "Re-evaluation queued; member counts update when it finishes",
                 "options": { "isError": false, "duration": 5000 } }]),
        "{actions}"
    );
    assert_eq!(bridge["in_page_toasts"], 0, "{actions}");
    assert_eq!(bridge["token_calls"], 1, "{actions}");
    assert_eq!(
        bridge["authorization"].as_array().map(Vec::len),
        Some(1),
        "{actions}"
    );
    assert!(
        bridge["authorization"][0]
            .as_str()
            .is_some_and(|h| h.starts_with("Bearer ")),
        "{actions}"
    );
    // Inside the admin, App Bridge's title bar and sidebar take over from the page's own.
    let chrome = &bridge["chrome"];
    assert_eq!(chrome["html_class"], "app-bridge", "{chrome}");
    assert_eq!(chrome["title"], "Segments", "{chrome}");
    assert_eq!(
        chrome["buttons"],
        json!([{ "variant": "primary", "text": "Create segment" }]),
        "{chrome}"
    );
    assert_eq!(
        chrome["nav"],
        json!([
            { "href": "/", "rel": "home", "text": "Home" },
            { "href": "/admin/segments", "rel": null, "text": "Segments" },
            { "href": "/admin/profiles", "rel": null, "text": "Profiles" },
            { "href": "/admin/discounts", "rel": null, "text": "Discounts" },
            { "href": "/admin/pixel", "rel": null, "text": "Pixel" },
            { "href": "/admin/privacy", "rel": null, "text": "Privacy" },
        ]),
        "{chrome}"
    );
    assert_eq!(chrome["tabs_visible"], false, "{chrome}");
    assert_eq!(
        chrome["header_size"],
        json!([1, 1]),
        "visually hidden: {chrome}"
    );
    let forwarded = &bridge["forwarded"];
    assert_eq!(forwarded["path"], "/admin/segments", "{forwarded}");
    assert_eq!(forwarded["hash"], "#create", "{forwarded}");
    assert_eq!(forwarded["fresh_token"], true, "{forwarded}");
    assert_eq!(forwarded["status_h1"], "Segments", "{forwarded}");

    for shot in [
        "admin-home.png",
        "admin-segments.png",
        "admin-profiles.png",
        "admin-profile.png",
        "admin-discounts.png",
        "admin-pixel.png",
        "admin-privacy.png",
        "admin-segments-toasts.png",
        "admin-segment-created.png",
        "admin-segments-app-bridge.png",
    ] {
        assert!(screenshots.join(shot).exists(), "{shot} kept");
    }
}
