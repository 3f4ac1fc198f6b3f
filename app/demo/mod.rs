//! `segops demo`: the sandbox store and the app on free local ports, a demo store with
//! realistic data, SegOps installed into it through the real OAuth flow, and the admin URL
//! printed on a line of its own (`admin: …`). Runs until Ctrl-C.

use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::json;
use tokio::net::TcpListener;

use crate::config::{Config, DEFAULT_API_VERSION};
use crate::crypto::{MasterKey, Secret};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::startup::{Application, shutdown_signal};

pub const DEMO_SHOP: &str = "segops-demo.myshopify.com";
const DEMO_API_KEY: &str = "segops-demo-app";

pub async fn run(data_dir: PathBuf) -> anyhow::Result<()> {
    let running = start(data_dir).await?;
    println!("sandbox: {}", running.sandbox_url);
    println!("app: {}", running.app_url);
    println!("admin: {}", running.admin_url);
    println!("Press Ctrl-C to stop.");
    shutdown_signal().await;
    Ok(())
}

pub struct RunningDemo {
    pub app_url: String,
    pub sandbox_url: String,
    pub admin_url: String,
}

/// Starts everything and installs the app; the servers keep running in the background.
pub async fn start(data_dir: PathBuf) -> anyhow::Result<RunningDemo> {
    // The sandbox store is new at every start, so the demo's database must be too.
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)
            .with_context(|| format!("cannot reset {}", data_dir.display()))?;
    }
    std::fs::create_dir_all(&data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;

    let app_listener = TcpListener::bind("127.0.0.1:0").await?;
    let sandbox_listener = TcpListener::bind("127.0.0.1:0").await?;
    let app_url = format!("http://{}", app_listener.local_addr()?);
    let api_secret = crate::crypto::random_token(32);

    let mut sandbox_config = SandboxConfig::new(DEMO_API_KEY, api_secret.clone(), app_url.clone());
    sandbox_config.scopes = crate::shopify::scopes::required()
        .map(str::to_owned)
        .collect();
    let sandbox = Sandbox::start(sandbox_config, sandbox_listener).await?;
    let sandbox_url = sandbox.base_url();

    let config = Config {
        api_key: DEMO_API_KEY.to_owned(),
        api_secret: Secret::new(api_secret),
        app_url: app_url.clone(),
        database_url: format!("sqlite://{}/segops.db", data_dir.display()),
        shopify_base_url: sandbox.shop_url_template(),
        api_version: DEFAULT_API_VERSION.to_owned(),
        master_key: MasterKey::load_or_generate(&data_dir.join("master.key"))?,
        bind: app_listener.local_addr()?,
        pixel: Default::default(),
        backfill: Default::default(),
    };
    let app = Application::build(config, app_listener).await?;
    crate::jobs::spawn_workers(app.state(), 2);
    crate::jobs::spawn_scheduler(app.state());
    tokio::spawn(async move {
        if let Err(err) = app.run_until(shutdown_signal()).await {
            tracing::error!(error = %format!("{err:#}"), "demo app stopped");
        }
    });
    tokio::spawn(async move {
        if let Err(err) = sandbox.stopped().await {
            tracing::error!(error = %format!("{err:#}"), "demo sandbox stopped");
        }
    });

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(10))
        .build()?;
    create_store(&http, &sandbox_url).await?;
    let admin_url = format!("{sandbox_url}/store/{DEMO_SHOP}/admin/apps/{DEMO_API_KEY}");
    // Opening the app from the store's admin starts the install: the sandbox sends the merchant
    // to the app, the app to Shopify's grant screen, and the grant back to the app's callback.
    let response = http
        .get(&admin_url)
        .send()
        .await
        .context("install through the sandbox admin")?;
    if !response.status().is_success() {
        bail!(
            "installing into the demo store failed: HTTP {}",
            response.status()
        );
    }
    let shop: serde_json::Value = http
        .get(format!("{sandbox_url}/_sandbox/shops/{DEMO_SHOP}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    if shop["installed"] != json!(true) {
        bail!("the demo store does not report SegOps installed: {shop}");
    }
    wait_for_subscriptions(&http, &sandbox_url).await?;
    live_activity(&http, &sandbox_url).await?;
    Ok(RunningDemo {
        app_url,
        sandbox_url,
        admin_url,
    })
}

/// The install's setup job subscribes to webhooks in the background; activity before that
/// would reach no one.
async fn wait_for_subscriptions(http: &reqwest::Client, sandbox_url: &str) -> anyhow::Result<()> {
    let expected = crate::shopify::topics::SUBSCRIBED.len();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let shop: serde_json::Value = http
            .get(format!("{sandbox_url}/_sandbox/shops/{DEMO_SHOP}"))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if shop["webhook_subscriptions"].as_array().map(Vec::len) == Some(expected) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the demo store's webhook subscriptions were not set up within 30 s");
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A little store activity after the install, delivered by webhook, so the dashboard shows
/// capture at work (the seeded history is for the backfill).
async fn live_activity(http: &reqwest::Client, sandbox_url: &str) -> anyhow::Result<()> {
    let shop = format!("{sandbox_url}/_sandbox/shops/{DEMO_SHOP}");
    let post = |path: String, body: serde_json::Value| {
        let request = http.post(format!("{shop}{path}")).json(&body);
        async move {
            request
                .send()
                .await?
                .error_for_status()?
                .json::<serde_json::Value>()
                .await
        }
    };
    let product = post(
        "/products".into(),
        json!({ "title": "Ember Camp Stove", "vendor": "SegOps Outfitters", "product_type": "Cooking",
                "variants": [{ "title": "Default", "sku": "STOVE-1", "price": "89.00" }] }),
    )
    .await
    .context("demo product")?;
    let lines = json!([{ "variant_id": product["variants"][0]["id"], "quantity": 1 }]);
    for (first, last) in [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing")] {
        let email = format!(
            "{}.{}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let customer = post(
            "/customers".into(),
            json!({ "first_name": first, "last_name": last, "email": email }),
        )
        .await
        .context("demo customer")?;
        post("/orders".into(), json!({ "customer_id": customer["id"], "financial_status": "paid", "line_items": lines }))
            .await
            .context("demo order")?;
    }
    post(
        "/checkouts".into(),
        json!({ "email": "window.shopper@example.com", "line_items": lines }),
    )
    .await
    .context("demo checkout")?;
    Ok(())
}

async fn create_store(http: &reqwest::Client, sandbox_url: &str) -> anyhow::Result<()> {
    http.post(format!("{sandbox_url}/_sandbox/shops"))
        .json(&json!({ "domain": DEMO_SHOP, "name": "SegOps Demo Store", "email": "owner@segops-demo.example", "currency": "USD" }))
        .send()
        .await?
        .error_for_status()
        .context("create the demo store")?;
    http.post(format!("{sandbox_url}/_sandbox/shops/{DEMO_SHOP}/seed"))
        .json(&json!({ "customers": 60, "products": 15, "orders": 240 }))
        .send()
        .await?
        .error_for_status()
        .context("seed the demo store")?;
    Ok(())
}
