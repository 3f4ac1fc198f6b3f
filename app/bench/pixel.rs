//! `segops bench pixel`: batches of Shopify's standard storefront events posted to the real pixel
//! intake, in this process, on a fresh database: events accepted per second and request latency
//! under a closed loop of senders; then the processing that follows (mapping, identity
//! stitching, profiles), timed as events per second and microseconds per event. Beside them, an
//! empty HTTP round trip through the same senders, the box's own limit.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Value, json};

use super::load;
use super::server::BenchServer;

pub struct PixelOptions {
    pub events: usize,
    pub batch: usize,
    pub concurrency: usize,
    pub store: String,
    /// Distinct visitors the events are spread over (each buys once, so each is a stitch).
    pub visitors: usize,
}

const NAMES: [&str; 6] = [
    "page_viewed",
    "product_viewed",
    "collection_viewed",
    "product_added_to_cart",
    "cart_viewed",
    "checkout_started",
];

pub async fn pixel(options: PixelOptions) -> anyhow::Result<()> {
    let server = BenchServer::start(&options.store).await?;
    let (state, address, key) = (&server.state, server.address, &server.storefront_key);
    let templates = templates();
    let batches = options.events.div_ceil(options.batch.max(1));
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..batches)
            .map(|b| batch_body(key, &templates, b, options.batch, options.visitors))
            .collect(),
    );
    let mean_bytes = bodies.iter().map(String::len).sum::<usize>() / bodies.len().max(1);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency.max(64))
        .build()?;
    let url = format!("http://{address}/pixel/v1/events");
    let sender = {
        let (client, url, bodies) = (client.clone(), url.clone(), Arc::clone(&bodies));
        move |i: usize| {
            client
                .post(&url)
                .header("Content-Type", "text/plain;charset=UTF-8")
                .body(bodies[i % bodies.len()].clone())
        }
    };
    let closed = load::run(batches, options.concurrency, sender).await;
    let health = {
        let (client, url) = (client.clone(), format!("http://{address}/health"));
        load::run(batches, options.concurrency, move |_| client.get(&url)).await
    };
    let started = Instant::now();
    let drained = crate::jobs::drain(state).await?;
    let processing = started.elapsed();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(state.db.pool())
        .await?;
    let stitched = crate::identity::report(&state.db, &server.shop_id).await?;

    let events_per_sec = closed.per_second() * options.batch as f64;
    println!(
        "pixel intake benchmark: {:?} store, {} events in batches of {} (mean {mean_bytes} bytes a request), {} concurrent senders, {} visitors",
        state.db.backend(),
        batches * options.batch,
        options.batch,
        options.concurrency,
        options.visitors
    );
    println!();
    println!("| measure | per second | p50 | p99 | failures |");
    println!("|---|---|---|---|---|");
    println!(
        "| pixel intake, closed loop (parse, validate, seal, group commit, ack): events | {:.0} | {:.2} ms | {:.2} ms | {} |",
        events_per_sec,
        closed.percentile(0.5).as_secs_f64() * 1000.0,
        closed.percentile(0.99).as_secs_f64() * 1000.0,
        closed.failures
    );
    println!("| same, requests | {:.0} | | | |", closed.per_second());
    println!(
        "| box: empty HTTP round trip (`/health`), same senders | {:.0} | {:.2} ms | {:.2} ms | {} |",
        health.per_second(),
        health.percentile(0.5).as_secs_f64() * 1000.0,
        health.percentile(0.99).as_secs_f64() * 1000.0,
        health.failures
    );
    let processed = stored.max(1) as f64;
    println!(
        "| processing after intake (map, stitch, profile), one worker: events | {:.0} | {:.0} µs per event | | {} parked |",
        processed / processing.as_secs_f64(),
        processing.as_secs_f64() * 1e6 / processed,
        drained.parked
    );
    println!();
    println!(
        "stored events: {stored}; storefront purchases {} of which joined to a visitor's earlier events {}",
        stitched.attempts, stitched.aliases
    );
    Ok(())
}

/// One realistic event per name, from the public fixtures when present.
pub(super) fn templates() -> Vec<(String, Value)> {
    NAMES
        .iter()
        .map(|name| {
            let data = crate::testing::fixtures_dir()
                .and_then(|dir| {
                    std::fs::read(dir.join(format!(
                        "shopify/web_pixels/rudderstack_test_events/{name}.json"
                    )))
                    .ok()
                })
                .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
                .map(|raw| raw["data"].clone())
                .unwrap_or_else(|| json!({}));
            (name.to_string(), data)
        })
        .collect()
}

fn batch_body(
    key: &str,
    templates: &[(String, Value)],
    batch: usize,
    size: usize,
    visitors: usize,
) -> String {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let visitor = format!("visitor-{}", batch % visitors.max(1));
    let events: Vec<Value> = (0..size)
        .map(|i| {
            let (name, data) = &templates[(batch * size + i) % templates.len()];
            let mut data = data.clone();
            if let Some(checkout) = data.get_mut("checkout") {
                checkout["token"] = json!(format!("token-{visitor}"));
            }
            json!({
                "id": format!("sh-{batch}-{i}"),
                "name": name,
                "timestamp": now,
                "client_id": visitor,
                "context": {"url": "https://bench-store.myshopify.com/products/tent", "title": "Tent"},
                "data": data,
                "consent": {"analytics": true, "marketing": true, "preferences": true, "sale_of_data": true},
            })
        })
        .collect();
    json!({ "key": key, "batch": events }).to_string()
}
