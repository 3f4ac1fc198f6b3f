//! Push throughput under the standard-plan throttle (1,000-point bucket, 100 points/s), direct
//! calls and the bulk mutation, on SQLite. A program, not a timed test: ignored by default.
//! `cargo test --test api segment_push_bench -- --ignored --nocapture`

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Store, spawn_app};
use crate::segment_push::{all_tags, api_calls, push_until_done, queue_push, seed_members};

const SHOP: &str = "push-co.myshopify.com";

/// Pushes `members` new members of one segment and returns members per second.
async fn push_rate(members: usize) -> (f64, Duration, u64, u64) {
    let app = spawn_app(Store::Sqlite)
        .await
        .expect("sqlite is always there");
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    app.sandbox_idle().await;
    app.drain().await;
    app.sandbox_settings(SHOP, json!({ "webhooks": { "paused": true } }))
        .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/seed"),
        json!({ "customers": members }),
    )
    .await;
    let ids: Vec<u64> = all_tags(&app, SHOP).await.keys().copied().collect();
    let (_, segment) = app
        .admin_call(
            SHOP,
            reqwest::Method::POST,
            "/admin/api/segments",
            json!({ "name": "Bench", "rule": "order_count >= 1000" }),
        )
        .await;
    app.drain().await;
    let segment_id = segment["id"].as_str().unwrap().to_owned();
    let shop_id = app.shop_id(SHOP).await;
    seed_members(app.db(), &shop_id, &segment_id, &ids).await;
    let before = api_calls(&app, SHOP).await;
    queue_push(app.db(), &shop_id, &segment_id).await;
    let started = Instant::now();
    push_until_done(&app.state, &segment_id, Duration::from_secs(900)).await;
    let elapsed = started.elapsed();
    let after = api_calls(&app, SHOP).await;
    (
        members as f64 / elapsed.as_secs_f64(),
        elapsed,
        after.0 - before.0,
        after.1 - before.1,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark program: run with --ignored --nocapture"]
async fn push_members_per_second_under_the_standard_plan_throttle() {
    println!("| path | members | time | members/s | API calls | throttled |");
    println!("|---|---|---|---|---|---|");
    for (path, members) in [("direct calls", 240), ("bulk mutation", 20_000)] {
        let (rate, elapsed, calls, throttled) = push_rate(members).await;
        println!("| {path} | {members} | {elapsed:.1?} | {rate:.0} | {calls} | {throttled} |");
    }
}
