//! The sandbox's native integrations, as Shopify documents them: the web pixel, customer segments
//! and their query language, customer metafields, and automatic app discounts.

mod sandbox_support;

use sandbox_support::{TestSandbox, start};
use serde_json::{Value, json};

const SHOP: &str = "native.myshopify.com";
const SCOPES: &str = "read_customers,write_customers,read_orders,read_products,write_pixels,read_customer_events,write_discounts";

async fn shop_with_scopes(t: &TestSandbox, shop: &str, scopes: &str) -> String {
    t.create_shop(shop).await;
    let (_, token) = t.oauth_install(shop, scopes).await;
    token["access_token"].as_str().unwrap().to_string()
}

async fn gql(t: &TestSandbox, token: &str, query: &str, variables: Value) -> Value {
    let (status, body) = t.graphql(SHOP, token, query, variables).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn customer(t: &TestSandbox, body: Value) -> u64 {
    let (status, c) = t
        .post(&format!("/_sandbox/shops/{SHOP}/customers"), body)
        .await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_u64().unwrap()
}

async fn order(t: &TestSandbox, customer: u64, variant: u64, quantity: u64) {
    let (status, o) = t
        .post(
            &format!("/_sandbox/shops/{SHOP}/orders"),
            json!({ "customer_id": customer, "line_items": [{ "variant_id": variant, "quantity": quantity }] }),
        )
        .await;
    assert_eq!(status, 201, "{o}");
}

const PIXEL_CREATE: &str = "mutation($settings: JSON!) { webPixelCreate(webPixel: { settings: $settings }) { webPixel { id settings } userErrors { code field message } } }";
const PIXEL_UPDATE: &str = "mutation($id: ID!, $settings: JSON!) { webPixelUpdate(id: $id, webPixel: { settings: $settings }) { webPixel { id settings } userErrors { code field message } } }";

#[tokio::test]
async fn an_app_has_one_web_pixel_whose_settings_are_a_json_object_of_strings() {
    let t = start().await;
    let token = shop_with_scopes(&t, SHOP, SCOPES).await;
    let created = gql(
        &t,
        &token,
        PIXEL_CREATE,
        json!({ "settings": "{\"accountID\":\"234\"}" }),
    )
    .await;
    let pixel = &created["data"]["webPixelCreate"]["webPixel"];
    assert_eq!(pixel["settings"], "{\"accountID\":\"234\"}", "{created}");
    let id = pixel["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("gid://shopify/WebPixel/"));
    assert_eq!(created["extensions"]["cost"]["requestedQueryCost"], 10);

    let again = gql(
        &t,
        &token,
        PIXEL_CREATE,
        json!({ "settings": { "accountID": "9" } }),
    )
    .await;
    assert_eq!(again["data"]["webPixelCreate"]["webPixel"], Value::Null);
    assert_eq!(
        again["data"]["webPixelCreate"]["userErrors"][0]["code"],
        "TAKEN"
    );

    for (bad, code) in [
        (json!("{not json"), "INVALID_CONFIGURATION_JSON"),
        (json!("[1,2]"), "INVALID_SETTINGS"),
        (json!({ "accountID": 234 }), "INVALID_SETTINGS"),
    ] {
        let r = gql(
            &t,
            &token,
            PIXEL_UPDATE,
            json!({ "id": id, "settings": bad }),
        )
        .await;
        assert_eq!(
            r["data"]["webPixelUpdate"]["userErrors"][0]["code"], code,
            "{r}"
        );
    }
    let updated = gql(
        &t,
        &token,
        PIXEL_UPDATE,
        json!({ "id": id, "settings": { "accountID": "567" } }),
    )
    .await;
    assert_eq!(updated["data"]["webPixelUpdate"]["userErrors"], json!([]));
    let read = gql(&t, &token, "{ webPixel { id settings } }", json!({})).await;
    assert_eq!(read["data"]["webPixel"]["id"], id.as_str());
    let (status, control) = t.get(&format!("/_sandbox/shops/{SHOP}/web_pixel")).await;
    assert_eq!(status, 200);
    assert_eq!(control["settings"], json!({ "accountID": "567" }));
}

#[tokio::test]
async fn pixel_and_segment_fields_need_their_access_scopes() {
    let t = start().await;
    let token = shop_with_scopes(&t, SHOP, "read_customers").await;
    let r = gql(&t, &token, PIXEL_CREATE, json!({ "settings": {} })).await;
    assert_eq!(r["data"]["webPixelCreate"], Value::Null);
    assert_eq!(r["errors"][0]["extensions"]["code"], "ACCESS_DENIED", "{r}");
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`write_pixels`")
    );
    let r = gql(&t, &token, "mutation { segmentCreate(name: \"x\", query: \"number_of_orders > 0\") { segment { id } } }", json!({})).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "ACCESS_DENIED", "{r}");
}

const SEGMENT_CREATE: &str = "mutation($name: String!, $query: String!) { segmentCreate(name: $name, query: $query) { segment { id name query creationDate lastEditDate } userErrors { field message } } }";

#[tokio::test]
async fn segments_are_validated_named_and_read_back_as_shopify_does() {
    let t = start().await;
    let token = shop_with_scopes(&t, SHOP, SCOPES).await;
    let r = gql(
        &t,
        &token,
        SEGMENT_CREATE,
        json!({ "name": "", "query": "" }),
    )
    .await;
    assert_eq!(
        r["data"]["segmentCreate"]["userErrors"],
        json!([{ "field": ["name"], "message": "Name can't be blank" }, { "field": ["query"], "message": "Query can't be blank" }])
    );
    let r = gql(
        &t,
        &token,
        SEGMENT_CREATE,
        json!({ "name": "Bad", "query": "not a valid segment query ???" }),
    )
    .await;
    assert_eq!(
        r["data"]["segmentCreate"]["userErrors"],
        json!([
            { "field": ["query"], "message": "Query Line 1 Column 6: 'valid' is unexpected." },
            { "field": ["query"], "message": "Query Line 1 Column 4: 'a' filter cannot be found." }
        ])
    );
    let first = gql(
        &t,
        &token,
        SEGMENT_CREATE,
        json!({ "name": "VIP (1)", "query": "amount_spent > 100.50" }),
    )
    .await;
    let seg = &first["data"]["segmentCreate"]["segment"];
    let id = seg["id"].as_str().unwrap().to_string();
    assert_eq!(seg["query"], "amount_spent > 100.50");
    let twin = gql(
        &t,
        &token,
        SEGMENT_CREATE,
        json!({ "name": "VIP (1)", "query": "amount_spent > 1" }),
    )
    .await;
    assert_eq!(twin["data"]["segmentCreate"]["segment"]["name"], "VIP (2)");

    let r = gql(&t, &token, "mutation($id: ID!) { segmentUpdate(id: $id) { segment { id } userErrors { field message } } }", json!({ "id": id })).await;
    assert_eq!(
        r["data"]["segmentUpdate"]["userErrors"][0]["message"],
        "At least one attribute to change must be present"
    );
    let r = gql(&t, &token, "mutation($id: ID!, $q: String) { segmentUpdate(id: $id, query: $q) { segment { query } userErrors { field message } } }", json!({ "id": id, "q": "number_of_orders >= 2" })).await;
    assert_eq!(
        r["data"]["segmentUpdate"]["segment"]["query"],
        "number_of_orders >= 2"
    );

    let listed = gql(&t, &token, "query($q: String) { segments(first: 10, query: $q) { nodes { id name } pageInfo { hasNextPage } } }", json!({ "q": "name:\"VIP (2)\"" })).await;
    assert_eq!(
        listed["data"]["segments"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "{listed}"
    );
    assert_eq!(listed["extensions"]["cost"]["requestedQueryCost"], 12);

    let missing = gql(
        &t,
        &token,
        "{ segment(id: \"gid://shopify/Segment/1\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(missing["data"]["segment"], Value::Null);
    assert_eq!(missing["errors"][0]["message"], "Segment does not exist");
    assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");

    let deleted = gql(&t, &token, "mutation($id: ID!) { segmentDelete(id: $id) { deletedSegmentId userErrors { field message } } }", json!({ "id": id })).await;
    assert_eq!(
        deleted["data"]["segmentDelete"]["deletedSegmentId"],
        id.as_str()
    );
    let again = gql(&t, &token, "mutation($id: ID!) { segmentDelete(id: $id) { deletedSegmentId userErrors { field message } } }", json!({ "id": id })).await;
    assert_eq!(
        again["data"]["segmentDelete"]["userErrors"],
        json!([{ "field": ["id"], "message": "Segment does not exist" }])
    );
}

const MEMBERS: &str = "query($q: String, $s: ID) { customerSegmentMembers(query: $q, segmentId: $s, first: 50) { totalCount edges { node { id displayName } } } }";

async fn count(t: &TestSandbox, token: &str, query: &str) -> i64 {
    let r = gql(t, token, MEMBERS, json!({ "q": query })).await;
    r["data"]["customerSegmentMembers"]["totalCount"]
        .as_i64()
        .unwrap_or_else(|| panic!("{query}: {r}"))
}

#[tokio::test]
async fn segment_queries_select_customers_by_orders_tags_countries_consent_dates_and_metafields() {
    let t = start().await;
    let token = shop_with_scopes(&t, SHOP, SCOPES).await;
    let (_, variant) = t.product_with_variant(SHOP).await;
    let big = customer(&t, json!({ "first_name": "Ava", "email": "ava@example.com", "tags": ["VIP"],
        "email_marketing_consent": "subscribed", "address": { "country_code": "US", "country": "United States" } })).await;
    let small = customer(
        &t,
        json!({ "first_name": "Liam", "email": "liam@example.com", "tags": ["wholesale"],
        "sms_marketing_consent": "subscribed" }),
    )
    .await;
    let _none = customer(
        &t,
        json!({ "first_name": "Noah", "email": "noah@example.com" }),
    )
    .await;
    order(&t, big, variant, 3).await;
    order(&t, big, variant, 1).await;
    order(&t, small, variant, 1).await;

    let def = gql(&t, &token, "mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { createdDefinition { id namespace key type { name } } userErrors { code field message } } }",
        json!({ "d": { "name": "Engagement", "namespace": "segops", "key": "engagement", "type": "number_decimal", "ownerType": "CUSTOMER" } })).await;
    assert_eq!(
        def["data"]["metafieldDefinitionCreate"]["createdDefinition"]["type"]["name"],
        "number_decimal",
        "{def}"
    );
    let set = gql(&t, &token, "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key value } userErrors { code field message } } }",
        json!({ "m": [{ "ownerId": format!("gid://shopify/Customer/{small}"), "namespace": "segops", "key": "engagement", "type": "number_decimal", "value": "0.9" }] })).await;
    assert_eq!(
        set["data"]["metafieldsSet"]["userErrors"],
        json!([]),
        "{set}"
    );

    for (query, expected) in [
        ("number_of_orders >= 1", 2),
        ("number_of_orders = 0", 1),
        ("amount_spent > 100", 1),
        (
            "amount_spent > 100 OR customer_tags CONTAINS 'wholesale'",
            2,
        ),
        ("customer_countries CONTAINS 'US'", 1),
        ("customer_tags CONTAINS 'vip'", 1),
        ("customer_tags NOT CONTAINS 'VIP'", 2),
        ("email_subscription_status = 'SUBSCRIBED'", 1),
        ("sms_subscription_status = 'SUBSCRIBED'", 1),
        ("email_subscription_status = 'NOT_SUBSCRIBED'", 2),
        ("last_order_date > -30d", 2),
        ("last_order_date IS NULL", 1),
        (
            "customer_added_date > 2020-01-01 AND customer_added_date BETWEEN -7d AND -0d",
            3,
        ),
        ("metafields.segops.engagement >= 0.5", 1),
        ("NOT (number_of_orders >= 1 AND amount_spent < 100)", 2),
    ] {
        assert_eq!(count(&t, &token, query).await, expected, "{query}");
    }

    let r = gql(
        &t,
        &token,
        MEMBERS,
        json!({ "q": "metafields.segops.unknown = 1" }),
    )
    .await;
    assert_eq!(
        r["errors"][0]["message"],
        "Line 1 Column 0: 'metafields.segops.unknown' filter cannot be found.",
        "{r}"
    );
    let r = gql(&t, &token, MEMBERS, json!({ "q": "amount_spent >" })).await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Line 1 Column 14:"),
        "{r}"
    );

    let seg = gql(
        &t,
        &token,
        SEGMENT_CREATE,
        json!({ "name": "Big spenders", "query": "amount_spent > 100" }),
    )
    .await;
    let id = seg["data"]["segmentCreate"]["segment"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = gql(&t, &token, MEMBERS, json!({ "s": id })).await;
    assert_eq!(r["data"]["customerSegmentMembers"]["totalCount"], 1);
    assert_eq!(
        r["data"]["customerSegmentMembers"]["edges"][0]["node"]["displayName"],
        "Ava"
    );
    let both = gql(
        &t,
        &token,
        MEMBERS,
        json!({ "s": id, "q": "number_of_orders > 0" }),
    )
    .await;
    assert_eq!(
        both["errors"][0]["message"],
        "Providing both segment_id and query is not supported."
    );
}

const SET: &str = "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key type value } userErrors { code field message } } }";

#[tokio::test]
async fn metafield_definitions_are_unique_and_values_are_typed_and_limited_to_25_per_call() {
    let t = start().await;
    let token = shop_with_scopes(&t, SHOP, SCOPES).await;
    let c = customer(
        &t,
        json!({ "first_name": "Mia", "email": "mia@example.com" }),
    )
    .await;
    let owner = format!("gid://shopify/Customer/{c}");
    let define = "mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) { createdDefinition { id } userErrors { code field message } } }";
    let d = json!({ "d": { "name": "Churn risk", "namespace": "segops", "key": "churn_risk", "type": "boolean", "ownerType": "CUSTOMER", "description": "From SegOps" } });
    let first = gql(&t, &token, define, d.clone()).await;
    assert!(
        first["data"]["metafieldDefinitionCreate"]["createdDefinition"]["id"]
            .as_str()
            .unwrap()
            .starts_with("gid://shopify/MetafieldDefinition/")
    );
    let again = gql(&t, &token, define, d).await;
    let e = &again["data"]["metafieldDefinitionCreate"]["userErrors"][0];
    assert_eq!(e["code"], "TAKEN");
    assert_eq!(e["field"], json!(["definition", "key"]));

    for (ty, value, message) in [
        (
            "number_integer",
            "not a number",
            "Value must be an integer.",
        ),
        (
            "number_decimal",
            "10000000000000.1",
            "Value can't exceed 9999999999999.",
        ),
        ("boolean", "yes", "Value must be true or false."),
        (
            "single_line_text_field",
            "Line\nBreak",
            "Value must be a single line text string.",
        ),
        (
            "date_time",
            "tomorrow",
            "Value must be in \u{201c}YYYY-MM-DDTHH:MM:SS\u{201d} format. For example: 2022-06-01T15:30:00",
        ),
    ] {
        let r = gql(&t, &token, SET, json!({ "m": [{ "ownerId": owner, "namespace": "segops", "key": "trait_x", "type": ty, "value": value }] })).await;
        let e = &r["data"]["metafieldsSet"]["userErrors"][0];
        assert_eq!(e["message"], message, "{ty}");
        assert_eq!(e["code"], "INVALID_VALUE");
        assert_eq!(e["field"], json!(["metafields", "0", "value"]));
    }
    let r = gql(&t, &token, SET, json!({ "m": [{ "ownerId": owner, "namespace": "segops", "key": "churn_risk", "type": "number_integer", "value": "1" }] })).await;
    assert_eq!(
        r["data"]["metafieldsSet"]["userErrors"][0]["code"], "INVALID_TYPE",
        "{r}"
    );
    let ok = gql(&t, &token, SET, json!({ "m": [
        { "ownerId": owner, "namespace": "segops", "key": "churn_risk", "value": "true" },
        { "ownerId": owner, "namespace": "segops", "key": "last_seen", "type": "date_time", "value": "2026-06-01T15:30:00Z" },
        { "ownerId": owner, "namespace": "segops", "key": "orders_90d", "type": "number_integer", "value": "4" }
    ] })).await;
    assert_eq!(ok["data"]["metafieldsSet"]["userErrors"], json!([]), "{ok}");
    assert_eq!(
        ok["data"]["metafieldsSet"]["metafields"][0]["type"],
        "boolean"
    );

    let many: Vec<Value> = (0..26).map(|i| json!({ "ownerId": owner, "namespace": "segops", "key": format!("k{i:02}"), "type": "number_integer", "value": "1" })).collect();
    let r = gql(&t, &token, SET, json!({ "m": many })).await;
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "MAX_INPUT_SIZE_EXCEEDED",
        "{r}"
    );

    let (_, stored) = t
        .get(&format!("/_sandbox/shops/{SHOP}/customers/{c}/metafields"))
        .await;
    let keys: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["churn_risk", "last_seen", "orders_90d"]);
}

const DISCOUNT_CREATE: &str = "mutation($d: DiscountAutomaticAppInput!) { discountAutomaticAppCreate(automaticAppDiscount: $d) { automaticAppDiscount { discountId title status discountClasses combinesWith { orderDiscounts } } userErrors { code field message } } }";

#[tokio::test]
async fn automatic_app_discounts_run_the_apps_function_with_a_json_configuration() {
    let t = start().await;
    let token = shop_with_scopes(&t, SHOP, SCOPES).await;
    let functions = gql(&t, &token, "{ shopifyFunctions(first: 10, apiType: \"discount\") { nodes { id handle apiType title } } }", json!({})).await;
    let f = &functions["data"]["shopifyFunctions"]["nodes"][0];
    assert_eq!(f["handle"], "segops-discount");
    let function_id = f["id"].as_str().unwrap().to_string();
    let again = gql(
        &t,
        &token,
        "{ shopifyFunctions(first: 10) { nodes { id } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        again["data"]["shopifyFunctions"]["nodes"][0]["id"],
        function_id.as_str(),
        "the id is stable"
    );

    let config = json!({ "tags": ["segops:vip"], "percentage": "10" }).to_string();
    let input = |title: &str, fid: &str, value: &str| {
        json!({ "d": {
        "title": title, "functionId": fid, "startsAt": "2026-01-01T00:00:00Z",
        "combinesWith": { "orderDiscounts": true }, "discountClasses": ["PRODUCT"],
        "metafields": [{ "namespace": "$app:segops-discount", "key": "function-configuration", "type": "json", "value": value }] } })
    };
    for (body, field) in [
        (input("", &function_id, &config), "title"),
        (input("VIP", "no-such-function", &config), "functionId"),
        (input("VIP", &function_id, "{nope"), "value"),
    ] {
        let r = gql(&t, &token, DISCOUNT_CREATE, body).await;
        let e = &r["data"]["discountAutomaticAppCreate"]["userErrors"][0];
        assert_eq!(e["field"].as_array().unwrap().last().unwrap(), field, "{r}");
    }
    let created = gql(
        &t,
        &token,
        DISCOUNT_CREATE,
        input("VIP 10%", &function_id, &config),
    )
    .await;
    let d = &created["data"]["discountAutomaticAppCreate"]["automaticAppDiscount"];
    assert_eq!(d["status"], "ACTIVE", "{created}");
    assert_eq!(d["combinesWith"]["orderDiscounts"], true);
    let id = d["discountId"].as_str().unwrap().to_string();
    assert!(id.starts_with("gid://shopify/DiscountAutomaticNode/"));

    let updated = gql(&t, &token, "mutation($id: ID!, $d: DiscountAutomaticAppInput!) { discountAutomaticAppUpdate(id: $id, automaticAppDiscount: $d) { automaticAppDiscount { title } userErrors { message } } }",
        json!({ "id": id, "d": { "title": "VIP 15%", "metafields": [{ "namespace": "$app:segops-discount", "key": "function-configuration", "type": "json", "value": "{\"percentage\":\"15\"}" }] } })).await;
    assert_eq!(
        updated["data"]["discountAutomaticAppUpdate"]["automaticAppDiscount"]["title"], "VIP 15%",
        "{updated}"
    );

    let node = gql(&t, &token, "query($id: ID!) { discountNode(id: $id) { id discount { __typename ... on DiscountAutomaticApp { title } } metafield(namespace: \"$app:segops-discount\", key: \"function-configuration\") { type value } } }", json!({ "id": id })).await;
    let n = &node["data"]["discountNode"];
    assert_eq!(
        n["discount"]["__typename"], "DiscountAutomaticApp",
        "{node}"
    );
    assert_eq!(n["metafield"]["value"], "{\"percentage\":\"15\"}");

    let (_, listed) = t.get(&format!("/_sandbox/shops/{SHOP}/discounts")).await;
    let only = &listed[0];
    assert_eq!(only["title"], "VIP 15%");
    assert_eq!(only["function_id"], function_id.as_str());
    assert_eq!(only["metafields"][0]["type"], "json");
    assert!(
        only["metafields"][0]["namespace"]
            .as_str()
            .unwrap()
            .starts_with("app--")
    );
}
