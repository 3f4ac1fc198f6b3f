//! Random and mutated bodies never panic the mapping: every topic answers `Ok` or a
//! `MapError`, and whatever it maps still conforms to the spec rules.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::*;
use crate::events::{map_webhook_at, parse_compliance, spec_problems};
use crate::shopify::topics::{COMPLIANCE, SUBSCRIBED};

fn topics() -> Vec<&'static str> {
    SUBSCRIBED.iter().chain(COMPLIANCE).copied().collect()
}

/// Maps `body` under every topic; panics (failing the case) only on a broken invariant.
fn map_everywhere(body: &[u8]) {
    for topic in topics() {
        if let Ok(mapped) = map_webhook_at(topic, body, 7) {
            for event in &mapped.events {
                assert!(!event.dedupe_key.is_empty(), "{topic}");
                assert_eq!(spec_problems(event), Vec::<String>::new(), "{topic}");
            }
        }
        let _ = parse_compliance(topic, body);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(Value::from(820982911946154508_u64)),
        Just(Value::from("gid://shopify/Order/820982911946154508")),
        Just(Value::from("2021-12-31T19:00:00-05:00")),
        Just(Value::from("12.50")),
        Just(Value::from("1e400")),
        Just(Value::from("79228162514264337593543950335")),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names Shopify uses, so random objects reach the interesting code.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "order_id",
            "customer_id",
            "token",
            "created_at",
            "updated_at",
            "currency",
            "total_price",
            "subtotal_price",
            "total_tax",
            "total_discounts",
            "line_items",
            "price",
            "quantity",
            "customer",
            "email",
            "transactions",
            "amount",
            "kind",
            "status",
            "refund_line_items",
            "subtotal",
            "order_edit",
            "shop_domain",
            "tags",
            "variants",
            "email_marketing_consent",
            "sms_marketing_consent",
            "admin_graphql_api_customer_kept_id",
            "shop_money",
            "total_price_set",
            "line_price",
        ])
        .prop_map(str::to_owned),
        "[a-z_]{1,8}",
    ]
}

/// One edit at a random place: remove the field, null it, retype it, or replace it.
#[derive(Debug, Clone)]
enum Edit {
    Remove,
    Null,
    Stringify,
    Replace(Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        Just(Edit::Remove),
        Just(Edit::Null),
        Just(Edit::Stringify),
        json_value().prop_map(Edit::Replace),
    ]
}

/// Follows `path` (each step picks a child by index modulo the count) and applies `edit`.
fn mutate(value: &mut Value, path: &[usize], edit: &Edit) {
    let (step, rest) = match path.split_first() {
        Some(split) => split,
        None => return,
    };
    let descend = |child: &Value| !rest.is_empty() && (child.is_object() || child.is_array());
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(step % map.len())
                .cloned()
                .unwrap_or_default();
            let go_deeper = map.get(&key).is_some_and(descend);
            if go_deeper {
                if let Some(child) = map.get_mut(&key) {
                    mutate(child, rest, edit);
                }
                return;
            }
            match edit {
                Edit::Remove => {
                    map.remove(&key);
                }
                other => {
                    if let Some(slot) = map.get_mut(&key) {
                        apply(slot, other);
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let index = step % items.len();
            if descend(&items[index]) {
                mutate(&mut items[index], rest, edit);
                return;
            }
            match edit {
                Edit::Remove => {
                    items.remove(index);
                }
                other => apply(&mut items[index], other),
            }
        }
        _ => {}
    }
}

fn apply(slot: &mut Value, edit: &Edit) {
    *slot = match edit {
        Edit::Remove | Edit::Null => Value::Null,
        Edit::Stringify => match &*slot {
            Value::String(text) => text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::from(0), Value::Number),
            other => Value::String(other.to_string()),
        },
        Edit::Replace(value) => value.clone(),
    };
}

/// Every topic's sample, read once per test run (empty when the fixtures are absent).
fn samples() -> &'static [(&'static str, Value)] {
    static SAMPLES: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        if crate::testing::fixtures_dir().is_none() {
            println!("fixtures absent: skipping mutated-sample fuzzing");
            return Vec::new();
        }
        topics()
            .into_iter()
            .filter_map(|topic| sample_json(topic).map(|json| (topic, json)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic_any_topic(body in prop::collection::vec(any::<u8>(), 0..256)) {
        map_everywhere(&body);
    }

    #[test]
    fn random_json_never_panics_any_topic(value in json_value()) {
        map_everywhere(value.to_string().as_bytes());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_samples_never_panic_and_still_conform(
        pick in any::<usize>(),
        edits in prop::collection::vec((prop::collection::vec(any::<usize>(), 1..6), edit()), 1..4),
    ) {
        let samples = samples();
        if samples.is_empty() {
            return Ok(());
        }
        let (topic, mut body) = samples[pick % samples.len()].clone();
        for (path, edit) in &edits {
            mutate(&mut body, path, edit);
        }
        let text = body.to_string();
        if let Ok(mapped) = map_webhook(topic, text.as_bytes()) {
            for event in &mapped.events {
                prop_assert!(spec_problems(event).is_empty(), "{topic}: {:?}", spec_problems(event));
            }
        }
        map_everywhere(text.as_bytes());
    }
}

#[test]
fn every_samples_fields_can_each_be_removed_or_retyped_without_panicking() {
    // Exhaustive over top-level fields (the fuzzers above go deeper at random).
    for (topic, body) in samples() {
        let Value::Object(map) = body else { continue };
        for key in map.keys() {
            for edit in [
                Edit::Remove,
                Edit::Null,
                Edit::Stringify,
                Edit::Replace(Value::from(-1)),
            ] {
                let mut changed = body.clone();
                if let Value::Object(m) = &mut changed {
                    match &edit {
                        Edit::Remove => {
                            m.remove(key);
                        }
                        other => {
                            if let Some(slot) = m.get_mut(key) {
                                apply(slot, other);
                            }
                        }
                    }
                }
                if let Ok(mapped) = map_webhook(topic, changed.to_string().as_bytes()) {
                    for event in &mapped.events {
                        assert_eq!(spec_problems(event), Vec::<String>::new(), "{topic} {key}");
                    }
                }
            }
        }
    }
}
