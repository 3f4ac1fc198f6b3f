//! A backfill waiting on Shopify sleeps without a worker, and the `bulk_operations/finish`
//! webhook wakes it long before its next poll.

use std::time::Duration;

use super::{phase, seed};
use crate::helpers::{TestApp, eventually};

const SHOP: &str = "wake-co.myshopify.com";

fn slow_polls(config: &mut segops::config::Config) {
    // Far beyond the test's deadline: only the webhook can wake the job in time.
    config.backfill.poll = Duration::from_secs(600);
}

crate::on_both_stores_with!(slow_polls;
    the_bulk_finish_webhook_wakes_the_waiting_backfill,
);

async fn the_bulk_finish_webhook_wakes_the_waiting_backfill(app: TestApp) {
    app.create_shop(SHOP).await;
    seed(&app, SHOP, 20, 100, 30, false).await;
    // Held, so the export cannot finish (and its webhook cannot land) while the app installs.
    app.sandbox_post(
        &format!("/shops/{SHOP}/bulk_operations/pause"),
        serde_json::json!({}),
    )
    .await;
    app.install(SHOP).await;
    app.drain().await;
    // Started and asleep: the queue has nothing due.
    assert_eq!(phase(&app, SHOP).await.as_deref(), Some("orders"));
    let sleeping: i64 = app
        .count("SELECT COUNT(*) FROM jobs WHERE kind = 'backfill' AND status = 'queued'")
        .await;
    assert_eq!(sleeping, 1);
    app.sandbox_post(
        &format!("/shops/{SHOP}/bulk_operations/resume"),
        serde_json::json!({}),
    )
    .await;

    eventually(Duration::from_secs(60), "backfill done", || async {
        app.sandbox_idle().await;
        let report = app.drain().await;
        assert_eq!(report.parked, 0, "{report:?}");
        phase(&app, SHOP).await.as_deref() == Some("done")
    })
    .await;
    let finishes = app
        .count("SELECT COUNT(*) FROM webhook_deliveries WHERE topic = 'bulk_operations/finish'")
        .await;
    assert!(finishes >= 2, "one finish per phase, got {finishes}");
    let orders = app.count("SELECT COUNT(*) FROM orders").await;
    assert_eq!(orders, 100);
}
