//! Protected customer data goes to `people`, never into event properties or entities.

use serde_json::Value;

use super::*;

const PROTECTED_KEYS: &[&str] = &[
    "email",
    "contact_email",
    "email_address",
    "phone",
    "sms_marketing_phone",
    "first_name",
    "last_name",
    "address1",
    "address2",
];

/// Every protected value in a sample, wherever it sits.
fn protected_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match value {
                    Value::String(text) if PROTECTED_KEYS.contains(&key.as_str()) => {
                        out.push(text.clone())
                    }
                    _ => protected_values(value, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| protected_values(v, out)),
        _ => {}
    }
}

#[test]
fn no_protected_customer_data_reaches_event_properties_or_entities() {
    for topic in [
        "customers/create",
        "orders/paid",
        "checkouts/create",
        "fulfillments/create",
    ] {
        let (Some(raw), Some(mapped)) = (sample_json(topic), mapped(topic)) else {
            return;
        };
        let mut secrets = Vec::new();
        protected_values(&raw, &mut secrets);
        assert!(secrets.len() >= 3, "{topic}: {secrets:?}");
        let events = serde_json::to_string(&mapped.events).unwrap();
        let entities = serde_json::to_string(&mapped.entities).unwrap();
        for secret in &secrets {
            assert!(
                !events.contains(secret.as_str()),
                "{topic}: events leak a protected value"
            );
            assert!(
                !entities.contains(secret.as_str()),
                "{topic}: entities leak a protected value"
            );
        }
    }
}

#[test]
fn people_receive_the_protected_data() {
    let Some(created) = mapped("customers/create") else {
        return;
    };
    let [person] = created.people.as_slice() else {
        panic!("{:?}", created.people)
    };
    assert_eq!(person.customer_id, "706405506930370084");
    assert_eq!(person.email.as_deref(), Some("bob@biller.com"));
    assert_eq!(person.first_name.as_deref(), Some("Bob"));
    assert_eq!(person.last_name.as_deref(), Some("Biller"));
    let address: Value = serde_json::from_str(person.address.as_deref().unwrap()).unwrap();
    assert_eq!(address["address1"], "151 O'Connor Street");
    assert_eq!(address["phone"], "555-555-5555");

    let Some(paid) = mapped("orders/paid") else {
        return;
    };
    let [person] = paid.people.as_slice() else {
        panic!("{:?}", paid.people)
    };
    assert_eq!(person.customer_id, "115310627314723954");
    assert_eq!(person.email.as_deref(), Some("john@example.com"));
    assert_eq!(person.first_name.as_deref(), Some("John"));
    assert!(person.address.as_deref().unwrap().contains("123 Elm St."));

    let Some(checkout) = mapped("checkouts/create") else {
        return;
    };
    let [person] = checkout.people.as_slice() else {
        panic!("{:?}", checkout.people)
    };
    assert_eq!(person.customer_id, "603851970716743426");
    assert_eq!(person.last_name.as_deref(), Some("Smith"));
}

#[test]
fn person_data_debug_prints_no_values() {
    let Some(created) = mapped("customers/create") else {
        return;
    };
    let text = format!("{:?}", created);
    for value in [
        "bob@biller.com",
        "Bob",
        "Biller",
        "O'Connor",
        "706405506930370084\"",
    ] {
        assert!(!format!("{:?}", created.people).contains(value), "{value}");
    }
    assert!(!text.contains("bob@biller.com"));
}

#[test]
fn errors_never_quote_payload_values() {
    let Some(mut body) = sample_json("customers/create") else {
        return;
    };
    body["updated_at"] = "bob@biller.com".into();
    let err = map_webhook("customers/create", body.to_string().as_bytes()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("updated_at"), "{text}");
    assert!(!text.contains("bob@biller.com"), "{text}");
}

#[test]
fn a_customer_without_protected_fields_yields_no_person() {
    let Some(mut body) = sample_json("orders/paid") else {
        return;
    };
    for field in [
        "email",
        "first_name",
        "last_name",
        "phone",
        "default_address",
    ] {
        body["customer"][field] = Value::Null;
    }
    body["email"] = Value::Null;
    body["contact_email"] = Value::Null;
    let mapped = map_webhook("orders/paid", body.to_string().as_bytes()).unwrap();
    assert!(mapped.people.is_empty(), "{:?}", mapped.people);
    assert_eq!(
        only_event(&mapped).customer_id.as_deref(),
        Some("115310627314723954")
    );
}
