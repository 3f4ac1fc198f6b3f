//! The Segment spec fixture (`segment/ecommerce_v2_spec.json`) against what we emit and against
//! the rules embedded in `events::spec`.

use std::collections::HashMap;

use serde_json::Value;

use super::*;
use crate::events::spec::{PRODUCT_RULES, RULES, SpecType, rules_for};
use crate::events::{EventKind, abandoned_checkout_event, spec_problems};

/// Event name → property name (`total`, `products.$.price`) → spec type (`Number`).
struct FixtureSpec(HashMap<String, HashMap<String, String>>);

impl FixtureSpec {
    fn load() -> Option<Self> {
        let spec = fixture_json("segment/ecommerce_v2_spec.json")?;
        let mut events = HashMap::new();
        for event in spec["events"].as_array().unwrap() {
            let table = event["properties"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().trim().to_owned(),
                        p["type"].as_str().unwrap().trim().to_owned(),
                    )
                })
                .collect();
            events.insert(event["name"].as_str().unwrap().to_owned(), table);
        }
        Some(FixtureSpec(events))
    }

    fn table(&self, event: &str) -> &HashMap<String, String> {
        self.0
            .get(event)
            .unwrap_or_else(|| panic!("the spec fixture has no event {event}"))
    }
}

fn type_accepts(spec_type: &str, value: &Value) -> bool {
    match spec_type {
        "String" => value.is_string(),
        "Number" => value.is_number(),
        "Boolean" => value.is_boolean(),
        "Object" => value.is_object(),
        t if t.starts_with("Array") => value.is_array(),
        other => panic!("unknown spec type {other}"),
    }
}

fn same_type(ours: SpecType, theirs: &str) -> bool {
    match ours {
        SpecType::Array => theirs.starts_with("Array"),
        _ => ours.name() == theirs,
    }
}

/// Checks one emitted event against the fixture's table for its Segment name (for our custom
/// "Checkout Abandoned", the table it is typed per).
fn fixture_problems(spec: &FixtureSpec, event: &CanonicalEvent) -> Vec<String> {
    let Some(name) = event.segment_name else {
        return Vec::new();
    };
    let table_name = if spec.0.contains_key(name) {
        name
    } else {
        assert_eq!(name, "Checkout Abandoned", "{name} is not in the spec");
        "Checkout Started"
    };
    let mut problems = Vec::new();
    for (property, spec_type) in spec.table(table_name) {
        if let Some(item_property) = property.strip_prefix("products.$.") {
            for item in event
                .properties
                .get("products")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(value) = item.get(item_property)
                    && !type_accepts(spec_type, value)
                {
                    problems.push(format!("{name}: {property} is not a {spec_type}"));
                }
            }
        } else if let Some(value) = event.properties.get(property)
            && !type_accepts(spec_type, value)
        {
            problems.push(format!("{name}: {property} is not a {spec_type}: {value}"));
        }
    }
    problems
}

#[test]
fn every_emitted_segment_event_conforms_to_the_spec_fixture() {
    let Some(spec) = FixtureSpec::load() else {
        return;
    };
    let mut checked = 0;
    for topic in crate::shopify::topics::SUBSCRIBED {
        let Some(mapped) = mapped(topic) else { return };
        let abandoned = mapped
            .entities
            .iter()
            .filter_map(|entity| abandoned_checkout_event(entity, 1));
        for event in mapped.events.iter().cloned().chain(abandoned) {
            assert_eq!(
                fixture_problems(&spec, &event),
                Vec::<String>::new(),
                "{topic}"
            );
            assert_eq!(spec_problems(&event), Vec::<String>::new(), "{topic}");
            checked += usize::from(event.segment_name.is_some());
        }
    }
    assert!(checked >= 6, "only {checked} Segment events were checked");
}

#[test]
fn embedded_rules_agree_with_the_spec_fixture() {
    let Some(spec) = FixtureSpec::load() else {
        return;
    };
    for (event, rules) in RULES {
        for rule in *rules {
            let table = spec.table(rule.typed_per);
            let theirs = table.get(rule.property).unwrap_or_else(|| {
                panic!(
                    "{event}: {} is not in {}'s table",
                    rule.property, rule.typed_per
                )
            });
            assert!(
                same_type(rule.ty, theirs),
                "{event}: {} is {theirs} in the spec, {} in our rules",
                rule.property,
                rule.ty.name()
            );
            if rule.property == "products" {
                for (item, ty, _) in PRODUCT_RULES {
                    let key = format!("products.$.{item}");
                    let theirs = table.get(&key).unwrap_or_else(|| {
                        panic!("{event}: {key} is not in {}'s table", rule.typed_per)
                    });
                    assert!(same_type(*ty, theirs), "{event}: {key}");
                }
            }
        }
        // A spec event is typed by its own table except for the documented borrowings.
        if spec.0.contains_key(*event) && *event != "Order Refunded" {
            for rule in *rules {
                assert!(
                    rule.typed_per == *event || rule.property == "checkout_id",
                    "{event}: {} borrows its type from {}",
                    rule.property,
                    rule.typed_per
                );
            }
        }
    }
}

#[test]
fn every_segment_name_we_send_has_rules() {
    for kind in EventKind::ALL {
        if let Some(name) = kind.segment_name() {
            assert!(rules_for(name).is_some(), "{name}");
        }
    }
}

#[test]
fn spec_problems_reports_missing_and_mistyped_properties() {
    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    let mut event = only_event(&paid).clone();
    assert!(spec_problems(&event).is_empty());
    event.properties.remove("order_id");
    event.properties.insert("total".into(), "404.95".into());
    event.properties["products"][0]["price"] = Value::Null;
    let problems = spec_problems(&event);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`order_id` is required"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`total` must be a Number"))
    );
    assert!(problems.iter().any(|p| p.contains("products[0].price")));
}
