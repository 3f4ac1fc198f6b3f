use super::*;
use crate::events::{ComplianceRequest, MapError, parse_compliance};

#[test]
fn the_three_privacy_samples_parse_into_requests() {
    let Some(body) = sample("customers/data_request") else {
        return;
    };
    assert_eq!(
        parse_compliance("customers/data_request", &body).unwrap(),
        ComplianceRequest::DataRequest {
            shop_domain: "{shop}.myshopify.com".into(),
            customer_id: Some("191167".into()),
            orders_requested: vec!["299938".into(), "280263".into(), "220458".into()],
            request_id: Some("9999".into()),
        }
    );
    let Some(body) = sample("customers/redact") else {
        return;
    };
    assert_eq!(
        parse_compliance("customers/redact", &body).unwrap(),
        ComplianceRequest::CustomerRedact {
            shop_domain: "{shop}.myshopify.com".into(),
            customer_id: Some("191167".into()),
            orders_to_redact: vec!["299938".into(), "280263".into(), "220458".into()],
        }
    );
    let Some(body) = sample("shop/redact") else {
        return;
    };
    assert_eq!(
        parse_compliance("shop/redact", &body).unwrap(),
        ComplianceRequest::ShopRedact {
            shop_domain: "{shop}.myshopify.com".into()
        }
    );
    // They carry no canonical events.
    assert_eq!(
        map_webhook("shop/redact", &body).unwrap(),
        Mapped::default()
    );
}

#[test]
fn compliance_parsing_refuses_other_topics_and_bad_bodies() {
    assert!(matches!(
        parse_compliance("orders/paid", b"{}"),
        Err(MapError::NotCompliance { .. })
    ));
    assert!(matches!(
        parse_compliance("shop/redact", b"{}"),
        Err(MapError::MissingField { field, .. }) if field == "shop_domain"
    ));
    assert!(matches!(
        parse_compliance("customers/redact", b"{\"shop_domain\":"),
        Err(MapError::InvalidJson { .. })
    ));
    assert!(matches!(
        parse_compliance(
            "customers/redact",
            br#"{"shop_domain":"a.myshopify.com","orders_to_redact":[1.5]}"#
        ),
        Err(MapError::InvalidField { .. })
    ));
}
