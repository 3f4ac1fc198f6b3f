//! Starts the real app and the real sandbox on random ports against a fresh database, and
//! offers one helper per thing a test does. Nothing here sleeps to wait: it polls a condition
//! with a deadline.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::Duration;

use segops::config::Config;
use segops::crypto::{MasterKey, Secret};
use segops::sandbox::{Sandbox, SandboxConfig};
use segops::startup::Application;
use segops::state::AppState;
use segops::store::Db;
use serde_json::{Value, json};
use tokio::net::TcpListener;

mod admin_calls;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Store {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub app_url: String,
    pub sandbox_url: String,
    pub api_key: String,
    pub api_secret: String,
    pub state: AppState,
    /// Follows no redirects, so tests see each hop.
    pub http: reqwest::Client,
    pub sqlite_file: Option<PathBuf>,
    pub store: Store,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// A fresh app and sandbox, or `None` when the PostgreSQL suite is skipped.
pub async fn spawn_app(store: Store) -> Option<TestApp> {
    spawn_app_with(store, |_| {}).await
}

/// As `spawn_app`, with the app's configuration adjusted first.
pub async fn spawn_app_with(store: Store, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
    init_logging();
    segops::telemetry::install_crypto_provider();
    let (database_url, sqlite_file) = match store {
        Store::Sqlite => {
            let dir = std::env::temp_dir().join(format!("segops-test-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("segops.db");
            (format!("sqlite://{}", file.display()), Some(file))
        }
        Store::Postgres => (segops::testing::fresh_postgres_database().await?, None),
    };
    let app_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sandbox_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app_url = format!("http://{}", app_listener.local_addr().unwrap());
    let api_key = format!(
        "test-key-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let api_secret = format!("test-secret-{}", uuid::Uuid::new_v4().simple());

    let mut sandbox_config =
        SandboxConfig::new(api_key.clone(), api_secret.clone(), app_url.clone());
    sandbox_config.retry_base = Duration::from_millis(20);
    sandbox_config.scopes = segops::shopify::scopes::required()
        .map(str::to_owned)
        .collect();
    let sandbox = Sandbox::start(sandbox_config, sandbox_listener)
        .await
        .unwrap();
    let sandbox_url = sandbox.base_url();

    let mut config = Config {
        api_key: api_key.clone(),
        api_secret: Secret::new(api_secret.clone()),
        app_url: app_url.clone(),
        database_url: database_url.clone(),
        shopify_base_url: sandbox.shop_url_template(),
        api_version: segops::config::DEFAULT_API_VERSION.to_owned(),
        master_key: MasterKey::generate(),
        bind: app_listener.local_addr().unwrap(),
        pixel: Default::default(),
        backfill: Default::default(),
    };
    tweak(&mut config);
    let db = Db::connect(&database_url).await.unwrap();
    db.migrate().await.unwrap();
    let app = Application::with_db(config, db, app_listener).unwrap();
    let state = app.state();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = app
            .run_until(async {
                let _ = rx.await;
            })
            .await;
    });
    tokio::spawn(async move {
        let _ = sandbox.stopped().await;
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Some(TestApp {
        app_url,
        sandbox_url,
        api_key,
        api_secret,
        state,
        http,
        sqlite_file,
        store,
        _shutdown: tx,
    })
}

impl TestApp {
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    pub async fn create_shop(&self, domain: &str) {
        let response = self
            .http
            .post(format!("{}/_sandbox/shops", self.sandbox_url))
            .json(&json!({ "domain": domain, "name": format!("Shop {domain}"), "email": format!("owner@{domain}"), "currency": "CAD" }))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "create shop: {}",
            response.text().await.unwrap()
        );
    }

    pub async fn sandbox_settings(&self, domain: &str, settings: Value) {
        let response = self
            .http
            .post(format!(
                "{}/_sandbox/shops/{domain}/settings",
                self.sandbox_url
            ))
            .json(&settings)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "settings: {}",
            response.text().await.unwrap()
        );
    }

    pub async fn sandbox_shop(&self, domain: &str) -> Value {
        self.http
            .get(format!("{}/_sandbox/shops/{domain}", self.sandbox_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn session_token(&self, domain: &str) -> String {
        let body: Value = self
            .http
            .post(format!(
                "{}/_sandbox/shops/{domain}/session_token",
                self.sandbox_url
            ))
            .json(&json!({ "user_id": "1001" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// Where the store's admin sends a merchant who opens the app.
    pub fn admin_apps_url(&self, domain: &str) -> String {
        format!(
            "{}/store/{domain}/admin/apps/{}",
            self.sandbox_url, self.api_key
        )
    }

    /// Opens the app from the store admin and follows the install up to Shopify's callback into
    /// the app, which is returned unvisited.
    pub async fn install_until_callback(&self, domain: &str) -> String {
        let installed = self.sandbox_shop(domain).await["installed"] == Value::Bool(true);
        // An installed app opens embedded; a new grant starts from Shopify's signed install link.
        let mut url = if installed {
            let timestamp = segops::clock::now_secs().to_string();
            let params = [("shop", domain), ("timestamp", timestamp.as_str())];
            let hmac = segops::shopify::sign_query(self.api_secret.as_bytes(), params);
            format!(
                "{}/auth?shop={domain}&timestamp={timestamp}&hmac={hmac}",
                self.app_url
            )
        } else {
            self.admin_apps_url(domain)
        };
        for _ in 0..6 {
            let response = self.http.get(&url).send().await.unwrap();
            assert!(
                response.status().is_redirection(),
                "{url} answered {}: {}",
                response.status(),
                response.text().await.unwrap()
            );
            let next = location(&response);
            if next.starts_with(&format!("{}/auth/callback", self.app_url)) {
                return next;
            }
            url = next;
        }
        panic!("no callback reached from {domain}'s admin");
    }

    /// A whole install through the real OAuth flow; returns the final admin page HTML.
    pub async fn install(&self, domain: &str) -> String {
        let callback = self.install_until_callback(domain).await;
        let response = self.http.get(&callback).send().await.unwrap();
        assert!(
            response.status().is_redirection(),
            "callback: {} {}",
            response.status(),
            response.text().await.unwrap()
        );
        assert_eq!(location(&response), self.admin_apps_url(domain));
        // The shop's setup (details, webhook subscriptions) runs as a job, as a worker would.
        self.drain().await;
        self.open_admin(domain).await
    }

    /// Opens the embedded app the way the store admin does (iframe with a fresh id_token).
    pub async fn open_admin(&self, domain: &str) -> String {
        let page = self
            .http
            .get(self.admin_apps_url(domain))
            .send()
            .await
            .unwrap();
        assert!(page.status().is_success(), "admin page: {}", page.status());
        let html = page.text().await.unwrap();
        let src = iframe_src(&html).unwrap_or_else(|| panic!("no app iframe in {html}"));
        let app_page = self.http.get(&src).send().await.unwrap();
        let status = app_page.status();
        let body = app_page.text().await.unwrap();
        assert!(
            status.is_success(),
            "embedded app answered {status}: {body}"
        );
        body
    }

    /// An admin page of the app, loaded as the embedded admin does (session token as `id_token`).
    pub async fn admin_page(&self, path: &str, token: &str) -> String {
        let response = self
            .http
            .get(format!("{}{path}?id_token={token}", self.app_url))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        response.text().await.unwrap()
    }

    pub async fn workspace(&self, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/admin/api/workspace", self.app_url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(self.db().pool())
            .await
            .unwrap()
    }
}

pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

pub fn iframe_src(html: &str) -> Option<String> {
    let start = html.find("id=\"app-iframe\"")?;
    let rest = &html[start..];
    let src_start = rest.find("src=\"")? + 5;
    let src_end = rest[src_start..].find('"')?;
    Some(rest[src_start..src_start + src_end].replace("&amp;", "&"))
}

pub use segops::testing::eventually;

// ---- logs: every test's app logs go to one buffer a test can search ----

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct BufferWriter(Arc<Mutex<Vec<u8>>>);

impl Write for BufferWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = self.0.lock() {
            logs.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn init_logging() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let buffer = LOGS
            .get_or_init(|| Arc::new(Mutex::new(Vec::new())))
            .clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug,hyper=info,hyper_util=info,h2=info,reqwest=info,rustls=info")
            .with_writer(move || BufferWriter(buffer.clone()))
            .with_ansi(false)
            .try_init();
    });
}

/// Everything logged so far by every app in this test binary.
pub fn captured_logs() -> String {
    LOGS.get()
        .map(|l| String::from_utf8_lossy(&l.lock().unwrap()).into_owned())
        .unwrap_or_default()
}

/// Declares each listed test once per store: `mod sqlite { … }` and `mod postgres { … }`.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Store::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Store::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

// ---- capture helpers ----

impl TestApp {
    /// A control-API call on the sandbox that must succeed; returns its JSON answer.
    pub async fn sandbox_post(&self, path: &str, body: Value) -> Value {
        self.sandbox_call(reqwest::Method::POST, path, body).await
    }

    pub async fn sandbox_get(&self, path: &str) -> Value {
        self.sandbox_call(reqwest::Method::GET, path, Value::Null)
            .await
    }

    pub async fn sandbox_put(&self, path: &str, body: Value) -> Value {
        self.sandbox_call(reqwest::Method::PUT, path, body).await
    }

    async fn sandbox_call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let url = format!("{}/_sandbox{path}", self.sandbox_url);
        let response = self
            .http
            .request(method.clone(), url)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(
            status.is_success(),
            "sandbox {method} {path}: {status} {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Waits until the sandbox has no delivery left to make (successful or given up).
    pub async fn sandbox_idle(&self) {
        let url = format!("{}/_sandbox/deliveries/idle", self.sandbox_url);
        eventually(
            Duration::from_secs(30),
            "sandbox deliveries done",
            || async {
                let body: Value = self
                    .http
                    .get(&url)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                body["pending"] == json!(0)
            },
        )
        .await;
    }

    /// Runs every due job, as a worker would, until the queue is idle.
    pub async fn drain(&self) -> segops::jobs::DrainReport {
        segops::jobs::drain(&self.state).await.unwrap()
    }

    /// Posts a delivery signed with the app's secret (as Shopify would), returning the response.
    pub async fn post_webhook(
        &self,
        shop: &str,
        topic: &str,
        event_id: &str,
        body: &[u8],
    ) -> reqwest::Response {
        use base64::Engine;
        let hmac = base64::engine::general_purpose::STANDARD.encode(segops::crypto::hmac_sha256(
            self.api_secret.as_bytes(),
            body,
        ));
        self.http
            .post(format!("{}/webhooks", self.app_url))
            .header("Content-Type", "application/json")
            .header("X-Shopify-Topic", topic)
            .header("X-Shopify-Hmac-Sha256", hmac)
            .header("X-Shopify-Shop-Domain", shop)
            .header("X-Shopify-Event-Id", event_id)
            .header("X-Shopify-Webhook-Id", uuid::Uuid::new_v4().to_string())
            .header("X-Shopify-API-Version", "2026-04")
            .header("X-Shopify-Triggered-At", "2026-11-22T10:00:00Z")
            .body(body.to_vec())
            .send()
            .await
            .unwrap()
    }

    pub async fn shop_id(&self, domain: &str) -> String {
        sqlx::query_scalar::<_, String>("SELECT id FROM shops WHERE domain = $1")
            .bind(domain)
            .fetch_one(self.db().pool())
            .await
            .unwrap()
    }

    /// `(kind, count)` of the canonical events of a shop.
    pub async fn event_counts(&self, domain: &str) -> Vec<(String, i64)> {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT kind, COUNT(*) FROM events WHERE shop_id = (SELECT id FROM shops WHERE domain = $1) GROUP BY kind ORDER BY kind",
        )
        .bind(domain)
        .fetch_all(self.db().pool())
        .await
        .unwrap()
    }
}

// ---- restarts ----

impl TestApp {
    /// Stops this app and starts a new one on the same database, port and sandbox, as a
    /// redeploy would: nothing carries over but what the database holds.
    pub async fn restart(self) -> TestApp {
        let TestApp {
            app_url,
            sandbox_url,
            api_key,
            api_secret,
            state,
            http,
            sqlite_file,
            store,
            _shutdown,
        } = self;
        let config = state.config.clone();
        drop(_shutdown);
        drop(state);
        // The old server lets go of the port once its connections close.
        let mut listener = None;
        eventually(Duration::from_secs(20), "the app's port is free", || {
            let bound = std::net::TcpListener::bind(config.bind).ok();
            let free = bound.is_some();
            listener = bound;
            async move { free }
        })
        .await;
        let listener = listener.unwrap();
        listener.set_nonblocking(true).unwrap();
        let listener = TcpListener::from_std(listener).unwrap();
        let db = Db::connect(&config.database_url).await.unwrap();
        db.migrate().await.unwrap();
        let app = Application::with_db(config, db, listener).unwrap();
        let state = app.state();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = app
                .run_until(async {
                    let _ = rx.await;
                })
                .await;
        });
        TestApp {
            app_url,
            sandbox_url,
            api_key,
            api_secret,
            state,
            http,
            sqlite_file,
            store,
            _shutdown: tx,
        }
    }
}
