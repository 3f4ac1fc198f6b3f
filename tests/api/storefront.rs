//! Storefront capture: pixel batches reach SegOps once, bad ones are refused with a reason, a
//! client cannot claim to be a customer, and visitors are stitched to customers whatever order
//! the pixel and the webhooks arrive in.

use serde_json::{Value, json};

use crate::helpers::{Store, TestApp, spawn_app_with};

const SHOP: &str = "storefront-co.myshopify.com";
const FIXTURES: &str = "shopify/web_pixels/rudderstack_test_events";
const TRACKED: [&str; 12] = [
    "page_viewed",
    "product_viewed",
    "collection_viewed",
    "search_submitted",
    "product_added_to_cart",
    "product_removed_from_cart",
    "cart_viewed",
    "checkout_started",
    "checkout_contact_info_submitted",
    "checkout_shipping_info_submitted",
    "payment_info_submitted",
    "checkout_completed",
];
/// Low enough that a test can flood it, high enough for every other test here.
const RATE_LIMIT: u32 = 200;

macro_rules! storefront_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = super::spawn(Store::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )*
            use super::Store;
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = super::spawn(Store::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
            use super::Store;
        }
    };
}

storefront_tests!(
    pixel_events_become_canonical_events_once,
    bad_pixel_requests_get_a_clear_4xx_and_floods_a_429,
    a_spoofed_customer_id_from_the_pixel_never_joins_that_customers_profile,
    browsing_then_buying_is_one_profile_when_the_pixel_comes_first,
    browsing_then_buying_is_one_profile_when_the_webhook_comes_first,
    redacting_a_stitched_customer_removes_their_visitor_ids_from_the_graph,
    the_pixel_is_created_at_install_and_the_admin_page_updates_it,
);

async fn spawn(store: Store) -> Option<TestApp> {
    spawn_app_with(store, |config| config.pixel.events_per_sec = RATE_LIMIT).await
}

async fn storefront_key(app: &TestApp, shop: &str) -> String {
    sqlx::query_scalar::<_, String>(
        "SELECT storefront_key FROM pixels WHERE shop_id = (SELECT id FROM shops WHERE domain = $1)",
    )
    .bind(shop)
    .fetch_one(app.db().pool())
    .await
    .unwrap()
}

/// A Shopify standard event from the fixtures, as our pixel puts it on the wire.
fn wire_event(name: &str, client_id: &str) -> Option<Value> {
    let raw = segops::testing::fixture_json(&format!("{FIXTURES}/{name}.json"))?;
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    Some(json!({
        "id": format!("sh-{}", uuid::Uuid::new_v4()),
        "name": name,
        "timestamp": now,
        "client_id": client_id,
        "seq": 1,
        "context": {
            "url": raw.pointer("/context/document/location/href"),
            "referrer": raw.pointer("/context/document/referrer"),
            "title": raw.pointer("/context/document/title"),
        },
        "data": raw["data"],
        "consent": {"analytics": true, "marketing": false, "preferences": true, "sale_of_data": false},
    }))
}

async fn post_pixel(app: &TestApp, body: &Value, origin: Option<&str>) -> reqwest::Response {
    let mut request = app
        .http
        .post(format!("{}/pixel/v1/events", app.app_url))
        .header("Content-Type", "text/plain;charset=UTF-8")
        .body(body.to_string());
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    request.send().await.unwrap()
}

async fn installed(app: &TestApp, shop: &str) -> String {
    app.create_shop(shop).await;
    app.install(shop).await;
    app.sandbox_idle().await;
    app.drain().await;
    storefront_key(app, shop).await
}

async fn pixel_events_become_canonical_events_once(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let Some(events) = TRACKED
        .iter()
        .map(|name| wire_event(name, "visitor-1"))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let batch = json!({ "key": key, "sent_at": "2026-11-22T10:00:00Z", "batch": events });
    let response = post_pixel(&app, &batch, Some(&format!("https://{SHOP}"))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        format!("https://{SHOP}").as_str()
    );
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["accepted"], 12, "{answer}");
    assert_eq!(answer["duplicate"], false);
    // The same request again (a retried fetch) is stored once.
    let again: Value = post_pixel(&app, &batch, None).await.json().await.unwrap();
    assert_eq!(again["duplicate"], true, "{again}");
    // The same events in another request are processed once: each event id counts once.
    let resent = json!({ "key": key, "sent_at": "2026-11-22T10:00:05Z", "batch": batch["batch"] });
    assert_eq!(post_pixel(&app, &resent, None).await.status(), 200);
    let report = app.drain().await;
    assert_eq!(report.parked, 0, "{report:?}");

    let counts: std::collections::BTreeMap<String, i64> =
        app.event_counts(SHOP).await.into_iter().collect();
    for kind in [
        "page_view",
        "product_view",
        "collection_view",
        "search",
        "add_to_cart",
        "remove_from_cart",
        "cart_view",
        "checkout_start",
        "checkout_contact_info",
        "checkout_shipping_info",
        "payment_info",
        "purchase",
    ] {
        assert_eq!(counts.get(kind), Some(&1), "{kind} in {counts:?}");
    }
    let (name, anonymous, person, consent, properties): (Option<String>, String, String, String, String) =
        sqlx::query_as(
            "SELECT segment_name, anonymous_id, person_id, consent, properties FROM events WHERE kind = 'product_view'",
        )
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some("Product Viewed"));
    assert_eq!(anonymous, "visitor-1");
    assert_eq!(person, "anonymous:visitor-1");
    let consent: Value = serde_json::from_str(&consent).unwrap();
    assert_eq!(consent["categoryPreferences"]["analytics"], true);
    assert_eq!(consent["categoryPreferences"]["marketing"], false);
    let properties: Value = serde_json::from_str(&properties).unwrap();
    assert_eq!(properties["product_id"], "7234590834801");
    assert_eq!(properties["price"], 749.95);
    let (views, adds, sessions): (i64, i64, i64) = sqlx::query_as(
        "SELECT product_views, add_to_carts, sessions FROM profiles WHERE person_id = 'anonymous:visitor-1'",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!((views, adds, sessions), (1, 1, 1));
    let seen: Option<i64> = sqlx::query_scalar("SELECT last_event_at FROM pixels")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert!(seen.is_some());
}

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn bad_pixel_requests_get_a_clear_4xx_and_floods_a_429(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let Some(event) = wire_event("product_viewed", "visitor-2") else {
        return;
    };
    let url = format!("{}/pixel/v1/events", app.app_url);

    let (status, error) = error_of(
        post_pixel(
            &app,
            &json!({"key": "spk_nope", "batch": [event.clone()]}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, error.as_str()), (401, "unknown storefront key"));

    let malformed = app.http.post(&url).body("{\"key\": ").send().await.unwrap();
    let (status, error) = error_of(malformed).await;
    assert_eq!(status, 400);
    assert!(error.contains("not a pixel batch"), "{error}");

    let huge = json!({"key": key, "batch": [event.clone()], "padding": "x".repeat(70 * 1024)});
    assert_eq!(post_pixel(&app, &huge, None).await.status(), 413);

    let xml = app
        .http
        .post(&url)
        .header("Content-Type", "application/xml")
        .body("<batch/>")
        .send()
        .await
        .unwrap();
    assert_eq!(xml.status(), 415);

    let (status, error) =
        error_of(post_pixel(&app, &json!({"key": key, "batch": []}), None).await).await;
    assert_eq!((status, error.as_str()), (400, "`batch` holds no events"));

    let mut untracked = event.clone();
    untracked["name"] = json!("alert_displayed");
    let (status, error) = error_of(
        post_pixel(
            &app,
            &json!({"key": key, "batch": [untracked.clone()]}),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        error.contains("`alert_displayed` is not a tracked event"),
        "{error}"
    );

    // A partly bad batch keeps its good events and names the bad ones.
    let partial: Value = post_pixel(
        &app,
        &json!({"key": key, "batch": [event.clone(), untracked]}),
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(partial["accepted"], 1, "{partial}");
    assert_eq!(partial["rejected"][0]["index"], 1);

    let mut no_consent = event.clone();
    no_consent["consent"]["analytics"] = json!(false);
    let (status, error) =
        error_of(post_pixel(&app, &json!({"key": key, "batch": [no_consent]}), None).await).await;
    assert_eq!(status, 400);
    assert!(error.contains("consent"), "{error}");

    let (status, error) = error_of(
        post_pixel(
            &app,
            &json!({"key": key, "batch": [event.clone()]}),
            Some("https://evil.example"),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403);
    assert!(error.contains("not a storefront of this shop"), "{error}");

    // A flood: the burst (twice the rate) passes, then 429 with a Retry-After.
    let tiny = json!({
        "id": "sh-flood", "name": "page_viewed", "timestamp": event["timestamp"], "client_id": "flooder",
        "consent": {"analytics": true, "marketing": false, "preferences": false, "sale_of_data": false},
    });
    let many: Vec<Value> = (0..RATE_LIMIT / 2).map(|_| tiny.clone()).collect();
    let flood = json!({"key": key, "batch": many});
    let mut refused = None;
    for _ in 0..8 {
        let response = post_pixel(&app, &flood, None).await;
        if response.status() == 429 {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let refused = refused.expect("the flood was never refused");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let (_, error) = error_of(refused).await;
    assert!(error.contains("too many pixel events"), "{error}");
    assert_eq!(app.drain().await.parked, 0);
}

/// A customer with one paid order, through the sandbox (so through real webhooks).
async fn customer_with_order(
    app: &TestApp,
    shop: &str,
    checkout_token: Option<&str>,
) -> (String, String, String) {
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
            json!({ "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.net" }),
        )
        .await;
    let customer_id = customer["id"].clone();
    let checkout = app
        .sandbox_post(
            &format!("/shops/{shop}/checkouts"),
            json!({ "customer_id": customer_id, "line_items": [{ "variant_id": variant_id, "quantity": 1 }] }),
        )
        .await;
    let token = checkout_token
        .map(str::to_owned)
        .unwrap_or_else(|| checkout["token"].as_str().unwrap().to_owned());
    let order = app
        .sandbox_post(
            &format!("/shops/{shop}/orders"),
            json!({ "customer_id": customer_id, "financial_status": "paid", "checkout_token": token,
                    "line_items": [{ "variant_id": variant_id, "quantity": 1 }] }),
        )
        .await;
    app.sandbox_idle().await;
    assert_eq!(app.drain().await.parked, 0);
    (
        customer_id.to_string().trim_matches('"').to_owned(),
        order["id"].to_string().trim_matches('"').to_owned(),
        token,
    )
}

async fn a_spoofed_customer_id_from_the_pixel_never_joins_that_customers_profile(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let (victim, _, _) = customer_with_order(&app, SHOP, None).await;
    let Some(mut view) = wire_event("product_viewed", "attacker") else {
        return;
    };
    let Some(mut purchase) = wire_event("checkout_completed", "attacker") else {
        return;
    };
    for event in [&mut view, &mut purchase] {
        event["customer_id"] = json!(victim);
        event["user_id"] = json!(victim);
        event["userId"] = json!(format!("gid://shopify/Customer/{victim}"));
    }
    purchase["data"]["checkout"]["order"]["customer"]["id"] = json!(victim);
    purchase["data"]["checkout"]["token"] = json!("attackers-own-checkout");
    purchase["data"]["checkout"]["email"] = json!("grace@example.net");
    let response = post_pixel(&app, &json!({"key": key, "batch": [view, purchase]}), None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.drain().await.parked, 0);

    let person: String = sqlx::query_scalar(
        "SELECT person_id FROM identities WHERE kind = 'anonymous' AND value = 'attacker'",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(person, "anonymous:attacker");
    let victim_views: i64 =
        sqlx::query_scalar("SELECT product_views FROM profiles WHERE person_id = $1")
            .bind(format!("customer:{victim}"))
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(victim_views, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM aliases").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM events WHERE anonymous_id = 'attacker' AND (customer_id IS NOT NULL OR person_id LIKE 'customer:%')")
            .await,
        0
    );
}

/// The storefront half of a visit: browsing, then checkout and purchase with `token`.
fn visit(client_id: &str, token: &str, order_id: Option<&str>) -> Option<Vec<Value>> {
    let mut events = Vec::new();
    for name in [
        "product_viewed",
        "product_added_to_cart",
        "checkout_started",
        "checkout_completed",
    ] {
        let mut event = wire_event(name, client_id)?;
        if let Some(checkout) = event["data"].get_mut("checkout") {
            checkout["token"] = json!(token);
            if let Some(order_id) = order_id {
                checkout["order"]["id"] = json!(format!("gid://shopify/OrderIdentity/{order_id}"));
            }
        }
        events.push(event);
    }
    Some(events)
}

async fn assert_one_stitched_profile(
    app: &TestApp,
    customer: &str,
    order: &str,
    visitors: &[&str],
) {
    let person = format!("customer:{customer}");
    for visitor in visitors {
        let joined: String = sqlx::query_scalar(
            "SELECT person_id FROM identities WHERE kind = 'anonymous' AND value = $1",
        )
        .bind(*visitor)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
        assert_eq!(joined, person, "{visitor}");
        let alias: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM aliases WHERE previous_id = $1 AND user_id = $2",
        )
        .bind(*visitor)
        .bind(customer)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
        assert_eq!(alias, 1, "alias {visitor} -> {customer}");
    }
    // Every storefront event of those visitors now sits on the customer's timeline.
    let strays: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE anonymous_id IS NOT NULL AND person_id <> $1",
    )
    .bind(&person)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(strays, 0);
    let purchases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'purchase'")
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(
        purchases, 1,
        "the pixel's and the webhook's purchase count once"
    );
    let purchase_order: Option<String> =
        sqlx::query_scalar("SELECT order_id FROM events WHERE kind = 'purchase'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(purchase_order.as_deref(), Some(order));
    let (views, adds, orders, profiles): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT product_views, add_to_carts, order_count, (SELECT COUNT(*) FROM profiles) FROM profiles WHERE person_id = $1",
    )
    .bind(&person)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(
        (views, adds, orders),
        (visitors.len() as i64, visitors.len() as i64, 1)
    );
    assert_eq!(
        profiles, 1,
        "the anonymous profiles folded into the customer's"
    );
    let report = segops::identity::report(app.db(), &app.shop_id(SHOP).await)
        .await
        .unwrap();
    assert_eq!(report.attempts, visitors.len() as i64);
    assert_eq!(report.stitched, visitors.len() as i64);
}

async fn browsing_then_buying_is_one_profile_when_the_pixel_comes_first(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let token = format!("ck{}", uuid::Uuid::new_v4().simple());
    let Some(events) = visit("early-bird", &token, None) else {
        return;
    };
    let response = post_pixel(&app, &json!({"key": key, "batch": events}), None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.drain().await.parked, 0);
    let before = segops::identity::report(app.db(), &app.shop_id(SHOP).await)
        .await
        .unwrap();
    assert_eq!(
        (before.attempts, before.stitched, before.token_unknown),
        (1, 0, 1)
    );

    let (customer, order, _) = customer_with_order(&app, SHOP, Some(&token)).await;
    assert_one_stitched_profile(&app, &customer, &order, &["early-bird"]).await;
}

async fn browsing_then_buying_is_one_profile_when_the_webhook_comes_first(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let (customer, order, token) = customer_with_order(&app, SHOP, None).await;
    // Two devices of the same buyer: one browsed, the other completed the purchase.
    let Some(mut events) = visit("laptop", &token, Some(&order)) else {
        return;
    };
    let Some(phone) = visit("phone", &token, Some(&order)) else {
        return;
    };
    events.extend(phone);
    let response = post_pixel(&app, &json!({"key": key, "batch": events}), None).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.drain().await.parked, 0);
    assert_one_stitched_profile(&app, &customer, &order, &["laptop", "phone"]).await;
}

async fn redacting_a_stitched_customer_removes_their_visitor_ids_from_the_graph(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let (customer, order, token) = customer_with_order(&app, SHOP, None).await;
    let Some(events) = visit("laptop", &token, Some(&order)) else {
        return;
    };
    assert_eq!(
        post_pixel(&app, &json!({"key": key, "batch": events}), None)
            .await
            .status(),
        200
    );
    assert_eq!(app.drain().await.parked, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM aliases").await, 1);
    app.sandbox_post(
        &format!("/shops/{SHOP}/webhooks/send"),
        json!({ "topic": "customers/redact", "payload": {
            "shop_id": 1, "shop_domain": SHOP,
            "customer": { "id": customer.parse::<u64>().unwrap(), "email": "grace@example.net" },
            "orders_to_redact": [order.parse::<u64>().unwrap()] } }),
    )
    .await;
    app.sandbox_idle().await;
    app.drain().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM privacy_requests WHERE status = 'done'")
            .await,
        1
    );
    for (what, sql) in [
        (
            "identities",
            "SELECT COUNT(*) FROM identities WHERE value IN ('laptop') OR person_id LIKE 'customer:%'",
        ),
        ("aliases", "SELECT COUNT(*) FROM aliases"),
        ("stitch attempts", "SELECT COUNT(*) FROM stitch_attempts"),
        (
            "profiles",
            "SELECT COUNT(*) FROM profiles WHERE person_id LIKE 'customer:%'",
        ),
        (
            "visitor ids on events",
            "SELECT COUNT(*) FROM events WHERE anonymous_id = 'laptop'",
        ),
    ] {
        assert_eq!(app.count(sql).await, 0, "{what}");
    }
}

async fn the_pixel_is_created_at_install_and_the_admin_page_updates_it(app: TestApp) {
    let key = installed(&app, SHOP).await;
    let pixel: Value = app
        .http
        .get(format!(
            "{}/_sandbox/shops/{SHOP}/web_pixel",
            app.sandbox_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let settings = |pixel: &Value| -> Value {
        match &pixel["settings"] {
            Value::String(text) => serde_json::from_str(text).unwrap(),
            other => other.clone(),
        }
    };
    let created = settings(&pixel);
    assert_eq!(created["publicKey"], key.as_str(), "{pixel}");
    assert_eq!(
        created["endpoint"],
        format!("{}/pixel/v1/events", app.app_url)
    );
    assert_eq!(created["sampleRate"], "1");

    let token = app.session_token(SHOP).await;
    let page = app.admin_page("/admin/pixel", &token).await;
    assert!(
        page.contains("data-testid=\"pixel-status\">installed<"),
        "{page}"
    );
    let save = |body: Value| {
        let request = app
            .http
            .post(format!("{}/admin/api/pixel", app.app_url))
            .bearer_auth(&token)
            .json(&body);
        async move { request.send().await.unwrap() }
    };
    let bad = save(json!({"events": ["page_viewed"], "sample_rate": "1.5"})).await;
    assert_eq!(bad.status(), 400);
    let unknown = save(json!({"events": ["mouse_moved"], "sample_rate": "1"})).await;
    assert_eq!(unknown.status(), 400);
    let saved: Value =
        save(json!({"events": ["page_viewed", "checkout_completed"], "sample_rate": "0.25"}))
            .await
            .json()
            .await
            .unwrap();
    assert_eq!(saved["pushed"], true, "{saved}");
    let pixel: Value = app
        .http
        .get(format!(
            "{}/_sandbox/shops/{SHOP}/web_pixel",
            app.sandbox_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let updated = settings(&pixel);
    assert_eq!(updated["events"], "page_viewed,checkout_completed");
    assert_eq!(updated["sampleRate"], "0.25");
    assert_eq!(updated["publicKey"], key.as_str());

    let mode = app
        .http
        .post(format!("{}/admin/api/identity", app.app_url))
        .bearer_auth(&token)
        .json(&json!({"user_id_mode": "email_hash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(mode.status(), 200);
    let wrong = app
        .http
        .post(format!("{}/admin/api/identity", app.app_url))
        .bearer_auth(&token)
        .json(&json!({"user_id_mode": "phone"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
}
