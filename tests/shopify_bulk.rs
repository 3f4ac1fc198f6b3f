//! The app's bulk and tag boundary against a real sandbox: backfill queries stream back whole
//! objects, tag pushes land on customers, and refusals say why.

mod sandbox_support;

use std::time::Duration;

use sandbox_support::{TestSandbox, start};
use segops::crypto::Secret;
use segops::shopify::ShopDomain;
use segops::shopify::admin_api::{AdminApi, ShopClient};
use segops::shopify::bulk::{self, BulkOperationState, BulkStatus, TagChange, queries};
use segops::shopify::customer_tags::{self, CustomerTagsError};
use serde_json::json;

const SHOP: &str = "boundary.myshopify.com";

async fn client(t: &TestSandbox) -> ShopClient {
    t.create_shop(SHOP).await;
    let (_, token) = t
        .oauth_install(
            SHOP,
            "read_customers,write_customers,read_orders,read_products",
        )
        .await;
    let api = AdminApi::new(reqwest::Client::new(), "2026-04".into());
    api.shop(
        &ShopDomain::parse(SHOP).unwrap(),
        &format!("{}/store/{SHOP}", t.base),
        Secret::new(token["access_token"].as_str().unwrap().to_string()),
    )
}

async fn until_final(client: &ShopClient, id: &str) -> BulkOperationState {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let state = bulk::status(client, id).await.unwrap();
        if state.status.is_final() {
            return state;
        }
        assert!(std::time::Instant::now() < deadline, "{state:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn customer_ids(t: &TestSandbox, client: &ShopClient) -> Vec<String> {
    let _ = t;
    let id = bulk::start_query(client, queries::CUSTOMERS).await.unwrap();
    let done = until_final(client, &id).await;
    let mut stream = bulk::open_result(
        client,
        done.url.as_deref().unwrap(),
        queries::CUSTOMER_CHILDREN,
    )
    .await
    .unwrap();
    let mut ids = Vec::new();
    while let Some(c) = stream.next().await.unwrap() {
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    ids
}

#[tokio::test]
async fn the_orders_backfill_streams_each_order_with_its_line_items() {
    let t = start().await;
    let client = client(&t).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/seed"),
        json!({ "customers": 40, "products": 8, "orders": 700, "days": 120 }),
    )
    .await;
    let since = (time::OffsetDateTime::now_utc() - time::Duration::days(90)).date();
    let id = bulk::start_query(&client, &queries::orders_since(since))
        .await
        .unwrap();
    let done = until_final(&client, &id).await;
    assert_eq!(done.status, BulkStatus::Completed, "{done:?}");
    let mut stream = bulk::open_result(
        &client,
        done.url.as_deref().unwrap(),
        queries::ORDER_CHILDREN,
    )
    .await
    .unwrap();
    let (mut orders, mut lines) = (0u64, 0u64);
    while let Some(order) = stream.next().await.unwrap() {
        orders += 1;
        let items = order["lineItems"]["nodes"]
            .as_array()
            .expect("line items nested");
        assert!(!items.is_empty());
        lines += items.len() as u64;
        assert!(order["createdAt"].as_str().unwrap() >= since.to_string().as_str());
        assert!(order["totalPriceSet"]["shopMoney"]["amount"].is_string());
        assert!(order["refunds"].is_array());
    }
    assert_eq!(orders, done.root_object_count);
    assert_eq!(orders + lines, done.object_count);
    assert!(
        orders > 0 && orders < 700,
        "only the last 90 days: {orders}"
    );
}

#[tokio::test]
async fn a_second_bulk_query_while_one_runs_is_reported_as_in_progress() {
    let t = start().await;
    let client = client(&t).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/bulk_operations/pause"),
        json!({}),
    )
    .await;
    let first = bulk::start_query(&client, queries::CUSTOMERS)
        .await
        .unwrap();
    let second = bulk::start_query(&client, queries::CUSTOMERS).await;
    assert!(
        matches!(&second, Err(bulk::BulkError::InProgress(m)) if m.contains(&first)),
        "{second:?}"
    );
    bulk::cancel(&client, &first).await.unwrap();
    t.post(
        &format!("/_sandbox/shops/{SHOP}/bulk_operations/resume"),
        json!({}),
    )
    .await;
    assert_eq!(
        until_final(&client, &first).await.status,
        BulkStatus::Canceled
    );
}

#[tokio::test]
async fn a_tag_bulk_mutation_tags_every_customer_and_reports_failed_lines() {
    let t = start().await;
    let client = client(&t).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/seed"),
        json!({ "customers": 300 }),
    )
    .await;
    let ids = customer_ids(&t, &client).await;
    assert_eq!(ids.len(), 300);
    let mut items: Vec<(String, Vec<String>)> = ids
        .iter()
        .map(|id| (id.clone(), vec!["segops:big-spenders".to_string()]))
        .collect();
    items.insert(
        7,
        ("gid://shopify/Customer/1".into(), vec!["segops:x".into()]),
    );
    let op = bulk::start_tag_mutation(&client, TagChange::Add, items)
        .await
        .unwrap();
    let done = until_final(&client, &op).await;
    assert_eq!(done.status, BulkStatus::Completed, "{done:?}");
    assert_eq!(done.root_object_count, 301);
    let failed = bulk::line_errors(&client, done.url.as_deref().unwrap(), TagChange::Add)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].line, 7);
    assert_eq!(
        failed[0].messages,
        vec!["Customer does not exist".to_string()]
    );
    let numeric = ids[123].rsplit('/').next().unwrap();
    let (_, tags) = t
        .get(&format!("/_sandbox/shops/{SHOP}/customers/{numeric}/tags"))
        .await;
    assert!(
        tags["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("segops:big-spenders"))
    );

    let op = bulk::start_tag_mutation(
        &client,
        TagChange::Remove,
        ids.iter()
            .map(|id| (id.clone(), vec!["segops:big-spenders".to_string()])),
    )
    .await
    .unwrap();
    assert_eq!(
        until_final(&client, &op).await.status,
        BulkStatus::Completed
    );
    let (_, tags) = t
        .get(&format!("/_sandbox/shops/{SHOP}/customers/{numeric}/tags"))
        .await;
    assert!(
        !tags["tags"]
            .as_array()
            .unwrap()
            .contains(&json!("segops:big-spenders"))
    );
}

#[tokio::test]
async fn single_customer_tag_changes_apply_and_refusals_say_why() {
    let t = start().await;
    let client = client(&t).await;
    let (_, c) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/customers"),
            json!({ "email": "grace@example.com" }),
        )
        .await;
    let gid = format!("gid://shopify/Customer/{}", c["id"]);
    let tags = vec!["segops:vip".to_string()];
    customer_tags::tags_add(&client, &gid, &tags).await.unwrap();
    let (_, now) = t
        .get(&format!(
            "/_sandbox/shops/{SHOP}/customers/{}/tags",
            c["id"]
        ))
        .await;
    assert_eq!(now["tags"], json!(["segops:vip"]));
    customer_tags::tags_remove(&client, &gid, &tags)
        .await
        .unwrap();
    let (_, now) = t
        .get(&format!(
            "/_sandbox/shops/{SHOP}/customers/{}/tags",
            c["id"]
        ))
        .await;
    assert_eq!(now["tags"], json!([]));
    let err = customer_tags::tags_add(&client, "gid://shopify/Customer/1", &tags)
        .await
        .unwrap_err();
    assert!(matches!(err, CustomerTagsError::Refused { .. }));
    assert_eq!(
        err.to_string(),
        "Shopify refused to change the tags of gid://shopify/Customer/1: Customer does not exist"
    );
}
