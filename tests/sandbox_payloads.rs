//! Webhook bodies have Shopify's shapes: the same keys and value types as Shopify's 2026-04
//! sample payloads (compared when the shared fixtures are present), and seeding is fast and silent.

mod sandbox_support;

use std::collections::BTreeMap;
use std::time::Instant;

use sandbox_support::{eventually, fixtures_dir, start};
use serde_json::{Value, json};

const SHOP: &str = "shapes.myshopify.com";

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Differences between two JSON shapes: missing or extra keys and differing value types
/// (nulls match anything; arrays compare their first elements when both have one).
fn compare(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(a), Value::Object(b)) => {
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{path}.{k}: missing"));
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in Shopify's sample"));
            }
            for (k, v) in a {
                if let Some(w) = b.get(k) {
                    compare(&format!("{path}.{k}"), v, w, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                compare(&format!("{path}[0]"), x, y, out);
            }
        }
        (a, b) if kind(a) != kind(b) => out.push(format!(
            "{path}: {} where Shopify sends {}",
            kind(a),
            kind(b)
        )),
        _ => {}
    }
}

#[tokio::test]
async fn payloads_have_the_keys_and_types_of_shopifys_samples() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let topics = [
        "ORDERS_CREATE",
        "ORDERS_PAID",
        "ORDERS_UPDATED",
        "ORDERS_CANCELLED",
        "ORDERS_FULFILLED",
        "ORDERS_EDITED",
        "CHECKOUTS_CREATE",
        "CHECKOUTS_UPDATE",
        "CARTS_CREATE",
        "CARTS_UPDATE",
        "CUSTOMERS_CREATE",
        "CUSTOMERS_UPDATE",
        "CUSTOMERS_DELETE",
        "CUSTOMERS_MERGE",
        "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE",
        "CUSTOMERS_MARKETING_CONSENT_UPDATE",
        "REFUNDS_CREATE",
        "FULFILLMENTS_CREATE",
        "PRODUCTS_CREATE",
        "PRODUCTS_UPDATE",
        "PRODUCTS_DELETE",
        "APP_SCOPES_UPDATE",
        "APP_SUBSCRIPTIONS_UPDATE",
        "BULK_OPERATIONS_FINISH",
        "APP_UNINSTALLED",
    ];
    for topic in topics {
        let body = t.subscribe(SHOP, &token, topic).await;
        assert_eq!(
            body["data"]["webhookSubscriptionCreate"]["userErrors"],
            json!([]),
            "{topic}: {body}"
        );
    }
    let s = format!("/_sandbox/shops/{SHOP}");
    let (_, customer) = t
        .post(&format!("{s}/customers"), json!({ "first_name": "Bob", "last_name": "Biller", "email": "bob@biller.com", "phone": "+16135550100", "address": { "city": "Ottawa" } }))
        .await;
    let cid = customer["id"].clone();
    t.put(
        &format!("{s}/customers/{cid}"),
        json!({ "note": "loves ice cream" }),
    )
    .await;
    t.post(
        &format!("{s}/customers/{cid}/email_consent"),
        json!({ "state": "subscribed" }),
    )
    .await;
    t.post(
        &format!("{s}/customers/{cid}/sms_consent"),
        json!({ "state": "subscribed" }),
    )
    .await;
    let (pid, variant) = t.product_with_variant(SHOP).await;
    t.put(
        &format!("{s}/products/{pid}"),
        json!({ "tags": ["summer"] }),
    )
    .await;
    let (_, cart) = t
        .post(
            &format!("{s}/carts"),
            json!({ "line_items": [{ "variant_id": variant, "quantity": 3 }] }),
        )
        .await;
    t.put(
        &format!("{s}/carts/{}", cart["token"].as_str().unwrap()),
        json!({ "note": "gift" }),
    )
    .await;
    let (_, checkout) = t
        .post(
            &format!("{s}/checkouts"),
            json!({ "customer_id": cid, "line_items": [{ "variant_id": variant, "quantity": 1 }] }),
        )
        .await;
    t.put(
        &format!("{s}/checkouts/{}", checkout["token"].as_str().unwrap()),
        json!({ "email": "bob@biller.com" }),
    )
    .await;
    let (status, order) = t
        .post(
            &format!("{s}/orders"),
            json!({ "customer_id": cid, "line_items": [{ "variant_id": variant, "quantity": 2 }], "financial_status": "paid",
                    "discount_code": { "code": "SAVE5", "amount": "5.00" }, "shipping": "10.00", "tax": "4.20" }),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    let oid = order["id"].clone();
    let line = order["line_items"][0]["id"].clone();
    let (status, refund) = t
        .post(
            &format!("{s}/orders/{oid}/refunds"),
            json!({ "line_items": [{ "line_item_id": line, "quantity": 1 }] }),
        )
        .await;
    assert_eq!(status, 201, "{refund}");
    t.post(
        &format!("{s}/orders/{oid}/edit"),
        json!({ "add": [{ "variant_id": variant, "quantity": 1 }] }),
    )
    .await;
    let (status, f) = t
        .post(&format!("{s}/orders/{oid}/fulfillments"), json!({}))
        .await;
    assert_eq!(status, 201, "{f}");
    let (_, second) = t
        .post(
            &format!("{s}/orders"),
            json!({ "email": "x@y.co", "line_items": [{ "variant_id": variant }] }),
        )
        .await;
    t.post(
        &format!("{s}/orders/{}/cancel", second["id"]),
        json!({ "reason": "customer" }),
    )
    .await;
    t.post(
        &format!("{s}/customers"),
        json!({ "first_name": "Temp", "email": "temp@example.com" }),
    )
    .await;
    let (_, temp) = t
        .post(
            &format!("{s}/customers"),
            json!({ "first_name": "Gone", "email": "gone@example.com" }),
        )
        .await;
    let r = t
        .http
        .delete(format!("{}{s}/customers/{}", t.base, temp["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for topic in [
        "customers/merge",
        "bulk_operations/finish",
        "app_subscriptions/update",
        "customers/data_request",
        "customers/redact",
        "shop/redact",
    ] {
        let (status, body) = t
            .post(&format!("{s}/webhooks/send"), json!({ "topic": topic }))
            .await;
        assert_eq!(status, 202, "{topic}: {body}");
    }
    t.oauth_install(
        SHOP,
        "read_customers,read_orders,read_products,write_products",
    )
    .await;
    let r = t
        .http
        .delete(format!("{}{s}/products/{pid}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    t.post(&format!("{s}/uninstall"), json!({})).await;
    t.post("/_sandbox/deliveries/flush", json!({})).await;

    let mut bodies: BTreeMap<String, Value> = BTreeMap::new();
    for r in t.receiver.received() {
        bodies
            .entry(r.header("x-shopify-topic"))
            .or_insert_with(|| r.json());
    }
    let expected = [
        "orders/create",
        "orders/paid",
        "orders/updated",
        "orders/cancelled",
        "orders/fulfilled",
        "orders/edited",
        "checkouts/create",
        "checkouts/update",
        "carts/create",
        "carts/update",
        "customers/create",
        "customers/update",
        "customers/delete",
        "customers/merge",
        "customers_email_marketing_consent/update",
        "customers_marketing_consent/update",
        "refunds/create",
        "fulfillments/create",
        "products/create",
        "products/update",
        "products/delete",
        "app/scopes_update",
        "app_subscriptions/update",
        "bulk_operations/finish",
        "app/uninstalled",
        "customers/data_request",
        "customers/redact",
        "shop/redact",
    ];
    for topic in expected {
        assert!(
            bodies.contains_key(topic),
            "no {topic} webhook was delivered"
        );
    }
    let Some(dir) = fixtures_dir() else {
        println!("fixtures absent: skipping the comparison with Shopify's sample payloads");
        return;
    };
    let mut problems = Vec::new();
    for topic in expected {
        let file = dir
            .join("shopify/webhooks/payloads")
            .join(format!("{}.json", topic.replace('/', "__")));
        let sample: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        compare(topic, &bodies[topic], &sample, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "payloads differ from Shopify's samples:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn seeding_thousands_of_records_is_fast_deterministic_and_silent_by_default() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    t.subscribe(SHOP, &token, "ORDERS_CREATE").await;
    let started = Instant::now();
    let (status, summary) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/seed"),
            json!({ "customers": 1000, "products": 100, "orders": 3000 }),
        )
        .await;
    assert_eq!(status, 201, "{summary}");
    assert!(
        started.elapsed().as_secs_f64() < 3.0,
        "seeding took {:?}",
        started.elapsed()
    );
    assert_eq!(summary["orders"], 3000);
    assert!(summary["refunds"].as_u64().unwrap() > 0);
    let (_, shop) = t.get(&format!("/_sandbox/shops/{SHOP}")).await;
    assert_eq!(shop["customers_count"], 1000);
    assert_eq!(shop["orders_count"], 3000);
    assert_eq!(shop["products_count"], 100);
    let (_, idle) = t.get("/_sandbox/deliveries/idle").await;
    assert_eq!(idle["pending"], 0);
    assert!(t.receiver.received().is_empty());

    // The same seed gives the same store.
    let other = start().await;
    other.create_shop(SHOP).await;
    let (_, again) = other
        .post(
            &format!("/_sandbox/shops/{SHOP}/seed"),
            json!({ "customers": 1000, "products": 100, "orders": 3000 }),
        )
        .await;
    assert_eq!(again["refunds"], summary["refunds"]);

    let (_, delivered) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/seed"),
            json!({ "orders": 3, "deliver": true }),
        )
        .await;
    assert_eq!(delivered["orders"], 3);
    eventually(5, "three orders/create", || {
        (t.receiver.for_topic("orders/create").len() == 3).then_some(())
    })
    .await;
}

#[tokio::test]
async fn the_control_api_answers_errors_in_json() {
    let t = start().await;
    let (status, body) = t
        .post("/_sandbox/shops", json!({ "domain": "not-shopify.com" }))
        .await;
    assert_eq!(status, 422);
    assert!(body["error"].is_string());
    t.create_shop(SHOP).await;
    assert_eq!(
        t.post("/_sandbox/shops", json!({ "domain": SHOP })).await.0,
        409
    );
    assert_eq!(t.get("/_sandbox/shops/missing.myshopify.com").await.0, 404);
    assert_eq!(
        t.put(&format!("/_sandbox/shops/{SHOP}/customers/123"), json!({}))
            .await
            .0,
        404
    );
    let (status, _) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/orders"),
            json!({ "line_items": [{ "variant_id": 1 }] }),
        )
        .await;
    assert_eq!(status, 422);
    let r = t
        .http
        .post(format!("{}/_sandbox/shops", t.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}
