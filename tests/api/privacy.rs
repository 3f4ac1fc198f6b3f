//! The mandatory privacy webhooks: export, customer erasure, shop erasure, due dates.

use serde_json::{Value, json};

use crate::helpers::{Store, TestApp};

const SHOP: &str = "privacy-first.myshopify.com";
const EMAIL: &str = "grace.private@example.com";

crate::on_both_stores!(
    a_data_request_produces_a_complete_export_the_merchant_can_download,
    customer_redaction_leaves_no_trace_of_the_customer_and_keeps_aggregates,
    a_customer_erased_while_the_history_import_waits_is_not_imported_again,
    late_webhooks_about_an_erased_customer_store_nothing_of_them,
    shop_redaction_leaves_no_row_of_that_shop_and_spares_others,
    privacy_requests_are_due_thirty_days_after_receipt_and_shown_as_such,
    retention_is_configurable_and_the_daily_job_purges_what_is_older,
);

/// A customer with a paid order; returns (customer id, order id).
async fn customer_with_order(app: &TestApp, shop: &str) -> (String, String) {
    let customer = app
        .sandbox_post(
            &format!("/shops/{shop}/customers"),
            json!({ "first_name": "Grace", "last_name": "Private", "email": EMAIL, "phone": "+442071838750" }),
        )
        .await;
    let customer_id = id_of(&customer["id"]);
    let order = app
        .sandbox_post(
            &format!("/shops/{shop}/orders"),
            json!({ "customer_id": customer["id"], "financial_status": "paid",
                    "line_items": [{ "title": "Notebook", "price": "19.90", "quantity": 2, "sku": "NB-1" }] }),
        )
        .await;
    app.sandbox_idle().await;
    app.drain().await;
    (customer_id, id_of(&order["id"]))
}

fn id_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn send_compliance(app: &TestApp, shop: &str, topic: &str, payload: Value) {
    app.sandbox_post(
        &format!("/shops/{shop}/webhooks/send"),
        json!({ "topic": topic, "payload": payload }),
    )
    .await;
    app.sandbox_idle().await;
    app.drain().await;
}

/// Shopify's `customers/redact` for the customer and their order.
async fn redact_customer(app: &TestApp, customer_id: &str, order_id: &str) {
    send_compliance(
        app,
        SHOP,
        "customers/redact",
        json!({ "shop_id": 1, "shop_domain": SHOP,
                "customer": { "id": customer_id.parse::<u64>().unwrap(), "email": EMAIL, "phone": "+442071838750" },
                "orders_to_redact": [order_id.parse::<u64>().unwrap()] }),
    )
    .await;
}

async fn a_data_request_produces_a_complete_export_the_merchant_can_download(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (customer_id, order_id) = customer_with_order(&app, SHOP).await;
    send_compliance(
        &app,
        SHOP,
        "customers/data_request",
        json!({ "shop_id": 1, "shop_domain": SHOP, "orders_requested": [order_id.parse::<u64>().unwrap()],
                "customer": { "id": customer_id.parse::<u64>().unwrap(), "email": EMAIL, "phone": "+442071838750" },
                "data_request": { "id": 9999 } }),
    )
    .await;
    let (id, status): (String, String) = sqlx::query_as("SELECT id, status FROM privacy_requests")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(status, "done");
    let token = app.session_token(SHOP).await;
    let response = app
        .http
        .get(format!("{}/admin/api/privacy/{id}/export", app.app_url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let export: Value = response.json().await.unwrap();
    assert_eq!(export["personal_data"]["email"], EMAIL);
    assert_eq!(export["personal_data"]["first_name"], "Grace");
    assert_eq!(export["orders"][0]["order_id"], order_id);
    let kinds: Vec<&str> = export["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event"].as_str())
        .collect();
    assert!(
        kinds.contains(&"customer_created") && kinds.contains(&"purchase"),
        "{kinds:?}"
    );
    // Another shop cannot download it.
    let other = "not-privacy-first.myshopify.com";
    app.create_shop(other).await;
    app.install(other).await;
    let foreign = app
        .http
        .get(format!("{}/admin/api/privacy/{id}/export", app.app_url))
        .bearer_auth(app.session_token(other).await)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
    // The download is in the access log, with the staff user who made it.
    let page = app.admin_page("/admin/privacy", &token).await;
    assert!(page.contains("data-testid=\"access-log\""), "{page}");
    assert!(page.contains("data request export downloaded") && page.contains(">1001<"));
}

async fn customer_redaction_leaves_no_trace_of_the_customer_and_keeps_aggregates(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (customer_id, order_id) = customer_with_order(&app, SHOP).await;
    let events_before = app.count("SELECT COUNT(*) FROM events").await;
    let purchases_before = app
        .count("SELECT COUNT(*) FROM events WHERE kind = 'purchase'")
        .await;
    redact_customer(&app, &customer_id, &order_id).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM privacy_requests WHERE status = 'done'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM customer_pii").await, 0);
    // Aggregates survive under a pseudonym.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events").await,
        events_before
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE kind = 'purchase'")
            .await,
        purchases_before
    );
    // No table holds the customer's id any more, and no raw body of theirs is left.
    for (table, text) in all_rows(&app).await {
        assert!(
            !text.contains(&customer_id),
            "customer id {customer_id} left in {table}"
        );
    }
    let bodies: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE body_enc IS NOT NULL AND topic IN ('customers/create', 'orders/create', 'orders/paid', 'customers/redact')",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(bodies, 0);
}

/// Shopify wrote its export before the erasure, or streams it while the erasure runs: the
/// import skips the erased customer's rows instead of storing them again.
async fn a_customer_erased_while_the_history_import_waits_is_not_imported_again(app: TestApp) {
    app.create_shop(SHOP).await;
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/pause"), json!({}))
        .await;
    app.install(SHOP).await;
    let (customer_id, order_id) = customer_with_order(&app, SHOP).await;
    redact_customer(&app, &customer_id, &order_id).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM customer_pii").await, 0);

    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/resume"), json!({}))
        .await;
    crate::backfill::finish_backfill(&app, SHOP).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM customer_pii").await, 0);
    for (table, text) in all_rows(&app).await {
        assert!(
            !text.contains(&customer_id),
            "customer id {customer_id} stored again in {table}"
        );
    }
}

async fn late_webhooks_about_an_erased_customer_store_nothing_of_them(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (customer_id, order_id) = customer_with_order(&app, SHOP).await;
    redact_customer(&app, &customer_id, &order_id).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM customer_pii").await, 0);
    let before = app
        .count("SELECT COALESCE(MAX(id), 0) FROM webhook_deliveries")
        .await;

    // Shopify sends what it had queued before the erasure: a customer update with their
    // contact details and a new order of theirs.
    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{customer_id}"),
        json!({ "note": "called about the order" }),
    )
    .await;
    let late = app
        .sandbox_post(
            &format!("/shops/{SHOP}/orders"),
            json!({ "customer_id": customer_id.parse::<u64>().unwrap(), "financial_status": "paid",
                    "line_items": [{ "title": "Pen", "price": "2.50", "quantity": 1, "sku": "PEN-1" }] }),
        )
        .await;
    app.sandbox_idle().await;
    let report = app.drain().await;
    assert_eq!(report.parked, 0, "{report:?}");

    let dropped: i64 =
        sqlx::query_scalar("SELECT count FROM data_health WHERE metric = 'erased_dropped'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert!(dropped >= 2, "both late deliveries were dropped: {dropped}");
    // Their bodies (sealed, but naming the customer) are not kept either.
    let kept: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE id > $1 AND body_enc IS NOT NULL \
         AND topic IN ('customers/update', 'orders/create', 'orders/paid')",
    )
    .bind(before)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(
        kept, 0,
        "late deliveries about the erased customer keep no body"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM customer_pii").await, 0);
    let late_order = id_of(&late["id"]);
    for (table, text) in all_rows(&app).await {
        for (what, id) in [
            ("customer id", &customer_id),
            ("late order id", &late_order),
        ] {
            assert!(!text.contains(id.as_str()), "{what} {id} stored in {table}");
        }
        assert!(!text.contains(EMAIL), "the email is stored in {table}");
    }
}

async fn shop_redaction_leaves_no_row_of_that_shop_and_spares_others(app: TestApp) {
    let other = "keeps-its-data.myshopify.com";
    for shop in [SHOP, other] {
        app.create_shop(shop).await;
        app.install(shop).await;
        customer_with_order(&app, shop).await;
    }
    let shop_id = app.shop_id(SHOP).await;
    let other_events = app.count("SELECT COUNT(*) FROM events").await / 2;
    app.http
        .post(format!(
            "{}/_sandbox/shops/{SHOP}/uninstall",
            app.sandbox_url
        ))
        .send()
        .await
        .unwrap();
    send_compliance(
        &app,
        SHOP,
        "shop/redact",
        json!({ "shop_id": 1, "shop_domain": SHOP }),
    )
    .await;
    for (table, text) in all_rows(&app).await {
        assert!(
            !text.contains(&shop_id),
            "a row of the redacted shop is left in {table}"
        );
        assert!(
            !text.contains(SHOP),
            "the redacted shop's domain is left in {table}"
        );
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM tenants").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, other_events);
    // A late delivery for the erased shop is refused; a repeated erasure is acknowledged.
    assert_eq!(
        app.post_webhook(SHOP, "orders/create", "late-1", b"{}")
            .await
            .status(),
        404
    );
    assert_eq!(
        app.post_webhook(SHOP, "shop/redact", "again-1", b"{}")
            .await
            .status(),
        200
    );
}

async fn privacy_requests_are_due_thirty_days_after_receipt_and_shown_as_such(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (customer_id, _) = customer_with_order(&app, SHOP).await;
    // Recorded but not yet carried out: pause the work by recording without draining the job.
    app.sandbox_post(
        &format!("/shops/{SHOP}/webhooks/send"),
        json!({ "topic": "customers/data_request", "payload": { "shop_id": 1, "shop_domain": SHOP,
                "customer": { "id": customer_id.parse::<u64>().unwrap() }, "orders_requested": [], "data_request": { "id": 1 } } }),
    )
    .await;
    app.sandbox_idle().await;
    let delivery: i64 = sqlx::query_scalar(
        "SELECT id FROM webhook_deliveries WHERE topic = 'customers/data_request'",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    segops::jobs::ProcessDelivery {
        delivery_id: delivery,
    }
    .run(&app.state)
    .await
    .unwrap();
    let (received, due): (i64, i64) =
        sqlx::query_as("SELECT received_at, due_at FROM privacy_requests")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(due - received, 30 * 24 * 3600 * 1000);
    let token = app.session_token(SHOP).await;
    let page = app.admin_page("/admin/privacy", &token).await;
    assert!(page.contains("data-state=\"pending\""), "{page}");
    assert!(page.contains("Email") && page.contains("encrypted at rest"));
    sqlx::query("UPDATE privacy_requests SET due_at = 1")
        .execute(app.db().pool())
        .await
        .unwrap();
    let page = app.admin_page("/admin/privacy", &token).await;
    assert!(page.contains("data-state=\"overdue\""));
    app.drain().await;
    let page = app.admin_page("/admin/privacy", &token).await;
    assert!(page.contains("data-state=\"done\""));
}

/// Every row of every table, as text, per table.
async fn all_rows(app: &TestApp) -> Vec<(String, String)> {
    let tables: Vec<String> = match app.store {
        Store::Sqlite => sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'")
            .fetch_all(app.db().pool())
            .await
            .unwrap(),
        Store::Postgres => sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'")
            .fetch_all(app.db().pool())
            .await
            .unwrap(),
    };
    let mut out = Vec::new();
    for table in tables {
        let sql = match app.store {
            // SQLite: quote() renders every column, blobs as hex.
            Store::Sqlite => {
                let columns: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}')"
                )))
                .fetch_all(app.db().pool())
                .await
                .unwrap();
                let parts: Vec<String> =
                    columns.iter().map(|c| format!("quote(\"{c}\")")).collect();
                format!("SELECT {} FROM \"{table}\"", parts.join(" || '|' || "))
            }
            Store::Postgres => format!("SELECT row_to_json(t)::text FROM \"{table}\" t"),
        };
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(app.db().pool())
            .await
            .unwrap();
        out.push((table, rows.join("\n")));
    }
    out
}

async fn retention_is_configurable_and_the_daily_job_purges_what_is_older(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    customer_with_order(&app, SHOP).await;
    let token = app.session_token(SHOP).await;
    let set = |days: Value| {
        let request = app
            .http
            .post(format!("{}/admin/api/privacy/retention", app.app_url))
            .bearer_auth(&token)
            .json(&json!({ "days": days }));
        async move { request.send().await.unwrap() }
    };
    let refused = set(json!(7)).await;
    assert_eq!(refused.status(), 400);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("between 30 and 3650")
    );
    assert_eq!(set(json!("a year")).await.status(), 400);
    assert_eq!(set(json!(30)).await.status(), 200);

    // Age half of the history past the window.
    let total = app.count("SELECT COUNT(*) FROM events").await;
    sqlx::query("UPDATE events SET occurred_at = 0 WHERE kind = 'customer_created'")
        .execute(app.db().pool())
        .await
        .unwrap();
    sqlx::query("UPDATE webhook_deliveries SET received_at = 0 WHERE topic = 'customers/create'")
        .execute(app.db().pool())
        .await
        .unwrap();
    // Two schedulers at once (two replicas) queue one purge per shop.
    segops::jobs::schedule_purges(&app.state).await.unwrap();
    segops::jobs::schedule_purges(&app.state).await.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM jobs WHERE kind = 'purge_expired'")
            .await,
        1
    );
    app.drain().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE kind = 'customer_created'")
            .await,
        0
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM events").await, total - 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM webhook_deliveries WHERE topic = 'customers/create'")
            .await,
        0
    );
    assert!(app.count("SELECT COUNT(*) FROM webhook_deliveries").await > 0);
    let page = app.admin_page("/admin/privacy", &token).await;
    assert!(page.contains("data-testid=\"retention-days\">30<"));
}
