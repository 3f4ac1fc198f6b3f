use super::*;
use crate::events::{EntityChange, EventKind as K, abandoned_checkout_event, map_webhook_at};
use crate::shopify::topics::SUBSCRIBED;

/// What each subscribed topic's documentation sample maps to.
const EXPECTED: &[(&str, &[K])] = &[
    ("orders/create", &[K::OrderCreated]),
    ("orders/updated", &[K::OrderUpdated]),
    ("orders/paid", &[K::Purchase]),
    ("orders/edited", &[K::OrderModified]),
    ("orders/cancelled", &[K::OrderCancelled]),
    ("orders/fulfilled", &[K::OrderFulfilled]),
    ("checkouts/create", &[K::CheckoutStart]),
    ("checkouts/update", &[K::CheckoutUpdate]),
    ("carts/create", &[K::CartUpdate]),
    ("carts/update", &[K::CartUpdate]),
    ("customers/create", &[K::CustomerCreated]),
    ("customers/update", &[K::CustomerUpdated]),
    ("customers/delete", &[K::CustomerDeleted]),
    // The sample is a *failed* merge request: nothing changed.
    ("customers/merge", &[]),
    (
        "customers_email_marketing_consent/update",
        &[K::ConsentChange],
    ),
    ("customers_marketing_consent/update", &[K::ConsentChange]),
    // Tag changes move the customer's tags, not the event stream.
    ("customer.tags_added", &[]),
    ("customer.tags_removed", &[]),
    ("refunds/create", &[K::Refund]),
    ("fulfillments/create", &[K::FulfillmentCreated]),
    ("fulfillments/update", &[K::FulfillmentUpdated]),
    ("products/create", &[K::ProductCreated]),
    ("products/update", &[K::ProductUpdated]),
    ("products/delete", &[K::ProductDeleted]),
    ("app/uninstalled", &[]),
    ("app/scopes_update", &[]),
    ("app_subscriptions/update", &[]),
    ("bulk_operations/finish", &[]),
];

#[test]
fn every_subscribed_topic_has_an_expected_mapping() {
    for topic in SUBSCRIBED {
        assert!(
            EXPECTED.iter().any(|(t, _)| t == topic),
            "{topic} has no expectation"
        );
    }
}

#[test]
fn every_subscribed_topics_sample_maps_to_its_canonical_events() {
    for (topic, kinds) in EXPECTED {
        let Some(mapped) = mapped(topic) else { return };
        let got: Vec<K> = mapped.events.iter().map(|e| e.kind).collect();
        assert_eq!(&got, kinds, "{topic}");
        for event in &mapped.events {
            assert_eq!(event.segment_name, event.kind.segment_name());
            assert!(
                event
                    .dedupe_key
                    .starts_with(&format!("{}:", event.kind.as_str())),
                "{}",
                event.dedupe_key
            );
        }
    }
}

#[test]
fn tag_events_become_the_customers_tag_changes_at_their_time() {
    for (topic, added) in [
        ("customer.tags_added", true),
        ("customer.tags_removed", false),
    ] {
        let Some(mapped) = mapped(topic) else { return };
        assert_eq!(
            mapped.entities,
            vec![EntityChange::CustomerTags {
                customer_id: "1".into(),
                tags: vec!["tag1".into(), "tag2".into()],
                added,
                // 2005-05-05T06:00:00.000Z
                at_ms: 1_115_272_800_000,
            }],
            "{topic}"
        );
        assert!(mapped.events.is_empty() && mapped.people.is_empty());
    }
    let refused = map_webhook(
        "customer.tags_added",
        br#"{"tags": ["a"], "occurredAt": "2005-05-05T06:00:00Z"}"#,
    )
    .unwrap_err();
    assert!(refused.to_string().contains("customerId"), "{refused}");
}

#[test]
fn lifecycle_topics_map_to_nothing_even_without_parsing() {
    for topic in [
        "app/uninstalled",
        "app/scopes_update",
        "app_subscriptions/update",
        "bulk_operations/finish",
    ] {
        assert_eq!(map_webhook(topic, b"{}").unwrap(), Mapped::default());
    }
}

#[test]
fn an_unknown_topic_is_refused_by_name() {
    let err = map_webhook("orders/exploded", b"{}").unwrap_err();
    assert_eq!(err.to_string(), "unknown webhook topic `orders/exploded`");
}

#[test]
fn sample_ids_keep_their_exact_large_values() {
    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    let event = only_event(&paid);
    assert_eq!(event.order_id.as_deref(), Some("820982911946154508"));
    assert_eq!(event.customer_id.as_deref(), Some("115310627314723954"));
    assert_eq!(event.dedupe_key, "purchase:order:820982911946154508");
    let Some(refund) = mapped("refunds/create") else {
        return;
    };
    let event = only_event(&refund);
    assert_eq!(event.order_id.as_deref(), Some("820982911946154508"));
    assert_eq!(event.dedupe_key, "refund:refund:890088186047892319");
    assert_eq!(event.properties["order_id"], "820982911946154508");
}

#[test]
fn order_topics_carry_the_order_snapshot_and_timestamps_from_shopify() {
    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    // 2021-12-31T19:00:00-05:00
    assert_eq!(only_event(&paid).occurred_at_ms, 1_640_995_200_000);
    let [
        EntityChange::Order {
            id,
            updated_at_ms,
            customer_id,
            financial_status,
            cancelled,
            total,
            currency,
            ..
        },
    ] = paid.entities.as_slice()
    else {
        panic!("{:?}", paid.entities)
    };
    assert_eq!(id, "820982911946154508");
    assert_eq!(*updated_at_ms, 1_640_995_200_000);
    assert_eq!(customer_id.as_deref(), Some("115310627314723954"));
    assert_eq!(financial_status.as_deref(), Some("voided"));
    assert!(*cancelled);
    assert_eq!(*total, dec("414.95"), "current_total_price");
    assert_eq!(currency, "USD");
}

#[test]
fn checkouts_give_a_snapshot_from_which_abandonment_is_built() {
    let Some(created) = mapped("checkouts/create") else {
        return;
    };
    let event = only_event(&created);
    assert_eq!(event.checkout_token.as_deref(), Some("123123123"));
    assert_eq!(
        event.cart_token.as_deref(),
        Some("eeafa272cebfd4b22385bc4b645e762c")
    );
    assert_eq!(event.customer_id.as_deref(), Some("603851970716743426"));
    assert_eq!(event.decimal("value"), Some(dec("421.88")));
    assert_eq!(event.decimal("revenue"), Some(dec("398.00")));
    assert_eq!(event.decimal("tax"), Some(dec("23.88")));
    let checkout = &created.entities[0];
    let abandoned = abandoned_checkout_event(checkout, 1_700_000_000_000).unwrap();
    assert_eq!(abandoned.kind, K::CheckoutAbandoned);
    assert_eq!(abandoned.segment_name, Some("Checkout Abandoned"));
    assert_eq!(abandoned.occurred_at_ms, 1_700_000_000_000);
    assert_eq!(
        abandoned.dedupe_key,
        "checkout_abandoned:checkout:123123123:1640995200000"
    );
    assert_eq!(abandoned.properties["checkout_id"], "123123123");
    assert_eq!(abandoned.decimal("value"), Some(dec("421.88")));
    assert_eq!(abandoned.properties["currency"], "USD");
    assert_eq!(
        abandoned.properties["products"].as_array().unwrap().len(),
        2
    );
    assert!(
        abandoned.properties["url"]
            .as_str()
            .unwrap()
            .contains("/checkouts/123123123/recover")
    );
    assert!(crate::events::spec_problems(&abandoned).is_empty());

    let EntityChange::Checkout { .. } = checkout else {
        panic!()
    };
    let mut completed = checkout.clone();
    if let EntityChange::Checkout {
        completed: done, ..
    } = &mut completed
    {
        *done = true;
    }
    assert!(abandoned_checkout_event(&completed, 1).is_none());
    assert!(abandoned_checkout_event(&merge_entity(), 1).is_none());
}

fn merge_entity() -> EntityChange {
    EntityChange::CustomerMerge {
        kept: "1".into(),
        merged: vec!["2".into()],
    }
}

#[test]
fn a_completed_merge_maps_to_customers_merged() {
    let Some(mut body) = sample_json("customers/merge") else {
        return;
    };
    body["status"] = "completed".into();
    let mapped = map_webhook("customers/merge", body.to_string().as_bytes()).unwrap();
    let event = only_event(&mapped);
    assert_eq!(event.kind, K::CustomersMerged);
    assert_eq!(event.customer_id.as_deref(), Some("1"));
    assert_eq!(event.dedupe_key, "customers_merged:customer:1:2");
    assert_eq!(
        mapped.entities,
        vec![EntityChange::CustomerMerge {
            kept: "1".into(),
            merged: vec!["2".into()]
        }]
    );
}

#[test]
fn deletions_are_terminal_and_take_the_delivery_time() {
    let Some(body) = sample("customers/delete") else {
        return;
    };
    let mapped = map_webhook_at("customers/delete", &body, 1_234).unwrap();
    assert_eq!(only_event(&mapped).occurred_at_ms, 1_234);
    assert!(matches!(
        mapped.entities.as_slice(),
        [EntityChange::Customer {
            deleted: true,
            updated_at_ms: i64::MAX,
            ..
        }]
    ));
    let Some(body) = sample("products/delete") else {
        return;
    };
    let mapped = map_webhook_at("products/delete", &body, 99).unwrap();
    assert_eq!(
        only_event(&mapped).dedupe_key,
        "product_deleted:product:788032119674292922"
    );
    assert!(matches!(
        mapped.entities.as_slice(),
        [EntityChange::Product { deleted: true, .. }]
    ));
}

#[test]
fn consent_updates_name_the_channel_and_state() {
    let Some(email) = mapped("customers_email_marketing_consent/update") else {
        return;
    };
    let event = only_event(&email);
    assert_eq!(event.customer_id.as_deref(), Some("706405506930370084"));
    assert_eq!(event.properties["channel"], "email");
    assert_eq!(event.properties["state"], "not_subscribed");
    assert_eq!(email.people[0].email.as_deref(), Some("bob@biller.com"));
    let Some(sms) = mapped("customers_marketing_consent/update") else {
        return;
    };
    let event = only_event(&sms);
    assert_eq!(event.properties["channel"], "sms");
    assert_eq!(event.properties["collected_from"], "other");
    assert!(sms.people.is_empty(), "the sample's phone is null");
}

#[test]
fn products_and_carts_map_their_catalog_fields() {
    let Some(product) = mapped("products/update") else {
        return;
    };
    let event = only_event(&product);
    assert_eq!(event.properties["product_id"], "788032119674292922");
    assert_eq!(event.properties["brand"], "Acme");
    assert_eq!(event.properties["category"], "Shirts");
    assert_eq!(
        event.properties["variants"][0]["variant_id"],
        "642667041472713922"
    );
    assert_eq!(
        event.properties["variants"][0]["price"].to_string(),
        "19.99"
    );
    let Some(cart) = mapped("carts/update") else {
        return;
    };
    let event = only_event(&cart);
    assert_eq!(event.cart_token.as_deref(), Some("exampleCartId"));
    assert_eq!(event.decimal("value"), Some(dec("59.97")));
    assert_eq!(event.properties["currency"], "USD");
    assert_eq!(event.properties["products"][0]["quantity"], 3);
}

#[test]
fn canonical_events_round_trip_through_json() {
    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    let text = serde_json::to_string(&paid).unwrap();
    let back: Mapped = serde_json::from_str(&text).unwrap();
    assert_eq!(back, paid);
}
