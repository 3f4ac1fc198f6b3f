//! Function inputs shaped as Shopify sends them for our input query
//! (`src/cart_lines_discounts_generate_run.graphql`): compact JSON with keys in the
//! query's order, `Decimal` as strings, the configuration metafield's `jsonValue` as
//! embedded JSON. Built as text because `serde_json::Value` sorts keys (its
//! `preserve_order` feature would change map order for the whole workspace).

use serde_json::{Value, json};

pub fn product_gid(number: u64) -> String {
    format!("gid://shopify/Product/{number}")
}

pub fn collection_gid(number: u64) -> String {
    format!("gid://shopify/Collection/{number}")
}

pub fn line_gid(number: usize) -> String {
    format!("gid://shopify/CartLine/{number}")
}

fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

/// A product-variant line; `collections` are the answers to `inCollections`.
pub fn line(
    number: usize,
    product: u64,
    quantity: u32,
    subtotal: &str,
    collections: &[(u64, bool)],
) -> String {
    let memberships: Vec<String> = collections
        .iter()
        .map(|&(collection, member)| {
            format!(
                r#"{{"collectionId":{},"isMember":{member}}}"#,
                quoted(&collection_gid(collection))
            )
        })
        .collect();
    format!(
        r#"{{"id":{},"quantity":{quantity},"cost":{{"subtotalAmount":{{"amount":{}}}}},"merchandise":{{"product":{{"id":{},"inCollections":[{}]}}}}}}"#,
        quoted(&line_gid(number)),
        quoted(subtotal),
        quoted(&product_gid(product)),
        memberships.join(",")
    )
}

/// A custom-product line: the `... on ProductVariant` fragment selects nothing.
pub fn custom_line(number: usize, subtotal: &str) -> String {
    format!(
        r#"{{"id":{},"quantity":1,"cost":{{"subtotalAmount":{{"amount":{}}}}},"merchandise":{{}}}}"#,
        quoted(&line_gid(number)),
        quoted(subtotal)
    )
}

/// The `buyerIdentity.customer` answer: `hasTags` for each configured tag.
pub fn customer(tags: &[(&str, bool)]) -> String {
    let has_tags: Vec<String> = tags
        .iter()
        .map(|&(tag, has)| format!(r#"{{"tag":{},"hasTag":{has}}}"#, quoted(tag)))
        .collect();
    format!(r#"{{"hasTags":[{}]}}"#, has_tags.join(","))
}

/// A whole input. `customer: None` is a guest checkout (`customer: null`); `config:
/// None` is a discount without the configuration metafield.
pub fn input(
    customer: Option<String>,
    lines: &[String],
    classes: &[&str],
    config: Option<&Value>,
) -> String {
    let classes: Vec<String> = classes.iter().map(|class| quoted(class)).collect();
    let metafield = match config {
        Some(config) => format!(r#"{{"jsonValue":{config}}}"#),
        None => "null".to_owned(),
    };
    format!(
        r#"{{"cart":{{"buyerIdentity":{{"customer":{}}},"lines":[{}]}},"discount":{{"discountClasses":[{}],"metafield":{metafield}}}}}"#,
        customer.as_deref().unwrap_or("null"),
        lines.join(","),
        classes.join(",")
    )
}

/// The benchmark configuration: 25 active rules (5 order, 20 products: by product ids,
/// by collections, and for every product), all for segments the buyer belongs to, so
/// every rule is evaluated against every line. Plus one inactive rule.
pub fn bench_config() -> Value {
    let mut rules = Vec::new();
    let mut tags = Vec::new();
    for index in 0..25u64 {
        let segment = format!("segment-{index}");
        tags.push(format!("segops:{segment}"));
        let kind = if index % 2 == 0 {
            "percentage"
        } else {
            "fixed_amount"
        };
        let value = if index % 2 == 0 {
            format!("{}", 5 + index)
        } else {
            format!("{}.50", 1 + index)
        };
        let mut rule = json!({
            "segment": segment,
            "kind": kind,
            "value": value,
            "scope": if index < 5 { "order" } else { "products" },
            "message": format!("Members of {segment}: {value} off"),
            "priority": index,
            "active": true
        });
        if index >= 5 {
            match index % 3 {
                0 => {
                    rule["productIds"] = json!(
                        (0..5)
                            .map(|p| product_gid(1_000 + index * 5 + p))
                            .collect::<Vec<_>>()
                    )
                }
                1 => {
                    rule["collectionIds"] =
                        json!([collection_gid(500 + index % 2), collection_gid(502)])
                }
                _ => {}
            }
        }
        if index % 4 == 0 {
            rule["minimumSubtotal"] = json!("50.00");
        }
        rules.push(rule);
    }
    rules.push(json!({"segment": "segment-0", "kind": "percentage", "value": "50", "scope": "order", "active": false}));
    json!({
        "tags": tags,
        "collectionIds": [collection_gid(500), collection_gid(501), collection_gid(502)],
        "rules": rules
    })
}

/// A cart of `lines` lines for a buyer in all 25 benchmark segments.
pub fn bench_input(lines: usize) -> String {
    let config = bench_config();
    let tags: Vec<String> = (0..25)
        .map(|index| format!("segops:segment-{index}"))
        .collect();
    let answers: Vec<(&str, bool)> = tags.iter().map(|tag| (tag.as_str(), true)).collect();
    let cart_lines: Vec<String> = (0..lines)
        .map(|number| {
            let product = 1_000 + (number as u64 * 7) % 130;
            let collections = [
                (500, number % 2 == 0),
                (501, number % 3 == 0),
                (502, number % 5 == 0),
            ];
            let quantity = 1 + (number % 3) as u32;
            let subtotal = format!("{}.{:02}", 10 + number % 90, (number * 37) % 100);
            line(number, product, quantity, &subtotal, &collections)
        })
        .collect();
    input(
        Some(customer(&answers)),
        &cart_lines,
        &["ORDER", "PRODUCT"],
        Some(&config),
    )
}
