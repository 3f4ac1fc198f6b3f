//! Customer tags stay current: 2026-04 customer webhooks carry no tags, so SegOps subscribes to
//! `customer.tags_added` / `customer.tags_removed`, keeps each tag's latest change whatever the
//! arrival order, and moves tag segments with them.

use serde_json::json;

use crate::helpers::TestApp;

const SHOP: &str = "tags-co.myshopify.com";

crate::on_both_stores!(
    a_tag_the_merchant_adds_or_removes_in_shopify_moves_the_customer_in_and_out_of_a_tag_segment,
    tag_changes_in_any_order_end_in_each_tags_latest_change,
);

async fn tags_of(app: &TestApp, customer_id: &str) -> String {
    sqlx::query_scalar("SELECT tags FROM profiles WHERE customer_id = $1")
        .bind(customer_id)
        .fetch_one(app.db().pool())
        .await
        .unwrap()
}

async fn member(app: &TestApp, slug: &str, customer_id: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT m.member FROM memberships m JOIN segments s ON s.id = m.segment_id \
         WHERE s.slug = $1 AND m.person_id = $2",
    )
    .bind(slug)
    .bind(format!("customer:{customer_id}"))
    .fetch_optional(app.db().pool())
    .await
    .unwrap()
}

async fn a_tag_the_merchant_adds_or_removes_in_shopify_moves_the_customer_in_and_out_of_a_tag_segment(
    app: TestApp,
) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (status, body) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "VIPs", "rule": "tags CONTAINS \"vip\"", "push_mode": "none" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let customer = app
        .sandbox_post(
            &format!("/shops/{SHOP}/customers"),
            json!({ "first_name": "Ada", "email": "ada@example.net", "tags": ["local"] }),
        )
        .await;
    let id = customer["id"].to_string();
    app.settle(2).await;
    assert_eq!(tags_of(&app, &id).await, "local", "tags given at creation");
    assert_ne!(member(&app, "vips", &id).await, Some(1));

    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{id}"),
        json!({ "tags": ["local", "vip"] }),
    )
    .await;
    app.settle(2).await;
    assert_eq!(tags_of(&app, &id).await, "local,vip");
    assert_eq!(
        member(&app, "vips", &id).await,
        Some(1),
        "tagged vip in Shopify"
    );

    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{id}"),
        json!({ "tags": ["local"] }),
    )
    .await;
    app.settle(2).await;
    assert_eq!(tags_of(&app, &id).await, "local");
    assert_eq!(
        member(&app, "vips", &id).await,
        Some(0),
        "untagged in Shopify"
    );
}

async fn deliver(app: &TestApp, topic: &str, event_id: &str, body: serde_json::Value) {
    let sent = app
        .post_webhook(SHOP, topic, event_id, body.to_string().as_bytes())
        .await;
    assert_eq!(sent.status(), 200, "{topic} {event_id}");
    let report = app.drain().await;
    assert_eq!(report.parked, 0, "{report:?}");
}

/// A `customer.tags_added` (`added`) or `customer.tags_removed` of customer 7001 at `at`.
async fn tags_event(app: &TestApp, added: bool, event_id: &str, tags: &[&str], at: &str) {
    let topic = if added {
        "customer.tags_added"
    } else {
        "customer.tags_removed"
    };
    let body =
        json!({ "customerId": "gid://shopify/Customer/7001", "tags": tags, "occurredAt": at });
    deliver(app, topic, event_id, body).await;
}

async fn tag_changes_in_any_order_end_in_each_tags_latest_change(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let customer = json!({ "id": 7001, "email": "grace@example.net", "state": "enabled",
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z" });
    deliver(&app, "customers/create", "c-1", customer).await;

    // Removed at 12:00, delivered before its addition at 11:00: it stays removed.
    tags_event(&app, false, "t-1", &["vip"], "2026-11-01T12:00:00Z").await;
    tags_event(&app, true, "t-2", &["vip"], "2026-11-01T11:00:00Z").await;
    assert_eq!(tags_of(&app, "7001").await, "");
    // Two additions delivered newest first: both hold.
    tags_event(&app, true, "t-3", &["gold"], "2026-11-01T14:00:00Z").await;
    tags_event(&app, true, "t-4", &["beta"], "2026-11-01T13:00:00Z").await;
    assert_eq!(tags_of(&app, "7001").await, "beta,gold");
    // A snapshot listing every tag the customer had at 13:30 (a payload of an older API
    // version, or the history import): `gold`, added later, stays; `beta`, added before and not
    // listed, goes; `local` is listed, so present.
    let snapshot = json!({ "id": 7001, "email": "grace@example.net", "tags": "local",
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T13:30:00Z" });
    deliver(&app, "customers/update", "c-2", snapshot).await;
    assert_eq!(tags_of(&app, "7001").await, "gold,local");
    // A duplicate delivery of an old addition changes nothing.
    tags_event(&app, true, "t-2", &["vip"], "2026-11-01T11:00:00Z").await;
    assert_eq!(tags_of(&app, "7001").await, "gold,local");
}
