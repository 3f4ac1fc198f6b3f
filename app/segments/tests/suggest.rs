//! The suggested first segment: high-value customers or lapsed buyers, deterministic, with the
//! member count the rule really has.

use super::{NOW, buyer, dec};
use crate::segments::{CompiledRule, Profile, suggest_first_segment};

fn members(profiles: &[Profile], rule: &crate::segments::Rule) -> usize {
    let compiled = CompiledRule::compile(rule).unwrap();
    profiles.iter().filter(|p| compiled.matches(p, NOW)).count()
}

#[test]
fn high_value_customers_are_above_the_80th_percentile_of_buyers() {
    // Ten buyers spending 10..100, recently; two browsers who never ordered.
    let mut profiles: Vec<Profile> = (1..=10)
        .map(|i| buyer(&format!("{}.00", i * 10), 1, 5))
        .collect();
    profiles.push(Profile::default());
    profiles.push(Profile {
        lifetime_value: dec("5000"),
        ..Profile::default()
    });
    let suggestion = suggest_first_segment(&profiles, NOW).unwrap();
    assert_eq!(suggestion.name, "High-value customers");
    assert_eq!(
        suggestion.rule.to_string(),
        "order_count >= 1 AND lifetime_value > 80"
    );
    assert_eq!(suggestion.expected_members, 2);
    assert_eq!(members(&profiles, &suggestion.rule), 2);
}

#[test]
fn the_percentile_is_exact_on_decimals_and_input_order_does_not_matter() {
    let values = ["19.99", "20.01", "20.00", "0.01", "19.98"];
    let mut profiles: Vec<Profile> = values.iter().map(|v| buyer(v, 2, 1)).collect();
    let first = suggest_first_segment(&profiles, NOW).unwrap();
    profiles.reverse();
    let second = suggest_first_segment(&profiles, NOW).unwrap();
    assert_eq!(first, second);
    assert_eq!(
        first.rule.to_string(),
        "order_count >= 1 AND lifetime_value > 20"
    );
    assert_eq!(first.expected_members, 1);
    assert_eq!(members(&profiles, &first.rule), 1);
}

#[test]
fn lapsed_buyers_are_proposed_when_half_the_buyers_have_lapsed() {
    let profiles = vec![
        buyer("100", 1, 200),
        buyer("300", 2, 120),
        buyer("50", 1, 10),
        buyer("70", 1, 95),
    ];
    let suggestion = suggest_first_segment(&profiles, NOW).unwrap();
    assert_eq!(suggestion.name, "Lapsed buyers");
    assert_eq!(
        suggestion.rule.to_string(),
        "order_count >= 1 AND last_order_at more than 90 days ago"
    );
    assert_eq!(suggestion.expected_members, 3);
    assert_eq!(members(&profiles, &suggestion.rule), 3);
}

#[test]
fn lapsed_buyers_are_proposed_when_every_buyer_spent_the_same() {
    let profiles = vec![buyer("25", 1, 200), buyer("25", 1, 3), buyer("25", 1, 4)];
    let suggestion = suggest_first_segment(&profiles, NOW).unwrap();
    assert_eq!(suggestion.name, "Lapsed buyers");
    assert_eq!(suggestion.expected_members, 1);
}

#[test]
fn nothing_is_proposed_without_a_distinguishing_buyer() {
    assert_eq!(suggest_first_segment(&[], NOW), None);
    assert_eq!(suggest_first_segment(&[Profile::default()], NOW), None);
    let same = vec![buyer("25", 1, 3), buyer("25", 1, 4)];
    assert_eq!(suggest_first_segment(&same, NOW), None);
}
