//! "Why is this customer a member": every clause, whether it held, and the actual value.

use super::{NOW, buyer, history, rule};
use crate::events::EventKind::Purchase;
use crate::segments::{CountryCode, Explanation, Profile, explain};

fn leaf(clause: &str, held: bool, actual: &str) -> Explanation {
    Explanation {
        clause: clause.into(),
        held,
        actual: Some(actual.into()),
        children: vec![],
    }
}

#[test]
fn each_clause_says_whether_it_held_and_what_the_profile_has() {
    let profile = Profile {
        country: CountryCode::parse("FR"),
        events: history(&[
            (Purchase, 10, &[], &[]),
            (Purchase, 40, &[], &[]),
            (Purchase, 200, &[], &[]),
        ]),
        ..buyer("742.10", 3, 10)
    };
    let text = r#"lifetime_value >= 500 AND (country IN ["US", "CA"] OR did purchase >= 2 times in last 90 days)"#;
    let explained = explain(&rule(text), &profile, NOW).unwrap();
    assert_eq!(
        explained,
        Explanation {
            clause: text.into(),
            held: true,
            actual: None,
            children: vec![
                leaf("lifetime_value >= 500", true, "742.10"),
                Explanation {
                    clause: r#"country IN ["US", "CA"] OR did purchase >= 2 times in last 90 days"#
                        .into(),
                    held: true,
                    actual: None,
                    children: vec![
                        leaf(r#"country IN ["US", "CA"]"#, false, r#""FR""#),
                        leaf(
                            "did purchase >= 2 times in last 90 days",
                            true,
                            "2 matching purchase events in the last 90 days"
                        ),
                    ],
                },
            ],
        }
    );
}

#[test]
fn negations_dates_tags_and_unset_values_are_explained() {
    let profile = buyer("10", 1, 12);
    let explained = explain(
        &rule(r#"NOT last_order_at in last 30 days AND tags CONTAINS "vip" AND first_name IS SET"#),
        &profile,
        NOW,
    )
    .unwrap();
    assert!(!explained.held);
    let not = &explained.children[0];
    assert_eq!(
        (not.clause.as_str(), not.held),
        ("NOT last_order_at in last 30 days", false)
    );
    assert_eq!(
        not.children[0].actual.as_deref(),
        Some("2025-12-20 (12 days ago)")
    );
    assert!(not.children[0].held);
    assert_eq!(explained.children[1].actual.as_deref(), Some("no tags"));
    assert_eq!(explained.children[2].actual.as_deref(), Some("not set"));
}

#[test]
fn explanations_serialise_for_the_admin() {
    let explained = explain(&rule("order_count >= 1"), &buyer("1", 2, 1), NOW).unwrap();
    assert_eq!(
        serde_json::to_value(&explained).unwrap(),
        serde_json::json!({"clause": "order_count >= 1", "held": true, "actual": "2", "children": []})
    );
}

#[test]
fn an_invalid_rule_is_refused_rather_than_explained() {
    assert!(
        explain(
            &crate::segments::Rule::All(vec![]),
            &Profile::default(),
            NOW
        )
        .is_err()
    );
}
