//! The app's boundary for native integrations (web pixel, native segments, customer metafields,
//! app discounts), driven through the real Admin API client against a real sandbox.

mod sandbox_support;

use std::collections::BTreeMap;

use sandbox_support::{TestSandbox, start};
use segops::crypto::Secret;
use segops::shopify::admin_api::{AdminApi, ShopClient};
use segops::shopify::app_discounts::{
    self, AppDiscount, AppDiscountError, CombinesWith, DiscountClassName,
};
use segops::shopify::customer_metafields::{
    self, CustomerMetafieldError, TraitDefinition, TraitValue,
};
use segops::shopify::native_segments::{self, NativeSegmentError};
use segops::shopify::{ShopDomain, web_pixel};
use serde_json::json;

const SHOP: &str = "boundary.myshopify.com";
const SCOPES: &str = "read_customers,write_customers,read_orders,read_products,write_pixels,read_customer_events,write_discounts";

async fn client(t: &TestSandbox) -> ShopClient {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    t.create_shop(SHOP).await;
    let (_, token) = t.oauth_install(SHOP, SCOPES).await;
    let token = token["access_token"].as_str().unwrap().to_string();
    let api = AdminApi::new(reqwest::Client::new(), "2026-04".to_owned());
    api.shop(
        &ShopDomain::parse(SHOP).unwrap(),
        &format!("{}/store/{SHOP}", t.base),
        Secret::new(token),
    )
}

async fn customer(t: &TestSandbox, tags: &[&str]) -> u64 {
    let (status, c) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/customers"),
            json!({ "first_name": "Zoe", "tags": tags }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_u64().unwrap()
}

#[tokio::test]
async fn ensuring_the_web_pixel_creates_it_once_then_updates_its_settings() {
    let t = start().await;
    let c = client(&t).await;
    let first = web_pixel::ensure(&c, &BTreeMap::from([("accountID".into(), "ws_1".into())]))
        .await
        .unwrap();
    let second = web_pixel::ensure(&c, &BTreeMap::from([("accountID".into(), "ws_2".into())]))
        .await
        .unwrap();
    assert_eq!(first, second);
    let (_, pixel) = t.get(&format!("/_sandbox/shops/{SHOP}/web_pixel")).await;
    assert_eq!(pixel["settings"], json!({ "accountID": "ws_2" }));
}

#[tokio::test]
async fn native_segments_are_ensured_by_name_counted_and_deleted() {
    let t = start().await;
    let c = client(&t).await;
    customer(&t, &["segops:vip"]).await;
    customer(&t, &["segops:vip"]).await;
    customer(&t, &[]).await;

    let created = native_segments::ensure(&c, "SegOps: VIP", "customer_tags CONTAINS 'segops:vip'")
        .await
        .unwrap();
    assert_eq!(
        native_segments::member_count(&c, &created.id)
            .await
            .unwrap(),
        2
    );
    let again =
        native_segments::ensure(&c, "SegOps: VIP", "customer_tags NOT CONTAINS 'segops:vip'")
            .await
            .unwrap();
    assert_eq!(
        again, created,
        "the same segment is updated, not duplicated"
    );
    assert_eq!(
        native_segments::member_count(&c, &created.id)
            .await
            .unwrap(),
        1
    );
    let (_, listed) = t.get(&format!("/_sandbox/shops/{SHOP}/segments")).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    match native_segments::ensure(&c, "Broken", "not a valid segment query ???").await {
        Err(NativeSegmentError::Rejected(messages)) => assert_eq!(
            messages,
            vec![
                "Query Line 1 Column 6: 'valid' is unexpected.",
                "Query Line 1 Column 4: 'a' filter cannot be found."
            ]
        ),
        other => panic!("expected Shopify's query errors, got {other:?}"),
    }

    assert_eq!(
        native_segments::delete(&c, &created.id).await.unwrap(),
        created.id
    );
    assert!(matches!(
        native_segments::delete(&c, &created.id).await,
        Err(NativeSegmentError::Rejected(m)) if m == vec!["Segment does not exist"]
    ));
}

#[tokio::test]
async fn traits_are_written_as_customer_metafields_in_batches_and_segments_filter_on_them() {
    let t = start().await;
    let c = client(&t).await;
    let definition = TraitDefinition {
        namespace: "segops".into(),
        key: "orders_90d".into(),
        name: "Orders in the last 90 days".into(),
        type_name: "number_integer".into(),
        description: Some("Written by SegOps".into()),
    };
    assert!(
        customer_metafields::ensure_definition(&c, &definition)
            .await
            .unwrap()
    );
    assert!(
        !customer_metafields::ensure_definition(&c, &definition)
            .await
            .unwrap(),
        "already there"
    );

    let mut values = Vec::new();
    for i in 0..30u64 {
        let id = customer(&t, &[]).await;
        values.push(TraitValue {
            customer_id: format!("gid://shopify/Customer/{id}"),
            value: (i % 3).to_string(),
        });
    }
    let written =
        customer_metafields::set_values(&c, "segops", "orders_90d", "number_integer", &values)
            .await
            .unwrap();
    assert_eq!(written, 30);
    let segment = native_segments::ensure(&c, "Repeat buyers", "metafields.segops.orders_90d >= 2")
        .await
        .unwrap();
    assert_eq!(
        native_segments::member_count(&c, &segment.id)
            .await
            .unwrap(),
        10
    );

    values[27].value = "lots".into();
    match customer_metafields::set_values(&c, "segops", "orders_90d", "number_integer", &values)
        .await
    {
        Err(CustomerMetafieldError::ValuesRejected { written, errors }) => {
            assert_eq!(written, 25, "the first batch went through");
            assert_eq!(errors.len(), 1);
            assert_eq!(
                errors[0].customer_id.as_deref(),
                Some(values[27].customer_id.as_str())
            );
            assert_eq!(errors[0].message, "Value must be an integer.");
        }
        other => panic!("expected a rejected value, got {other:?}"),
    }
}

#[tokio::test]
async fn the_discount_function_is_found_and_its_automatic_discount_created_then_updated() {
    let t = start().await;
    let c = client(&t).await;
    let function_id = app_discounts::function_id(&c, "segops-discount")
        .await
        .unwrap();
    assert!(matches!(
        app_discounts::function_id(&c, "other-function").await,
        Err(AppDiscountError::FunctionNotDeployed(_))
    ));
    let mut discount = AppDiscount {
        title: "VIP members 10% off".into(),
        function_id: function_id.clone(),
        starts_at: "2026-01-01T00:00:00Z".into(),
        ends_at: None,
        combines_with: CombinesWith {
            order_discounts: true,
            ..Default::default()
        },
        classes: vec![DiscountClassName::Product],
        config_namespace: "$app:segops-discount".into(),
        config_key: "function-configuration".into(),
        configuration: json!({ "tags": ["segops:vip"], "percentage": "10" }),
    };
    let id = app_discounts::ensure(&c, None, &discount).await.unwrap();
    discount.title = "VIP members 15% off".into();
    discount.configuration = json!({ "tags": ["segops:vip"], "percentage": "15" });
    assert_eq!(
        app_discounts::ensure(&c, Some(&id), &discount)
            .await
            .unwrap(),
        id
    );
    let config =
        app_discounts::configuration(&c, &id, "$app:segops-discount", "function-configuration")
            .await
            .unwrap();
    assert_eq!(
        config,
        Some(json!({ "tags": ["segops:vip"], "percentage": "15" }))
    );
    let (_, listed) = t.get(&format!("/_sandbox/shops/{SHOP}/discounts")).await;
    assert_eq!(listed[0]["title"], "VIP members 15% off");

    discount.function_id = "00000000-0000-0000-0000-000000000000".into();
    match app_discounts::ensure(&c, None, &discount).await {
        Err(AppDiscountError::Rejected(messages)) => {
            assert!(messages[0].contains("not found"), "{messages:?}")
        }
        other => panic!("expected Shopify's userError, got {other:?}"),
    }
}
