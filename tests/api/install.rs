//! Installing SegOps: the OAuth grant, provisioning, and every way a bad request is refused.

use serde_json::Value;

use crate::helpers::TestApp;

const SHOP: &str = "acme-outdoors.myshopify.com";

crate::on_both_stores!(
    a_full_install_stores_the_token_encrypted_and_provisions_the_workspace,
    a_replayed_callback_is_refused_and_changes_nothing,
    a_callback_with_a_bad_hmac_is_refused_and_changes_nothing,
    a_callback_with_a_stale_state_is_refused_and_changes_nothing,
    a_foreign_shop_domain_is_refused,
    a_tampered_or_missing_session_token_is_refused_with_a_reason,
    a_second_install_changes_nothing_but_the_token,
    managed_install_by_token_exchange_provisions_the_workspace,
    the_server_key_is_shown_once_and_stored_only_as_a_hash,
);

async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT id || '|' || slug FROM tenants ORDER BY id",
        "SELECT id || '|' || domain || '|' || tenant_id || '|' || COALESCE(CAST(installed_at AS TEXT), '') FROM shops ORDER BY id",
        "SELECT id || '|' || kind || '|' || COALESCE(CAST(revoked_at AS TEXT), '') FROM api_keys ORDER BY id",
    ] {
        let found: Vec<String> = sqlx::query_scalar(sql)
            .fetch_all(app.db().pool())
            .await
            .unwrap();
        rows.extend(found);
    }
    let tokens: Vec<Option<Vec<u8>>> =
        sqlx::query_scalar("SELECT access_token_enc FROM shops ORDER BY id")
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    rows.extend(tokens.into_iter().map(|t| format!("{t:?}")));
    rows
}

async fn a_full_install_stores_the_token_encrypted_and_provisions_the_workspace(app: TestApp) {
    app.create_shop(SHOP).await;
    let page = app.install(SHOP).await;
    assert!(
        page.contains("acme-outdoors"),
        "admin page shows the workspace: {page}"
    );

    // Workspace: slug from the subdomain, one public and one server key.
    let slug: String = sqlx::query_scalar("SELECT slug FROM tenants")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(slug, "acme-outdoors");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_keys WHERE kind = 'public'")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM api_keys WHERE kind = 'server' AND secret_hash IS NOT NULL"
        )
        .await,
        1
    );

    // The token is stored encrypted, and it is the one Shopify issued: it opens the Admin API.
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT access_token_enc FROM shops")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&sealed).contains("shp"),
        "token stored in clear"
    );
    let shop = app
        .state
        .installed_shop(&segops::shopify::ShopDomain::parse(SHOP).unwrap())
        .await
        .unwrap()
        .unwrap();
    let token = shop.access_token(&app.state.token_sealer).unwrap().unwrap();
    let response = app
        .http
        .post(format!(
            "{}/store/{SHOP}/admin/api/2026-04/graphql.json",
            app.sandbox_url
        ))
        .header("X-Shopify-Access-Token", token.expose())
        .json(&serde_json::json!({ "query": "{ shop { name } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Shop details and every webhook subscription, pointing at our endpoint.
    assert_eq!(shop.currency.as_deref(), Some("CAD"));
    assert_eq!(
        shop.webhooks.present,
        segops::shopify::topics::SUBSCRIBED.len() as i64
    );
    let sandbox = app.sandbox_shop(SHOP).await;
    let subscriptions = sandbox["webhook_subscriptions"].as_array().unwrap();
    assert_eq!(
        subscriptions.len(),
        segops::shopify::topics::SUBSCRIBED.len()
    );
    assert!(
        subscriptions
            .iter()
            .all(|s| s["uri"] == format!("{}/webhooks", app.app_url))
    );
    assert_eq!(sandbox["installed"], Value::Bool(true));
}

async fn a_replayed_callback_is_refused_and_changes_nothing(app: TestApp) {
    app.create_shop(SHOP).await;
    let callback = app.install_until_callback(SHOP).await;
    let first = app.http.get(&callback).send().await.unwrap();
    assert!(first.status().is_redirection());
    let before = snapshot(&app).await;
    let replay = app.http.get(&callback).send().await.unwrap();
    assert_eq!(replay.status(), 400);
    assert!(replay.text().await.unwrap().contains("already used"));
    assert_eq!(snapshot(&app).await, before);
}

async fn a_callback_with_a_bad_hmac_is_refused_and_changes_nothing(app: TestApp) {
    app.create_shop(SHOP).await;
    let callback = app.install_until_callback(SHOP).await;
    let before = snapshot(&app).await;
    let tampered = callback.replace("code=", "code=x");
    let response = app.http.get(&tampered).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("hmac does not match")
    );
    let missing = app
        .http
        .get(format!(
            "{}/auth/callback?shop={SHOP}&code=c&state=s&timestamp=1",
            app.app_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    assert!(missing.text().await.unwrap().contains("no hmac"));
    assert_eq!(snapshot(&app).await, before);
    // The genuine callback still works afterwards: a refused forgery consumed nothing.
    assert!(
        app.http
            .get(&callback)
            .send()
            .await
            .unwrap()
            .status()
            .is_redirection()
    );
}

async fn a_callback_with_a_stale_state_is_refused_and_changes_nothing(app: TestApp) {
    app.create_shop(SHOP).await;
    let callback = app.install_until_callback(SHOP).await;
    sqlx::query("UPDATE oauth_states SET expires_at = 0")
        .execute(app.db().pool())
        .await
        .unwrap();
    let before = snapshot(&app).await;
    let response = app.http.get(&callback).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("expired"));
    assert_eq!(snapshot(&app).await, before);
}

async fn a_foreign_shop_domain_is_refused(app: TestApp) {
    for shop in [
        "evil.example.com",
        "acme.myshopify.com.evil.com",
        "-x.myshopify.com",
    ] {
        let query = signed(
            &app,
            &[
                ("shop", shop),
                ("timestamp", &segops::clock::now_secs().to_string()),
            ],
        );
        let response = app
            .http
            .get(format!("{}/auth?{query}", app.app_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{shop}");
        assert!(response.text().await.unwrap().contains("not a shop domain"));
    }
    // A callback whose state was issued for another shop is refused too.
    app.create_shop(SHOP).await;
    app.create_shop("other-store.myshopify.com").await;
    let callback = app.install_until_callback(SHOP).await;
    let params: Vec<(String, String)> = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "hmac")
        .map(|(k, v)| {
            if k == "shop" {
                (k, "other-store.myshopify.com".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    let pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let response = app
        .http
        .get(format!(
            "{}/auth/callback?{}",
            app.app_url,
            signed(&app, &pairs)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("another shop"));
    assert_eq!(app.count("SELECT COUNT(*) FROM shops").await, 0);
}

async fn a_tampered_or_missing_session_token_is_refused_with_a_reason(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let token = app.session_token(SHOP).await;
    assert_eq!(app.workspace(&token).await.status(), 200);

    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    let tampered = parts.join(".");
    let response = app.workspace(&tampered).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["x-shopify-retry-invalid-session-request"],
        "1"
    );
    assert!(response.text().await.unwrap().contains("session token"));

    let response = app
        .http
        .get(format!("{}/admin/api/workspace", app.app_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.text().await.unwrap().contains("no session token"));

    // A page load with a forged id_token neither renders nor installs anything: embedded, it
    // is sent for a fresh token (the bounce, tests/api/session_bounce.rs); outside the admin it
    // is refused.
    let before = snapshot(&app).await;
    let response = app
        .http
        .get(format!(
            "{}/?embedded=1&shop={SHOP}&id_token={tampered}",
            app.app_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("/auth/session-token?") && !location.contains(&tampered),
        "{location}"
    );
    let response = app
        .http
        .get(format!("{}/?shop={SHOP}&id_token={tampered}", app.app_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(snapshot(&app).await, before);
}

async fn a_second_install_changes_nothing_but_the_token(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let tenants_before: Vec<String> = sqlx::query_scalar("SELECT id FROM tenants")
        .fetch_all(app.db().pool())
        .await
        .unwrap();
    let keys_before = app.count("SELECT COUNT(*) FROM api_keys").await;
    app.install(SHOP).await;
    let tenants_after: Vec<String> = sqlx::query_scalar("SELECT id FROM tenants")
        .fetch_all(app.db().pool())
        .await
        .unwrap();
    assert_eq!(tenants_before, tenants_after);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_keys").await,
        keys_before
    );
    assert_eq!(
        app.sandbox_shop(SHOP).await["webhook_subscriptions"]
            .as_array()
            .unwrap()
            .len(),
        segops::shopify::topics::SUBSCRIBED.len()
    );
}

async fn managed_install_by_token_exchange_provisions_the_workspace(app: TestApp) {
    app.create_shop(SHOP).await;
    let token = app.session_token(SHOP).await;
    let response = app
        .http
        .get(format!(
            "{}/?embedded=1&shop={SHOP}&id_token={token}",
            app.app_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("acme-outdoors"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM shops WHERE access_token_enc IS NOT NULL")
            .await,
        1
    );
    assert_eq!(app.sandbox_shop(SHOP).await["installed"], Value::Bool(true));
}

async fn the_server_key_is_shown_once_and_stored_only_as_a_hash(app: TestApp) {
    app.create_shop(SHOP).await;
    let first = app.install(SHOP).await;
    let key = between(&first, "data-testid=\"server-key\">", "<")
        .expect("server key shown on first visit");
    assert!(key.starts_with("sk_"));
    let hash: String = sqlx::query_scalar("SELECT secret_hash FROM api_keys WHERE kind = 'server'")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(hash, segops::tenants::hash_server_key(&key));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM api_keys WHERE reveal_enc IS NOT NULL")
            .await,
        0
    );
    let second = app.open_admin(SHOP).await;
    assert!(!second.contains(&key), "server key shown twice");
    assert!(second.contains("data-testid=\"server-key-hint\""));
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)?;
    Some(text[from..from + to].to_owned())
}

/// Signs a query as Shopify would, with the app's secret (tests stand in for Shopify here).
pub fn signed(app: &TestApp, params: &[(&str, &str)]) -> String {
    let hmac = segops::shopify::sign_query(app.api_secret.as_bytes(), params.iter().copied());
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    query.append_pair("hmac", &hmac);
    query.finish()
}
