//! A profile version is a change a segment could see: a `customers/update` that changes nothing
//! we hold is captured but writes no new version, and one that changes a trait writes exactly one.

use serde_json::json;

use crate::helpers::TestApp;
use crate::profiles::{SHOP, customer, settle};

crate::on_both_stores!(
    a_customer_update_that_changes_nothing_we_hold_writes_no_new_profile_version
);

async fn version(app: &TestApp, customer_id: &str) -> (i64, i64) {
    sqlx::query_as("SELECT version, updated_at FROM profiles WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn updates_received(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM webhook_deliveries WHERE topic = 'customers/update'")
        .await
}

async fn a_customer_update_that_changes_nothing_we_hold_writes_no_new_profile_version(
    app: TestApp,
) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let grace = customer(&app, SHOP, "Grace", "grace@example.net").await;
    settle(&app).await;
    let before = version(&app, &grace).await;
    let updates = updates_received(&app).await;

    // A note is Shopify's field, not a trait: the delivery arrives and is processed...
    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{grace}"),
        json!({ "note": "prefers phone calls" }),
    )
    .await;
    settle(&app).await;
    assert_eq!(updates_received(&app).await, updates + 1);
    let processed = app
        .count("SELECT COUNT(*) FROM webhook_deliveries WHERE topic = 'customers/update' AND status <> 'processed'")
        .await;
    assert_eq!(
        processed, 0,
        "every customers/update delivery was processed"
    );
    // ...and leaves the profile exactly as it was.
    assert_eq!(version(&app, &grace).await, before);

    // A consent change is a trait: one new version.
    app.sandbox_post(
        &format!("/shops/{SHOP}/customers/{grace}/email_consent"),
        json!({ "state": "subscribed" }),
    )
    .await;
    settle(&app).await;
    let (after, _) = version(&app, &grace).await;
    assert_eq!(after, before.0 + 1);
}
