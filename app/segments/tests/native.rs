//! Translation to Shopify's segment query language: each translatable clause, each refusal.

use std::collections::BTreeMap;

use super::rule;
use crate::segments::{MetafieldUse, NativeQuery, NotNative, Refusal, Trait, to_shopify_query};

fn native(text: &str) -> String {
    match to_shopify_query(&rule(text), &BTreeMap::new()) {
        Ok(NativeQuery {
            query,
            via_metafields,
        }) => {
            assert!(via_metafields.is_empty());
            query
        }
        Err(err) => panic!("{text}: {err}"),
    }
}

fn refused(text: &str) -> Vec<Refusal> {
    to_shopify_query(&rule(text), &BTreeMap::new())
        .expect_err("should be refused")
        .refusals
}

#[test]
fn money_and_order_counts() {
    assert_eq!(native("lifetime_value >= 500"), "amount_spent >= 500");
    assert_eq!(native("lifetime_value > 100.50"), "amount_spent > 100.50");
    assert_eq!(native("order_count = 0"), "number_of_orders = 0");
    assert_eq!(native("NOT order_count >= 3"), "number_of_orders < 3");
}

#[test]
fn countries() {
    assert_eq!(
        native(r#"country IN ["US"]"#),
        "customer_countries CONTAINS 'US'"
    );
    assert_eq!(
        native(r#"country IN ["US", "CA"]"#),
        "customer_countries CONTAINS 'US' OR customer_countries CONTAINS 'CA'"
    );
    assert_eq!(
        native(r#"NOT country IN ["US", "CA"]"#),
        "customer_countries NOT CONTAINS 'US' AND customer_countries NOT CONTAINS 'CA'"
    );
    assert_eq!(
        native(r#"country != "FR""#),
        "customer_countries NOT CONTAINS 'FR'"
    );
    assert_eq!(native("country IS SET"), "customer_countries IS NOT NULL");
}

#[test]
fn tags_with_quotes_escaped() {
    assert_eq!(
        native(r#"tags CONTAINS "vip""#),
        "customer_tags CONTAINS 'vip'"
    );
    assert_eq!(
        native(r#"tags NOT CONTAINS "o'neil""#),
        r"customer_tags NOT CONTAINS 'o\'neil'"
    );
}

#[test]
fn consent_and_account_state() {
    assert_eq!(
        native(r#"email_consent = "SUBSCRIBED""#),
        "email_subscription_status = 'SUBSCRIBED'"
    );
    assert_eq!(
        native(r#"sms_consent IN ["SUBSCRIBED", "PENDING"]"#),
        "sms_subscription_status = 'SUBSCRIBED' OR sms_subscription_status = 'PENDING'"
    );
    assert_eq!(
        native(r#"NOT email_consent = "UNSUBSCRIBED""#),
        "email_subscription_status != 'UNSUBSCRIBED'"
    );
    assert_eq!(
        native(r#"state = "ENABLED""#),
        "customer_account_status = 'ENABLED'"
    );
}

#[test]
fn relative_dates_become_day_offsets() {
    assert_eq!(
        native("last_order_at in last 30 days"),
        "last_order_date >= -30d"
    );
    assert_eq!(
        native("last_order_at more than 90 days ago"),
        "last_order_date < -90d"
    );
    assert_eq!(
        native("created_at in last 7 days"),
        "customer_added_date >= -7d"
    );
    assert_eq!(
        native("last_order_at IS NOT SET"),
        "last_order_date IS NULL"
    );
}

#[test]
fn negated_windows_keep_customers_without_the_date() {
    assert_eq!(
        native("NOT last_order_at in last 30 days"),
        "last_order_date < -30d OR last_order_date IS NULL"
    );
    assert_eq!(
        native("NOT last_order_at more than 90 days ago AND order_count >= 1"),
        "(last_order_date >= -90d OR last_order_date IS NULL) AND number_of_orders >= 1"
    );
    assert_eq!(
        native("NOT created_at in last 7 days"),
        "customer_added_date < -7d"
    );
}

#[test]
fn groups_nest_with_parentheses_and_not_is_pushed_down() {
    assert_eq!(
        native(r#"lifetime_value >= 500 AND (country IN ["US", "CA"] OR order_count >= 3)"#),
        "amount_spent >= 500 AND (customer_countries CONTAINS 'US' OR customer_countries CONTAINS 'CA' OR number_of_orders >= 3)"
    );
    assert_eq!(
        native(r#"NOT (tags CONTAINS "a" AND order_count > 1)"#),
        "customer_tags NOT CONTAINS 'a' OR number_of_orders <= 1"
    );
    assert_eq!(
        native(r#"NOT (tags CONTAINS "a" OR (order_count > 1 AND lifetime_value < 5))"#),
        "customer_tags NOT CONTAINS 'a' AND (number_of_orders <= 1 OR amount_spent >= 5)"
    );
}

#[test]
fn untranslatable_clauses_are_refused_with_their_text_and_reason() {
    let cases = [
        (
            "did purchase >= 3 times in last 90 days",
            "cannot count SegOps events",
        ),
        ("product_views > 3", "storefront behaviour"),
        ("add_to_carts > 3", "storefront behaviour"),
        ("sessions > 3", "storefront behaviour"),
        ("average_order_value > 3", "no average order value filter"),
        (
            "first_order_at in last 3 days",
            "no first order date filter",
        ),
        ("last_seen_at in last 3 days", "last saw the customer"),
        ("has_email = true", "contact details"),
        ("has_phone = true", "contact details"),
        ("verified_email = true", "contact details"),
        (r#"first_name = "Ann""#, "names"),
        ("last_name IS SET", "names"),
        (r#"email_opt_in = "CONFIRMED_OPT_IN""#, "opt-in level"),
        (r#"sms_opt_in = "SINGLE_OPT_IN""#, "opt-in level"),
        ("tags IS SET", "any tag"),
    ];
    for (text, reason) in cases {
        let refusals = refused(text);
        assert_eq!(refusals.len(), 1, "{text}");
        assert_eq!(refusals[0].clause, text);
        assert!(
            refusals[0].reason.contains(reason),
            "{text}: {}",
            refusals[0].reason
        );
    }
}

#[test]
fn every_refused_clause_is_listed_not_just_the_first() {
    let err: NotNative = to_shopify_query(
        &rule("order_count >= 1 AND (sessions > 2 OR NOT did refund >= 1 time in last 30 days)"),
        &BTreeMap::new(),
    )
    .unwrap_err();
    let clauses: Vec<&str> = err.refusals.iter().map(|r| r.clause.as_str()).collect();
    assert_eq!(
        clauses,
        ["sessions > 2", "did refund >= 1 time in last 30 days"]
    );
    assert!(
        err.to_string()
            .starts_with("not expressible as a Shopify segment: `sessions > 2` (")
    );
}

#[test]
fn metafield_backed_traits_translate_through_their_metafield_and_say_so() {
    let metafields = BTreeMap::from([
        (Trait::ProductViews, "product_views".to_owned()),
        (Trait::LastSeenAt, "last_seen".to_owned()),
        (Trait::VerifiedEmail, "verified".to_owned()),
    ]);
    let translated = to_shopify_query(
        &rule("order_count >= 1 AND product_views >= 5 AND NOT last_seen_at in last 30 days AND verified_email = true"),
        &metafields,
    )
    .unwrap();
    assert_eq!(
        translated.query,
        "number_of_orders >= 1 AND metafields.segops.product_views >= 5 AND (metafields.segops.last_seen < -30d OR metafields.segops.last_seen IS NULL) AND metafields.segops.verified = true"
    );
    assert_eq!(
        translated.via_metafields,
        [
            MetafieldUse {
                clause: "product_views >= 5".into(),
                attribute: "metafields.segops.product_views".into()
            },
            MetafieldUse {
                clause: "last_seen_at in last 30 days".into(),
                attribute: "metafields.segops.last_seen".into()
            },
            MetafieldUse {
                clause: "verified_email = true".into(),
                attribute: "metafields.segops.verified".into()
            },
        ]
    );
    let still_refused = to_shopify_query(&rule("sessions > 1"), &metafields).unwrap_err();
    assert_eq!(still_refused.refusals[0].clause, "sessions > 1");
    let bad_key = BTreeMap::from([(Trait::Sessions, "has space".to_owned())]);
    let err = to_shopify_query(&rule("sessions > 1"), &bad_key).unwrap_err();
    assert!(err.refusals[0].reason.contains("metafield key"));
}
