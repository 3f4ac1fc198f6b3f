//! A native segment on storefront behaviour, which Shopify does not count: SegOps writes the
//! trait onto every customer whose count is not zero as a `segops` metafield with a definition,
//! the Shopify segment filters on that metafield (a missing one counting zero), the two member
//! counts agree, and a later push writes only the values that moved.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const SHOP: &str = "views-co.myshopify.com";

crate::on_both_stores!(
    a_native_segment_on_storefront_behaviour_filters_on_metafields_segops_keeps_current,
);

/// Webhook and job rounds that let a change settle here.
const SETTLE_ROUNDS: usize = 3;

/// Storefront counts as the pixel leaves them on the profile (the storefront tests cover how the
/// pixel counts); the version moves as any profile change moves it.
async fn set_product_views(app: &TestApp, customer: &Value, views: i64) {
    let changed = sqlx::query(
        "UPDATE profiles SET product_views = $1, version = version + 1 WHERE customer_id = $2",
    )
    .bind(views)
    .bind(customer.to_string())
    .execute(app.db().pool())
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(changed, 1, "customer {customer} has a profile");
}

/// The customer's `segops.product_views` metafield in the sandbox store, if it has one.
async fn metafield(app: &TestApp, customer: &Value) -> Option<(String, String)> {
    let all = app
        .sandbox_get(&format!("/shops/{SHOP}/customers/{customer}/metafields"))
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .find(|m| m["namespace"] == "segops" && m["key"] == "product_views")
        .map(|m| {
            (
                m["type"].as_str().unwrap().to_owned(),
                m["value"].as_str().unwrap().to_owned(),
            )
        })
}

/// `(push_state, push_done, push_total, member_count, shopify_member_count)`.
async fn push_row(app: &TestApp, id: &str) -> (String, i64, i64, i64, Option<i64>) {
    sqlx::query_as(
        "SELECT push_state, push_done, push_total, member_count, shopify_member_count \
         FROM segments WHERE id = $1",
    )
    .bind(id)
    .fetch_one(app.db().pool())
    .await
    .unwrap()
}

async fn a_native_segment_on_storefront_behaviour_filters_on_metafields_segops_keeps_current(
    app: TestApp,
) {
    app.create_shop(SHOP).await;
    app.install(SHOP).await;
    let mut customers = Vec::new();
    for name in ["ada", "grace", "linus", "barbara"] {
        let customer = app
            .sandbox_post(
                &format!("/shops/{SHOP}/customers"),
                json!({ "first_name": name, "email": format!("{name}@example.net") }),
            )
            .await;
        customers.push(customer["id"].clone());
    }
    app.settle(SETTLE_ROUNDS).await;
    for (customer, views) in customers.iter().zip([0, 2, 3, 7]) {
        set_product_views(&app, customer, views).await;
    }

    // The preview says which clause goes through a metafield before the merchant picks a mode.
    let (status, preview) = app
        .admin_post(
            SHOP,
            "/admin/api/segments/preview",
            json!({ "rule": "product_views >= 3" }),
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        preview["native"]["query"],
        "metafields.segops.product_views >= 3"
    );
    assert_eq!(
        preview["native"]["via_metafields"][0]["attribute"],
        "metafields.segops.product_views"
    );

    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Browsers", "rule": "product_views >= 3", "push_mode": "native" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let id = segment["id"].as_str().unwrap().to_owned();
    app.settle(SETTLE_ROUNDS).await;

    let shopify = app.sandbox_get(&format!("/shops/{SHOP}/segments")).await;
    assert_eq!(
        shopify[0]["query"], "metafields.segops.product_views >= 3",
        "{shopify}"
    );
    assert_eq!(
        metafield(&app, &customers[0]).await,
        None,
        "a zero is not written"
    );
    for (customer, views) in customers.iter().zip([0, 2, 3, 7]).skip(1) {
        assert_eq!(
            metafield(&app, customer).await,
            Some(("number_integer".to_owned(), views.to_string())),
            "every customer who browsed carries the count"
        );
    }
    let (state, done, total, ours, theirs) = push_row(&app, &id).await;
    assert_eq!(state, "done");
    assert_eq!(
        (done, total),
        (3, 3),
        "the three values that are not zero were the push's work"
    );
    assert_eq!(
        (ours, theirs),
        (2, Some(2)),
        "Shopify counts what SegOps counts"
    );
    let page = app
        .admin_page("/admin/segments", &app.session_token(SHOP).await)
        .await;
    assert!(
        page.contains("data-testid=\"via-metafields\"")
            && page.contains("metafields.segops.product_views"),
        "the admin says the segment goes through the metafield: {page}"
    );

    // Grace browses more: re-evaluating moves her in, and only her value is written again.
    set_product_views(&app, &customers[1], 4).await;
    let (status, body) = app
        .admin_post(
            SHOP,
            &format!("/admin/api/segments/{id}/evaluate"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.settle(SETTLE_ROUNDS).await;
    assert_eq!(
        metafield(&app, &customers[1]).await,
        Some(("number_integer".to_owned(), "4".to_owned()))
    );
    let (state, done, total, ours, theirs) = push_row(&app, &id).await;
    assert_eq!(state, "done");
    assert_eq!((done, total), (1, 1), "one value moved, one was written");
    assert_eq!((ours, theirs), (3, Some(3)));

    // A clause zero meets: Ada, who never browsed and carries no metafield, is a member in
    // Shopify as in SegOps.
    let (status, segment) = app
        .admin_post(
            SHOP,
            "/admin/api/segments",
            json!({ "name": "Window shoppers", "rule": "product_views < 3", "push_mode": "native" }),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let id = segment["id"].as_str().unwrap().to_owned();
    app.settle(SETTLE_ROUNDS).await;
    let shopify = app.sandbox_get(&format!("/shops/{SHOP}/segments")).await;
    let query = "metafields.segops.product_views < 3 OR metafields.segops.product_views IS NULL";
    assert!(
        shopify
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["query"] == query),
        "{shopify}"
    );
    assert_eq!(metafield(&app, &customers[0]).await, None);
    let (state, done, total, ours, theirs) = push_row(&app, &id).await;
    assert_eq!(state, "done");
    assert_eq!((done, total), (0, 0), "nothing moved, nothing was written");
    assert_eq!((ours, theirs), (1, Some(1)), "Ada alone, in both counts");
}
