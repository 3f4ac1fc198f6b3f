//! Pushing segments into Shopify at scale and natively: a 50,000-member tag push through a bulk
//! mutation that survives a restart and never meets the throttle; native mode creating and
//! updating a Shopify segment and showing the drift; native refused for rules Shopify cannot
//! express; leaving tag mode taking off only SegOps' own tags.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use segops::jobs::{NewJob, PushSegmentTags, queue};
use segops::state::{App, AppState};
use segops::store::Db;
use serde_json::{Value, json};

use crate::helpers::TestApp;

const SHOP: &str = "push-co.myshopify.com";

crate::on_both_stores!(
    a_50000_member_push_survives_a_restart_mid_bulk_and_never_meets_the_throttle,
    a_native_push_creates_the_shopify_segment_and_shows_the_drift,
    native_mode_is_refused_with_the_clause_and_reason_for_a_rule_shopify_cannot_express,
    leaving_tag_mode_removes_only_segops_tags_and_returning_adds_them_back,
    two_large_pushes_in_one_shop_take_turns_at_the_bulk_mutation,
);

/// Webhook and job rounds that let a change settle here: a tag push causes customer updates.
const SETTLE_ROUNDS: usize = 3;

/// Every customer's tags in the sandbox, by id.
pub async fn all_tags(app: &TestApp, shop: &str) -> BTreeMap<u64, Vec<String>> {
    let body = app
        .sandbox_get(&format!("/shops/{shop}/customer_tags"))
        .await;
    body["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut tags: Vec<String> = serde_json::from_value(c["tags"].clone()).unwrap();
            tags.sort();
            (c["id"].as_u64().unwrap(), tags)
        })
        .collect()
}

/// `(total, throttled, errors)` of the Admin API calls the sandbox answered for the shop.
pub async fn api_calls(app: &TestApp, shop: &str) -> (u64, u64, u64) {
    let calls = app.sandbox_get(&format!("/shops/{shop}")).await["api_calls"].clone();
    (
        calls["total"].as_u64().unwrap(),
        calls["throttled"].as_u64().unwrap(),
        calls["errors"].as_u64().unwrap(),
    )
}

/// Members written straight into the store, as an evaluation would leave them: entered, not
/// yet pushed. Seeding 50,000 through webhooks would test the intake, not the push.
pub async fn seed_members(db: &Db, shop_id: &str, segment_id: &str, customers: &[u64]) {
    for chunk in customers.chunks(500) {
        let mut sql = String::from(
            "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, pushed) VALUES ",
        );
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            // Only numbers are interpolated; the ids are bound.
            sql.push_str(&format!("($1, $2, 'customer:{id}', 1, 1, 0)"));
        }
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(shop_id)
            .bind(segment_id)
            .execute(db.pool())
            .await
            .unwrap();
    }
}

pub async fn queue_push(db: &Db, shop_id: &str, segment_id: &str) {
    let job = PushSegmentTags {
        shop_id: shop_id.to_owned(),
        segment_id: segment_id.to_owned(),
        poll: false,
    };
    let mut conn = db.pool().acquire().await.unwrap();
    queue::enqueue(
        &mut conn,
        &NewJob::now(shop_id, PushSegmentTags::KIND, &job),
    )
    .await
    .unwrap();
}

/// A second app process on the same database: nothing of the first one's memory survives.
pub async fn restarted(app: &TestApp) -> AppState {
    let config = app.state.config.clone();
    let db = Db::connect(&config.database_url).await.unwrap();
    AppState(Arc::new(App::new(config, db).unwrap()))
}

/// Runs due jobs on `state` until the segment's push is done; waiting for Shopify's bulk work
/// is polling its state with a deadline.
pub async fn push_until_done(state: &AppState, segment_id: &str, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let report = segops::jobs::drain(state).await.unwrap();
        assert_eq!(report.parked, 0, "{report:?}");
        let (push_state, error): (String, Option<String>) =
            sqlx::query_as("SELECT push_state, push_error FROM segments WHERE id = $1")
                .bind(segment_id)
                .fetch_one(state.db.pool())
                .await
                .unwrap();
        assert_ne!(push_state, "failed", "{error:?}");
        let due = queue::due_count(&state.db).await.unwrap();
        if push_state == "done" && due == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the push is still {push_state} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_50000_member_push_survives_a_restart_mid_bulk_and_never_meets_the_throttle(
    app: TestApp,
) {
    const MEMBERS: usize = 50_000;
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    app.settle(SETTLE_ROUNDS).await;
    // Shopify would send a customers/update per tagged customer; what is measured is the push.
    app.sandbox_settings(SHOP, json!({ "webhooks": { "paused": true } }))
        .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/seed"),
        json!({ "customers": MEMBERS }),
    )
    .await;
    let before = all_tags(&app, SHOP).await;
    assert_eq!(before.len(), MEMBERS);
    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Everyone", "rule": "order_count >= 1000" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    app.drain().await;
    let segment_id = segment["id"].as_str().unwrap().to_owned();
    let shop_id = app.shop_id(SHOP).await;
    let ids: Vec<u64> = before.keys().copied().collect();
    seed_members(app.db(), &shop_id, &segment_id, &ids).await;
    queue_push(app.db(), &shop_id, &segment_id).await;
    let calls_before = api_calls(&app, SHOP).await;

    // Shopify accepts the bulk mutation but holds it; the app that started it then goes away.
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/pause"), json!({}))
        .await;
    let started = Instant::now();
    app.drain().await;
    let (bulk_id, lines): (Option<String>, i64) =
        sqlx::query_as("SELECT bulk_id, lines FROM segment_pushes WHERE segment_id = $1")
            .bind(&segment_id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    let bulk_id = bulk_id.expect("the bulk mutation was started");
    assert_eq!(lines, MEMBERS as i64);
    let (push_state, total): (String, i64) =
        sqlx::query_as("SELECT push_state, push_total FROM segments WHERE id = $1")
            .bind(&segment_id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!((push_state.as_str(), total), ("pushing", MEMBERS as i64));

    let second = restarted(&app).await;
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/resume"), json!({}))
        .await;
    push_until_done(&second, &segment_id, Duration::from_secs(300)).await;
    let elapsed = started.elapsed();

    let after = all_tags(&app, SHOP).await;
    for (id, tags) in &after {
        let mut expected = before[id].clone();
        expected.push("segops:everyone".to_owned());
        expected.sort();
        assert_eq!(tags, &expected, "customer {id}");
    }
    let ops = app
        .sandbox_get(&format!("/shops/{SHOP}/bulk_operations"))
        .await;
    let mutation = ops
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["type"] == "MUTATION")
        .unwrap();
    assert_eq!(mutation["id"], json!(bulk_id), "the one operation, resumed");
    assert_eq!(mutation["status"], "COMPLETED");
    assert_eq!(
        mutation["root_object_count"],
        json!(MEMBERS),
        "every line ran exactly once"
    );
    let calls_after = api_calls(&app, SHOP).await;
    assert_eq!(calls_after.1, calls_before.1, "no call was throttled");
    assert_eq!(calls_after.2, calls_before.2, "no call failed");
    let unpushed: i64 = app
        .count("SELECT COUNT(*) FROM memberships WHERE pushed = 0")
        .await;
    assert_eq!(unpushed, 0);
    let (done, total): (i64, i64) =
        sqlx::query_as("SELECT push_done, push_total FROM segments WHERE id = $1")
            .bind(&segment_id)
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!((done, total), (MEMBERS as i64, MEMBERS as i64));
    let page = app
        .admin_page("/admin/segments", &app.session_token(SHOP).await)
        .await;
    assert!(page.contains("50000/50000"), "progress shown");
    eprintln!(
        "bulk push ({:?}): {MEMBERS} members in {elapsed:.1?} = {:.0} members/s, {} API calls",
        app.store,
        MEMBERS as f64 / elapsed.as_secs_f64(),
        calls_after.0 - calls_before.0
    );
}

async fn segment_row(app: &TestApp, id: &str) -> (String, i64, Option<i64>, Option<String>) {
    sqlx::query_as(
        "SELECT push_state, member_count, shopify_member_count, native_segment_id \
         FROM segments WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.db().pool())
    .await
    .unwrap()
}

async fn shopify_segments(app: &TestApp) -> Vec<Value> {
    app.sandbox_get(&format!("/shops/{SHOP}/segments"))
        .await
        .as_array()
        .unwrap()
        .clone()
}

async fn a_native_push_creates_the_shopify_segment_and_shows_the_drift(app: TestApp) {
    app.create_shop(SHOP).await;
    // The history import is held, so the seeded customers stay unknown to the app.
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/pause"), json!({}))
        .await;
    app.install(SHOP).await;
    // Five customers the app has not heard of (no webhook, no backfill) and one it has.
    app.sandbox_post(&format!("/shops/{SHOP}/seed"), json!({ "customers": 5 }))
        .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/customers"),
        json!({ "first_name": "Ada", "email": "ada@example.net" }),
    )
    .await;
    app.settle(SETTLE_ROUNDS).await;

    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Not yet bought", "rule": "order_count = 0", "push_mode": "native" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let id = segment["id"].as_str().unwrap().to_owned();
    app.settle(SETTLE_ROUNDS).await;

    let shopify = shopify_segments(&app).await;
    assert_eq!(shopify.len(), 1, "{shopify:?}");
    assert_eq!(shopify[0]["name"], "SegOps: Not yet bought");
    assert_eq!(shopify[0]["query"], "number_of_orders = 0");
    let (state, ours, theirs, native_id) = segment_row(&app, &id).await;
    assert_eq!(state, "done");
    assert_eq!(native_id.as_deref(), shopify[0]["id"].as_str());
    assert_eq!((ours, theirs), (1, Some(6)));
    let page = app
        .admin_page("/admin/segments", &app.session_token(SHOP).await)
        .await;
    assert!(
        page.contains("Shopify counts 6, SegOps 1 (drift 5)"),
        "the drift is shown: {page}"
    );

    let (status, updated) = app
        .admin_call(
            SHOP,
            reqwest::Method::PUT,
            &format!("/admin/api/segments/{id}"),
            json!({ "rule": "order_count >= 1 AND country = \"CA\"" }),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    app.settle(SETTLE_ROUNDS).await;
    let shopify = shopify_segments(&app).await;
    assert_eq!(
        shopify.len(),
        1,
        "updated in place, not twinned: {shopify:?}"
    );
    assert_eq!(shopify[0]["id"].as_str(), native_id.as_deref());
    assert_eq!(
        shopify[0]["query"],
        "number_of_orders >= 1 AND customer_countries CONTAINS 'CA'"
    );
    let (_, ours, theirs, _) = segment_row(&app, &id).await;
    assert_eq!((ours, theirs), (0, Some(0)));
}

async fn native_mode_is_refused_with_the_clause_and_reason_for_a_rule_shopify_cannot_express(
    app: TestApp,
) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let behavioural = "order_count >= 1 AND did product_view >= 3 times in last 7 days";
    let (status, body) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Browsers", "rule": behavioural, "push_mode": "native" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["refusals"][0]["clause"]
            .as_str()
            .unwrap()
            .contains("product_view"),
        "{body}"
    );
    assert!(body["refusals"][0]["reason"].as_str().unwrap().len() > 10);
    assert_eq!(app.count("SELECT COUNT(*) FROM segments").await, 0);

    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Browsers", "rule": behavioural }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let id = segment["id"].as_str().unwrap();
    let (status, body) = app
        .admin_post(
            SHOP,
            &format!("/admin/api/segments/{id}/mode"),
            json!({ "mode": "native" }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["refusals"].as_array().unwrap().len(), 1, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("product_view"),
        "{body}"
    );
    let (mode,): (String,) = sqlx::query_as("SELECT push_mode FROM segments WHERE id = $1")
        .bind(id)
        .fetch_one(app.db().pool())
        .await
        .unwrap();
    assert_eq!(mode, "tag");

    // The page says so before the merchant picks.
    let page = app
        .admin_page("/admin/segments", &app.session_token(SHOP).await)
        .await;
    assert!(
        page.contains("Not available as a Shopify segment"),
        "{page}"
    );
    assert!(page.contains("storefront behaviour") || page.contains("SegOps events"));

    // A native segment cannot take such a rule either.
    let (status, native) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Buyers", "rule": "order_count >= 1", "push_mode": "native" }),
        )
        .await;
    assert_eq!(status, 201, "{native}");
    let (status, body) = app
        .admin_call(
            SHOP,
            reqwest::Method::PUT,
            &format!("/admin/api/segments/{}", native["id"].as_str().unwrap()),
            json!({ "rule": behavioural }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["refusals"][0]["reason"].is_string(), "{body}");
}

async fn leaving_tag_mode_removes_only_segops_tags_and_returning_adds_them_back(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let product = app
        .sandbox_post(
            &format!("/shops/{SHOP}/products"),
            json!({ "title": "Trail Tent", "variants": [{ "title": "2P", "sku": "TENT-2P", "price": "249.00" }] }),
        )
        .await;
    let customer = app
        .sandbox_post(
            &format!("/shops/{SHOP}/customers"),
            json!({ "first_name": "Ada", "email": "ada@example.net" }),
        )
        .await;
    let customer_id = customer["id"].clone();
    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{customer_id}"),
        json!({ "tags": ["vip", "wholesale"] }),
    )
    .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/orders"),
        json!({ "customer_id": customer_id, "financial_status": "paid",
                "line_items": [{ "variant_id": product["variants"][0]["id"], "quantity": 1 }] }),
    )
    .await;
    app.settle(SETTLE_ROUNDS).await;
    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Buyers", "rule": "order_count >= 1" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let id = segment["id"].as_str().unwrap().to_owned();
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        app.customer_tags(SHOP, &customer_id).await,
        ["segops:buyers", "vip", "wholesale"]
    );

    let (status, body) = app
        .admin_post(
            SHOP,
            &format!("/admin/api/segments/{id}/mode"),
            json!({ "mode": "native" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        app.customer_tags(SHOP, &customer_id).await,
        ["vip", "wholesale"]
    );
    let shopify = shopify_segments(&app).await;
    assert_eq!(shopify.len(), 1);
    assert_eq!(shopify[0]["query"], "number_of_orders >= 1");
    let (_, ours, theirs, _) = segment_row(&app, &id).await;
    assert_eq!((ours, theirs), (1, Some(1)));

    let (status, body) = app
        .admin_post(
            SHOP,
            &format!("/admin/api/segments/{id}/mode"),
            json!({ "mode": "tag" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        app.customer_tags(SHOP, &customer_id).await,
        ["segops:buyers", "vip", "wholesale"]
    );
    assert!(
        shopify_segments(&app).await.is_empty(),
        "the Shopify segment SegOps made is gone"
    );
    let (_, _, theirs, native_id) = segment_row(&app, &id).await;
    assert_eq!((theirs, native_id), (None, None));
}

async fn two_large_pushes_in_one_shop_take_turns_at_the_bulk_mutation(app: TestApp) {
    const MEMBERS: usize = 600;
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    app.settle(SETTLE_ROUNDS).await;
    app.sandbox_settings(SHOP, json!({ "webhooks": { "paused": true } }))
        .await;
    app.sandbox_post(
        &format!("/shops/{SHOP}/seed"),
        json!({ "customers": MEMBERS }),
    )
    .await;
    let before = all_tags(&app, SHOP).await;
    let ids: Vec<u64> = before.keys().copied().collect();
    let shop_id = app.shop_id(SHOP).await;
    let mut segments = Vec::new();
    for name in ["First", "Second"] {
        let (status, segment) = app
            .admin_post(
                SHOP,
                "/admin/api/segments",
                json!({ "name": name, "rule": "order_count >= 1000" }),
            )
            .await;
        assert_eq!(status, 201, "{segment}");
        app.drain().await;
        let id = segment["id"].as_str().unwrap().to_owned();
        seed_members(app.db(), &shop_id, &id, &ids).await;
        segments.push(id);
    }
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/pause"), json!({}))
        .await;
    for id in &segments {
        queue_push(app.db(), &shop_id, id).await;
    }
    app.drain().await;
    let waiting: i64 = app
        .count("SELECT COUNT(*) FROM segment_pushes WHERE bulk_id IS NULL")
        .await;
    assert_eq!(
        waiting, 1,
        "Shopify runs one bulk mutation per shop: the second waits"
    );
    app.sandbox_post(&format!("/shops/{SHOP}/bulk_operations/resume"), json!({}))
        .await;
    for id in &segments {
        push_until_done(&app.state, id, Duration::from_secs(120)).await;
    }
    let after = all_tags(&app, SHOP).await;
    for (id, tags) in &after {
        let mut expected = before[id].clone();
        expected.extend(["segops:first".to_owned(), "segops:second".to_owned()]);
        expected.sort();
        assert_eq!(tags, &expected, "customer {id}");
    }
    let (_, throttled, errors) = api_calls(&app, SHOP).await;
    assert_eq!((throttled, errors), (0, 0));
}
