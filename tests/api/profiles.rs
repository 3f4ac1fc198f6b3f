//! The profile page end to end: a scripted store history (orders, a refund, consent changes)
//! read back through the admin's profile API with hand-computed traits, identities, the
//! timeline in order and segment explanations. Search, paging and shop isolation are in
//! `profiles_search`, which shares this file's helpers.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::TestApp;

pub(crate) const SHOP: &str = "profiles-co.myshopify.com";
pub(crate) const OTHER: &str = "other-profiles.myshopify.com";

crate::on_both_stores!(
    a_scripted_history_reads_back_as_hand_computed_traits_identities_and_timeline
);

pub(crate) async fn get(app: &TestApp, shop: &str, path: &str) -> (u16, Value) {
    let response = app
        .http
        .get(format!("{}{path}", app.app_url))
        .bearer_auth(app.session_token(shop).await)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) fn person_ids(page: &Value) -> Vec<String> {
    page["profiles"]
        .as_array()
        .map(|profiles| {
            profiles
                .iter()
                .filter_map(|p| p["person_id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Lets every webhook land and every job run, twice: a tag push causes a customer update.
pub(crate) async fn settle(app: &TestApp) {
    for _ in 0..2 {
        app.sandbox_idle().await;
        let report = app.drain().await;
        assert_eq!(report.parked, 0, "{report:?}");
    }
}

pub(crate) async fn product(app: &TestApp, shop: &str, title: &str, price: &str) -> Value {
    let product = app
        .sandbox_post(
            &format!("/shops/{shop}/products"),
            json!({ "title": title, "variants": [{ "title": "Default", "sku": title, "price": price }] }),
        )
        .await;
    product["variants"][0]["id"].clone()
}

pub(crate) async fn customer(app: &TestApp, shop: &str, first: &str, email: &str) -> String {
    let mut input = json!({ "first_name": first, "last_name": "Lovelace", "email": email });
    if first == "Ada" {
        // SMS consent needs a phone; the sandbox keeps phones unique per shop, as Shopify does.
        input["phone"] = json!("+14155550100");
    }
    let body = app
        .sandbox_post(&format!("/shops/{shop}/customers"), input)
        .await;
    body["id"].to_string()
}

/// Ada: two orders (2 × 100.00 + 10.00 shipping, then 50.00), one 100.00 line refunded,
/// email consent subscribed then SMS consent given, tagged `vip`. Returns her customer id and
/// the first checkout's token.
pub(crate) async fn scripted_history(app: &TestApp) -> (String, String) {
    let tent = product(app, SHOP, "Tent", "100.00").await;
    let mug = product(app, SHOP, "Mug", "50.00").await;
    let ada = customer(app, SHOP, "Ada", "ada@example.net").await;
    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{ada}"),
        json!({ "tags": ["vip"] }),
    )
    .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/customers/{ada}/email_consent"),
        json!({ "state": "subscribed" }),
    )
    .await;
    let checkout = app
        .sandbox_post(
            &format!("/shops/{SHOP}/checkouts"),
            json!({ "customer_id": ada.parse::<u64>().unwrap(), "line_items": [{ "variant_id": tent, "quantity": 2 }] }),
        )
        .await;
    let token = checkout["token"].as_str().unwrap().to_owned();
    let first = app
        .sandbox_post(
            &format!("/shops/{SHOP}/orders"),
            json!({ "customer_id": ada.parse::<u64>().unwrap(), "financial_status": "paid", "checkout_token": token,
                    "line_items": [{ "variant_id": tent, "quantity": 2 }], "shipping": "10.00" }),
        )
        .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/orders/{}/refunds", first["id"]),
        json!({ "line_items": [{ "line_item_id": first["line_items"][0]["id"], "quantity": 1 }] }),
    )
    .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/orders"),
        json!({ "customer_id": ada.parse::<u64>().unwrap(), "financial_status": "paid",
                "line_items": [{ "variant_id": mug, "quantity": 1 }] }),
    )
    .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/customers/{ada}/sms_consent"),
        json!({ "state": "subscribed" }),
    )
    .await;
    settle(app).await;
    (ada, token)
}

pub(crate) async fn create_segment(app: &TestApp, name: &str, rule: &str) {
    let response = app
        .http
        .post(format!("{}/admin/api/segments", app.app_url))
        .bearer_auth(app.session_token(SHOP).await)
        .json(&json!({ "name": name, "rule": rule }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

async fn a_scripted_history_reads_back_as_hand_computed_traits_identities_and_timeline(
    app: TestApp,
) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (ada, token) = scripted_history(&app).await;
    create_segment(&app, "Buyers", "order_count >= 1").await;
    create_segment(
        &app,
        "Loyal big spenders",
        "lifetime_value >= 150 AND order_count >= 3",
    )
    .await;
    create_segment(&app, "Subscribers", "email_consent = \"SUBSCRIBED\"").await;
    settle(&app).await;

    let person = format!("customer:{ada}");
    let (status, body) = get(&app, SHOP, &format!("/admin/api/profiles/{person}")).await;
    assert_eq!(status, 200, "{body}");
    let traits = &body["profile"]["traits"];
    // 2 × 100.00 + 10.00 − 100.00 refunded + 50.00 = 160.00 over two orders.
    assert_eq!(traits["lifetime_value"], "160.00", "{traits}");
    assert_eq!(traits["currency"], "CAD");
    assert_eq!(traits["order_count"], 2);
    assert_eq!(traits["average_order_value"], "80.00");
    assert!(
        traits["first_order_at"].as_i64().unwrap() <= traits["last_order_at"].as_i64().unwrap()
    );
    assert_eq!(traits["email"], "ada@example.net");
    assert_eq!(traits["phone"], "+14155550100");
    assert_eq!(traits["first_name"], "Ada");
    assert_eq!(traits["last_name"], "Lovelace");
    // Tags come by `customer.tags_added` (2026-04 customer payloads carry none): the merchant's,
    // and the ones SegOps pushed for the segments she is in, as Shopify holds them.
    assert_eq!(
        traits["tags"],
        json!(["segops:buyers", "segops:subscribers", "vip"]),
        "{traits}"
    );
    assert_eq!(traits["email_consent"], "SUBSCRIBED", "{traits}");
    assert_eq!(traits["sms_consent"], "SUBSCRIBED", "{traits}");
    assert_eq!(traits["email_opt_in"], "SINGLE_OPT_IN", "{traits}");
    assert_eq!(traits["state"], "DISABLED", "{traits}");
    assert!(traits["created_at"].is_i64());
    assert!(traits["last_seen_at"].is_i64());
    assert_eq!(body["profile"]["name"], "Ada Lovelace");

    let identities: BTreeSet<(String, String)> = body["profile"]["identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            assert!(i["linked_at"].is_i64(), "{i}");
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        identities.contains(&("customer".into(), ada.clone())),
        "{identities:?}"
    );
    assert!(
        identities.contains(&("checkout".into(), token)),
        "{identities:?}"
    );
    assert_eq!(
        identities
            .iter()
            .filter(|(kind, _)| kind == "order")
            .count(),
        2,
        "{identities:?}"
    );

    // The timeline: newest first, every event of the person once.
    let events = body["timeline"]["events"].as_array().unwrap();
    let times: Vec<i64> = events
        .iter()
        .map(|e| e["occurred_at"].as_i64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    for kind in [
        "customer_created",
        "consent_change",
        "checkout_start",
        "purchase",
        "refund",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(
        kinds.iter().filter(|k| **k == "purchase").count(),
        2,
        "{kinds:?}"
    );
    let purchase = events.iter().find(|e| e["kind"] == "purchase").unwrap();
    assert_eq!(purchase["segment_name"], "Order Completed");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE person_id = $1")
        .bind(&person)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(events.len() as i64, stored);
    // Keyset pages of two: the same events in the same order, none twice.
    let shop_id = app.shop_id(SHOP).await;
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page =
            segops::profiles::timeline::timeline(app.db(), &shop_id, &person, cursor.as_deref(), 2)
                .await
                .unwrap();
        paged.extend(page.events.iter().map(|e| e.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let ids: Vec<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(paged, ids);

    // Segments: member of Buyers; Loyal big spenders explained clause by clause.
    let segments = body["segments"].as_array().unwrap();
    let buyers = segments.iter().find(|s| s["slug"] == "buyers").unwrap();
    assert_eq!(buyers["status"], "member", "{buyers}");
    let subscribers = segments
        .iter()
        .find(|s| s["slug"] == "subscribers")
        .unwrap();
    assert_eq!(
        subscribers["status"], "member",
        "webhook consent counts: {subscribers}"
    );
    assert!(buyers["entered_at"].is_i64());
    let loyal = segments
        .iter()
        .find(|s| s["slug"] == "loyal-big-spenders")
        .unwrap();
    assert_eq!(loyal["status"], "never", "{loyal}");
    let clauses: Vec<(u64, &str, bool, &str)> = loyal["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["depth"].as_u64().unwrap(),
                l["clause"].as_str().unwrap(),
                l["held"].as_bool().unwrap(),
                l["actual"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(clauses.len(), 3, "{clauses:?}");
    assert_eq!((clauses[0].0, clauses[0].2), (0, false));
    assert_eq!(
        (clauses[1].0, clauses[1].1, clauses[1].2),
        (1, "lifetime_value >= 150", true)
    );
    assert!(clauses[1].3.contains("160"), "{clauses:?}");
    assert_eq!(
        (clauses[2].0, clauses[2].1, clauses[2].2),
        (1, "order_count >= 3", false)
    );
    assert!(clauses[2].3.contains('2'), "{clauses:?}");

    // The pages render the same, readably, and the workspace links them.
    let session = app.session_token(SHOP).await;
    let page = app
        .admin_page(&format!("/admin/profiles/{person}"), &session)
        .await;
    for text in [
        "Ada Lovelace",
        "160.00 CAD",
        "80.00 CAD",
        "Did not hold",
        "segops:buyers",
        "Order Completed",
    ] {
        assert!(page.contains(text), "{text} missing from the profile page");
    }
    let list = app.admin_page("/admin/profiles", &session).await;
    assert!(
        list.contains("Ada Lovelace") && list.contains("Buyers"),
        "{list}"
    );
    let home = app.admin_page("/", &session).await;
    assert!(
        home.contains("/admin/profiles?id_token="),
        "the nav links Profiles"
    );
    // Viewing personal data is in the privacy access log, never in the logs.
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pii_access_log WHERE what = 'profile page' AND customer_id = $1",
    )
    .bind(&ada)
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert!(logged >= 2, "{logged}");

    // A default address: its country is a trait, the address itself shown from the vault.
    assert_eq!(traits["default_address"], Value::Null);
    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{ada}"),
        json!({ "address": { "address1": "12 Analytical Row", "city": "London", "province_code": "LND",
                             "zip": "EC1A 1BB", "country": "United Kingdom", "country_code": "GB" } }),
    )
    .await;
    settle(&app).await;
    let (_, body) = get(&app, SHOP, &format!("/admin/api/profiles/{person}")).await;
    let traits = &body["profile"]["traits"];
    assert_eq!(traits["country"], "GB", "{traits}");
    assert_eq!(
        traits["default_address"],
        "12 Analytical Row, London, LND, EC1A 1BB, United Kingdom"
    );
    let page = app
        .admin_page(&format!("/admin/profiles/{person}"), &session)
        .await;
    assert!(page.contains("12 Analytical Row, London"), "{page}");
    let privacy = app.admin_page("/admin/privacy", &session).await;
    assert!(
        privacy.contains(&format!("/admin/profiles/customer:{ada}?id_token=")),
        "the access log links the customer's profile"
    );
}
