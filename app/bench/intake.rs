//! `segops bench intake`: signed webhook deliveries against the real server (in this process,
//! on a fresh database), measuring acknowledged deliveries per second and latency, beside the
//! box's own limits: an empty HTTP round trip (`/health`) and raw fsyncs per second.

use std::sync::Arc;

use anyhow::Context;
use base64::Engine;
use tokio::net::TcpListener;

use super::load;
use crate::config::{Config, DEFAULT_API_VERSION};
use crate::crypto::{MasterKey, Secret};
use crate::shopify::ShopDomain;
use crate::startup::Application;

pub struct IntakeOptions {
    pub deliveries: usize,
    pub concurrency: usize,
    /// A database URL, or a fresh SQLite file in a temporary directory when `None`.
    pub database_url: Option<String>,
    /// Every n-th delivery repeats an earlier one (0: none), as Shopify's duplicates do.
    pub duplicate_every: usize,
}

const SHOP: &str = "bench-store.myshopify.com";
const SECRET: &str = "bench-secret";

pub async fn intake(options: IntakeOptions) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("segops-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let database_url = options
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.display()));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let config = Config {
        api_key: "bench".into(),
        api_secret: Secret::new(SECRET.into()),
        app_url: format!("http://{address}"),
        database_url: database_url.clone(),
        shopify_base_url: "http://127.0.0.1:9/{shop}".into(),
        api_version: DEFAULT_API_VERSION.into(),
        master_key: MasterKey::generate(),
        bind: address,
    };
    let app = Application::build(config, listener).await?;
    let state = app.state();
    let shop = ShopDomain::parse(SHOP).context("bench shop")?;
    crate::tenants::provision(
        &state.db,
        &state.token_sealer,
        &shop,
        &Secret::new("shpat_bench".into()),
        "",
        None,
    )
    .await?;
    tokio::spawn(app.run_until(std::future::pending()));

    let body = Arc::new(sample_order_body());
    let hmac = base64::engine::general_purpose::STANDARD
        .encode(crate::crypto::hmac_sha256(SECRET.as_bytes(), &body));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .build()?;
    let url = format!("http://{address}/webhooks");

    // Warm up connections and the shop cache.
    let warm = {
        let (client, url, body, hmac) =
            (client.clone(), url.clone(), Arc::clone(&body), hmac.clone());
        load::run(200, options.concurrency, move |i| {
            delivery(&client, &url, &body, &hmac, &format!("warm-{i}"))
        })
        .await
    };
    anyhow::ensure!(warm.failures == 0, "warm-up deliveries failed");

    let duplicate_every = options.duplicate_every;
    let report = {
        let (client, url, body, hmac) =
            (client.clone(), url.clone(), Arc::clone(&body), hmac.clone());
        load::run(options.deliveries, options.concurrency, move |i| {
            let n = if duplicate_every > 0 && i % duplicate_every == duplicate_every - 1 {
                i - 1
            } else {
                i
            };
            delivery(&client, &url, &body, &hmac, &format!("event-{n}"))
        })
        .await
    };
    let health = {
        let (client, url) = (client.clone(), format!("http://{address}/health"));
        load::run(options.deliveries, options.concurrency, move |_| {
            client.get(&url)
        })
        .await
    };
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries")
        .fetch_one(state.db.pool())
        .await?;
    let fsyncs = load::fsyncs_per_second(&dir)?;

    println!(
        "intake benchmark: {} deliveries of {} bytes, {} concurrent clients, {:?} store",
        options.deliveries,
        body.len(),
        options.concurrency,
        state.db.backend()
    );
    println!();
    println!("| measure | per second | p50 | p99 | failures |");
    println!("|---|---|---|---|---|");
    println!(
        "| webhook intake (verify, seal, group-commit, ack) | {:.0} | {:.2} ms | {:.2} ms | {} |",
        report.per_second(),
        ms(report.percentile(0.5)),
        ms(report.percentile(0.99)),
        report.failures
    );
    println!(
        "| box limit: empty HTTP round trip (`/health`) | {:.0} | {:.2} ms | {:.2} ms | {} |",
        health.per_second(),
        ms(health.percentile(0.5)),
        ms(health.percentile(0.99)),
        health.failures
    );
    println!("| box limit: write + fsync of the data directory's disk | {fsyncs:.0} | | | |");
    println!();
    println!(
        "stored rows: {stored} (warm-up 200 + unique deliveries; duplicates are acknowledged and not stored)"
    );
    if options.database_url.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn delivery(
    client: &reqwest::Client,
    url: &str,
    body: &Arc<Vec<u8>>,
    hmac: &str,
    event_id: &str,
) -> reqwest::RequestBuilder {
    client
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Shopify-Topic", "orders/create")
        .header("X-Shopify-Hmac-Sha256", hmac)
        .header("X-Shopify-Shop-Domain", SHOP)
        .header("X-Shopify-Event-Id", event_id)
        .header("X-Shopify-Webhook-Id", event_id)
        .header("X-Shopify-API-Version", DEFAULT_API_VERSION)
        .body(body.as_ref().clone())
}

/// An order payload of realistic size (a few kilobytes, three line items).
fn sample_order_body() -> Vec<u8> {
    let line = |id: u64, title: &str, price: &str| {
        serde_json::json!({
            "id": id, "admin_graphql_api_id": format!("gid://shopify/LineItem/{id}"), "title": title, "name": title,
            "price": price, "quantity": 1, "sku": format!("SKU-{id}"), "vendor": "Bench Outfitters", "product_id": id + 1000,
            "variant_id": id + 2000, "variant_title": "Default", "taxable": true, "requires_shipping": true,
            "price_set": { "shop_money": { "amount": price, "currency_code": "USD" }, "presentment_money": { "amount": price, "currency_code": "USD" } },
            "discount_allocations": [], "tax_lines": [{ "title": "State tax", "rate": 0.06, "price": "1.20" }]
        })
    };
    let order = serde_json::json!({
        "id": 820982911946154508u64, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
        "name": "#9999", "order_number": 9999, "currency": "USD", "presentment_currency": "USD",
        "created_at": "2026-11-22T10:00:00-05:00", "updated_at": "2026-11-22T10:00:00-05:00", "processed_at": "2026-11-22T10:00:00-05:00",
        "financial_status": "paid", "fulfillment_status": null, "total_price": "65.60", "subtotal_price": "60.00",
        "total_tax": "3.60", "total_discounts": "0.00", "total_shipping_price_set": { "shop_money": { "amount": "2.00", "currency_code": "USD" } },
        "email": "bench.customer@example.com", "checkout_token": "bench-checkout", "cart_token": "bench-cart",
        "customer": { "id": 115310627314723954u64, "email": "bench.customer@example.com", "first_name": "Bench", "last_name": "Customer" },
        "line_items": [line(1, "Trail Tent", "20.00"), line(2, "Camp Stove", "20.00"), line(3, "Headlamp", "20.00")],
        "shipping_lines": [{ "title": "Standard", "price": "2.00", "code": "STD" }],
        "billing_address": { "address1": "1 Bench Way", "city": "Ottawa", "country_code": "CA", "zip": "K1A 0B1" },
        "shipping_address": { "address1": "1 Bench Way", "city": "Ottawa", "country_code": "CA", "zip": "K1A 0B1" }
    });
    serde_json::to_vec(&order).unwrap_or_default()
}
