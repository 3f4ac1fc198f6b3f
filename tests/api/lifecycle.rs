//! Uninstall, reinstall, connect links and missing scopes.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestApp, eventually, location};

const SHOP: &str = "north-wind.myshopify.com";

crate::on_both_stores!(
    reinstall_after_uninstall_restores_the_same_workspace,
    a_connect_link_attaches_a_new_install_to_the_existing_workspace,
    a_missing_scope_shows_a_banner_that_asks_for_it_again,
    a_scopes_update_recreates_a_missing_webhook_subscription,
);

async fn reinstall_after_uninstall_restores_the_same_workspace(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let tenant_before: String = sqlx::query_scalar("SELECT tenant_id FROM shops")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    let public_before: String =
        sqlx::query_scalar("SELECT public_key FROM api_keys WHERE kind = 'public'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();

    let response = app
        .http
        .post(format!(
            "{}/_sandbox/shops/{SHOP}/uninstall",
            app.sandbox_url
        ))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    eventually(Duration::from_secs(10), "app/uninstalled processed", || async {
        app.count("SELECT COUNT(*) FROM shops WHERE access_token_enc IS NULL AND uninstalled_at IS NOT NULL").await == 1
    })
    .await;
    // Data is kept; the token is gone.
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants").await, 1);

    app.install(SHOP).await;
    let tenant_after: String = sqlx::query_scalar("SELECT tenant_id FROM shops")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    let public_after: String =
        sqlx::query_scalar("SELECT public_key FROM api_keys WHERE kind = 'public'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(tenant_before, tenant_after);
    assert_eq!(public_before, public_after);
    assert_eq!(app.count("SELECT COUNT(*) FROM shops WHERE access_token_enc IS NOT NULL AND uninstalled_at IS NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants").await, 1);
}

async fn a_connect_link_attaches_a_new_install_to_the_existing_workspace(app: TestApp) {
    app.create_shop(SHOP).await;
    app.create_shop("north-wind-eu.myshopify.com").await;
    app.install(SHOP).await;
    let token = app.session_token(SHOP).await;
    let link: serde_json::Value = app
        .http
        .post(format!("{}/admin/api/connect-links", app.app_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = link["url"].as_str().unwrap();

    // A tampered link is refused.
    let bad = app
        .http
        .get(format!("{}x&shop=north-wind-eu.myshopify.com", url))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);

    let start = app
        .http
        .get(format!("{url}&shop=north-wind-eu.myshopify.com"))
        .send()
        .await
        .unwrap();
    assert!(start.status().is_redirection(), "{}", start.status());
    let authorize = location(&start);
    let granted = app.http.get(&authorize).send().await.unwrap();
    let callback = location(&granted);
    assert!(
        app.http
            .get(&callback)
            .send()
            .await
            .unwrap()
            .status()
            .is_redirection()
    );

    assert_eq!(app.count("SELECT COUNT(*) FROM tenants").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT tenant_id) FROM shops")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM shops").await, 2);
    let body: serde_json::Value = app
        .workspace(&app.session_token("north-wind-eu.myshopify.com").await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["workspace"]["slug"], "north-wind");
    assert_eq!(body["shops"].as_array().unwrap().len(), 2);
}

async fn a_missing_scope_shows_a_banner_that_asks_for_it_again(app: TestApp) {
    app.create_shop(SHOP).await;
    let all: Vec<&str> = segops::shopify::scopes::required()
        .filter(|s| *s != "write_discounts")
        .collect();
    app.sandbox_settings(SHOP, json!({ "grant_scopes": all }))
        .await;
    let page = app.install(SHOP).await;
    assert!(
        page.contains("data-testid=\"scopes-banner\""),
        "no banner: {page}"
    );
    assert!(page.contains("write_discounts"));
    let body: serde_json::Value = app
        .workspace(&app.session_token(SHOP).await)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["missing_scopes"], json!(["write_discounts"]));

    // The banner's link asks Shopify for the scopes again; once granted, the banner is gone.
    let href_start = page.find("/auth/regrant?link=").unwrap();
    let href_end = page[href_start..].find('"').unwrap();
    let regrant = format!(
        "{}{}",
        app.app_url,
        page[href_start..href_start + href_end].replace("&amp;", "&")
    );
    app.sandbox_settings(
        SHOP,
        json!({ "grant_scopes": segops::shopify::scopes::required().collect::<Vec<_>>() }),
    )
    .await;
    let start = app.http.get(&regrant).send().await.unwrap();
    let authorize = location(&start);
    assert!(authorize.contains("write_discounts"));
    let callback = location(&app.http.get(&authorize).send().await.unwrap());
    assert!(
        app.http
            .get(&callback)
            .send()
            .await
            .unwrap()
            .status()
            .is_redirection()
    );
    let page = app.open_admin(SHOP).await;
    assert!(!page.contains("data-testid=\"scopes-banner\""));
}

async fn a_scopes_update_recreates_a_missing_webhook_subscription(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let shop = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(SHOP).unwrap())
        .await
        .unwrap()
        .unwrap();
    let token = shop.access_token(&app.state.token_sealer).unwrap().unwrap();
    // Someone removes one of our subscriptions in the store.
    let subscriptions = app.sandbox_shop(SHOP).await["webhook_subscriptions"].clone();
    let victim = subscriptions[0]["id"].as_str().unwrap().to_owned();
    let deleted: serde_json::Value = app
        .http
        .post(format!("{}/store/{SHOP}/admin/api/2026-04/graphql.json", app.sandbox_url))
        .header("X-Shopify-Access-Token", token.expose())
        .json(&json!({ "query": "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }", "variables": { "id": victim } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        deleted["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"],
        json!(victim)
    );
    let expected = segops::shopify::topics::SUBSCRIBED.len();
    assert_eq!(
        app.sandbox_shop(SHOP).await["webhook_subscriptions"]
            .as_array()
            .unwrap()
            .len(),
        expected - 1
    );

    let body = json!({ "id": 1, "previous": [], "current": segops::shopify::scopes::required().collect::<Vec<_>>(), "updated_at": "2026-11-22T10:00:00Z" });
    let response = app
        .post_webhook(
            SHOP,
            "app/scopes_update",
            "scopes-1",
            body.to_string().as_bytes(),
        )
        .await;
    assert_eq!(response.status(), 200);
    app.drain().await;
    assert_eq!(
        app.sandbox_shop(SHOP).await["webhook_subscriptions"]
            .as_array()
            .unwrap()
            .len(),
        expected
    );
}
