//! Admin GraphQL: tokens, versions, cost extensions, throttling, subscriptions, Shopify-shaped errors.

mod sandbox_support;

use std::time::Duration;

use sandbox_support::start;
use serde_json::{Value, json};

const SHOP: &str = "api.myshopify.com";

#[tokio::test]
async fn graphql_requires_a_live_token_for_that_shop() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let other = t.installed_shop("neighbour.myshopify.com").await;
    let url = format!("{}/store/{SHOP}/admin/api/2026-04/graphql.json", t.base);
    let missing = t
        .http
        .post(&url)
        .json(&json!({ "query": "{ shop { name } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)" })
    );
    assert_eq!(
        t.graphql(SHOP, "shpat_bogus", "{ shop { name } }", json!({}))
            .await
            .0,
        401
    );
    assert_eq!(
        t.graphql(SHOP, &other, "{ shop { name } }", json!({}))
            .await
            .0,
        401
    );
    assert_eq!(
        t.graphql(SHOP, &token, "{ shop { name } }", json!({}))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn api_versions_are_dated_quarters_or_unstable() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    for (version, status) in [
        ("2025-07", 200),
        ("2026-10", 200),
        ("unstable", 200),
        ("2026-05", 404),
        ("latest", 404),
    ] {
        let r = t
            .http
            .post(format!(
                "{}/store/{SHOP}/admin/api/{version}/graphql.json",
                t.base
            ))
            .header("X-Shopify-Access-Token", &token)
            .json(&json!({ "query": "{ shop { id } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), status, "{version}");
    }
}

#[tokio::test]
async fn the_shop_query_answers_with_shopify_fields_and_cost_extensions() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let asked = std::time::Instant::now();
    let (status, body) = t
        .graphql(
            SHOP,
            &token,
            "{ shop { id name email myshopifyDomain currencyCode ianaTimezone plan { displayName partnerDevelopment shopifyPlus } primaryDomain { url host } } }",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let shop = &body["data"]["shop"];
    assert!(
        shop["id"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopify/Shop/")
    );
    assert_eq!(shop["myshopifyDomain"], SHOP);
    assert_eq!(shop["currencyCode"], "USD");
    assert_eq!(shop["primaryDomain"]["host"], SHOP);
    let cost = &body["extensions"]["cost"];
    // shop (1) + plan (1) + primaryDomain (1)
    assert_eq!(cost["requestedQueryCost"], 3);
    assert_eq!(cost["actualQueryCost"], 3);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], json!(2000));
    assert_eq!(cost["throttleStatus"]["restoreRate"], json!(100));
    // The 3 points are spent; the bucket may have restored some while the query ran.
    let restored = (100.0 * asked.elapsed().as_secs_f64()).ceil() as i64;
    let available = cost["throttleStatus"]["currentlyAvailable"]
        .as_i64()
        .unwrap();
    assert!(available <= 1997 + restored, "{available} available");
}

const LIST: &str = "query($first: Int!) { webhookSubscriptions(first: $first) { edges { cursor node { id topic uri } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn a_burst_is_throttled_with_shopifys_exact_shape_and_the_bucket_restores() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let (status, _) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/settings"),
            json!({ "throttle": { "maximum_available": 100, "restore_rate": 50 } }),
        )
        .await;
    assert_eq!(status, 200);
    // 2 + 30 × 1 = 32 points requested; no subscription exists, so only 2 are actually spent.
    let (_, first) = t.graphql(SHOP, &token, LIST, json!({ "first": 30 })).await;
    assert_eq!(first["extensions"]["cost"]["requestedQueryCost"], 32);
    assert_eq!(first["extensions"]["cost"]["actualQueryCost"], 2);
    let mut throttled = None;
    for _ in 0..20 {
        let (status, body) = t
            .graphql(
                SHOP,
                &token,
                "query { webhookSubscriptions(first: 90) { nodes { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        if body["errors"][0]["extensions"]["code"] == "THROTTLED" {
            throttled = Some(body);
            break;
        }
    }
    let body = throttled.expect("a burst of 92-point queries against a 100-point bucket throttles");
    assert!(body.get("data").is_none());
    assert_eq!(
        body["errors"],
        json!([{ "message": "Throttled", "extensions": { "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } }])
    );
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["requestedQueryCost"], 92);
    assert_eq!(cost["actualQueryCost"], Value::Null);
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], json!(100));
    assert_eq!(cost["throttleStatus"]["restoreRate"], json!(50));
    let available = cost["throttleStatus"]["currentlyAvailable"]
        .as_i64()
        .unwrap();
    assert!(available < 92);

    // The bucket leaks back at 50 points/s.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (_, body) = t.graphql(SHOP, &token, "{ shop { id } }", json!({})).await;
        let now = body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"]
            .as_i64()
            .unwrap();
        if now >= 99 && now > available {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "bucket did not restore"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn throttled_responses_can_use_http_429() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/settings"),
        json!({ "throttle": { "maximum_available": 60, "restore_rate": 1, "http_status": 429 } }),
    )
    .await;
    // Mutations cost 10 each: five of them drain 50 of the 60 points.
    for topic in [
        "ORDERS_CREATE",
        "ORDERS_PAID",
        "ORDERS_UPDATED",
        "CUSTOMERS_CREATE",
        "PRODUCTS_CREATE",
    ] {
        let body = t.subscribe(SHOP, &token, topic).await;
        assert_eq!(body["extensions"]["cost"]["actualQueryCost"], 10);
    }
    let r = t
        .http
        .post(format!(
            "{}/store/{SHOP}/admin/api/2026-04/graphql.json",
            t.base
        ))
        .header("X-Shopify-Access-Token", &token)
        .json(&json!({ "query": "{ webhookSubscriptions(first: 10) { nodes { id } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "THROTTLED");
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 12);
    assert_eq!(body["extensions"]["cost"]["actualQueryCost"], Value::Null);
}

#[tokio::test]
async fn a_query_over_1000_points_is_refused_as_max_cost_exceeded() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let (_, under) = t
        .graphql(
            SHOP,
            &token,
            "{ webhookSubscriptions(first: 250) { nodes { id endpoint { __typename } } } }",
            json!({}),
        )
        .await;
    assert_eq!(under["extensions"]["cost"]["requestedQueryCost"], 502);
    let (status, body) = t
        .graphql(SHOP, &token, "{ a: webhookSubscriptions(first: 250) { nodes { id endpoint { __typename } } } b: webhookSubscriptions(first: 250) { nodes { id endpoint { __typename } } } }", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED");
    assert_eq!(body["errors"][0]["extensions"]["cost"], 1004);
    assert_eq!(body["errors"][0]["extensions"]["maxCost"], 1000);
    assert!(
        body["errors"][0]["message"].as_str().unwrap().starts_with(
            "Query cost is 1004, which exceeds the single query max cost limit (1000)."
        )
    );
    assert!(body.get("data").is_none());
}

#[tokio::test]
async fn webhook_subscriptions_are_created_listed_deleted_and_duplicates_refused() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let created = t.subscribe(SHOP, &token, "ORDERS_CREATE").await;
    let payload = &created["data"]["webhookSubscriptionCreate"];
    assert_eq!(payload["userErrors"], json!([]));
    let id = payload["webhookSubscription"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with("gid://shopify/WebhookSubscription/"));
    assert_eq!(created["extensions"]["cost"]["requestedQueryCost"], 10);

    let dup = t.subscribe(SHOP, &token, "ORDERS_CREATE").await;
    assert_eq!(
        dup["data"]["webhookSubscriptionCreate"]["webhookSubscription"],
        Value::Null
    );
    assert_eq!(
        dup["data"]["webhookSubscriptionCreate"]["userErrors"],
        json!([{ "field": ["webhookSubscription", "callbackUrl"], "message": "Address for this topic has already been taken" }])
    );
    t.subscribe(SHOP, &token, "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE")
        .await;

    let (_, list) = t
        .graphql(
            SHOP,
            &token,
            "{ webhookSubscriptions(first: 1) { edges { cursor node { id topic format uri includeFields apiVersion { handle } endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } } } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    let conn = &list["data"]["webhookSubscriptions"];
    assert_eq!(conn["edges"][0]["node"]["topic"], "ORDERS_CREATE");
    assert_eq!(conn["edges"][0]["node"]["format"], "JSON");
    assert_eq!(conn["edges"][0]["node"]["apiVersion"]["handle"], "2026-04");
    assert_eq!(
        conn["edges"][0]["node"]["endpoint"]["__typename"],
        "WebhookHttpEndpoint"
    );
    assert_eq!(conn["pageInfo"]["hasNextPage"], true);
    let after = conn["pageInfo"]["endCursor"].as_str().unwrap();
    let (_, page2) = t
        .graphql(SHOP, &token, "query($after: String) { webhookSubscriptions(first: 5, after: $after) { nodes { topic } pageInfo { hasNextPage } } }", json!({ "after": after }))
        .await;
    assert_eq!(
        page2["data"]["webhookSubscriptions"]["nodes"],
        json!([{ "topic": "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE" }])
    );
    assert_eq!(
        page2["data"]["webhookSubscriptions"]["pageInfo"]["hasNextPage"],
        false
    );

    let (_, filtered) = t
        .graphql(
            SHOP,
            &token,
            "{ webhookSubscriptions(first: 5, topics: [ORDERS_CREATE]) { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        filtered["data"]["webhookSubscriptions"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (_, deleted) = t
        .graphql(SHOP, &token, "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        deleted["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"],
        json!(id)
    );
    let (_, shop) = t.get(&format!("/_sandbox/shops/{SHOP}")).await;
    assert_eq!(shop["webhook_subscriptions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn subscriptions_need_a_valid_address_and_the_topics_scope() {
    let t = start().await;
    t.create_shop(SHOP).await;
    let (_, token) = t.oauth_install(SHOP, "read_products").await;
    let token = token["access_token"].as_str().unwrap();
    let create = "mutation($topic: WebhookSubscriptionTopic!, $uri: String!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri }) { webhookSubscription { id } userErrors { field message } } }";
    let (_, bad) = t
        .graphql(
            SHOP,
            token,
            create,
            json!({ "topic": "PRODUCTS_CREATE", "uri": "not a url" }),
        )
        .await;
    assert_eq!(
        bad["data"]["webhookSubscriptionCreate"]["userErrors"][0]["field"],
        json!(["webhookSubscription", "callbackUrl"])
    );
    let (_, plain) = t
        .graphql(
            SHOP,
            token,
            create,
            json!({ "topic": "PRODUCTS_CREATE", "uri": "http://example.com/hooks" }),
        )
        .await;
    assert_eq!(
        plain["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"],
        "Address protocol http:// is not supported"
    );
    let (_, scope) = t
        .graphql(
            SHOP,
            token,
            create,
            json!({ "topic": "ORDERS_CREATE", "uri": "https://example.com/hooks" }),
        )
        .await;
    assert!(
        scope["data"]["webhookSubscriptionCreate"]["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("read_orders")
    );
    let (_, ok) = t
        .graphql(
            SHOP,
            token,
            create,
            json!({ "topic": "PRODUCTS_CREATE", "uri": "https://example.com/hooks" }),
        )
        .await;
    assert_eq!(
        ok["data"]["webhookSubscriptionCreate"]["userErrors"],
        json!([])
    );
}

#[tokio::test]
async fn invalid_documents_fail_with_shopify_shaped_errors_and_cost_nothing() {
    let t = start().await;
    let token = t.installed_shop(SHOP).await;
    let (status, body) = t
        .graphql(
            SHOP,
            &token,
            "query Broken {\n  shop {\n    id\n",
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["errors"][0]["extensions"]["code"], "PARSE_ERROR");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("syntax error")
    );

    let (_, body) = t
        .graphql(
            SHOP,
            &token,
            "query Unknown {\n  definitelyNotAShopifyQueryRoot {\n    id\n  }\n}\n",
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0],
        json!({
            "message": "Field 'definitelyNotAShopifyQueryRoot' doesn't exist on type 'QueryRoot'",
            "locations": [{ "line": 2, "column": 3 }],
            "path": ["query Unknown", "definitelyNotAShopifyQueryRoot"],
            "extensions": { "code": "undefinedField", "typeName": "QueryRoot", "fieldName": "definitelyNotAShopifyQueryRoot" }
        })
    );
    assert!(body.get("extensions").is_none());

    let (_, body) = t
        .graphql(SHOP, &token, "query Missing {\n  shop\n}\n", json!({}))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "selectionMismatch");
    assert_eq!(
        body["errors"][0]["message"],
        "Field must have selections (field 'shop' returns Shop but has no selections. Did you mean 'shop { ... }'?)"
    );

    let (_, body) = t
        .graphql(
            SHOP,
            &token,
            "mutation Bogus($topic: WebhookSubscriptionTopic!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: \"https://example.com\" }) { userErrors { message } } }",
            json!({ "topic": "NOT_A_REAL_TOPIC" }),
        )
        .await;
    let error = &body["errors"][0];
    assert_eq!(
        error["message"],
        "Variable $topic of type WebhookSubscriptionTopic! was provided invalid value"
    );
    assert_eq!(error["extensions"]["code"], "INVALID_VARIABLE");
    assert_eq!(error["extensions"]["value"], "NOT_A_REAL_TOPIC");
    assert!(
        error["extensions"]["problems"][0]["explanation"]
            .as_str()
            .unwrap()
            .contains("ORDERS_CREATE")
    );

    let (_, body) = t
        .graphql(
            SHOP,
            &token,
            "{ webhookSubscriptions { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        body["errors"][0]["message"],
        "you must provide one of first or last"
    );
}
