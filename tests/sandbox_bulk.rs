//! Customers, orders, tags and bulk operations in the sandbox behave as Shopify documents them.

mod sandbox_support;

use sandbox_support::{TestSandbox, eventually, start};
use serde_json::{Value, json};

const SHOP: &str = "bulk.myshopify.com";
const SCOPES: &str = "read_customers,write_customers,read_orders,read_products";

async fn installed(t: &TestSandbox) -> String {
    t.create_shop(SHOP).await;
    let (_, token) = t.oauth_install(SHOP, SCOPES).await;
    token["access_token"].as_str().unwrap().to_string()
}

async fn seed(t: &TestSandbox, customers: usize, orders: usize) {
    let (status, body) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/seed"),
            json!({ "customers": customers, "products": 10, "orders": orders, "days": 120 }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

const RUN_QUERY: &str = "mutation($q: String!) { bulkOperationRunQuery(query: $q) {
    bulkOperation { id status } userErrors { field message code } } }";
const POLL: &str = "query($id: ID!) { node(id: $id) { ... on BulkOperation {
    id status errorCode objectCount rootObjectCount fileSize url partialDataUrl type } } }";

async fn run_query(t: &TestSandbox, token: &str, q: &str) -> Value {
    let (_, body) = t.graphql(SHOP, token, RUN_QUERY, json!({ "q": q })).await;
    body
}

async fn finished(t: &TestSandbox, token: &str, id: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..500 {
        let (_, body) = t.graphql(SHOP, token, POLL, json!({ "id": id })).await;
        last = body["data"]["node"].clone();
        if ["COMPLETED", "FAILED", "CANCELED"].contains(&last["status"].as_str().unwrap_or("")) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("bulk operation never finished: {last}");
}

#[tokio::test]
async fn customers_and_orders_page_with_shopify_fields_and_date_search() {
    let t = start().await;
    let token = installed(&t).await;
    seed(&t, 30, 60).await;
    let (_, body) = t
        .graphql(
            SHOP,
            &token,
            "{ customers(first: 5) { edges { cursor node { id email state tags verifiedEmail createdAt
                 defaultAddress { countryCodeV2 } emailMarketingConsent { marketingState marketingOptInLevel consentUpdatedAt }
                 amountSpent { amount currencyCode } numberOfOrders } } pageInfo { hasNextPage endCursor } } }",
            json!({}),
        )
        .await;
    let page = &body["data"]["customers"];
    assert_eq!(page["edges"].as_array().unwrap().len(), 5, "{body}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let node = &page["edges"][0]["node"];
    assert!(
        node["id"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopify/Customer/")
    );
    assert!(
        node["numberOfOrders"].is_string(),
        "UnsignedInt64 is a string"
    );
    assert!(["ENABLED", "DISABLED"].contains(&node["state"].as_str().unwrap()));
    // connection cost: 2 + 5 × (1 customer + 1 address + 1 consent + 1 money)
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 22);

    let since = (time::OffsetDateTime::now_utc() - time::Duration::days(30)).date();
    let (_, all) = t
        .graphql(
            SHOP,
            &token,
            "{ orders(first: 250) { nodes { id createdAt } } }",
            json!({}),
        )
        .await;
    let (_, recent) = t
        .graphql(
            SHOP,
            &token,
            "query($q: String) { orders(first: 250, query: $q) { nodes { id createdAt } } }",
            json!({ "q": format!("created_at:>={since}") }),
        )
        .await;
    let all = all["data"]["orders"]["nodes"].as_array().unwrap().len();
    let recent = recent["data"]["orders"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        !recent.is_empty() && recent.len() < all,
        "{} of {all}",
        recent.len()
    );
    let cutoff = format!("{since}T00:00:00Z");
    assert!(
        recent
            .iter()
            .all(|o| o["createdAt"].as_str().unwrap() >= cutoff.as_str())
    );
    let (_, full) = t
        .graphql(
            SHOP,
            &token,
            "{ orders(first: 10) { nodes { id name customer { id }
                totalPriceSet { shopMoney { amount currencyCode } } displayFinancialStatus displayFulfillmentStatus
                lineItems(first: 5) { nodes { id quantity sku variant { id } originalUnitPriceSet { shopMoney { amount } } } }
                refunds { id totalRefundedSet { shopMoney { amount } } refundLineItems(first: 5) { nodes { quantity lineItem { id } } } } } } }",
            json!({}),
        )
        .await;
    let recent = full["data"]["orders"]["nodes"]
        .as_array()
        .expect("orders page")
        .clone();
    assert!(
        recent
            .iter()
            .all(|o| !o["lineItems"]["nodes"].as_array().unwrap().is_empty())
    );
}

#[tokio::test]
async fn tags_add_and_remove_change_the_customer_and_send_customers_update() {
    let t = start().await;
    let token = installed(&t).await;
    t.subscribe(SHOP, &token, "CUSTOMERS_UPDATE").await;
    let (_, c) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/customers"),
            json!({ "email": "ada@example.com", "tags": ["Red"] }),
        )
        .await;
    let gid = format!("gid://shopify/Customer/{}", c["id"]);
    let add = "mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }";
    let (_, body) = t
        .graphql(
            SHOP,
            &token,
            add,
            json!({ "id": gid, "tags": ["segops:vip, segops:loyal", "red"] }),
        )
        .await;
    assert_eq!(body["data"]["tagsAdd"]["node"]["id"], gid);
    assert_eq!(body["extensions"]["cost"]["requestedQueryCost"], 10);
    let (_, tags) = t
        .get(&format!(
            "/_sandbox/shops/{SHOP}/customers/{}/tags",
            c["id"]
        ))
        .await;
    assert_eq!(tags["tags"], json!(["Red", "segops:loyal", "segops:vip"]));
    eventually(5, "customers/update delivered", || {
        (!t.receiver.for_topic("customers/update").is_empty()).then_some(())
    })
    .await;
    let remove = "mutation($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }";
    t.graphql(
        SHOP,
        &token,
        remove,
        json!({ "id": gid, "tags": ["SEGOPS:VIP"] }),
    )
    .await;
    let (_, tags) = t
        .get(&format!(
            "/_sandbox/shops/{SHOP}/customers/{}/tags",
            c["id"]
        ))
        .await;
    assert_eq!(tags["tags"], json!(["Red", "segops:loyal"]));
    let (_, missing) = t
        .graphql(
            SHOP,
            &token,
            add,
            json!({ "id": "gid://shopify/Customer/1", "tags": ["x"] }),
        )
        .await;
    assert_eq!(
        missing["data"]["tagsAdd"],
        json!({ "node": null, "userErrors": [{ "field": ["id"], "message": "Customer does not exist" }] })
    );
}

#[tokio::test]
async fn a_bulk_query_writes_shopify_jsonl_and_delivers_the_finish_webhook() {
    let t = start().await;
    let token = installed(&t).await;
    t.subscribe(SHOP, &token, "BULK_OPERATIONS_FINISH").await;
    seed(&t, 50, 400).await;
    let q = "{ orders { edges { node { id name customer { id } lineItems { edges { node { id quantity } } } } } } }";
    // Held paused so the second run meets the first still in progress.
    t.post(
        &format!("/_sandbox/shops/{SHOP}/bulk_operations/pause"),
        json!({}),
    )
    .await;
    let started = run_query(&t, &token, q).await;
    let op = &started["data"]["bulkOperationRunQuery"]["bulkOperation"];
    assert_eq!(op["status"], "CREATED", "{started}");
    let id = op["id"].as_str().unwrap().to_string();
    let again = run_query(&t, &token, q).await;
    let err = &again["data"]["bulkOperationRunQuery"]["userErrors"][0];
    assert_eq!(err["code"], "OPERATION_IN_PROGRESS");
    assert_eq!(
        err["message"],
        format!("A bulk query operation for this app and shop is already in progress: {id}.")
    );
    t.post(
        &format!("/_sandbox/shops/{SHOP}/bulk_operations/resume"),
        json!({}),
    )
    .await;
    let done = finished(&t, &token, &id).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["rootObjectCount"], "400");
    let file = t
        .http
        .get(done["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(done["fileSize"], file.len().to_string());
    let lines: Vec<Value> = file
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(done["objectCount"], lines.len().to_string());
    assert!(
        file.contains(r"gid:\/\/shopify\/Order\/"),
        "slashes are escaped as Shopify writes them"
    );
    let mut parent: Option<String> = None;
    for line in &lines {
        match line.get("__parentId") {
            None => {
                assert!(line["id"].as_str().unwrap().contains("/Order/"));
                assert!(
                    line.get("lineItems").is_none(),
                    "children are their own lines"
                );
                parent = line["id"].as_str().map(str::to_string);
            }
            Some(p) => {
                assert_eq!(p.as_str(), parent.as_deref(), "a child follows its parent");
                assert!(line["id"].as_str().unwrap().contains("/LineItem/"));
            }
        }
    }
    let hook = eventually(5, "bulk_operations/finish", || {
        t.receiver
            .for_topic("bulk_operations/finish")
            .into_iter()
            .next()
    })
    .await;
    let body = hook.json();
    assert_eq!(body["admin_graphql_api_id"], id);
    assert_eq!(body["status"], "completed");
    assert_eq!(body["type"], "query");
    assert_eq!(body["error_code"], Value::Null);
    assert_eq!(
        hook.header("x-shopify-hmac-sha256"),
        segops::sandbox::signing::webhook_hmac(sandbox_support::API_SECRET, &hook.body)
    );
    let (_, current) = t
        .graphql(
            SHOP,
            &token,
            "{ currentBulkOperation { id status } }",
            json!({}),
        )
        .await;
    assert_eq!(current["data"]["currentBulkOperation"]["id"], id);
}

#[tokio::test]
async fn bulk_queries_shopify_refuses_get_its_user_errors() {
    let t = start().await;
    let token = installed(&t).await;
    let cases = [
        (
            "{ orders { nodes { id } } }",
            "Selecting via 'nodes' is not supported",
        ),
        (
            "{ shop { id } }",
            "Bulk queries must contain at least one connection.",
        ),
        (
            "",
            "Invalid bulk query: syntax error, unexpected end of file",
        ),
        (
            "{ orders { edges { node { name lineItems { edges { node { id } } } } } } }",
            "Connection fields without 'id': orders.",
        ),
        (
            "{ orders { edges { node { id refunds { refundLineItems { edges { node { quantity } } } } } } } }",
            "connection field within a list field",
        ),
        ("{ orders { edges { node { id bogus } } } }", "bogus"),
    ];
    for (query, expected) in cases {
        let body = run_query(&t, &token, query).await;
        let payload = &body["data"]["bulkOperationRunQuery"];
        assert_eq!(payload["bulkOperation"], Value::Null, "{query}");
        let messages = payload["userErrors"].to_string();
        assert!(messages.contains(expected), "{query}: {messages}");
        assert_eq!(payload["userErrors"][0]["code"], "INVALID");
    }
}

#[tokio::test]
async fn paused_operations_wait_and_a_forced_failure_keeps_partial_data() {
    let t = start().await;
    let token = installed(&t).await;
    t.subscribe(SHOP, &token, "BULK_OPERATIONS_FINISH").await;
    seed(&t, 600, 0).await;
    t.post(
        &format!("/_sandbox/shops/{SHOP}/bulk_operations/pause"),
        json!({}),
    )
    .await;
    let started = run_query(&t, &token, "{ customers { edges { node { id email } } } }").await;
    let id = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, polled) = t.graphql(SHOP, &token, POLL, json!({ "id": id })).await;
    assert_eq!(polled["data"]["node"]["status"], "CREATED");
    t.post(
        &format!("/_sandbox/shops/{SHOP}/bulk_operations/resume"),
        json!({}),
    )
    .await;
    assert_eq!(finished(&t, &token, &id).await["status"], "COMPLETED");

    let (status, _) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/bulk_operations/fail_next"),
            json!({ "error_code": "INTERNAL_SERVER_ERROR" }),
        )
        .await;
    assert_eq!(status, 200);
    let started = run_query(&t, &token, "{ customers { edges { node { id } } } }").await;
    let failed_id = started["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let failed = finished(&t, &token, &failed_id).await;
    assert_eq!(failed["status"], "FAILED");
    assert_eq!(failed["errorCode"], "INTERNAL_SERVER_ERROR");
    assert!(failed["partialDataUrl"].is_string() && failed["url"].is_null());
    let hook = eventually(5, "failure webhook", || {
        t.receiver
            .for_topic("bulk_operations/finish")
            .into_iter()
            .find(|r| r.json()["admin_graphql_api_id"] == failed_id)
    })
    .await;
    assert_eq!(hook.json()["error_code"], "internal_server_error");
    assert_eq!(hook.json()["status"], "failed");
}

#[tokio::test]
async fn seeding_thousands_of_records_is_quick_and_silent() {
    let t = start().await;
    let token = installed(&t).await;
    t.subscribe(SHOP, &token, "ORDERS_CREATE").await;
    let began = std::time::Instant::now();
    seed(&t, 2000, 4000).await;
    assert!(
        began.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
    let (_, body) = t
        .graphql(
            SHOP,
            &token,
            "{ orders(first: 1, sortKey: CREATED_AT) { nodes { createdAt } } }",
            json!({}),
        )
        .await;
    let oldest = body["data"]["orders"]["nodes"][0]["createdAt"]
        .as_str()
        .unwrap()
        .to_string();
    let cutoff = (time::OffsetDateTime::now_utc() - time::Duration::days(100))
        .date()
        .to_string();
    assert!(oldest < cutoff, "history reaches past 100 days: {oldest}");
    assert!(t.deliveries(SHOP).await.is_empty());
}
