//! OAuth, token exchange, session tokens and the admin app link, as Shopify runs them.

mod sandbox_support;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sandbox_support::{API_KEY, API_SECRET, query_param, start};
use serde_json::json;
use sha2::Sha256;

/// The fixtures README rule: every param but `hmac`, sorted, `k=v` joined with `&`, hex HMAC-SHA256.
fn expected_hmac(url: &url::Url) -> String {
    let mut pairs: Vec<String> = url
        .query_pairs()
        .filter(|(k, _)| k != "hmac")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    let mut mac = Hmac::<Sha256>::new_from_slice(API_SECRET.as_bytes()).unwrap();
    mac.update(pairs.join("&").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn an_oauth_redirect_carries_a_query_hmac_the_app_can_verify() {
    let t = start().await;
    t.create_shop("demo.myshopify.com").await;
    let location = t
        .authorize("demo.myshopify.com", "read_products,write_products")
        .await;
    assert!(
        location
            .as_str()
            .starts_with(&format!("{}/auth/callback?", t.app_url))
    );
    for key in ["code", "hmac", "host", "shop", "state", "timestamp"] {
        assert!(query_param(&location, key).is_some(), "missing {key}");
    }
    assert_eq!(
        query_param(&location, "hmac").unwrap(),
        expected_hmac(&location)
    );
    assert_eq!(query_param(&location, "state").unwrap(), "nonce-123");
    assert_eq!(
        query_param(&location, "shop").unwrap(),
        "demo.myshopify.com"
    );
    let host = base64::engine::general_purpose::STANDARD
        .decode(query_param(&location, "host").unwrap())
        .unwrap();
    assert_eq!(host, b"admin.shopify.com/store/demo");
}

#[tokio::test]
async fn an_authorization_code_works_once() {
    let t = start().await;
    t.create_shop("once.myshopify.com").await;
    let location = t
        .authorize("once.myshopify.com", "read_products,write_products")
        .await;
    let code = query_param(&location, "code").unwrap();
    let url = format!(
        "{}/store/once.myshopify.com/admin/oauth/access_token",
        t.base
    );
    let body = json!({ "client_id": API_KEY, "client_secret": API_SECRET, "code": code });
    let first = t.http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let token: serde_json::Value = first.json().await.unwrap();
    assert!(
        token["access_token"]
            .as_str()
            .unwrap()
            .starts_with("shpat_")
    );
    assert_eq!(token["scope"], "read_products,write_products");

    let again = t.http.post(&url).json(&body).send().await.unwrap();
    assert_eq!(again.status(), 400);
    let err: serde_json::Value = again.json().await.unwrap();
    assert_eq!(err["error"], "invalid_request");

    // Form bodies are accepted too; a wrong secret is refused.
    let location = t.authorize("once.myshopify.com", "read_products").await;
    let code = query_param(&location, "code").unwrap();
    let wrong = t
        .http
        .post(&url)
        .form(&[
            ("client_id", API_KEY),
            ("client_secret", "nope"),
            ("code", code.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
}

#[tokio::test]
async fn a_bad_client_id_or_a_foreign_redirect_uri_is_refused() {
    let t = start().await;
    t.create_shop("strict.myshopify.com").await;
    let base = format!(
        "{}/store/strict.myshopify.com/admin/oauth/authorize",
        t.base
    );
    let bad_client = t
        .http
        .get(format!(
            "{base}?client_id=other&scope=read_products&redirect_uri={}/cb&state=x",
            t.app_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_client.status(), 400);
    let bad_redirect = t
        .http
        .get(format!("{base}?client_id={API_KEY}&scope=read_products&redirect_uri=https://evil.example/cb&state=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_redirect.status(), 400);
    assert!(bad_redirect.text().await.unwrap().contains("redirect_uri"));
}

#[tokio::test]
async fn a_granted_scope_override_simulates_a_missing_scope() {
    let t = start().await;
    t.create_shop("partial.myshopify.com").await;
    let (status, _) = t
        .post(
            "/_sandbox/shops/partial.myshopify.com/settings",
            json!({ "grant_scopes": ["read_products"] }),
        )
        .await;
    assert_eq!(status, 200);
    let (_, token) = t
        .oauth_install("partial.myshopify.com", "read_products,read_orders")
        .await;
    assert_eq!(token["scope"], "read_products");
    let (_, shop) = t.get("/_sandbox/shops/partial.myshopify.com").await;
    assert_eq!(shop["granted_scopes"], json!(["read_products"]));
    let (_, body) = t
        .graphql(
            "partial.myshopify.com",
            token["access_token"].as_str().unwrap(),
            "{ currentAppInstallation { id accessScopes { handle } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["data"]["currentAppInstallation"]["accessScopes"],
        json!([{ "handle": "read_products" }])
    );
}

#[tokio::test]
async fn a_shop_without_auto_approve_shows_a_grant_page_whose_install_button_redirects() {
    let t = start().await;
    let (status, _) = t
        .post(
            "/_sandbox/shops",
            json!({ "domain": "manual.myshopify.com", "auto_approve": false }),
        )
        .await;
    assert_eq!(status, 201);
    let url = format!(
        "{}/store/manual.myshopify.com/admin/oauth/authorize?client_id={API_KEY}&scope=read_orders,read_customers&redirect_uri={}/cb&state=s1",
        t.base, t.app_url
    );
    let page = t.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("read_orders") && html.contains("read_customers"));
    let grant = html
        .split("name=\"grant\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let approved = t
        .http
        .post(format!(
            "{}/store/manual.myshopify.com/admin/oauth/authorize/approve",
            t.base
        ))
        .form(&[("grant", grant.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 302);
    let location = url::Url::parse(approved.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        query_param(&location, "hmac").unwrap(),
        expected_hmac(&location)
    );
}

async fn exchange(
    t: &sandbox_support::TestSandbox,
    shop: &str,
    subject: &str,
    expiring: &str,
) -> reqwest::Response {
    t.http
        .post(format!("{}/store/{shop}/admin/oauth/access_token", t.base))
        .form(&[
            ("client_id", API_KEY),
            ("client_secret", API_SECRET),
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("subject_token", subject),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            (
                "requested_token_type",
                "urn:shopify:params:oauth:token-type:offline-access-token",
            ),
            ("expiring", expiring),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn token_exchange_installs_the_app_and_rejects_a_bad_session_token() {
    let t = start().await;
    t.create_shop("embedded.myshopify.com").await;
    let (_, minted) = t
        .post(
            "/_sandbox/shops/embedded.myshopify.com/session_token",
            json!({ "user_id": 42 }),
        )
        .await;
    let session_token = minted["token"].as_str().unwrap().to_string();

    // The token decodes per the session-token rules: HS256 with the secret, aud = client id, iss/dest.
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_audience(&[API_KEY]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        &session_token,
        &jsonwebtoken::DecodingKey::from_secret(API_SECRET.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["iss"], "https://embedded.myshopify.com/admin");
    assert_eq!(claims["dest"], "https://embedded.myshopify.com");
    assert_eq!(claims["sub"], "42");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["nbf"].as_i64().unwrap(),
        60
    );
    assert!(claims["jti"].is_string() && claims["sid"].is_string());

    let response = exchange(&t, "embedded.myshopify.com", &session_token, "1").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["access_token"].as_str().unwrap().starts_with("shpat_"));
    assert_eq!(body["scope"], "read_customers,read_orders,read_products");
    assert!(
        body["expires_in"].is_u64()
            && body["refresh_token"].is_string()
            && body["refresh_token_expires_in"].is_u64()
    );
    let (_, shop) = t.get("/_sandbox/shops/embedded.myshopify.com").await;
    assert_eq!(shop["installed"], true);

    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(b"not-the-secret"),
    )
    .unwrap();
    let rejected = exchange(&t, "embedded.myshopify.com", &forged, "0").await;
    assert_eq!(rejected.status(), 400);
    let err: serde_json::Value = rejected.json().await.unwrap();
    assert_eq!(err["error"], "invalid_subject_token");

    // A token minted for another shop does not work here.
    t.create_shop("other.myshopify.com").await;
    let (_, other) = t
        .post(
            "/_sandbox/shops/other.myshopify.com/session_token",
            json!({}),
        )
        .await;
    let rejected = exchange(
        &t,
        "embedded.myshopify.com",
        other["token"].as_str().unwrap(),
        "0",
    )
    .await;
    assert_eq!(rejected.status(), 400);
}

#[tokio::test]
async fn a_new_offline_token_revokes_the_previous_one() {
    let t = start().await;
    let first = t.installed_shop("rotate.myshopify.com").await;
    let query = "{ shop { name } }";
    assert_eq!(
        t.graphql("rotate.myshopify.com", &first, query, json!({}))
            .await
            .0,
        200
    );
    let (_, second) = t
        .oauth_install(
            "rotate.myshopify.com",
            "read_customers,read_orders,read_products",
        )
        .await;
    let second = second["access_token"].as_str().unwrap();
    assert_eq!(
        t.graphql("rotate.myshopify.com", second, query, json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        t.graphql("rotate.myshopify.com", &first, query, json!({}))
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn the_admin_app_link_frames_an_installed_app_and_sends_others_to_install() {
    let t = start().await;
    t.create_shop("linked.myshopify.com").await;
    let link = format!("{}/store/linked.myshopify.com/admin/apps/{API_KEY}", t.base);
    let not_installed = t.http.get(&link).send().await.unwrap();
    assert_eq!(not_installed.status(), 302);
    let location = url::Url::parse(not_installed.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        query_param(&location, "shop").unwrap(),
        "linked.myshopify.com"
    );
    assert_eq!(
        query_param(&location, "hmac").unwrap(),
        expected_hmac(&location)
    );

    t.oauth_install("linked.myshopify.com", "read_products")
        .await;
    let page = t.http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let src = html
        .split("id=\"app-iframe\"")
        .nth(1)
        .unwrap()
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let src = url::Url::parse(&src.replace("&amp;", "&")).unwrap();
    assert!(src.as_str().starts_with(&t.app_url));
    for key in [
        "embedded",
        "hmac",
        "host",
        "id_token",
        "locale",
        "session",
        "shop",
        "timestamp",
    ] {
        assert!(query_param(&src, key).is_some(), "missing {key}");
    }
    assert_eq!(query_param(&src, "hmac").unwrap(), expected_hmac(&src));
    let id_token = query_param(&src, "id_token").unwrap();
    assert_eq!(
        exchange(&t, "linked.myshopify.com", &id_token, "0")
            .await
            .status(),
        200
    );
}
