//! The same business change always has the same key; different changes never share one.

use super::*;

fn key(topic: &str, body: &[u8]) -> String {
    only_event(&map_webhook(topic, body).unwrap())
        .dedupe_key
        .clone()
}

#[test]
fn a_change_delivered_twice_or_reformatted_has_one_dedupe_key() {
    for topic in crate::shopify::topics::SUBSCRIBED {
        let Some(body) = sample(topic) else { return };
        let first = map_webhook(topic, &body).unwrap();
        let again = map_webhook(topic, &body).unwrap();
        // The same content re-serialised (another delivery need not be byte-identical).
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let compact = map_webhook(topic, value.to_string().as_bytes()).unwrap();
        let keys = |m: &Mapped| {
            m.events
                .iter()
                .map(|e| e.dedupe_key.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&first), keys(&again), "{topic}");
        assert_eq!(keys(&first), keys(&compact), "{topic}");
    }
}

#[test]
fn two_customer_updates_at_different_times_have_different_keys() {
    let Some(mut body) = sample_json("customers/update") else {
        return;
    };
    let first = key("customers/update", body.to_string().as_bytes());
    assert!(
        first.starts_with("customer_updated:customer:706405506930370084:1640995200000:"),
        "{first}"
    );
    body["updated_at"] = "2022-01-02T10:00:00-05:00".into();
    let second = key("customers/update", body.to_string().as_bytes());
    assert_ne!(first, second);
}

#[test]
fn the_same_order_gets_distinct_keys_per_kind_of_change() {
    let Some(body) = sample("orders/paid") else {
        return;
    };
    let keys: Vec<String> = [
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/cancelled",
        "orders/fulfilled",
    ]
    .iter()
    .map(|topic| key(topic, &body))
    .collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "{keys:?}");
}

#[test]
fn order_updates_are_versioned_by_updated_at_but_a_purchase_happens_once() {
    let Some(mut body) = sample_json("orders/paid") else {
        return;
    };
    let purchase = key("orders/paid", body.to_string().as_bytes());
    let update = key("orders/updated", body.to_string().as_bytes());
    body["updated_at"] = "2022-01-05T00:00:00Z".into();
    assert_eq!(key("orders/paid", body.to_string().as_bytes()), purchase);
    assert_ne!(key("orders/updated", body.to_string().as_bytes()), update);
}

#[test]
fn consent_changes_without_a_timestamp_are_keyed_by_their_new_state() {
    let Some(mut body) = sample_json("customers_email_marketing_consent/update") else {
        return;
    };
    let topic = "customers_email_marketing_consent/update";
    let unsubscribed = key(topic, body.to_string().as_bytes());
    body["email_marketing_consent"]["state"] = "subscribed".into();
    let subscribed = key(topic, body.to_string().as_bytes());
    assert_ne!(unsubscribed, subscribed);
    body["email_marketing_consent"]["consent_updated_at"] = "2024-05-01T00:00:00Z".into();
    assert_eq!(
        key(topic, body.to_string().as_bytes()),
        "consent_change:customer:706405506930370084:email:1714521600000"
    );
}

#[test]
fn two_changes_of_an_order_in_the_same_second_have_different_keys() {
    // A refund and then a fulfillment, both stamped with the same `updated_at` second.
    let Some(mut body) = sample_json("orders/updated") else {
        return;
    };
    body["financial_status"] = "partially_refunded".into();
    body["fulfillment_status"] = serde_json::Value::Null;
    let refunded = key("orders/updated", body.to_string().as_bytes());
    body["fulfillment_status"] = "fulfilled".into();
    let fulfilled = key("orders/updated", body.to_string().as_bytes());
    assert_ne!(refunded, fulfilled);
    // The same change delivered again is still one change.
    assert_eq!(
        key("orders/updated", body.to_string().as_bytes()),
        fulfilled
    );
}
