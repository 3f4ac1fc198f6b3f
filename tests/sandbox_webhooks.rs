//! Webhook delivery: signatures and headers, one event id per merchant action, retries on
//! Shopify's schedule, and the faults Shopify is known for (duplicates, reordering, lateness).

mod sandbox_support;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sandbox_support::{API_SECRET, TestSandbox, eventually, start};
use serde_json::{Value, json};
use sha2::Sha256;

const SHOP: &str = "hooks.myshopify.com";

fn valid_hmac(body: &[u8], header: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(API_SECRET.as_bytes()).unwrap();
    mac.update(body);
    let Ok(expected) = base64::engine::general_purpose::STANDARD.decode(header) else {
        return false;
    };
    mac.verify_slice(&expected).is_ok()
}

async fn shop_with(t: &TestSandbox, topics: &[&str]) -> String {
    let token = t.installed_shop(SHOP).await;
    for topic in topics {
        let body = t.subscribe(SHOP, &token, topic).await;
        assert_eq!(
            body["data"]["webhookSubscriptionCreate"]["userErrors"],
            json!([]),
            "{body}"
        );
    }
    token
}

async fn new_customer(t: &TestSandbox) -> Value {
    let (status, c) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/customers"),
            json!({ "first_name": "Bob", "last_name": "Biller", "email": "bob@biller.com", "phone": "+16135550100", "tags": ["vip"] }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c
}

#[tokio::test]
async fn webhooks_arrive_signed_with_every_shopify_header() {
    let t = start().await;
    shop_with(&t, &["CUSTOMERS_CREATE"]).await;
    let customer = new_customer(&t).await;
    let got = eventually(5, "customers/create", || {
        t.receiver.for_topic("customers/create").pop()
    })
    .await;
    assert_eq!(got.path, "/webhooks");
    assert!(valid_hmac(&got.body, &got.header("x-shopify-hmac-sha256")));
    assert_eq!(got.header("x-shopify-shop-domain"), SHOP);
    assert_eq!(got.header("x-shopify-api-version"), "2026-04");
    assert_eq!(got.header("content-type"), "application/json");
    assert!(uuid::Uuid::parse_str(&got.header("x-shopify-webhook-id")).is_ok());
    assert!(uuid::Uuid::parse_str(&got.header("x-shopify-event-id")).is_ok());
    let at = got.header("x-shopify-triggered-at");
    assert!(
        time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).is_ok(),
        "{at}"
    );
    let body = got.json();
    assert_eq!(body["id"], customer["id"]);
    assert_eq!(
        body["admin_graphql_api_id"],
        format!("gid://shopify/Customer/{}", customer["id"])
    );
    // Ids are integers above 2^53, written exactly.
    let raw = String::from_utf8(got.body.to_vec()).unwrap();
    assert!(raw.contains(&format!("\"id\":{}", customer["id"].as_u64().unwrap())));
    assert!(customer["id"].as_u64().unwrap() > 1 << 53);
}

#[tokio::test]
async fn a_paid_order_sends_create_and_paid_under_one_event_id() {
    let t = start().await;
    shop_with(&t, &["ORDERS_CREATE", "ORDERS_PAID"]).await;
    let customer = new_customer(&t).await;
    let (_, variant) = t.product_with_variant(SHOP).await;
    let (status, order) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/orders"),
            json!({ "customer_id": customer["id"], "line_items": [{ "variant_id": variant, "quantity": 2 }], "financial_status": "paid", "shipping": "10.00", "tax": "3.50" }),
        )
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["total_price"], "193.48");
    let (created, paid) = eventually(5, "orders/create and orders/paid", || {
        let c = t.receiver.for_topic("orders/create").pop()?;
        let p = t.receiver.for_topic("orders/paid").pop()?;
        Some((c, p))
    })
    .await;
    assert_eq!(
        created.header("x-shopify-event-id"),
        paid.header("x-shopify-event-id")
    );
    assert_ne!(
        created.header("x-shopify-webhook-id"),
        paid.header("x-shopify-webhook-id")
    );
    assert_eq!(created.json()["line_items"][0]["quantity"], 2);
    assert_eq!(created.json()["customer"]["id"], customer["id"]);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_event_id() {
    let t = start().await;
    shop_with(&t, &["CUSTOMERS_CREATE"]).await;
    t.receiver.answer_with(&[500, 503]);
    new_customer(&t).await;
    let attempts = eventually(5, "three attempts", || {
        let got = t.receiver.for_topic("customers/create");
        (got.len() >= 3).then_some(got)
    })
    .await;
    let event = attempts[0].header("x-shopify-event-id");
    assert!(
        attempts
            .iter()
            .all(|a| a.header("x-shopify-event-id") == event)
    );
    assert!(attempts.iter().all(|a| a.header("x-shopify-webhook-id") == attempts[0].header("x-shopify-webhook-id")));
    let deliveries = t.deliveries(SHOP).await;
    let statuses: Vec<(u64, String)> = deliveries
        .iter()
        .filter(|d| d["topic"] == "customers/create")
        .map(|d| {
            (
                d["attempt"].as_u64().unwrap(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(statuses[0], (1, "failed".into()));
    assert_eq!(statuses[1], (2, "failed".into()));
    assert_eq!(statuses[2].0, 3);
    assert_eq!(deliveries[0]["response_status"], 500);
}

#[tokio::test]
async fn a_delivery_that_keeps_failing_stops_after_eight_attempts() {
    let t = start_with_tiny_retries().await;
    shop_with(&t, &["PRODUCTS_DELETE"]).await;
    t.receiver.answer_with(&[500; 20]);
    let (id, _) = t.product_with_variant(SHOP).await;
    let r = t
        .http
        .delete(format!("{}/_sandbox/shops/{SHOP}/products/{id}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    eventually(10, "eight attempts", || {
        (t.receiver.for_topic("products/delete").len() >= 8).then_some(())
    })
    .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while t.get("/_sandbox/deliveries/idle").await.1["pending"] != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the queue never drained"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(t.receiver.for_topic("products/delete").len(), 8);
    let log = t.deliveries(SHOP).await;
    let last = log
        .iter()
        .rfind(|d| d["topic"] == "products/delete")
        .unwrap()
        .clone();
    assert_eq!(last["attempt"], 8);
    assert_eq!(last["status"], "failed");
}

async fn start_with_tiny_retries() -> TestSandbox {
    sandbox_support::start_with(|c| c.retry_base = std::time::Duration::from_millis(5)).await
}

#[tokio::test]
async fn duplicates_carry_a_new_webhook_id_and_the_same_event_id() {
    let t = start().await;
    shop_with(&t, &["CUSTOMERS_CREATE"]).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/settings"),
        json!({ "webhooks": { "duplicates": true } }),
    )
    .await;
    new_customer(&t).await;
    let got = eventually(5, "two deliveries", || {
        let got = t.receiver.for_topic("customers/create");
        (got.len() == 2).then_some(got)
    })
    .await;
    assert_eq!(
        got[0].header("x-shopify-event-id"),
        got[1].header("x-shopify-event-id")
    );
    assert_ne!(
        got[0].header("x-shopify-webhook-id"),
        got[1].header("x-shopify-webhook-id")
    );
    assert_eq!(got[0].body, got[1].body);
}

#[tokio::test]
async fn out_of_order_delivers_an_update_before_its_create() {
    let t = start().await;
    shop_with(&t, &["ORDERS_CREATE", "ORDERS_UPDATED"]).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/settings"),
        json!({ "webhooks": { "out_of_order": true } }),
    )
    .await;
    let (_, variant) = t.product_with_variant(SHOP).await;
    let (_, order) = t
        .post(&format!("/_sandbox/shops/{SHOP}/orders"), json!({ "email": "a@b.co", "line_items": [{ "variant_id": variant }], "financial_status": "pending" }))
        .await;
    let (status, _) = t
        .put(
            &format!("/_sandbox/shops/{SHOP}/orders/{}", order["id"]),
            json!({ "note": "gift wrap" }),
        )
        .await;
    assert_eq!(status, 200);
    let got = eventually(5, "both topics", || {
        let got = t.receiver.received();
        (got.len() == 2).then_some(got)
    })
    .await;
    assert_eq!(got[0].header("x-shopify-topic"), "orders/updated");
    assert_eq!(got[1].header("x-shopify-topic"), "orders/create");
    assert_eq!(got[0].json()["note"], "gift wrap");
}

#[tokio::test]
async fn paused_deliveries_wait_for_a_flush() {
    let t = start().await;
    shop_with(&t, &["CUSTOMERS_CREATE", "CUSTOMERS_UPDATE"]).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/settings"),
        json!({ "webhooks": { "paused": true } }),
    )
    .await;
    let c = new_customer(&t).await;
    t.put(
        &format!("/_sandbox/shops/{SHOP}/customers/{}", c["id"]),
        json!({ "note": "called" }),
    )
    .await;
    let (_, idle) = t.get("/_sandbox/deliveries/idle").await;
    assert_eq!(idle["pending"], 2);
    assert!(t.receiver.received().is_empty());
    let (status, flushed) = t.post("/_sandbox/deliveries/flush", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(flushed["flushed"], true);
    assert_eq!(flushed["pending"], 0);
    let topics: Vec<String> = t
        .receiver
        .received()
        .iter()
        .map(|r| r.header("x-shopify-topic"))
        .collect();
    assert_eq!(topics, ["customers/create", "customers/update"]);
}

#[tokio::test]
async fn consent_changes_send_their_own_topics() {
    let t = start().await;
    shop_with(
        &t,
        &[
            "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE",
            "CUSTOMERS_MARKETING_CONSENT_UPDATE",
        ],
    )
    .await;
    let c = new_customer(&t).await;
    let (status, _) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/customers/{}/email_consent", c["id"]),
            json!({ "state": "subscribed" }),
        )
        .await;
    assert_eq!(status, 200);
    t.post(
        &format!("/_sandbox/shops/{SHOP}/customers/{}/sms_consent", c["id"]),
        json!({ "state": "subscribed" }),
    )
    .await;
    let email = eventually(5, "email consent", || {
        t.receiver
            .for_topic("customers_email_marketing_consent/update")
            .pop()
    })
    .await;
    assert_eq!(
        email.json()["email_marketing_consent"]["state"],
        "subscribed"
    );
    assert_eq!(email.json()["customer_id"], c["id"]);
    let sms = eventually(5, "sms consent", || {
        t.receiver
            .for_topic("customers_marketing_consent/update")
            .pop()
    })
    .await;
    assert_eq!(sms.json()["sms_marketing_consent"]["state"], "subscribed");
    let (status, err) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/customers/{}/email_consent", c["id"]),
            json!({ "state": "maybe" }),
        )
        .await;
    assert_eq!(status, 422, "{err}");
}

#[tokio::test]
async fn uninstalling_sends_app_uninstalled_then_forgets_subscriptions_and_tokens() {
    let t = start().await;
    let token = shop_with(&t, &["APP_UNINSTALLED", "CUSTOMERS_CREATE"]).await;
    let (status, _) = t
        .post(&format!("/_sandbox/shops/{SHOP}/uninstall"), json!({}))
        .await;
    assert_eq!(status, 200);
    let got = eventually(5, "app/uninstalled", || {
        t.receiver.for_topic("app/uninstalled").pop()
    })
    .await;
    assert_eq!(got.json()["myshopify_domain"], SHOP);
    let (_, shop) = t.get(&format!("/_sandbox/shops/{SHOP}")).await;
    assert_eq!(shop["installed"], false);
    assert_eq!(shop["webhook_subscriptions"], json!([]));
    assert_eq!(
        t.graphql(SHOP, &token, "{ shop { id } }", json!({}))
            .await
            .0,
        401
    );
    new_customer(&t).await;
    t.post("/_sandbox/deliveries/flush", json!({})).await;
    assert!(t.receiver.for_topic("customers/create").is_empty());
}

#[tokio::test]
async fn compliance_topics_go_to_the_compliance_url() {
    let t = sandbox_support::start_with(|_| {}).await;
    t.installed_shop(SHOP).await;
    for topic in ["customers/data_request", "customers/redact", "shop/redact"] {
        let (status, body) = t
            .post(
                &format!("/_sandbox/shops/{SHOP}/webhooks/send"),
                json!({ "topic": topic }),
            )
            .await;
        assert_eq!(status, 202, "{body}");
    }
    let got = eventually(5, "three compliance webhooks", || {
        let got = t.receiver.received();
        (got.len() == 3).then_some(got)
    })
    .await;
    assert!(got.iter().all(|r| r.path == "/webhooks"));
    let redact = got
        .iter()
        .find(|r| r.header("x-shopify-topic") == "shop/redact")
        .unwrap()
        .json();
    assert_eq!(redact["shop_domain"], SHOP);
    assert!(redact["shop_id"].is_u64());
}
