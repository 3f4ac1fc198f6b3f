//! An order that reaches the app both by webhook and through the backfill counts once,
//! whichever comes first.

use serde_json::json;

use super::{doubly_counted_orders, finish_backfill, quick_polls, seed, shop_count};
use crate::helpers::TestApp;

const SHOP: &str = "overlap-co.myshopify.com";

crate::on_both_stores_with!(quick_polls;
    an_order_delivered_by_webhook_during_the_backfill_counts_once,
);

async fn an_order_delivered_by_webhook_during_the_backfill_counts_once(app: TestApp) {
    app.create_shop(SHOP).await;
    seed(&app, SHOP, 40, 300, 60, false).await;
    let product = app
        .sandbox_post(
            &format!("/shops/{SHOP}/products"),
            json!({ "title": "Canvas Tote", "variants": [{ "title": "Natural", "sku": "TOTE-N", "price": "40.00" }] }),
        )
        .await;
    let customer = app
        .sandbox_post(
            &format!("/shops/{SHOP}/customers"),
            json!({ "first_name": "Grace", "email": "grace@example.net" }),
        )
        .await;
    let order = app
        .sandbox_post(
            &format!("/shops/{SHOP}/orders"),
            json!({ "customer_id": customer["id"], "financial_status": "paid",
                    "line_items": [{ "variant_id": product["variants"][0]["id"], "quantity": 3 }] }),
        )
        .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/orders/{}/refunds", order["id"]),
        json!({ "line_items": [{ "line_item_id": order["line_items"][0]["id"], "quantity": 1 }] }),
    )
    .await;

    // The export is held while the same order arrives by webhook.
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/pause"), json!({}))
        .await;
    app.install(SHOP).await;
    let body = app
        .sandbox_get(&format!("/shops/{SHOP}/orders/{}", order["id"]))
        .await;
    let raw = serde_json::to_vec(&body).unwrap();
    for (topic, event_id) in [("orders/create", "ov-1"), ("orders/paid", "ov-2")] {
        let response = app.post_webhook(SHOP, topic, event_id, &raw).await;
        assert_eq!(response.status(), 200);
    }
    app.drain().await;
    let customer_id = customer["id"].to_string();
    let before: (i64, String) =
        sqlx::query_as("SELECT order_count, lifetime_value FROM profiles WHERE customer_id = $1")
            .bind(&customer_id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(before.0, 1);

    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/resume"), json!({}))
        .await;
    finish_backfill(&app, SHOP).await;

    let after: (i64, String) =
        sqlx::query_as("SELECT order_count, lifetime_value FROM profiles WHERE customer_id = $1")
            .bind(&customer_id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(after, before, "the backfill changed what the webhook set");
    // 3 × 40.00 less one refunded tote: net of the refund.
    let net: rust_decimal::Decimal = body["current_total_price"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(after.1.parse::<rust_decimal::Decimal>().unwrap(), net);
    assert_eq!(net, rust_decimal::Decimal::new(8000, 2), "{body}");
    let purchases: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'purchase' AND order_id = $1")
            .bind(order["id"].to_string())
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(purchases, 1);
    let refunds: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'refund' AND order_id = $1")
            .bind(order["id"].to_string())
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(
        refunds, 1,
        "the backfill brings the refund the webhooks did not"
    );
    assert_eq!(doubly_counted_orders(&app, SHOP).await, 0);
    let orders = shop_count(
        &app,
        SHOP,
        "SELECT COUNT(*) FROM orders WHERE shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .await;
    assert_eq!(orders, 301);
}
