//! `segops bench membership`: event-to-membership latency. Storefront visitors add to cart at a
//! steady rate through the real pixel intake while the job workers run as in `serve`; each
//! visitor's entry time into a "carted this week" segment (stamped by the evaluation that put
//! them there) minus the moment their event was sent is the latency a merchant sees: intake,
//! queueing, mapping and stitching, profile update, then evaluation of the affected segments.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;

use super::server::BenchServer;
use crate::clock::now_ms;
use crate::segments::Rule;
use crate::segments_store::{self, NewSegment, PushMode};

pub struct MembershipOptions {
    pub store: String,
    /// Visitors, one add-to-cart each.
    pub visitors: usize,
    /// Events sent per second.
    pub rate: u32,
    /// `None`: as many as `serve` runs on this store.
    pub workers: Option<usize>,
}

/// Ten segments as a shop might have: one the visitors enter, nine reading other things (each
/// change only re-evaluates those that read it, so these mostly cost their selection).
const RULES: [(&str, &str); 10] = [
    (
        "Carted this week",
        "did add_to_cart >= 1 time in last 7 days",
    ),
    ("Big spenders", "lifetime_value >= 500"),
    ("Repeat buyers", "order_count >= 2"),
    ("Lapsed", "last_order_at more than 90 days ago"),
    ("Browsers", "product_views >= 5"),
    ("Subscribed", r#"email_consent = "SUBSCRIBED""#),
    ("Canada", r#"country = "CA""#),
    ("Wholesale", r#"tags CONTAINS "wholesale""#),
    ("Frequent visitors", "sessions >= 3"),
    (
        "Buyers this month",
        "did purchase >= 1 time in last 30 days",
    ),
];

pub async fn membership(options: MembershipOptions) -> anyhow::Result<()> {
    let server = BenchServer::start(&options.store).await?;
    let state = &server.state;
    let mut target = None;
    for (name, text) in RULES {
        let rule = Rule::parse_text(text).with_context(|| format!("rule {text}"))?;
        let segment = segments_store::create(
            &state.db,
            &server.shop_id,
            &NewSegment {
                name: name.into(),
                rule,
                push_mode: PushMode::None,
            },
        )
        .await?;
        target.get_or_insert(segment.id);
    }
    let target = target.context("no segment")?;
    crate::jobs::drain(state).await?;
    let workers = options
        .workers
        .unwrap_or_else(|| crate::jobs::default_workers(state.db.backend()));
    crate::jobs::spawn_workers(state.clone(), workers);

    let data = super::pixel::templates()
        .into_iter()
        .find(|(name, _)| name == "product_added_to_cart")
        .map(|(_, data)| data)
        .context("the add-to-cart template")?;
    let url = format!("http://{}/pixel/v1/events", server.address);
    let client = reqwest::Client::new();
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(
        1.0 / f64::from(options.rate.max(1)),
    ));
    let mut sent_at: HashMap<String, i64> = HashMap::with_capacity(options.visitors);
    let mut posts = Vec::with_capacity(options.visitors);
    for i in 0..options.visitors {
        ticker.tick().await;
        let visitor = format!("latency-{i}");
        let timestamp = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let body = json!({
            "key": server.storefront_key,
            "batch": [{
                "id": format!("latency-event-{i}"),
                "name": "product_added_to_cart",
                "timestamp": timestamp,
                "client_id": visitor,
                "context": {"url": "https://bench-store.myshopify.com/products/tent", "title": "Tent"},
                "data": data,
                "consent": {"analytics": true, "marketing": true, "preferences": true, "sale_of_data": true},
            }],
        })
        .to_string();
        sent_at.insert(format!("anonymous:{visitor}"), now_ms());
        let request = client
            .post(&url)
            .header("Content-Type", "text/plain;charset=UTF-8")
            .body(body);
        posts.push(tokio::spawn(async move { request.send().await }));
    }
    let mut refused = 0;
    for post in posts {
        if !post.await?.is_ok_and(|r| r.status().is_success()) {
            refused += 1;
        }
    }

    let expected = (options.visitors - refused) as i64;
    let deadline = Instant::now() + Duration::from_secs(120);
    let entries: Vec<(String, i64)> = loop {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT person_id, entered_at FROM memberships \
             WHERE shop_id = $1 AND segment_id = $2 AND member = 1",
        )
        .bind(&server.shop_id)
        .bind(&target)
        .fetch_all(state.db.pool())
        .await?;
        if rows.len() as i64 >= expected {
            break rows;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {} of {expected} visitors entered the segment within 120 s",
            rows.len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut latencies: Vec<i64> = entries
        .iter()
        .filter_map(|(person, entered)| Some(entered - sent_at.get(person)?))
        .collect();
    latencies.sort_unstable();
    let at = |p: f64| {
        let index = ((latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        latencies.get(index).copied().unwrap_or_default()
    };
    println!(
        "event-to-membership benchmark: {:?} store, {} visitors at {}/s, {} job workers, {} segments",
        state.db.backend(),
        options.visitors,
        options.rate,
        workers,
        RULES.len()
    );
    println!();
    println!("| measure | p50 | p95 | p99 | max | refused |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| add-to-cart sent → segment entered | {} ms | {} ms | {} ms | {} ms | {refused} |",
        at(0.5),
        at(0.95),
        at(0.99),
        latencies.last().copied().unwrap_or_default()
    );
    Ok(())
}
