//! The decision, end to end through `crate::run` (input JSON in, output JSON out) on the
//! native target. The same cases run against the real wasm module in `tests/`.

use serde_json::{Value, json};

const VIP: &str = "segops:vip";
const GOLD: &str = "segops:gold";

fn line(number: u32, product: u32, quantity: u32, subtotal: &str, collections: &[u32]) -> Value {
    let memberships: Vec<Value> = [1, 2]
        .iter()
        .map(|collection| {
            json!({
                "collectionId": format!("gid://shopify/Collection/{collection}"),
                "isMember": collections.contains(collection)
            })
        })
        .collect();
    json!({
        "id": format!("gid://shopify/CartLine/{number}"),
        "quantity": quantity,
        "cost": {"subtotalAmount": {"amount": subtotal}},
        "merchandise": {"product": {
            "id": format!("gid://shopify/Product/{product}"),
            "inCollections": memberships
        }}
    })
}

fn custom_line(number: u32, subtotal: &str) -> Value {
    json!({
        "id": format!("gid://shopify/CartLine/{number}"),
        "quantity": 1,
        "cost": {"subtotalAmount": {"amount": subtotal}},
        "merchandise": {}
    })
}

fn cart() -> Vec<Value> {
    vec![
        line(1, 10, 2, "40.00", &[1]),
        line(2, 20, 1, "25.50", &[2]),
        line(3, 30, 3, "15.00", &[]),
    ]
}

fn config(rules: Value) -> Value {
    json!({
        "tags": [VIP, GOLD],
        "collectionIds": ["gid://shopify/Collection/1", "gid://shopify/Collection/2"],
        "rules": rules
    })
}

fn rule(segment: &str, kind: &str, value: &str, scope: &str) -> Value {
    json!({"segment": segment, "kind": kind, "value": value, "scope": scope,
           "message": format!("{segment} {value}"), "priority": 1, "active": true})
}

fn run_with(
    customer_tags: Option<&[&str]>,
    lines: Vec<Value>,
    classes: &[&str],
    configuration: Value,
) -> Value {
    let customer = customer_tags.map(|has| {
        let answers: Vec<Value> = [VIP, GOLD]
            .iter()
            .map(|tag| json!({"tag": tag, "hasTag": has.contains(tag)}))
            .collect();
        json!({ "hasTags": answers })
    });
    let input = json!({
        "cart": {"buyerIdentity": {"customer": customer}, "lines": lines},
        "discount": {"discountClasses": classes, "metafield": {"jsonValue": configuration}}
    });
    let output = crate::run(input.to_string().as_bytes());
    serde_json::from_slice(&output).expect("the output is JSON")
}

fn run(customer_tags: &[&str], rules: Value) -> Value {
    run_with(
        Some(customer_tags),
        cart(),
        &["ORDER", "PRODUCT"],
        config(rules),
    )
}

fn no_operations() -> Value {
    json!({"operations": []})
}

fn order_operation(message: &str, value: Value) -> Value {
    json!({"orderDiscountsAdd": {
        "candidates": [{
            "message": message,
            "targets": [{"orderSubtotal": {"excludedCartLineIds": []}}],
            "value": value
        }],
        "selectionStrategy": "FIRST"
    }})
}

fn product_candidate(message: &str, lines: &[u32], value: Value) -> Value {
    let targets: Vec<Value> = lines
        .iter()
        .map(|line| json!({"cartLine": {"id": format!("gid://shopify/CartLine/{line}")}}))
        .collect();
    json!({"message": message, "targets": targets, "value": value})
}

fn product_operation(candidates: Vec<Value>) -> Value {
    let strategy = if candidates.len() == 1 {
        "FIRST"
    } else {
        "ALL"
    };
    json!({"productDiscountsAdd": {"candidates": candidates, "selectionStrategy": strategy}})
}

#[test]
fn a_percentage_order_rule_discounts_the_order_subtotal() {
    let output = run(&[VIP], json!([rule("vip", "percentage", "10", "order")]));
    let expected = order_operation("vip 10", json!({"percentage": {"value": "10"}}));
    assert_eq!(output, json!({"operations": [expected]}));
}

#[test]
fn a_fixed_amount_order_rule_discounts_the_order_subtotal() {
    let output = run(
        &[VIP],
        json!([rule("vip", "fixed_amount", "7.50", "order")]),
    );
    let expected = order_operation("vip 7.50", json!({"fixedAmount": {"amount": "7.50"}}));
    assert_eq!(output, json!({"operations": [expected]}));
}

#[test]
fn a_percentage_product_rule_discounts_only_the_listed_products() {
    let mut products = rule("vip", "percentage", "15", "products");
    products["productIds"] = json!(["gid://shopify/Product/10", "gid://shopify/Product/30"]);
    let output = run(&[VIP], json!([products]));
    let expected = product_operation(vec![product_candidate(
        "vip 15",
        &[1, 3],
        json!({"percentage": {"value": "15"}}),
    )]);
    assert_eq!(output, json!({"operations": [expected]}));
}

#[test]
fn a_collection_rule_discounts_only_member_products() {
    let mut by_collection = rule("vip", "fixed_amount", "2", "products");
    by_collection["collectionIds"] = json!(["gid://shopify/Collection/2"]);
    let output = run(&[VIP], json!([by_collection]));
    let expected = product_operation(vec![product_candidate(
        "vip 2",
        &[2],
        json!({"fixedAmount": {"amount": "2", "appliesToEachItem": true}}),
    )]);
    assert_eq!(output, json!({"operations": [expected]}));
}

#[test]
fn a_products_rule_without_ids_covers_every_product_but_not_custom_items() {
    let mut lines = cart();
    lines.push(custom_line(4, "99.00"));
    let output = run_with(
        Some(&[VIP]),
        lines,
        &["PRODUCT"],
        config(json!([rule("vip", "percentage", "5", "products")])),
    );
    let expected = product_operation(vec![product_candidate(
        "vip 5",
        &[1, 2, 3],
        json!({"percentage": {"value": "5"}}),
    )]);
    assert_eq!(output, json!({"operations": [expected]}));
}

#[test]
fn a_minimum_subtotal_that_is_not_met_gives_nothing() {
    // The cart subtotal is 80.50.
    let mut order = rule("vip", "percentage", "10", "order");
    order["minimumSubtotal"] = json!("80.51");
    let mut products = rule("vip", "percentage", "10", "products");
    products["collectionIds"] = json!(["gid://shopify/Collection/1"]);
    products["minimumSubtotal"] = json!("40.01");
    assert_eq!(run(&[VIP], json!([order, products])), no_operations());
}

#[test]
fn a_minimum_subtotal_that_is_met_gives_the_discount() {
    let mut order = rule("vip", "percentage", "10", "order");
    order["minimumSubtotal"] = json!("80.50");
    let mut products = rule("vip", "percentage", "10", "products");
    products["collectionIds"] = json!(["gid://shopify/Collection/1"]);
    products["minimumSubtotal"] = json!("40");
    let output = run(&[VIP], json!([order, products]));
    let operations = output["operations"].as_array().unwrap();
    assert_eq!(operations.len(), 2, "{output}");
    assert_eq!(
        operations[1]["productDiscountsAdd"]["candidates"][0]["targets"],
        json!([{"cartLine": {"id": "gid://shopify/CartLine/1"}}])
    );
}

#[test]
fn a_guest_checkout_gets_nothing() {
    let output = run_with(
        None,
        cart(),
        &["ORDER", "PRODUCT"],
        config(json!([rule("vip", "percentage", "10", "order")])),
    );
    assert_eq!(output, no_operations());
}

#[test]
fn a_customer_without_a_segment_tag_gets_nothing() {
    let rules = json!([rule("vip", "percentage", "10", "order")]);
    assert_eq!(run(&[], rules.clone()), no_operations());
    assert_eq!(run(&[GOLD], rules), no_operations());
}

#[test]
fn an_inactive_rule_gives_nothing() {
    let mut inactive = rule("vip", "percentage", "10", "order");
    inactive["active"] = json!(false);
    assert_eq!(run(&[VIP], json!([inactive])), no_operations());
}

#[test]
fn twenty_six_active_rules_are_an_invalid_configuration() {
    let rules: Vec<Value> = (0..26)
        .map(|_| rule("vip", "percentage", "10", "order"))
        .collect();
    assert_eq!(run(&[VIP], json!(rules)), no_operations());
    let rules: Vec<Value> = (0..25)
        .map(|_| rule("vip", "percentage", "10", "order"))
        .collect();
    assert_ne!(run(&[VIP], json!(rules)), no_operations());
}

#[test]
fn a_malformed_or_missing_configuration_gives_nothing() {
    for configuration in [
        json!("{\"rules\": ["),
        json!({"rules": "all"}),
        json!({"rules": [{"segment": "vip"}]}),
        json!({"tags": [VIP], "rules": [{"segment": "vip", "kind": "percentage", "value": "ten", "scope": "order"}]}),
        json!(null),
        json!([]),
    ] {
        let output = run_with(
            Some(&[VIP]),
            cart(),
            &["ORDER", "PRODUCT"],
            configuration.clone(),
        );
        assert_eq!(output, no_operations(), "{configuration}");
    }
    let input = json!({
        "cart": {"buyerIdentity": {"customer": {"hasTags": [{"tag": VIP, "hasTag": true}]}}, "lines": cart()},
        "discount": {"discountClasses": ["ORDER"], "metafield": null}
    });
    let output: Value = serde_json::from_slice(&crate::run(input.to_string().as_bytes())).unwrap();
    assert_eq!(output, no_operations());
}

/// The configuration is parsed where it stands when the buyer is already known (the
/// cart comes first); written before the cart, it is skipped and parsed afterwards,
/// with the same outcome, and a malformed one still leaves the input readable.
#[test]
fn the_configuration_counts_wherever_the_input_puts_it() {
    let rules = json!([rule("vip", "percentage", "10", "order")]);
    let expected = run(&[VIP], rules.clone());
    assert_eq!(
        expected,
        json!({"operations": [order_operation("vip 10", json!({"percentage": {"value": "10"}}))]})
    );
    let discount = json!({"discountClasses": ["ORDER"], "metafield": {"jsonValue": config(rules)}});
    let cart = json!({
        "buyerIdentity": {"customer": {"hasTags": [{"tag": VIP, "hasTag": true}]}},
        "lines": cart()
    });
    let discount_first = format!(r#"{{"discount":{discount},"cart":{cart}}}"#);
    let output: Value = serde_json::from_slice(&crate::run(discount_first.as_bytes())).unwrap();
    assert_eq!(output, expected);
    let broken = format!(
        r#"{{"cart":{cart},"discount":{{"discountClasses":["ORDER"],"metafield":{{"jsonValue":{{"tags":[1,{{"rules":[]}}]}}}}}}}}"#
    );
    let output: Value = serde_json::from_slice(&crate::run(broken.as_bytes())).unwrap();
    assert_eq!(output, no_operations());
}

#[test]
fn unreadable_input_gives_nothing() {
    for input in [
        "",
        "{",
        "[]",
        r#"{"cart": {"lines": []}}"#,
        "{\"cart\": 1, \"discount\": 2}",
    ] {
        assert_eq!(
            crate::run(input.as_bytes()),
            crate::NO_OPERATIONS,
            "{input}"
        );
    }
}

#[test]
fn the_best_order_rule_for_the_buyer_wins() {
    // On an 80.50 subtotal: 10% saves 8.05, a fixed 8.00 saves 8.00, 15% (gold) saves 12.075.
    let rules = json!([
        rule("vip", "percentage", "10", "order"),
        rule("vip", "fixed_amount", "8.00", "order"),
        rule("gold", "percentage", "15", "order"),
    ]);
    let output = run(&[VIP], rules.clone());
    assert_eq!(
        output["operations"][0],
        order_operation("vip 10", json!({"percentage": {"value": "10"}}))
    );
    let output = run(&[VIP, GOLD], rules);
    assert_eq!(
        output["operations"][0],
        order_operation("gold 15", json!({"percentage": {"value": "15"}}))
    );
}

#[test]
fn a_fixed_amount_saves_at_most_the_subtotal() {
    // 100 off an 80.50 order saves 80.50, less than 100% but more than 90%.
    let rules = json!([
        rule("vip", "percentage", "90", "order"),
        rule("vip", "fixed_amount", "100", "order"),
    ]);
    let output = run(&[VIP], rules);
    assert_eq!(
        output["operations"][0]["orderDiscountsAdd"]["candidates"][0]["message"],
        "vip 100"
    );
}

#[test]
fn ties_go_to_the_lower_priority_number_then_to_the_first_rule() {
    let mut first = rule("vip", "percentage", "10", "order");
    first["message"] = json!("first");
    let mut second = rule("gold", "percentage", "10", "order");
    second["message"] = json!("second");
    let output = run(&[VIP, GOLD], json!([first.clone(), second.clone()]));
    assert_eq!(
        output["operations"][0]["orderDiscountsAdd"]["candidates"][0]["message"],
        "first"
    );
    second["priority"] = json!(0);
    let output = run(&[VIP, GOLD], json!([first, second]));
    assert_eq!(
        output["operations"][0]["orderDiscountsAdd"]["candidates"][0]["message"],
        "second"
    );
}

#[test]
fn each_line_gets_the_best_product_rule_that_covers_it() {
    // Line 1: 40.00 for 2 units; line 2: 25.50 for 1; line 3: 15.00 for 3.
    let mut everything = rule("vip", "percentage", "10", "products");
    everything["message"] = json!("10% on everything");
    let mut per_unit = rule("gold", "fixed_amount", "3", "products");
    per_unit["message"] = json!("3 off each unit");
    per_unit["productIds"] = json!([
        "gid://shopify/Product/10",
        "gid://shopify/Product/30",
        "gid://shopify/Product/20"
    ]);
    let mut collection = rule("vip", "percentage", "20", "products");
    collection["message"] = json!("20% on collection 2");
    collection["collectionIds"] = json!(["gid://shopify/Collection/2"]);
    // Line 1: 10% = 4.00, 3×2 = 6.00 → per unit. Line 2: 10% = 2.55, 3.00, 20% = 5.10 →
    // collection. Line 3: 10% = 1.50, 3×3 = 9.00 → per unit.
    let output = run(&[VIP, GOLD], json!([everything, per_unit, collection]));
    let expected = product_operation(vec![
        product_candidate(
            "3 off each unit",
            &[1, 3],
            json!({"fixedAmount": {"amount": "3", "appliesToEachItem": true}}),
        ),
        product_candidate(
            "20% on collection 2",
            &[2],
            json!({"percentage": {"value": "20"}}),
        ),
    ]);
    assert_eq!(output, json!({"operations": [expected]}));
}

#[test]
fn order_and_product_discounts_are_decided_independently() {
    let mut products = rule("gold", "percentage", "20", "products");
    products["productIds"] = json!(["gid://shopify/Product/20"]);
    let rules = json!([rule("vip", "percentage", "10", "order"), products]);
    let output = run(&[VIP, GOLD], rules);
    let operations = output["operations"].as_array().unwrap();
    assert_eq!(operations.len(), 2);
    assert!(operations[0].get("orderDiscountsAdd").is_some());
    assert!(operations[1].get("productDiscountsAdd").is_some());
}

#[test]
fn only_the_discount_classes_of_the_discount_are_used() {
    let mut products = rule("vip", "percentage", "20", "products");
    products["productIds"] = json!(["gid://shopify/Product/20"]);
    let rules = json!([rule("vip", "percentage", "10", "order"), products]);
    let only = |classes: &[&str]| {
        let output = run_with(Some(&[VIP]), cart(), classes, config(rules.clone()));
        let operations = output["operations"].as_array().unwrap().clone();
        operations
            .iter()
            .map(|operation| {
                operation
                    .as_object()
                    .unwrap()
                    .keys()
                    .next()
                    .unwrap()
                    .clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(only(&["ORDER"]), ["orderDiscountsAdd"]);
    assert_eq!(only(&["PRODUCT"]), ["productDiscountsAdd"]);
    assert!(only(&["SHIPPING"]).is_empty());
    assert!(only(&[]).is_empty());
}

#[test]
fn messages_are_escaped_in_the_output() {
    let mut order = rule("vip", "percentage", "10", "order");
    order["message"] = json!("VIP \"10%\" off\n\\ é");
    let output = run(&[VIP], json!([order]));
    assert_eq!(
        output["operations"][0]["orderDiscountsAdd"]["candidates"][0]["message"],
        "VIP \"10%\" off\n\\ é"
    );
}
