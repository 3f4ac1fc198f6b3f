//! The stored JSON form: shape, round trip and every validation error.

use super::{dec, rule};
use crate::events::EventKind;
use crate::segments::{
    CmpOp, CountOp, EventCondition, MAX_DEPTH, MAX_NODES, Rule, RuleError, Trait, Value,
};

const EXAMPLE: &str = r#"{"version":1,"rule":{"all":[{"compare":{"trait":"lifetime_value","op":">=","value":"500"}},{"any":[{"in":{"trait":"country","values":["US","CA"]}},{"event":{"kind":"purchase","op":">=","count":3,"days":90}}]}]}}"#;

fn json_error(rule_json: &str) -> RuleError {
    Rule::from_json(&format!(r#"{{"version":1,"rule":{rule_json}}}"#))
        .expect_err("the rule should be refused")
}

#[test]
fn the_documented_example_reads_as_its_text_form() {
    let parsed = Rule::from_json(EXAMPLE).unwrap();
    assert_eq!(
        parsed.to_string(),
        r#"lifetime_value >= 500 AND (country IN ["US", "CA"] OR did purchase >= 3 times in last 90 days)"#
    );
    assert_eq!(
        parsed,
        Rule::all([
            Rule::compare(Trait::LifetimeValue, CmpOp::Ge, Value::Decimal(dec("500"))),
            Rule::any([
                Rule::In {
                    field: Trait::Country,
                    values: vec!["US".into(), "CA".into()],
                },
                Rule::Event(EventCondition {
                    kind: EventKind::Purchase,
                    op: CountOp::AtLeast,
                    count: 3,
                    days: 90,
                    products: vec![],
                    collections: vec![],
                }),
            ]),
        ])
    );
}

#[test]
fn writing_then_reading_json_gives_the_same_rule() {
    let original = rule(
        r#"(lifetime_value > 99.95 OR order_count >= 2) AND NOT tags CONTAINS "wholesale" AND email_consent IN ["SUBSCRIBED", "PENDING"] AND did add_to_cart >= 1 time in last 7 days for products [788032119674292922] AND last_order_at more than 30 days ago AND verified_email = true AND first_name IS SET"#,
    );
    let json = original.to_json();
    assert!(
        json.starts_with(r#"{"version":1,"rule":{"all":["#),
        "{json}"
    );
    assert!(
        json.contains(r#""products":["788032119674292922"]"#),
        "ids are strings: {json}"
    );
    assert!(
        json.contains(r#""value":"99.95""#),
        "decimals are strings: {json}"
    );
    assert_eq!(Rule::from_json(&json).unwrap(), original);
}

#[test]
fn decimals_and_ids_are_also_accepted_as_json_numbers() {
    let read = Rule::from_json(
        r#"{"version":1,"rule":{"all":[{"compare":{"trait":"lifetime_value","op":">","value":100.5}},{"event":{"kind":"product_view","op":"=","count":0,"days":1,"collections":[42]}}]}}"#,
    )
    .unwrap();
    assert_eq!(
        read.to_string(),
        "lifetime_value > 100.5 AND did product_view = 0 times in last 1 day for collections [42]"
    );
}

#[test]
fn an_unknown_trait_is_named_with_the_known_ones() {
    let err = json_error(r#"{"compare":{"trait":"lifetime_spend","op":">","value":"1"}}"#);
    assert!(matches!(&err, RuleError::UnknownTrait { name, .. } if name == "lifetime_spend"));
    let message = err.to_string();
    assert!(
        message.contains("unknown trait `lifetime_spend`"),
        "{message}"
    );
    assert!(message.contains("lifetime_value"), "{message}");
}

#[test]
fn a_value_of_the_wrong_type_for_its_trait_is_refused() {
    let err = json_error(r#"{"compare":{"trait":"order_count","op":">=","value":"three"}}"#);
    assert_eq!(
        err.to_string(),
        "`order_count` takes a whole number, not \"three\""
    );
    let err = json_error(r#"{"compare":{"trait":"order_count","op":">=","value":2.5}}"#);
    assert!(matches!(
        err,
        RuleError::WrongValue {
            field: "order_count",
            ..
        }
    ));
    let err = json_error(r#"{"compare":{"trait":"verified_email","op":"=","value":"yes"}}"#);
    assert!(matches!(
        err,
        RuleError::WrongValue {
            field: "verified_email",
            ..
        }
    ));
    let err = json_error(r#"{"compare":{"trait":"lifetime_value","op":">","value":null}}"#);
    assert_eq!(
        err.to_string(),
        "`lifetime_value` takes a decimal amount, not null"
    );
}

#[test]
fn operators_that_do_not_fit_the_trait_are_refused_with_a_hint() {
    let err = json_error(r#"{"compare":{"trait":"last_order_at","op":">","value":"1"}}"#);
    assert!(err.to_string().contains("in last N days"), "{err}");
    let err = json_error(r#"{"compare":{"trait":"email_consent","op":">","value":"SUBSCRIBED"}}"#);
    assert!(matches!(
        err,
        RuleError::OpNotAllowed {
            field: "email_consent",
            ..
        }
    ));
    let err = json_error(r#"{"within":{"trait":"order_count","days":3}}"#);
    assert!(matches!(
        err,
        RuleError::OpNotAllowed {
            field: "order_count",
            ..
        }
    ));
    let err = json_error(r#"{"is_set":"lifetime_value"}"#);
    assert!(matches!(
        err,
        RuleError::OpNotAllowed {
            field: "lifetime_value",
            ..
        }
    ));
}

#[test]
fn negative_zero_and_huge_day_windows_are_refused() {
    for days in ["-3", "0", "100000"] {
        let err = json_error(&format!(
            r#"{{"within":{{"trait":"last_order_at","days":{days}}}}}"#
        ));
        assert!(
            matches!(err, RuleError::DaysOutOfRange { .. }),
            "{days}: {err}"
        );
    }
    let err = json_error(r#"{"event":{"kind":"purchase","op":">=","count":1,"days":-1}}"#);
    assert_eq!(err.to_string(), "days must be between 1 and 3660, got -1");
    let err = json_error(r#"{"event":{"kind":"purchase","op":">=","count":-1,"days":1}}"#);
    assert!(matches!(err, RuleError::CountOutOfRange { .. }));
}

#[test]
fn empty_groups_and_lists_are_refused() {
    assert_eq!(json_error(r#"{"any":[]}"#), RuleError::EmptyGroup("any"));
    assert_eq!(
        json_error(r#"{"all":[{"has_tag":"a"},{"all":[]}]}"#),
        RuleError::EmptyGroup("all")
    );
    assert_eq!(
        json_error(r#"{"in":{"trait":"country","values":[]}}"#),
        RuleError::EmptyList("IN")
    );
}

#[test]
fn unknown_state_names_countries_events_and_ids_are_refused() {
    let err = json_error(r#"{"in":{"trait":"sms_consent","values":["INVALID"]}}"#);
    assert!(
        matches!(
            err,
            RuleError::UnknownValue {
                field: "sms_consent",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("SUBSCRIBED"));
    let err = json_error(r#"{"in":{"trait":"country","values":["USA"]}}"#);
    assert!(matches!(
        err,
        RuleError::WrongValue {
            field: "country",
            ..
        }
    ));
    let err = json_error(r#"{"event":{"kind":"bought","op":">=","count":1,"days":1}}"#);
    assert_eq!(err, RuleError::UnknownEvent("bought".into()));
    let err = json_error(
        r#"{"event":{"kind":"purchase","op":">=","count":1,"days":1,"products":["gid://shopify/Product/1"]}}"#,
    );
    assert!(matches!(err, RuleError::BadId(_)));
    assert!(matches!(
        json_error(r#"{"has_tag":"a,b"}"#),
        RuleError::BadTag(_)
    ));
}

#[test]
fn lower_case_states_and_countries_are_stored_in_shopify_spelling() {
    let read = Rule::from_json(
        r#"{"version":1,"rule":{"all":[{"in":{"trait":"country","values":["us"]}},{"compare":{"trait":"email_consent","op":"=","value":"subscribed"}}]}}"#,
    )
    .unwrap();
    assert_eq!(
        read.to_string(),
        r#"country IN ["US"] AND email_consent = "SUBSCRIBED""#
    );
}

#[test]
fn rules_nested_too_deep_or_too_large_are_refused() {
    let mut deep = r#"{"has_tag":"a"}"#.to_owned();
    for _ in 0..MAX_DEPTH {
        deep = format!(r#"{{"not":{deep}}}"#);
    }
    assert!(
        matches!(json_error(&deep), RuleError::TooDeep { depth, max: MAX_DEPTH } if depth == MAX_DEPTH + 1)
    );
    let wide = format!(
        r#"{{"any":[{}]}}"#,
        vec![r#"{"has_tag":"a"}"#; MAX_NODES].join(",")
    );
    assert!(
        matches!(json_error(&wide), RuleError::TooLarge { nodes, .. } if nodes == MAX_NODES + 1)
    );
}

#[test]
fn malformed_documents_say_where() {
    let err = Rule::from_json(r#"{"version":2,"rule":{"has_tag":"a"}}"#).unwrap_err();
    assert_eq!(err, RuleError::UnsupportedVersion(2));
    let err = json_error(r#"{"all":[{"has_tag":"a"},{"nope":1}]}"#);
    match err {
        RuleError::Json { path, message } => {
            assert_eq!(path, "rule.all[1]");
            assert!(message.contains("unknown variant `nope`"), "{message}");
        }
        other => panic!("expected a JSON error, got {other:?}"),
    }
    match json_error(r#"{"sometimes":[]}"#) {
        RuleError::Json { path, .. } => assert_eq!(path, "rule"),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    let err = Rule::from_json("{").unwrap_err();
    assert!(matches!(err, RuleError::Json { .. }));
}
