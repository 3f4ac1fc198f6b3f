//! The readable text form: rendering, parsing, error positions, and the round trip.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::rule;
use crate::events::EventKind;
use crate::segments::{
    CmpOp, CountOp, CustomerState, EventCondition, MarketingState, OptInLevel, Rule, Trait, Value,
};

fn error_at(text: &str) -> (usize, String) {
    let err = Rule::parse_text(text).expect_err("should not parse");
    (err.column, err.message)
}

#[test]
fn the_issue_example_parses_and_renders_back_identically() {
    let text = r#"lifetime_value >= 500 AND (country IN ["US", "CA"] OR did purchase >= 3 times in last 90 days)"#;
    assert_eq!(rule(text).to_string(), text);
}

#[test]
fn keywords_are_read_in_any_case_and_rendered_canonically() {
    let read = rule(
        r#"not (tags contains "vip" or first_name is not set) and DID refund = 0 TIMES IN LAST 30 DAYS and last_seen_at IN LAST 1 DAY and created_at MORE THAN 365 days AGO"#,
    );
    assert_eq!(
        read.to_string(),
        r#"NOT (tags CONTAINS "vip" OR first_name IS NOT SET) AND did refund = 0 times in last 30 days AND last_seen_at in last 1 day AND created_at more than 365 days ago"#
    );
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(
        rule("has_email = true OR order_count > 1 AND sessions > 2"),
        Rule::any([
            Rule::compare(Trait::HasEmail, CmpOp::Eq, Value::Bool(true)),
            Rule::all([
                Rule::compare(Trait::OrderCount, CmpOp::Gt, Value::Int(1)),
                Rule::compare(Trait::Sessions, CmpOp::Gt, Value::Int(2)),
            ]),
        ])
    );
}

#[test]
fn strings_keep_quotes_and_backslashes() {
    let read = rule(r#"tags CONTAINS "say \"hi\" \\ bye""#);
    assert_eq!(read, Rule::HasTag(r#"say "hi" \ bye"#.into()));
    assert_eq!(read.to_string(), r#"tags CONTAINS "say \"hi\" \\ bye""#);
}

#[test]
fn parse_errors_point_at_the_column() {
    assert_eq!(
        error_at("lifetime_value >= 500 AND"),
        (
            26,
            "expected a condition (a trait name or `did`), found the end of the rule".into()
        )
    );
    let (column, message) = error_at("lifetime_value >= 500 AND lifetme_value < 9");
    assert_eq!(column, 27);
    assert!(
        message.starts_with("unknown trait `lifetme_value`"),
        "{message}"
    );
    assert_eq!(
        error_at("order_count >= 2 OR (sessions > 1"),
        (34, "expected `)`, found the end of the rule".into())
    );
    assert_eq!(
        error_at("did purchase >= 3 times in last -5 days"),
        (33, "days must be between 1 and 3660, got -5".into())
    );
    let (column, message) = error_at("did purchased >= 1 times in last 5 days");
    assert_eq!(
        (column, message.as_str()),
        (5, "unknown event kind `purchased`")
    );
    assert_eq!(
        error_at(r#"tags CONTAINS "vip"#),
        (15, "this string is never closed (missing `\"`)".into())
    );
    assert_eq!(error_at("order_count # 3").0, 13);
    let (column, message) = error_at("order_count >= 1.5");
    assert_eq!(column, 1);
    assert!(message.contains("whole number"), "{message}");
}

#[test]
fn the_error_pointer_underlines_the_column() {
    let text = "order_count >= 1 AND AND";
    let err = Rule::parse_text(text).unwrap_err();
    assert_eq!(
        err.pointer(text),
        "order_count >= 1 AND AND\n                     ^ expected a condition (a trait name or `did`), found `AND`"
    );
}

#[test]
fn hostile_nesting_is_refused_without_exhausting_the_stack() {
    let text = format!(
        "{}has_email = true{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let (_, message) = error_at(&text);
    assert!(message.contains("nest more than"), "{message}");
    let text = format!("{}has_email = true", "NOT ".repeat(10_000));
    assert!(Rule::parse_text(&text).is_err());
}

#[test]
fn whole_rule_limits_apply_to_text_too() {
    let text = vec!["has_email = true"; 101].join(" OR ");
    let (column, message) = error_at(&text);
    assert_eq!(column, 1);
    assert!(message.contains("at most 100"), "{message}");
}

fn leaf() -> impl Strategy<Value = Rule> {
    let decimal = (
        prop::sample::select(vec![Trait::LifetimeValue, Trait::AverageOrderValue]),
        any::<i32>(),
    )
        .prop_map(|(field, cents)| (field, Value::Decimal(Decimal::new(i64::from(cents), 2))));
    let integer = (
        prop::sample::select(vec![
            Trait::OrderCount,
            Trait::ProductViews,
            Trait::AddToCarts,
            Trait::Sessions,
        ]),
        any::<i64>(),
    )
        .prop_map(|(field, n)| (field, Value::Int(n)));
    let ordered = (
        prop_oneof![decimal, integer],
        prop::sample::select(CmpOp::ALL.to_vec()),
    )
        .prop_map(|((field, value), op)| Rule::Compare { field, op, value });
    let equality = prop::sample::select(vec![CmpOp::Eq, CmpOp::Ne]);
    let boolean = (
        prop::sample::select(vec![Trait::HasEmail, Trait::HasPhone, Trait::VerifiedEmail]),
        equality.clone(),
        any::<bool>(),
    )
        .prop_map(|(field, op, b)| Rule::compare(field, op, Value::Bool(b)));
    let name = (
        prop::sample::select(vec![Trait::FirstName, Trait::LastName]),
        equality.clone(),
        "\\PC{0,8}",
    )
        .prop_map(|(field, op, text)| Rule::compare(field, op, Value::Text(text)));
    let states = prop_oneof![
        Just((Trait::State, CustomerState::NAMES)),
        Just((Trait::EmailConsent, MarketingState::NAMES)),
        Just((Trait::EmailOptIn, OptInLevel::NAMES)),
        Just((Trait::SmsOptIn, OptInLevel::NAMES)),
    ];
    let state =
        (states, equality, any::<prop::sample::Index>()).prop_map(|((field, names), op, i)| {
            Rule::compare(field, op, Value::Text(names[i.index(names.len())].into()))
        });
    let countries = prop::collection::vec("[A-Z]{2}", 1..4).prop_map(|values| Rule::In {
        field: Trait::Country,
        values,
    });
    let dates = prop::sample::select(vec![
        Trait::FirstOrderAt,
        Trait::LastOrderAt,
        Trait::CreatedAt,
        Trait::LastSeenAt,
    ]);
    let window = (dates.clone(), 1u32..=3660, any::<bool>()).prop_map(|(field, days, within)| {
        if within {
            Rule::Within { field, days }
        } else {
            Rule::OlderThan { field, days }
        }
    });
    let is_set = prop::sample::select(vec![
        Trait::FirstName,
        Trait::Country,
        Trait::Tags,
        Trait::LastOrderAt,
    ])
    .prop_map(Rule::IsSet);
    let tag = "[a-z0-9\"\\\\][a-z0-9 \"\\\\é]{0,6}[a-z0-9]".prop_map(Rule::HasTag);
    let event = (
        prop::sample::select(EventKind::ALL.to_vec()),
        prop::sample::select(vec![CountOp::AtLeast, CountOp::AtMost, CountOp::Exactly]),
        0u32..1000,
        1u32..=3660,
        prop::collection::vec(any::<u64>(), 0..3),
        prop::collection::vec(any::<u64>(), 0..3),
    )
        .prop_map(|(kind, op, count, days, products, collections)| {
            Rule::Event(EventCondition {
                kind,
                op,
                count,
                days,
                products,
                collections,
            })
        });
    prop_oneof![
        ordered, boolean, name, state, countries, window, is_set, tag, event
    ]
}

fn arbitrary_rule() -> impl Strategy<Value = Rule> {
    leaf().prop_recursive(3, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Rule::All),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Rule::Any),
            inner.prop_map(Rule::not),
        ]
    })
}

proptest! {
    #[test]
    fn rendering_then_parsing_gives_the_rule_back(rule in arbitrary_rule()) {
        rule.validate().expect("generated rules are valid");
        let text = rule.to_string();
        let parsed = Rule::parse_text(&text).map_err(|err| TestCaseError::fail(err.pointer(&text)))?;
        prop_assert_eq!(&parsed, &rule.normalized());
        prop_assert_eq!(parsed.to_string(), text);
    }

    #[test]
    fn writing_then_reading_json_gives_the_rule_back(rule in arbitrary_rule()) {
        prop_assert_eq!(Rule::from_json(&rule.to_json()).unwrap(), rule);
    }
}
