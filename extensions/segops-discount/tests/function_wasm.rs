//! The real `.wasm`, run as Shopify's function-runner runs it: wasmtime + WASI, input
//! JSON on stdin, output JSON on stdout, instructions counted as fuel and capped at
//! Shopify's limit (a run that exceeds it fails the test).

mod support;

use serde_json::{Value, json};
use support::carts::{bench_input, custom_line, customer, input, line};

const VIP: &str = "segops:vip";
const GOLD: &str = "segops:gold";

fn config(rules: Value) -> Value {
    json!({
        "tags": [VIP, GOLD],
        "collectionIds": [support::carts::collection_gid(1), support::carts::collection_gid(2)],
        "rules": rules
    })
}

fn rule(segment: &str, kind: &str, value: &str, scope: &str, message: &str) -> Value {
    json!({"segment": segment, "kind": kind, "value": value, "scope": scope,
           "message": message, "priority": 1, "active": true})
}

/// Line 1: product 10 in collection 1, 2 × 20.00; line 2: product 20 in collection 2,
/// 25.50; line 3: a custom item, 15.00. Subtotal 80.50.
fn cart() -> Vec<String> {
    vec![
        line(1, 10, 2, "40.00", &[(1, true), (2, false)]),
        line(2, 20, 1, "25.50", &[(1, false), (2, true)]),
        custom_line(3, "15.00"),
    ]
}

fn buyer(tags: &[&str]) -> Option<String> {
    Some(customer(&[
        (VIP, tags.contains(&VIP)),
        (GOLD, tags.contains(&GOLD)),
    ]))
}

fn run(input: &str) -> Value {
    support::function().run(input).json()
}

fn operations(output: &Value) -> &Vec<Value> {
    output["operations"].as_array().expect("operations")
}

#[test]
fn a_percentage_order_rule_discounts_the_order() {
    let rules = json!([rule("vip", "percentage", "10", "order", "VIP 10% off")]);
    let output = run(&input(
        buyer(&[VIP]),
        &cart(),
        &["ORDER", "PRODUCT"],
        Some(&config(rules)),
    ));
    assert_eq!(
        output,
        json!({"operations": [{"orderDiscountsAdd": {
            "candidates": [{"message": "VIP 10% off",
                            "targets": [{"orderSubtotal": {"excludedCartLineIds": []}}],
                            "value": {"percentage": {"value": "10"}}}],
            "selectionStrategy": "FIRST"}}]})
    );
}

#[test]
fn a_fixed_amount_order_rule_discounts_the_order() {
    let rules = json!([rule("vip", "fixed_amount", "5.00", "order", "VIP 5 off")]);
    let output = run(&input(
        buyer(&[VIP]),
        &cart(),
        &["ORDER"],
        Some(&config(rules)),
    ));
    assert_eq!(
        output["operations"][0]["orderDiscountsAdd"]["candidates"][0]["value"],
        json!({"fixedAmount": {"amount": "5.00"}})
    );
}

#[test]
fn product_and_collection_rules_discount_their_lines() {
    let mut by_product = rule("vip", "percentage", "20", "products", "20% on product 10");
    by_product["productIds"] = json!([support::carts::product_gid(10)]);
    let mut by_collection = rule("vip", "fixed_amount", "3", "products", "3 off collection 2");
    by_collection["collectionIds"] = json!([support::carts::collection_gid(2)]);
    let rules = json!([by_product, by_collection]);
    let output = run(&input(
        buyer(&[VIP]),
        &cart(),
        &["PRODUCT"],
        Some(&config(rules)),
    ));
    assert_eq!(
        output,
        json!({"operations": [{"productDiscountsAdd": {
            "candidates": [
                {"message": "20% on product 10",
                 "targets": [{"cartLine": {"id": "gid://shopify/CartLine/1"}}],
                 "value": {"percentage": {"value": "20"}}},
                {"message": "3 off collection 2",
                 "targets": [{"cartLine": {"id": "gid://shopify/CartLine/2"}}],
                 "value": {"fixedAmount": {"amount": "3", "appliesToEachItem": true}}}
            ],
            "selectionStrategy": "ALL"}}]})
    );
}

#[test]
fn a_minimum_subtotal_gates_the_rule() {
    let mut order = rule("vip", "percentage", "10", "order", "VIP 10% over 80.50");
    order["minimumSubtotal"] = json!("80.50");
    let met = run(&input(
        buyer(&[VIP]),
        &cart(),
        &["ORDER"],
        Some(&config(json!([order.clone()]))),
    ));
    assert_eq!(operations(&met).len(), 1);
    order["minimumSubtotal"] = json!("80.51");
    let unmet = run(&input(
        buyer(&[VIP]),
        &cart(),
        &["ORDER"],
        Some(&config(json!([order]))),
    ));
    assert_eq!(unmet, json!({"operations": []}));
}

#[test]
fn guests_and_customers_outside_the_segment_get_nothing() {
    let rules = json!([rule("vip", "percentage", "10", "order", "VIP 10% off")]);
    let configuration = config(rules);
    for buyer in [None, buyer(&[]), buyer(&[GOLD])] {
        let output = run(&input(
            buyer.clone(),
            &cart(),
            &["ORDER", "PRODUCT"],
            Some(&configuration),
        ));
        assert_eq!(output, json!({"operations": []}), "buyer {buyer:?}");
    }
}

#[test]
fn the_best_rule_for_the_buyer_wins_in_each_scope() {
    let mut everything = rule("vip", "percentage", "10", "products", "10% on everything");
    everything["priority"] = json!(2);
    let mut gold_product = rule("gold", "percentage", "30", "products", "30% on product 20");
    gold_product["productIds"] = json!([support::carts::product_gid(20)]);
    let rules = json!([
        rule("vip", "percentage", "10", "order", "10% order"),
        rule("gold", "fixed_amount", "9", "order", "9 off the order"),
        everything,
        gold_product,
    ]);
    let output = run(&input(
        buyer(&[VIP, GOLD]),
        &cart(),
        &["ORDER", "PRODUCT"],
        Some(&config(rules)),
    ));
    let operations = operations(&output);
    assert_eq!(operations.len(), 2, "{output}");
    // 9.00 beats 10% of 80.50.
    assert_eq!(
        operations[0]["orderDiscountsAdd"]["candidates"][0]["message"],
        "9 off the order"
    );
    let candidates = &operations[1]["productDiscountsAdd"]["candidates"];
    assert_eq!(candidates[0]["message"], "10% on everything");
    assert_eq!(
        candidates[0]["targets"],
        json!([{"cartLine": {"id": "gid://shopify/CartLine/1"}}])
    );
    assert_eq!(candidates[1]["message"], "30% on product 20");
    assert_eq!(
        candidates[1]["targets"],
        json!([{"cartLine": {"id": "gid://shopify/CartLine/2"}}])
    );
}

#[test]
fn an_invalid_configuration_gives_nothing_and_never_fails() {
    let too_many: Vec<Value> = (0..26)
        .map(|index| rule("vip", "percentage", "10", "order", &format!("rule {index}")))
        .collect();
    let mut bad_value = rule("vip", "percentage", "120", "order", "too much");
    bad_value["priority"] = json!(1);
    let invalid = [
        config(json!(too_many)),
        config(json!([bad_value])),
        json!({"rules": [rule("vip", "percentage", "10", "order", "tag missing from tags")]}),
        json!("not an object"),
        json!({"tags": [VIP], "rules": {"oops": true}}),
    ];
    for configuration in &invalid {
        let run = support::function().run(&input(
            buyer(&[VIP]),
            &cart(),
            &["ORDER", "PRODUCT"],
            Some(configuration),
        ));
        assert_eq!(run.json(), json!({"operations": []}), "{configuration}");
    }
    let run = support::function().run(&input(buyer(&[VIP]), &cart(), &["ORDER", "PRODUCT"], None));
    assert_eq!(run.json(), json!({"operations": []}));
}

#[test]
fn unreadable_input_gives_no_operations_instead_of_a_trap() {
    for text in [
        "",
        "not json",
        r#"{"cart": {"lines": "x"}, "discount": {"discountClasses": []}}"#,
    ] {
        assert_eq!(run(text), json!({"operations": []}), "{text:?}");
    }
}

#[test]
fn a_200_line_cart_with_25_rules_stays_far_below_shopifys_limit() {
    let result = support::function().run(&bench_input(200));
    assert!(!operations(&result.json()).is_empty());
    assert!(
        result.fuel < support::SHOPIFY_FUEL_LIMIT / 2,
        "{} instructions",
        result.fuel
    );
}

/// Shopify's template cases (fixtures `discount/cases.json`) for this target, with the
/// parts our query adds: each line's quantity and merchandise, a VIP buyer, and a
/// configuration equivalent to the template's fixed behaviour (10% off the order, 20%
/// off every product). Our output must match the template's expected output as the
/// fixture's rules say: same number of operations, each a subset match, Decimal as
/// string or number.
#[test]
fn shopifys_template_cases_give_the_templates_output_when_configured_alike() {
    let Some(path) = support::fixture(
        "shopify/functions/discount/cases.json",
        "the template cases",
    ) else {
        return;
    };
    let cases: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let configuration = json!({
        "tags": [VIP],
        "rules": [
            rule("vip", "percentage", "10", "order", "10% OFF ORDER"),
            rule("vip", "percentage", "20", "products", "20% OFF PRODUCT"),
        ]
    });
    let mut checked = 0;
    for case in cases["cases"].as_array().unwrap() {
        if case["target"] != "cart.lines.discounts.generate.run" {
            continue;
        }
        let mut shaped = case["input"].clone();
        for (index, line) in shaped["cart"]["lines"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .enumerate()
        {
            line["quantity"] = json!(1);
            line["merchandise"] = json!({"product": {"id": support::carts::product_gid(index as u64), "inCollections": []}});
        }
        shaped["cart"]["buyerIdentity"] =
            json!({"customer": {"hasTags": [{"tag": VIP, "hasTag": true}]}});
        shaped["discount"]["metafield"] = json!({"jsonValue": configuration});
        let output = run(&shaped.to_string());
        let expected = &case["expected_output"]["operations"];
        assert_eq!(
            operations(&output).len(),
            expected.as_array().unwrap().len(),
            "{}: {output}",
            case["id"]
        );
        for (ours, theirs) in operations(&output).iter().zip(expected.as_array().unwrap()) {
            assert!(
                subset_match(theirs, ours),
                "{}: expected {theirs} within {ours}",
                case["id"]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "the fixture holds four cases for this target");
}

/// `expected` matches within `actual` like Jest's `toMatchObject`, with numbers equal to
/// decimal strings of the same value.
fn subset_match(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => expected.iter().all(|(key, value)| {
            actual
                .get(key)
                .is_some_and(|found| subset_match(value, found))
        }),
        (Value::Array(expected), Value::Array(actual)) => {
            expected.len() == actual.len()
                && expected.iter().zip(actual).all(|(e, a)| subset_match(e, a))
        }
        (Value::Number(number), Value::String(text)) => text.parse::<f64>().ok() == number.as_f64(),
        _ => expected == actual,
    }
}
