//! What rules read, and re-evaluating only the segments a change can move.

use super::{NOW, buyer, history, rule};
use crate::events::EventKind::{AddToCart, ProductView, Purchase, Refund};
use crate::segments::{Changes, Deps, EventKinds, SegmentSet, Trait, Traits};

#[test]
fn deps_list_the_traits_events_and_clock_a_rule_reads() {
    let deps = Deps::of(&rule(
        r#"lifetime_value >= 500 AND (country IN ["US"] OR NOT tags CONTAINS "x" OR did purchase >= 1 time in last 9 days)"#,
    ));
    assert_eq!(
        deps.traits.iter().collect::<Vec<_>>(),
        [Trait::LifetimeValue, Trait::Country, Trait::Tags]
    );
    assert_eq!(deps.events, EventKinds::of([Purchase]));
    assert!(deps.clock, "an event window slides with time");
    let static_rule = Deps::of(&rule("order_count >= 2"));
    assert!(!static_rule.clock);
    assert!(Deps::of(&rule("created_at more than 9 days ago")).clock);
}

#[test]
fn a_change_affects_only_rules_reading_it() {
    let deps = Deps::of(&rule(
        "order_count >= 2 AND did add_to_cart >= 1 time in last 7 days",
    ));
    assert!(deps.affected_by(&Changes::traits([Trait::OrderCount])));
    assert!(deps.affected_by(&Changes::default().with_event(AddToCart)));
    assert!(deps.affected_by(&Changes::time_passed()));
    assert!(!deps.affected_by(&Changes::traits([Trait::LifetimeValue, Trait::Tags])));
    assert!(!deps.affected_by(&Changes::default().with_event(ProductView)));
    assert!(Deps::of(&rule("order_count >= 2")).affected_by(&Changes::everything()));
    assert!(!Deps::of(&rule("order_count >= 2")).affected_by(&Changes::time_passed()));
    assert!(Traits::NONE.is_empty());
}

fn shop_segments() -> SegmentSet<&'static str> {
    let mut set = SegmentSet::new();
    set.insert("big-spenders", &rule("lifetime_value >= 500"))
        .unwrap();
    set.insert("repeat", &rule("order_count >= 2")).unwrap();
    set.insert("refunders", &rule("did refund >= 1 time in last 30 days"))
        .unwrap();
    set.insert("vip", &rule(r#"tags CONTAINS "vip""#)).unwrap();
    set
}

#[test]
fn a_segment_set_reevaluates_just_the_affected_segments() {
    let set = shop_segments();
    let profile = buyer("600", 1, 3);
    let mut seen = Vec::new();
    let changes = Changes::traits([Trait::LifetimeValue, Trait::OrderCount]);
    set.evaluate_changed(&profile, &changes, NOW, |key, member| {
        seen.push((*key, member))
    });
    assert_eq!(seen, [("big-spenders", true), ("repeat", false)]);
    assert_eq!(
        set.affected(&changes).copied().collect::<Vec<_>>(),
        ["big-spenders", "repeat"]
    );

    let refunded = crate::segments::Profile {
        events: history(&[(Refund, 2, &[], &[])]),
        ..profile
    };
    seen.clear();
    set.evaluate_changed(
        &refunded,
        &Changes::default().with_event(Refund),
        NOW,
        |key, member| seen.push((*key, member)),
    );
    assert_eq!(seen, [("refunders", true)]);
}

#[test]
fn a_segment_set_evaluates_everything_and_replaces_by_key() {
    let mut set = shop_segments();
    let profile = buyer("100", 2, 3);
    let mut all = Vec::new();
    set.evaluate_all(&profile, NOW, |key, member| all.push((*key, member)));
    assert_eq!(
        all,
        [
            ("big-spenders", false),
            ("repeat", true),
            ("refunders", false),
            ("vip", false)
        ]
    );

    set.insert("repeat", &rule("order_count >= 3")).unwrap();
    assert_eq!(set.len(), 4);
    assert!(!set.get(&"repeat").unwrap().matches(&profile, NOW));
    assert!(set.remove(&"vip"));
    assert!(!set.remove(&"vip"));
    assert!(
        set.insert("bad", &crate::segments::Rule::Any(vec![]))
            .is_err()
    );
    assert_eq!(set.len(), 3);
}

#[test]
fn tags_from_the_sets_pool_match_by_pointer_and_by_text() {
    let mut set = SegmentSet::new();
    set.insert(1, &rule(r#"tags CONTAINS "vip""#)).unwrap();
    let pooled = set.tags_mut().intern("vip");
    let from_pool = crate::segments::Profile {
        tags: vec![pooled].into(),
        ..Default::default()
    };
    let separate = crate::segments::Profile {
        tags: vec![crate::segments::Tag::new("vip")].into(),
        ..Default::default()
    };
    assert!(set.get(&1).unwrap().matches(&from_pool, NOW));
    assert!(set.get(&1).unwrap().matches(&separate, NOW));
    assert_eq!(set.tags_mut().len(), 1);
}
