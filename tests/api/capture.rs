//! Capture: store changes reach SegOps once and only once, as canonical events, through
//! duplicates, reordering and bad input.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::TestApp;

const SHOP: &str = "capture-co.myshopify.com";

crate::on_both_stores!(
    a_scripted_history_becomes_canonical_events_once,
    duplicated_and_reordered_deliveries_end_in_the_same_state_as_a_clean_run,
    one_change_under_two_event_ids_processed_at_once_counts_once,
    bad_deliveries_are_refused_with_a_reason_or_parked_never_a_500,
    a_delivery_that_keeps_failing_is_parked_visible_and_replayable,
    an_unfinished_checkout_is_abandoned_and_a_purchase_cancels_the_timer,
);

/// A small, realistic history through the sandbox's control API; returns the order id.
async fn scripted_history(app: &TestApp, shop: &str) -> Value {
    let product = app
        .sandbox_post(
            &format!("/shops/{shop}/products"),
            json!({ "title": "Trail Tent", "vendor": "Acme", "product_type": "Tents",
                    "variants": [{ "title": "2P", "sku": "TENT-2P", "price": "249.00" }] }),
        )
        .await;
    let variant_id = product["variants"][0]["id"].clone();
    let customer = app
        .sandbox_post(
            &format!("/shops/{shop}/customers"),
            json!({ "first_name": "Ada", "last_name": "Byron", "email": "ada@example.net", "phone": "+14155550100" }),
        )
        .await;
    let customer_id = customer["id"].clone();
    app.sandbox_put(
        &format!("/shops/{shop}/customers/{}", customer_id),
        json!({ "tags": ["vip"] }),
    )
    .await;
    app.sandbox_post(
        &format!("/shops/{shop}/customers/{}/email_consent", customer_id),
        json!({ "state": "subscribed" }),
    )
    .await;
    let checkout = app
        .sandbox_post(
            &format!("/shops/{shop}/checkouts"),
            json!({ "customer_id": customer_id, "line_items": [{ "variant_id": variant_id, "quantity": 2 }] }),
        )
        .await;
    let order = app
        .sandbox_post(
            &format!("/shops/{shop}/orders"),
            json!({ "customer_id": customer_id, "financial_status": "paid", "checkout_token": checkout["token"],
                    "line_items": [{ "variant_id": variant_id, "quantity": 2 }], "shipping": "10.00", "tax": "20.00" }),
        )
        .await;
    let order_id = order["id"].clone();
    let line_item_id = order["line_items"][0]["id"].clone();
    app.sandbox_post(
        &format!("/shops/{shop}/orders/{}/refunds", order_id),
        json!({ "line_items": [{ "line_item_id": line_item_id, "quantity": 1 }] }),
    )
    .await;
    app.sandbox_post(
        &format!("/shops/{shop}/orders/{}/fulfillments", order_id),
        json!({}),
    )
    .await;
    order_id
}

fn counts(pairs: Vec<(String, i64)>) -> BTreeMap<String, i64> {
    pairs.into_iter().collect()
}

async fn a_scripted_history_becomes_canonical_events_once(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let order_id = scripted_history(&app, SHOP).await;
    app.sandbox_idle().await;
    let report = app.drain().await;
    assert_eq!(report.parked, 0, "{report:?}");
    let counts = counts(app.event_counts(SHOP).await);
    for (kind, expected) in [
        ("product_created", 1),
        ("customer_created", 1),
        ("consent_change", 1),
        ("checkout_start", 1),
        ("order_created", 1),
        ("purchase", 1),
        ("refund", 1),
        ("fulfillment_created", 1),
    ] {
        assert_eq!(
            counts.get(kind).copied(),
            Some(expected),
            "{kind} in {counts:?}"
        );
    }
    // The order's state is the latest one, and the purchase completed its checkout.
    let order: (String, i64) = sqlx::query_as("SELECT financial_status, CAST(CASE WHEN cancelled THEN 1 ELSE 0 END AS BIGINT) FROM orders WHERE order_id = $1")
        .bind(order_id.to_string())
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(order.1, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM checkouts WHERE completed")
            .await,
        1
    );
    // Processing twice changes nothing.
    sqlx::query("UPDATE webhook_deliveries SET status = 'queued'")
        .execute(app.db().pool())
        .await
        .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM webhook_deliveries")
        .fetch_all(app.db().pool())
        .await
        .unwrap();
    for id in ids {
        segops::jobs::ProcessDelivery { delivery_id: id }
            .run(&app.state)
            .await
            .unwrap();
    }
    assert_eq!(crate::capture::counts(app.event_counts(SHOP).await), counts);
}

async fn duplicated_and_reordered_deliveries_end_in_the_same_state_as_a_clean_run(app: TestApp) {
    let (clean, chaos) = ("clean-run.myshopify.com", "chaos-run.myshopify.com");
    for shop in [clean, chaos] {
        app.create_shop(shop).await;
        app.install(shop).await;
    }
    app.sandbox_settings(
        chaos,
        json!({ "webhooks": { "duplicates": true, "out_of_order": true } }),
    )
    .await;
    scripted_history(&app, clean).await;
    scripted_history(&app, chaos).await;
    app.http
        .post(format!("{}/_sandbox/deliveries/flush", app.sandbox_url))
        .send()
        .await
        .unwrap();
    app.sandbox_idle().await;
    app.drain().await;
    assert_eq!(
        counts(app.event_counts(chaos).await),
        counts(app.event_counts(clean).await)
    );
    for (table, columns) in [
        (
            "orders",
            "financial_status || '|' || COALESCE(fulfillment_status, '') || '|' || total || '|' || currency",
        ),
        (
            "customers",
            "COALESCE(state, '') || '|' || tags || '|' || COALESCE(email_marketing, '')",
        ),
        (
            "checkouts",
            "CAST(CASE WHEN completed THEN 1 ELSE 0 END AS TEXT) || '|' || total",
        ),
    ] {
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE shop_id = (SELECT id FROM shops WHERE domain = $1) ORDER BY 1"
        );
        let state = |shop: &'static str| {
            let sql = sql.clone();
            let pool = app.db().pool().clone();
            async move {
                sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql))
                    .bind(shop)
                    .fetch_all(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(state(chaos).await, state(clean).await, "{table}");
    }
    let chaos_id = app.shop_id(chaos).await;
    assert!(
        segops::health::count(
            app.db(),
            &chaos_id,
            segops::health::Metric::DuplicatesDropped
        )
        .await
        .unwrap()
            > 0
    );
}

async fn one_change_under_two_event_ids_processed_at_once_counts_once(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let order = |fulfillment: Value| {
        json!({ "id": 450789469, "created_at": "2026-11-20T10:00:00-05:00",
                "updated_at": "2026-11-20T10:05:00-05:00", "currency": "USD",
                "total_price": "10.00", "subtotal_price": "10.00", "total_tax": "0.00",
                "total_discounts": "0.00", "financial_status": "paid",
                "fulfillment_status": fulfillment, "line_items": [] })
        .to_string()
    };
    // Shopify can send one change under two event ids: the intake keeps both deliveries.
    for event_id in ["change-a", "change-b"] {
        let response = app
            .post_webhook(
                SHOP,
                "orders/updated",
                event_id,
                order(Value::Null).as_bytes(),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM webhook_deliveries WHERE topic = 'orders/updated' ORDER BY id",
    )
    .fetch_all(app.db().pool())
    .await
    .unwrap();
    assert_eq!(ids.len(), 2);
    // Two workers (or replicas) process them at the same moment.
    let runs = ids
        .iter()
        .map(|&delivery_id| segops::jobs::ProcessDelivery { delivery_id }.run(&app.state));
    for outcome in futures::future::join_all(runs).await {
        outcome.unwrap();
    }
    let updated = "SELECT COUNT(*) FROM events WHERE kind = 'order_updated'";
    assert_eq!(app.count(updated).await, 1);
    // Another change stamped with the same `updated_at` second is an event of its own.
    let response = app
        .post_webhook(
            SHOP,
            "orders/updated",
            "change-c",
            order("fulfilled".into()).as_bytes(),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.drain().await.parked, 0);
    assert_eq!(app.count(updated).await, 2);
}

async fn bad_deliveries_are_refused_with_a_reason_or_parked_never_a_500(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let body = br#"{"id": 1}"#;
    // Bad signature.
    let response = app
        .http
        .post(format!("{}/webhooks", app.app_url))
        .header("Content-Type", "application/json")
        .header("X-Shopify-Topic", "orders/create")
        .header("X-Shopify-Shop-Domain", SHOP)
        .header(
            "X-Shopify-Hmac-Sha256",
            "bm90IHRoZSByaWdodCBobWFjIGF0IGFsbCBzb3JyeSE=",
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("X-Shopify-Hmac-Sha256")
    );
    // Missing signature, unknown topic, unknown shop, wrong content type, oversized body.
    let no_hmac = app
        .http
        .post(format!("{}/webhooks", app.app_url))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(no_hmac.status(), 401);
    assert_eq!(
        app.post_webhook(SHOP, "themes/publish", "e1", body)
            .await
            .status(),
        400
    );
    let unknown = app
        .post_webhook("nobody-here.myshopify.com", "orders/create", "e2", body)
        .await;
    assert_eq!(unknown.status(), 404);
    assert!(
        unknown
            .text()
            .await
            .unwrap()
            .contains("no SegOps workspace")
    );
    let huge = vec![b' '; segops::webhooks::MAX_BODY_BYTES + 10];
    assert_eq!(
        app.post_webhook(SHOP, "orders/create", "e3", &huge)
            .await
            .status(),
        413
    );
    {
        use base64::Engine;
        let hmac = base64::engine::general_purpose::STANDARD
            .encode(segops::crypto::hmac_sha256(app.api_secret.as_bytes(), body));
        let response = app
            .http
            .post(format!("{}/webhooks", app.app_url))
            .header("Content-Type", "text/plain")
            .header("X-Shopify-Topic", "orders/create")
            .header("X-Shopify-Shop-Domain", SHOP)
            .header("X-Shopify-Event-Id", "e4")
            .header("X-Shopify-Hmac-Sha256", hmac)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415);
    }
    // Signed but not JSON, or truncated: acknowledged (Shopify would retry forever otherwise),
    // then parked with the reason.
    assert_eq!(
        app.post_webhook(SHOP, "orders/create", "e5", b"{\"id\": 12, \"line_it")
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_webhook(SHOP, "customers/create", "e6", b"not json")
            .await
            .status(),
        200
    );
    let report = app.drain().await;
    assert_eq!(report.parked, 2, "{report:?}");
    let reasons: Vec<String> =
        sqlx::query_scalar("SELECT last_error FROM jobs WHERE status = 'parked'")
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    assert!(
        reasons
            .iter()
            .all(|r| r.starts_with("orders/create") || r.starts_with("customers/create")),
        "{reasons:?}"
    );
}

async fn a_delivery_that_keeps_failing_is_parked_visible_and_replayable(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    assert_eq!(
        app.post_webhook(SHOP, "orders/paid", "bad-1", br#"{"id": "not an order"}"#)
            .await
            .status(),
        200
    );
    app.drain().await;
    let token = app.session_token(SHOP).await;
    let parked: Value = app
        .http
        .get(format!("{}/admin/api/parked", app.app_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jobs = parked["parked"].as_array().unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(
        jobs[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("orders/paid")
    );
    let id = jobs[0]["id"].as_i64().unwrap();
    // The admin page lists it too, with its reason.
    let page = app.open_admin(SHOP).await;
    assert!(page.contains("data-testid=\"parked\""));

    // Another shop cannot replay it; this shop can, and it runs again.
    let other = "someone-else.myshopify.com";
    app.create_shop(other).await;
    app.install(other).await;
    let foreign = app
        .http
        .post(format!("{}/admin/api/parked/{id}/replay", app.app_url))
        .bearer_auth(app.session_token(other).await)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    let replay = app
        .http
        .post(format!("{}/admin/api/parked/{id}/replay", app.app_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 200);
    // The replayed job is queued again (other work, such as the install backfill, may be too).
    let status: String = sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(status, "queued");
    let report = app.drain().await;
    assert_eq!(
        report.parked, 1,
        "the payload is still bad, so it parks again: {report:?}"
    );
}

async fn an_unfinished_checkout_is_abandoned_and_a_purchase_cancels_the_timer(app: TestApp) {
    // Once in the order things happened, once with Shopify delivering them in reverse (the
    // purchase before its checkout): the outcome must be the same.
    for (shop, reversed) in [
        ("in-order.myshopify.com", false),
        ("reversed.myshopify.com", true),
    ] {
        abandonment(&app, shop, reversed).await;
    }
}

async fn abandonment(app: &TestApp, shop: &str, reversed: bool) {
    app.create_shop(shop).await;
    app.install(shop).await;
    if reversed {
        app.sandbox_settings(shop, json!({ "webhooks": { "out_of_order": true } }))
            .await;
    }
    let shop_id = app.shop_id(shop).await;
    let count = |sql: &'static str| {
        let (pool, shop_id) = (app.db().pool().clone(), shop_id.clone());
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(shop_id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let product = app
        .sandbox_post(
            &format!("/shops/{shop}/products"),
            json!({ "title": "Mug", "variants": [{ "sku": "MUG", "price": "12.50" }] }),
        )
        .await;
    let lines = json!([{ "variant_id": product["variants"][0]["id"].clone(), "quantity": 3 }]);
    let abandoned = app
        .sandbox_post(
            &format!("/shops/{shop}/checkouts"),
            json!({ "line_items": lines }),
        )
        .await;
    let completed = app
        .sandbox_post(
            &format!("/shops/{shop}/checkouts"),
            json!({ "line_items": lines }),
        )
        .await;
    app.sandbox_post(
        &format!("/shops/{shop}/orders"),
        json!({ "financial_status": "paid", "checkout_token": completed["token"], "line_items": lines }),
    )
    .await;
    app.http
        .post(format!("{}/_sandbox/deliveries/flush", app.sandbox_url))
        .send()
        .await
        .unwrap();
    app.sandbox_idle().await;
    app.drain().await;
    // Only the unfinished checkout waits for its window (an hour); the purchase cancelled the
    // other's timer, or kept it from being set when it came first.
    let timers = "SELECT COUNT(*) FROM jobs WHERE kind = 'abandon_checkout' AND shop_id = $1";
    let abandonments =
        "SELECT COUNT(*) FROM events WHERE kind = 'checkout_abandoned' AND shop_id = $1";
    assert_eq!(count(timers).await, 1, "reversed: {reversed}");
    assert_eq!(count(abandonments).await, 0);
    // The hour passes.
    sqlx::query("UPDATE jobs SET run_at = 0 WHERE kind = 'abandon_checkout' AND shop_id = $1")
        .bind(&shop_id)
        .execute(app.db().pool())
        .await
        .unwrap();
    app.drain().await;
    let abandoned_events: Vec<(Option<String>, String)> =
        sqlx::query_as("SELECT checkout_token, properties FROM events WHERE kind = 'checkout_abandoned' AND shop_id = $1")
            .bind(&shop_id)
            .fetch_all(app.db().pool())
            .await
            .unwrap();
    assert_eq!(abandoned_events.len(), 1, "{abandoned_events:?}");
    assert_eq!(
        abandoned_events[0].0.as_deref(),
        abandoned["token"].as_str()
    );
    let properties: Value = serde_json::from_str(&abandoned_events[0].1).unwrap();
    assert_eq!(properties["products"].as_array().map(Vec::len), Some(1));
    assert_eq!(count(timers).await, 0);
}
