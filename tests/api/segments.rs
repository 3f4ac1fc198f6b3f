//! Segments end to end: a rule created in the admin, customers entering and leaving it through
//! real store activity, and the `segops:<slug>` tag following them in Shopify.

use serde_json::json;

use crate::helpers::TestApp;

const SHOP: &str = "segments-co.myshopify.com";

crate::on_both_stores!(
    a_buyer_gets_the_segment_tag_and_loses_it_when_the_order_is_cancelled,
    a_rule_that_does_not_parse_is_refused_with_its_column,
    an_address_change_alone_moves_the_customer_into_a_country_segment,
    the_daily_sweep_re_evaluates_segments_whose_windows_slide,
    a_customer_update_without_tags_keeps_the_tags_we_know,
);

/// Webhook and job rounds that let a change settle here: a tag push causes one customer update.
const SETTLE_ROUNDS: usize = 2;

async fn a_buyer_gets_the_segment_tag_and_loses_it_when_the_order_is_cancelled(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let product = app
        .sandbox_post(
            &format!("/shops/{SHOP}/products"),
            json!({ "title": "Trail Tent", "variants": [{ "title": "2P", "sku": "TENT-2P", "price": "249.00" }] }),
        )
        .await;
    let variant_id = product["variants"][0]["id"].clone();
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
    app.settle(SETTLE_ROUNDS).await;

    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Buyers", "rule": "order_count >= 1" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    assert_eq!(segment["slug"], "buyers");
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        app.customer_tags(SHOP, &customer_id).await,
        ["vip", "wholesale"]
    );

    let order = app
        .sandbox_post(
            &format!("/shops/{SHOP}/orders"),
            json!({ "customer_id": customer_id, "financial_status": "paid",
                    "line_items": [{ "variant_id": variant_id, "quantity": 1 }] }),
        )
        .await;
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        app.customer_tags(SHOP, &customer_id).await,
        ["segops:buyers", "vip", "wholesale"]
    );
    let (count, state): (i64, String) =
        sqlx::query_as("SELECT member_count, push_state FROM segments WHERE slug = 'buyers'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!((count, state.as_str()), (1, "done"));

    let page = app
        .admin_page("/admin/segments", &app.session_token(SHOP).await)
        .await;
    assert!(page.contains("segops:buyers"), "{page}");
    let home = app.admin_page("/", &app.session_token(SHOP).await).await;
    assert!(
        home.contains("/admin/segments?id_token="),
        "the workspace links the page"
    );

    let (_, preview) = app
        .admin_post(
            SHOP,
            "/admin/api/segments/preview",
            json!({ "rule": "order_count >= 1" }),
        )
        .await;
    assert_eq!(preview["count"], 1, "{preview}");
    let (_, behavioural) = app
        .admin_post(
            SHOP,
            "/admin/api/segments/preview",
            json!({ "rule": "did product_view >= 3 times in last 7 days" }),
        )
        .await;
    assert_eq!(behavioural["count"], 0, "{behavioural}");
    assert!(
        behavioural["native"]["refusals"][0]["reason"].is_string(),
        "storefront behaviour has no Shopify segment filter: {behavioural}"
    );

    app.sandbox_post(
        &format!("/shops/{SHOP}/orders/{}/cancel", order["id"]),
        json!({ "reason": "customer" }),
    )
    .await;
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        app.customer_tags(SHOP, &customer_id).await,
        ["vip", "wholesale"]
    );
    let (count, left): (i64, Option<i64>) = sqlx::query_as(
        "SELECT s.member_count, m.left_at FROM segments s JOIN memberships m ON m.segment_id = s.id \
         WHERE s.slug = 'buyers'",
    )
    .fetch_one(app.db().pool())
    .await
    .unwrap();
    assert_eq!(count, 0);
    assert!(left.is_some(), "the exit time is kept");
}

async fn a_rule_that_does_not_parse_is_refused_with_its_column(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (status, body) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Broken", "rule": "order_count >= " }),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["column"].as_u64().is_some(), "{body}");
    let segments: i64 = app.count("SELECT COUNT(*) FROM segments").await;
    assert_eq!(segments, 0);
}

async fn membership(app: &TestApp, slug: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT m.member FROM memberships m JOIN segments s ON s.id = m.segment_id WHERE s.slug = $1",
    )
    .bind(slug)
    .fetch_optional(app.db().pool())
    .await
    .unwrap()
}

async fn an_address_change_alone_moves_the_customer_into_a_country_segment(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let customer = app
        .sandbox_post(
            &format!("/shops/{SHOP}/customers"),
            json!({ "first_name": "Lin", "email": "lin@example.net",
                    "address": { "country_code": "CA", "country": "Canada" } }),
        )
        .await;
    let customer_id = customer["id"].clone();
    app.settle(SETTLE_ROUNDS).await;
    let (status, body) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "In France", "rule": "country = \"FR\"" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(membership(&app, "in-france").await, None);

    // No order, consent or tag moves: only the protected address (kept as presence and country).
    app.sandbox_put(
        &format!("/shops/{SHOP}/customers/{customer_id}"),
        json!({ "address": { "country_code": "FR", "country": "France" } }),
    )
    .await;
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(membership(&app, "in-france").await, Some(1));
    let tags = app.customer_tags(SHOP, &customer_id).await;
    assert_eq!(tags, ["segops:in-france"]);
}

async fn the_daily_sweep_re_evaluates_segments_whose_windows_slide(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let customer = app
        .sandbox_post(
            &format!("/shops/{SHOP}/customers"),
            json!({ "first_name": "Mo", "email": "mo@example.net" }),
        )
        .await;
    app.settle(SETTLE_ROUNDS).await;
    for (name, rule) in [
        ("Recent buyers", "did purchase >= 1 time in last 30 days"),
        ("Reachable", "has_email = true"),
    ] {
        let (status, body) = app
            .admin_post(
                SHOP,
                "/admin/api/segments",
                json!({ "name": name, "rule": rule }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(membership(&app, "recent-buyers").await, None);
    // Stand in for a purchase whose 30 days have since run out: nothing happens to the customer,
    // only time passes, so no event will ever re-evaluate them.
    let person = format!("customer:{}", customer["id"]);
    sqlx::query(
        "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, left_at, pushed) \
         SELECT shop_id, id, $1, 1, 1, NULL, 1 FROM segments WHERE slug = 'recent-buyers'",
    )
    .bind(&person)
    .execute(app.db().pool())
    .await
    .unwrap();

    let swept = segops::jobs::schedule_sweeps(&app.state).await.unwrap();
    assert_eq!(swept, 1, "only the windowed segment is swept");
    assert_eq!(
        segops::jobs::schedule_sweeps(&app.state).await.unwrap(),
        1,
        "a second scheduler the same day finds the same segment"
    );
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE unique_key LIKE 'sweep:%'")
            .fetch_one(app.db().pool())
            .await
            .unwrap();
    assert_eq!(queued, 1, "replicas scheduling the same day add one job");
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        membership(&app, "recent-buyers").await,
        Some(0),
        "the stale member left"
    );
    assert_eq!(membership(&app, "reachable").await, Some(1));
}

async fn a_customer_update_without_tags_keeps_the_tags_we_know(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let (status, body) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "VIPs", "rule": "tags CONTAINS \"vip\"" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // Tags known from a payload that carries them (older API versions, the bulk import)…
    let known = json!({ "id": 7001, "email": "vip@example.net", "tags": "vip, local",
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z" });
    let sent = app
        .post_webhook(
            SHOP,
            "customers/create",
            "evt-tags-1",
            known.to_string().as_bytes(),
        )
        .await;
    assert_eq!(sent.status(), 200);
    app.drain().await;
    assert_eq!(membership(&app, "vips").await, Some(1));
    // …survive an update in 2026-04's shape, which has no `tags` field at all.
    let silent = json!({ "id": 7001, "email": "vip@example.net", "state": "enabled",
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-02T10:00:00Z" });
    let sent = app
        .post_webhook(
            SHOP,
            "customers/update",
            "evt-tags-2",
            silent.to_string().as_bytes(),
        )
        .await;
    assert_eq!(sent.status(), 200);
    app.drain().await;
    assert_eq!(membership(&app, "vips").await, Some(1), "still a VIP");
    // An explicit empty list is a change, and is honoured.
    let cleared = json!({ "id": 7001, "email": "vip@example.net", "tags": "",
        "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-03T10:00:00Z" });
    let sent = app
        .post_webhook(
            SHOP,
            "customers/update",
            "evt-tags-3",
            cleared.to_string().as_bytes(),
        )
        .await;
    assert_eq!(sent.status(), 200);
    app.drain().await;
    assert_eq!(membership(&app, "vips").await, Some(0));
}
