//! `segops bench backfill`: a sandbox store seeded with N orders and M customers, installed
//! into the real app on a fresh database, backfilled end to end (bulk export in the sandbox,
//! JSONL download, mapping, the webhook pipeline, checkpoints). Prints rows per second.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::config::{BackfillConfig, Config, DEFAULT_API_VERSION};
use crate::crypto::{MasterKey, Secret};
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::shopify::ShopDomain;
use crate::startup::Application;

pub struct BackfillOptions {
    pub orders: usize,
    pub customers: usize,
    /// `sqlite` (a fresh file) or `postgres` (a fresh database on SEGOPS_TEST_POSTGRES_URL's server).
    pub store: String,
}

const SHOP: &str = "bench-backfill.myshopify.com";
const KEY: &str = "bench-key";
const SECRET: &str = "bench-secret";

pub async fn backfill(options: BackfillOptions) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("segops-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let database_url = match options.store.as_str() {
        "sqlite" => format!("sqlite://{}/bench.db", dir.display()),
        "postgres" => crate::testing::fresh_postgres_database()
            .await
            .context("PostgreSQL is not reachable")?,
        other => anyhow::bail!("--store must be sqlite or postgres, not {other:?}"),
    };
    let app_listener = TcpListener::bind("127.0.0.1:0").await?;
    let sandbox_listener = TcpListener::bind("127.0.0.1:0").await?;
    let app_url = format!("http://{}", app_listener.local_addr()?);
    let mut sandbox_config = SandboxConfig::new(KEY, SECRET.to_owned(), app_url.clone());
    sandbox_config.scopes = crate::shopify::scopes::required()
        .map(str::to_owned)
        .collect();
    let sandbox = Sandbox::start(sandbox_config, sandbox_listener).await?;
    let sandbox_url = sandbox.base_url();
    let config = Config {
        api_key: KEY.into(),
        api_secret: Secret::new(SECRET.into()),
        app_url: app_url.clone(),
        database_url,
        shopify_base_url: sandbox.shop_url_template(),
        api_version: DEFAULT_API_VERSION.into(),
        master_key: MasterKey::generate(),
        bind: app_listener.local_addr()?,
        pixel: Default::default(),
        backfill: BackfillConfig {
            poll: Duration::from_millis(50),
            ..BackfillConfig::default()
        },
    };
    let app = Application::build(config, app_listener).await?;
    let state = app.state();
    tokio::spawn(async move {
        let _ = app.run_until(std::future::pending()).await;
    });

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let control = |path: &str| format!("{sandbox_url}/_sandbox{path}");
    http.post(control("/shops"))
        .json(&json!({ "domain": SHOP, "name": "Bench", "email": "owner@bench.example", "currency": "CAD" }))
        .send()
        .await?
        .error_for_status()?;
    let seeded: Value = http
        .post(control(&format!("/shops/{SHOP}/seed")))
        .json(
            &json!({ "customers": options.customers, "products": 50, "orders": options.orders,
                       "days": 85, "seed": 42 }),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = grant(&http, &sandbox_url, &app_url).await?;
    let shop = ShopDomain::parse(SHOP).context("bench shop")?;
    crate::tenants::provision(
        &state.db,
        &state.token_sealer,
        &shop,
        &Secret::new(token),
        &crate::shopify::scopes::required_csv(),
        None,
    )
    .await?;

    println!(
        "store {}: {} orders ({} refunds), {} customers",
        options.store, seeded["orders"], seeded["refunds"], seeded["customers"]
    );
    let started = Instant::now();
    let shop_id: String = sqlx::query_scalar("SELECT id FROM shops WHERE domain = $1")
        .bind(SHOP)
        .fetch_one(state.db.pool())
        .await?;
    let progress = loop {
        crate::jobs::drain(&state).await?;
        if let Some(p) = crate::backfill::progress(&state.db, &shop_id).await?
            && (p.phase == "done" || p.phase == "failed")
        {
            break p;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(3600),
            "backfill not done in an hour"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let elapsed = started.elapsed();
    anyhow::ensure!(
        progress.phase == "done",
        "backfill failed: {:?}",
        progress.error
    );
    let secs = elapsed.as_secs_f64();
    println!(
        "backfill: {} rows in {secs:.2} s = {:.0} rows/s (end to end: setup, bulk export in the sandbox, download, apply)",
        progress.rows_done,
        progress.rows_done as f64 / secs
    );
    Ok(())
}

/// The sandbox's OAuth grant, as a merchant's install would get it.
async fn grant(http: &reqwest::Client, sandbox: &str, app_url: &str) -> anyhow::Result<String> {
    let scopes = crate::shopify::scopes::required_csv();
    let authorize = http
        .get(format!(
            "{sandbox}/store/{SHOP}/admin/oauth/authorize?client_id={KEY}&scope={scopes}&redirect_uri={app_url}/auth/callback&state=bench&grant_options[]="
        ))
        .send()
        .await?;
    let location = authorize
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .context("the sandbox did not redirect the grant")?;
    let code = url::Url::parse(location)?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .context("no code in the grant redirect")?;
    let token: Value = http
        .post(format!("{sandbox}/store/{SHOP}/admin/oauth/access_token"))
        .json(&json!({ "client_id": KEY, "client_secret": SECRET, "code": code }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    token["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("no access token granted")
}
