//! Shared helpers for the sandbox's integration tests: a real sandbox on port 0, a webhook
//! receiver standing in for the app, and one helper per control endpoint.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use segops::sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

pub const API_KEY: &str = "test-api-key";
pub const API_SECRET: &str = "test-api-secret";

#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Vec<Received>,
    /// Statuses to answer with, in order; 200 once exhausted.
    script: VecDeque<u16>,
}

/// The app's side: records every POST and answers from a script.
#[derive(Clone, Default)]
pub struct Receiver {
    inner: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }
    pub fn for_topic(&self, topic: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.header("x-shopify-topic") == topic)
            .collect()
    }
    pub fn answer_with(&self, statuses: &[u16]) {
        self.inner
            .lock()
            .unwrap()
            .script
            .extend(statuses.iter().copied());
    }
}

async fn receive(
    State(r): State<Receiver>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inner = r.inner.lock().unwrap();
    inner.received.push(Received {
        path: uri.path().to_string(),
        headers,
        body,
    });
    let status = inner.script.pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

pub struct TestSandbox {
    pub sandbox: Sandbox,
    pub base: String,
    pub app_url: String,
    pub receiver: Receiver,
    pub http: reqwest::Client,
}

/// Polls `check` until it returns `Some`, failing the test after `secs` seconds.
pub async fn eventually<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

pub async fn start() -> TestSandbox {
    start_with(|_| {}).await
}

pub async fn start_with(adjust: impl FnOnce(&mut SandboxConfig)) -> TestSandbox {
    let receiver = Receiver::default();
    let app_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_url = format!("http://{}", app_listener.local_addr().unwrap());
    let app = Router::new()
        .fallback(post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(app_listener, app).await });

    let mut config = SandboxConfig::new(API_KEY, API_SECRET, app_url.clone());
    config.retry_base = Duration::from_millis(50);
    config.scopes = vec![
        "read_customers".into(),
        "read_orders".into(),
        "read_products".into(),
    ];
    adjust(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox = Sandbox::start(config, listener).await.unwrap();
    let base = sandbox.base_url();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestSandbox {
        sandbox,
        base,
        app_url,
        receiver,
        http,
    }
}

impl TestSandbox {
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .put(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn create_shop(&self, domain: &str) -> Value {
        let (status, body) = self
            .post("/_sandbox/shops", json!({ "domain": domain }))
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Runs the authorization-code grant and returns `(redirect location, token response)`.
    pub async fn oauth_install(&self, shop: &str, scope: &str) -> (url::Url, Value) {
        let location = self.authorize(shop, scope).await;
        let code = query_param(&location, "code").expect("code in redirect");
        let r = self
            .http
            .post(format!(
                "{}/store/{shop}/admin/oauth/access_token",
                self.base
            ))
            .json(&json!({ "client_id": API_KEY, "client_secret": API_SECRET, "code": code }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        (location, r.json().await.unwrap())
    }

    pub async fn authorize(&self, shop: &str, scope: &str) -> url::Url {
        let url = format!(
            "{}/store/{shop}/admin/oauth/authorize?client_id={API_KEY}&scope={scope}&redirect_uri={}/auth/callback&state=nonce-123&grant_options[]=",
            self.base, self.app_url
        );
        let r = self.http.get(url).send().await.unwrap();
        assert_eq!(r.status(), 302, "{}", r.text().await.unwrap());
        url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// A shop with the app installed; returns its offline token.
    pub async fn installed_shop(&self, shop: &str) -> String {
        self.create_shop(shop).await;
        let (_, token) = self
            .oauth_install(shop, "read_customers,read_orders,read_products")
            .await;
        token["access_token"].as_str().unwrap().to_string()
    }

    pub async fn graphql(
        &self,
        shop: &str,
        token: &str,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let r = self
            .http
            .post(format!(
                "{}/store/{shop}/admin/api/2026-04/graphql.json",
                self.base
            ))
            .header("X-Shopify-Access-Token", token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap())
    }

    /// Subscribes `topic` (GraphQL enum value) to the receiver at `/webhooks/<path>`.
    pub async fn subscribe(&self, shop: &str, token: &str, topic: &str) -> Value {
        let (status, body) = self
            .graphql(
                shop,
                token,
                "mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
                   webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
                     webhookSubscription { id topic uri }
                     userErrors { field message }
                   }
                 }",
                json!({ "topic": topic, "sub": { "uri": format!("{}/webhooks", self.app_url) } }),
            )
            .await;
        assert_eq!(status, 200);
        body
    }

    pub async fn deliveries(&self, shop: &str) -> Vec<Value> {
        let (_, body) = self
            .get(&format!("/_sandbox/shops/{shop}/deliveries"))
            .await;
        body.as_array().cloned().unwrap_or_default()
    }

    pub async fn product_with_variant(&self, shop: &str) -> (u64, u64) {
        let (status, p) = self
            .post(
                &format!("/_sandbox/shops/{shop}/products"),
                json!({ "title": "Aviator sunglasses", "vendor": "Acme", "product_type": "Eyewear",
                        "variants": [{ "title": "Default Title", "sku": "SKU2006-001", "price": "89.99" }] }),
            )
            .await;
        assert_eq!(status, 201, "{p}");
        (
            p["id"].as_u64().unwrap(),
            p["variants"][0]["id"].as_u64().unwrap(),
        )
    }
}

pub fn query_param(url: &url::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

pub fn fixtures_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("SEGOPS_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures")
        });
    dir.is_dir().then_some(dir)
}
