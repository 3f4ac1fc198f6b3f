//! The Discounts admin API: validation refusals with their reasons, and a saved rule reaching
//! the sandbox as the automatic app discount running the Function with the right configuration.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const SHOP: &str = "discounts.myshopify.com";

crate::on_both_stores!(
    invalid_rules_are_refused_with_the_reason,
    a_saved_rule_becomes_the_automatic_discount_with_its_configuration,
);

/// A segment row as the segments module would store it.
pub async fn insert_segment(app: &TestApp, shop: &str, id: &str, slug: &str, push_mode: &str) {
    let shop_id = app.shop_id(shop).await;
    sqlx::query(
        "INSERT INTO segments (id, shop_id, slug, name, rule, push_mode, created_at, updated_at)
         VALUES ($1, $2, $3, $4, '{}', $5, 0, 0)",
    )
    .bind(id)
    .bind(&shop_id)
    .bind(slug)
    .bind(format!("Segment {slug}"))
    .bind(push_mode)
    .execute(app.db().pool())
    .await
    .unwrap();
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}{path}", app.app_url))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The sandbox's automatic discounts of `shop`.
pub async fn sandbox_discounts(app: &TestApp, shop: &str) -> Vec<Value> {
    app.http
        .get(format!(
            "{}/_sandbox/shops/{shop}/discounts",
            app.sandbox_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The configuration metafield of a sandbox discount, parsed.
pub fn configuration_of(discount: &Value) -> Value {
    let field = discount["metafields"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["key"] == "function-configuration"))
        .unwrap_or_else(|| panic!("no configuration metafield on {discount}"));
    serde_json::from_str(field["value"].as_str().unwrap()).unwrap()
}

/// The Function's id as the shop's Admin API reports it.
pub async fn function_id(app: &TestApp, shop: &str) -> String {
    let record = segops::tenants::shop_by_id(app.db(), &app.shop_id(shop).await)
        .await
        .unwrap()
        .unwrap();
    let client = app.state.shop_client(&record).unwrap().unwrap();
    segops::shopify::app_discounts::function_id(&client, "segops-discount")
        .await
        .unwrap()
}

async fn invalid_rules_are_refused_with_the_reason(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    insert_segment(&app, SHOP, "seg-vip", "vip", "tag").await;
    let token = app.session_token(SHOP).await;
    let rule = |value: &str| json!({ "segment_id": "seg-vip", "kind": "percentage", "value": value, "scope": "order" });

    let (status, body) = post(&app, &token, "/admin/api/discounts", rule("120")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["error"],
        "a percentage must be more than 0 and at most 100, got 120"
    );

    let mut unknown = rule("10");
    unknown["segment_id"] = json!("seg-nope");
    let (status, body) = post(&app, &token, "/admin/api/discounts", unknown).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("unknown segment \"seg-nope\""),
        "{body}"
    );

    let shop_id = app.shop_id(SHOP).await;
    for n in 0..25 {
        sqlx::query(
            "INSERT INTO discount_rules (id, shop_id, segment_id, kind, value, scope, priority, active, created_at, updated_at)
             VALUES ($1, $2, 'seg-vip', 'percentage', '5', 'order', 0, 1, 0, 0)",
        )
        .bind(format!("rule-{n}"))
        .bind(&shop_id)
        .execute(app.db().pool())
        .await
        .unwrap();
    }
    let (status, body) = post(&app, &token, "/admin/api/discounts", rule("10")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("at most 25 rules can be active at once"),
        "{body}"
    );
    // Nothing refused was stored or sent.
    assert_eq!(app.count("SELECT COUNT(*) FROM discount_rules").await, 25);
    assert!(sandbox_discounts(&app, SHOP).await.is_empty());
}

async fn a_saved_rule_becomes_the_automatic_discount_with_its_configuration(app: TestApp) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    insert_segment(&app, SHOP, "seg-vip", "vip", "tag").await;
    insert_segment(&app, SHOP, "seg-native", "natives", "native").await;
    let token = app.session_token(SHOP).await;

    let (status, saved) = post(
        &app,
        &token,
        "/admin/api/discounts",
        json!({ "segment_id": "seg-vip", "kind": "percentage", "value": "10.00", "scope": "products",
                "collection_ids": ["gid://shopify/Collection/4"], "minimum_subtotal": "50",
                "message": "VIP 10% off", "priority": 1 }),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["pushed"], true, "{saved}");
    assert!(saved["warning"].is_null());
    let discounts = sandbox_discounts(&app, SHOP).await;
    assert_eq!(discounts.len(), 1, "{discounts:?}");
    assert_eq!(discounts[0]["id"], saved["discount_id"]);
    assert_eq!(discounts[0]["function_id"], function_id(&app, SHOP).await);
    assert_eq!(
        configuration_of(&discounts[0]),
        json!({ "tags": ["segops:vip"], "collectionIds": ["gid://shopify/Collection/4"],
                "rules": [{ "segment": "vip", "kind": "percentage", "value": "10", "scope": "products",
                            "productIds": [], "collectionIds": ["gid://shopify/Collection/4"],
                            "minimumSubtotal": "50", "message": "VIP 10% off", "priority": 1, "active": true }] })
    );

    // A second rule on a natively pushed segment is kept with a warning; deactivating the first
    // updates the same discount.
    let (status, second) = post(
        &app,
        &token,
        "/admin/api/discounts",
        json!({ "segment_id": "seg-native", "kind": "fixed", "value": "5", "scope": "order" }),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert!(
        second["warning"]
            .as_str()
            .unwrap()
            .contains("can only see tags"),
        "{second}"
    );
    let id = saved["rule"]["id"].as_str().unwrap();
    let (status, off) = post(
        &app,
        &token,
        &format!("/admin/api/discounts/{id}"),
        json!({ "active": false }),
    )
    .await;
    assert_eq!(status, 200, "{off}");
    assert_eq!(off["rule"]["active"], false);
    assert_eq!(off["discount_id"], saved["discount_id"]);
    let discounts = sandbox_discounts(&app, SHOP).await;
    assert_eq!(discounts.len(), 1);
    let config = configuration_of(&discounts[0]);
    assert_eq!(config["tags"], json!(["segops:natives"]));
    assert_eq!(config["rules"][0]["kind"], "fixed_amount");

    // The page lists both rules with their segments and states.
    let page = app.admin_page("/admin/discounts", &token).await;
    assert!(page.contains("Segment vip (vip)"), "{page}");
    assert!(page.contains("inactive"), "{page}");
    assert!(page.contains("can only see tags"), "{page}");
}
