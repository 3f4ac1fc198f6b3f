//! Evaluation of each kind of condition against a profile at a fixed time.

use super::{NOW, buyer, days_ago, history, rule};
use crate::events::EventKind::{self, AddToCart, ProductView, Purchase, Refund};
use crate::segments::{
    CompiledRule, CountryCode, CustomerState, MarketingState, OptInLevel, Profile, Tag,
};

fn holds(text: &str, profile: &Profile) -> bool {
    CompiledRule::compile(&rule(text))
        .unwrap()
        .matches(profile, NOW)
}

#[test]
fn decimal_comparisons_are_exact() {
    let p = buyer("500.00", 3, 10);
    assert!(holds("lifetime_value >= 500", &p));
    assert!(holds("lifetime_value = 500.000", &p));
    assert!(!holds("lifetime_value > 500", &p));
    assert!(holds("lifetime_value < 500.01", &p));
    assert!(holds("average_order_value = 0", &p));
}

#[test]
fn whole_number_traits_compare() {
    let p = Profile {
        order_count: 3,
        product_views: 12,
        add_to_carts: 0,
        sessions: 5,
        ..Profile::default()
    };
    assert!(holds(
        "order_count = 3 AND product_views > 10 AND add_to_carts <= 0 AND sessions != 4",
        &p
    ));
    assert!(!holds("order_count >= 4", &p));
}

#[test]
fn date_windows_are_rolling_days_before_now() {
    let p = buyer("10", 1, 30);
    assert!(holds("last_order_at in last 30 days", &p));
    assert!(!holds("last_order_at in last 29 days", &p));
    assert!(holds("last_order_at more than 29 days ago", &p));
    assert!(!holds("last_order_at more than 30 days ago", &p));
    let never = Profile::default();
    assert!(!holds("last_order_at in last 3660 days", &never));
    assert!(!holds("last_order_at more than 1 day ago", &never));
    assert!(holds("last_order_at IS NOT SET", &never));
}

#[test]
fn booleans_names_and_presence() {
    let p = Profile {
        has_email: true,
        verified_email: false,
        first_name: Some("Ann".into()),
        ..Profile::default()
    };
    assert!(holds(
        "has_email = true AND has_phone = false AND verified_email != true",
        &p
    ));
    assert!(holds(
        r#"first_name = "Ann" AND first_name IS SET AND last_name IS NOT SET"#,
        &p
    ));
    assert!(!holds(r#"first_name = "ann""#, &p));
    assert!(
        !holds(r#"last_name != "Smith""#, &p),
        "an unset name equals nothing, differs from nothing"
    );
}

#[test]
fn countries_states_and_consent() {
    let p = Profile {
        country: CountryCode::parse("ca"),
        state: CustomerState::Enabled,
        email_consent: MarketingState::Subscribed,
        email_opt_in: OptInLevel::ConfirmedOptIn,
        sms_consent: MarketingState::Unsubscribed,
        ..Profile::default()
    };
    assert!(holds(
        r#"country IN ["US", "CA"] AND country = "CA" AND country != "US""#,
        &p
    ));
    assert!(holds(
        r#"state = "ENABLED" AND email_consent = "SUBSCRIBED""#,
        &p
    ));
    assert!(holds(
        r#"email_opt_in IN ["CONFIRMED_OPT_IN"] AND sms_consent != "SUBSCRIBED""#,
        &p
    ));
    assert!(
        holds(r#"sms_opt_in = "UNKNOWN""#, &p),
        "the default opt-in level is UNKNOWN"
    );
    assert!(!holds(r#"country IN ["US"]"#, &Profile::default()));
    assert!(holds(r#"NOT country IN ["US"]"#, &Profile::default()));
}

#[test]
fn tags_contain_and_do_not_contain() {
    let p = Profile {
        tags: vec![Tag::new("vip"), Tag::new("wholesale")].into(),
        ..Profile::default()
    };
    assert!(holds(
        r#"tags CONTAINS "vip" AND tags NOT CONTAINS "blocked""#,
        &p
    ));
    assert!(
        !holds(r#"tags CONTAINS "VIP""#, &p),
        "tags match exactly, as stored"
    );
    assert!(holds("tags IS SET", &p));
    assert!(!holds("tags IS SET", &Profile::default()));
}

fn shopper() -> Profile {
    Profile {
        events: history(&[
            (Purchase, 100, &[1], &[10]),
            (Purchase, 60, &[2], &[20]),
            (Purchase, 20, &[1, 3], &[10]),
            (Purchase, 5, &[4], &[]),
            (ProductView, 1, &[9], &[]),
            (AddToCart, 1, &[9], &[]),
            (Refund, 4, &[], &[]),
        ]),
        ..Profile::default()
    }
}

#[test]
fn event_counts_at_least_at_most_exactly_within_the_window() {
    let p = shopper();
    assert!(holds("did purchase >= 3 times in last 90 days", &p));
    assert!(!holds("did purchase >= 4 times in last 90 days", &p));
    assert!(
        holds("did purchase >= 4 times in last 100 days", &p),
        "the window includes its first day"
    );
    assert!(holds("did purchase = 2 times in last 30 days", &p));
    assert!(holds("did purchase <= 2 times in last 30 days", &p));
    assert!(!holds("did purchase <= 1 times in last 30 days", &p));
    assert!(holds("did checkout_start = 0 times in last 365 days", &p));
}

#[test]
fn event_counts_filter_on_products_or_collections() {
    let p = shopper();
    assert!(holds(
        "did purchase = 2 times in last 365 days for products [1]",
        &p
    ));
    assert!(holds(
        "did purchase = 1 time in last 30 days for products [1, 2]",
        &p
    ));
    assert!(holds(
        "did purchase = 2 times in last 365 days for collections [10]",
        &p
    ));
    assert!(holds(
        "did purchase = 3 times in last 365 days for products [4] for collections [10]",
        &p
    ));
    assert!(holds(
        "did purchase = 0 times in last 365 days for products [99]",
        &p
    ));
}

#[test]
fn did_x_but_not_y_is_all_with_not() {
    let p = shopper();
    assert!(holds(
        "did add_to_cart >= 1 time in last 7 days AND NOT did purchase >= 1 time in last 3 days",
        &p
    ));
    assert!(!holds(
        "did purchase >= 1 time in last 7 days AND NOT did refund >= 1 time in last 7 days",
        &p
    ));
}

#[test]
fn groups_combine_and_short_circuit_to_the_same_answer() {
    let p = buyer("750", 4, 10);
    assert!(holds(
        "lifetime_value >= 500 AND (country IN [\"US\"] OR order_count >= 3)",
        &p
    ));
    assert!(!holds(
        "lifetime_value >= 500 AND (country IN [\"US\"] OR order_count >= 5)",
        &p
    ));
    assert!(holds("NOT (lifetime_value < 100 OR order_count = 0)", &p));
}

#[test]
fn evaluating_an_uncompiled_rule_validates_it_first() {
    let p = buyer("1", 1, 1);
    assert_eq!(rule("order_count >= 1").matches(&p, NOW), Ok(true));
    let empty = crate::segments::Rule::Any(vec![]);
    assert!(empty.matches(&p, NOW).is_err());
}

#[test]
fn event_history_is_kept_oldest_first_whatever_the_input_order() {
    let p = Profile {
        events: history(&[
            (Purchase, 1, &[], &[]),
            (Refund, 9, &[], &[]),
            (ProductView, 5, &[7], &[8]),
        ]),
        ..Profile::default()
    };
    let kinds: Vec<EventKind> = p.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [Refund, ProductView, Purchase]);
    let view = p.events.iter().nth(1).unwrap();
    assert_eq!(
        (view.products, view.collections, view.at_ms),
        (&[7u64][..], &[8u64][..], days_ago(5))
    );
    assert_eq!(p.events.between(days_ago(6), NOW).count(), 2);
}
