//! The same history, once read by the backfill and once delivered by webhooks, gives the same
//! profiles; orders older than the 90-day window stay out; two shops keep their own progress.

use super::{
    deliver_everything, doubly_counted_orders, finish_backfill, progress, quick_polls, seed,
    shop_count, traits_by_customer,
};
use crate::helpers::TestApp;

const BACKFILLED: &str = "history-bulk.myshopify.com";
const DELIVERED: &str = "history-live.myshopify.com";
const OLD: &str = "history-old.myshopify.com";

crate::on_both_stores_with!(quick_polls;
    a_backfilled_store_has_the_profiles_its_webhooks_would_have_built,
    orders_older_than_ninety_days_are_not_imported,
);

async fn a_backfilled_store_has_the_profiles_its_webhooks_would_have_built(app: TestApp) {
    // All 1,000 orders inside the window, so both stores hold the same history.
    app.create_shop(BACKFILLED).await;
    seed(&app, BACKFILLED, 100, 1000, 80, false).await;
    app.install(BACKFILLED).await;
    finish_backfill(&app, BACKFILLED).await;

    app.create_shop(DELIVERED).await;
    app.install(DELIVERED).await;
    // Nothing to import yet: the history arrives afterwards, by webhook only.
    finish_backfill(&app, DELIVERED).await;
    seed(&app, DELIVERED, 100, 1000, 80, true).await;
    deliver_everything(&app).await;

    let bulk = traits_by_customer(&app, BACKFILLED).await;
    let live = traits_by_customer(&app, DELIVERED).await;
    assert_eq!(bulk.len(), 100);
    assert_eq!(live.len(), 100);
    let buyers = bulk.iter().filter(|(_, t)| t.order_count > 0).count();
    assert!(buyers > 50, "only {buyers} buyers");
    for ((bulk_id, bulk_traits), (live_id, live_traits)) in bulk.iter().zip(&live) {
        // The sandbox's `customers/create` body omits `tags` and the marketing consent
        // objects that Shopify's carries, so only the backfill knows them here.
        let without_consent = |t: &super::Traits| super::Traits {
            email_consent: None,
            sms_consent: None,
            tags: String::new(),
            ..t.clone()
        };
        assert_eq!(
            without_consent(bulk_traits),
            without_consent(live_traits),
            "customer {bulk_id} (backfilled) and {live_id} (webhooks) differ"
        );
    }
    let subscribed = bulk
        .iter()
        .filter(|(_, t)| t.email_consent.as_deref() == Some("subscribed"))
        .count();
    assert!(
        subscribed > 0,
        "consent comes with the backfilled customers"
    );
    let refunded = shop_count(
        &app,
        BACKFILLED,
        "SELECT COUNT(*) FROM events WHERE shop_id = (SELECT id FROM shops WHERE domain = $1) AND kind = 'refund'",
    )
    .await;
    assert!(refunded > 0, "the seeded history has refunds");
    assert_eq!(doubly_counted_orders(&app, BACKFILLED).await, 0);

    // Each shop sees its own import only.
    let bulk_progress = progress(&app, BACKFILLED).await;
    let live_progress = progress(&app, DELIVERED).await;
    assert_eq!(bulk_progress["phase"], "done");
    assert_eq!(bulk_progress["percent"], 100);
    assert_eq!(bulk_progress["rows_done"], 1100, "{bulk_progress}");
    assert_eq!(live_progress["rows_done"], 0, "{live_progress}");
}

async fn orders_older_than_ninety_days_are_not_imported(app: TestApp) {
    app.create_shop(OLD).await;
    seed(&app, OLD, 100, 1000, 240, false).await;
    app.install(OLD).await;
    finish_backfill(&app, OLD).await;

    let body = progress(&app, OLD).await;
    let since = format!("{}T00:00:00Z", body["orders_since"].as_str().unwrap());
    let cutoff_ms =
        (time::OffsetDateTime::parse(&since, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp_nanos()
            / 1_000_000) as i64;
    let imported = shop_count(
        &app,
        OLD,
        "SELECT COUNT(*) FROM orders WHERE shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .await;
    let oldest: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(occurred_at) FROM events WHERE shop_id = (SELECT id FROM shops WHERE domain = $1) AND kind = 'order_created'",
    )
    .bind(OLD)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    // 1,000 orders over 240 days: about 375 fall in the last 90.
    assert!(
        (250..600).contains(&imported),
        "{imported} of 1000 orders imported"
    );
    assert!(oldest.unwrap() >= cutoff_ms, "an order from before {since}");
    assert_eq!(body["rows_done"], imported + 100, "{body}");
}
