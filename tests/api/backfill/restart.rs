//! A backfill interrupted by a restart resumes from its checkpoint and ends where an
//! uninterrupted one does.

use std::time::Duration;

use super::{finish_backfill, seed, traits_by_customer};
use crate::helpers::TestApp;

const INTERRUPTED: &str = "restart-co.myshopify.com";
const STEADY: &str = "steady-co.myshopify.com";

fn small_runs(config: &mut segops::config::Config) {
    super::quick_polls(config);
    config.backfill.rows_per_run = 200;
}

crate::on_both_stores_with!(small_runs;
    a_backfill_interrupted_by_a_restart_resumes_from_its_checkpoint,
);

async fn checkpoint(app: &TestApp, shop: &str) -> (String, i64, i64) {
    sqlx::query_as(
        "SELECT phase, row_cursor, rows_done FROM backfills WHERE shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .bind(shop)
    .fetch_one(app.db().pool())
    .await
    .unwrap()
}

async fn a_backfill_interrupted_by_a_restart_resumes_from_its_checkpoint(app: TestApp) {
    app.create_shop(INTERRUPTED).await;
    seed(&app, INTERRUPTED, 60, 1000, 60, false).await;
    app.install(INTERRUPTED).await;
    // Run jobs one at a time until the import is part-way through the orders.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let stopped_at = loop {
        segops::jobs::run_next(&app.state).await.unwrap();
        let (phase, cursor, done) = checkpoint(&app, INTERRUPTED).await;
        if cursor > 0 {
            assert_eq!(phase, "orders");
            break (cursor, done);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no checkpoint in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // One run stops after the batch that spends its 200-row budget (50 rows a batch on
    // SQLite, 250 on PostgreSQL).
    let (cursor, done) = stopped_at;
    assert_eq!(cursor, done);
    assert!((200..=250).contains(&cursor), "{cursor} rows in one run");
    let imported_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(
        imported_before, cursor,
        "rows and checkpoint commit together"
    );

    let app = app.restart().await;
    finish_backfill(&app, INTERRUPTED).await;
    let (phase, _, rows_done) = checkpoint(&app, INTERRUPTED).await;
    assert_eq!((phase.as_str(), rows_done), ("done", 1060));

    // The same history imported without interruption ends in the same profiles.
    app.create_shop(STEADY).await;
    seed(&app, STEADY, 60, 1000, 60, false).await;
    app.install(STEADY).await;
    finish_backfill(&app, STEADY).await;
    let resumed = traits_by_customer(&app, INTERRUPTED).await;
    let steady = traits_by_customer(&app, STEADY).await;
    assert_eq!(resumed.len(), 60);
    let resumed: Vec<_> = resumed.into_iter().map(|(_, t)| t).collect();
    let steady: Vec<_> = steady.into_iter().map(|(_, t)| t).collect();
    assert_eq!(resumed, steady);
    assert_eq!(super::doubly_counted_orders(&app, INTERRUPTED).await, 0);
}
