//! Webhook topics: the REST-style names in headers (`orders/create`) and their GraphQL enum
//! names (`ORDERS_CREATE`).

/// Every topic SegOps subscribes to through the Admin API.
pub const SUBSCRIBED: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/edited",
    "orders/cancelled",
    "orders/fulfilled",
    "checkouts/create",
    "checkouts/update",
    "carts/create",
    "carts/update",
    "customers/create",
    "customers/update",
    "customers/delete",
    "customers/merge",
    "customers_email_marketing_consent/update",
    "customers_marketing_consent/update",
    // 2026-04 customer payloads carry no tags: these say what changed.
    "customer.tags_added",
    "customer.tags_removed",
    "refunds/create",
    "fulfillments/create",
    "fulfillments/update",
    "products/create",
    "products/update",
    "products/delete",
    "app/uninstalled",
    "app/scopes_update",
    "app_subscriptions/update",
    "bulk_operations/finish",
];

/// The mandatory privacy topics: declared in `shopify.app.toml`, never subscribed by API.
pub const COMPLIANCE: &[&str] = &["customers/data_request", "customers/redact", "shop/redact"];

/// `orders/create` → `ORDERS_CREATE`, `customer.tags_added` → `CUSTOMER_TAGS_ADDED`.
pub fn to_graphql_enum(topic: &str) -> String {
    topic.replace(['/', '.'], "_").to_ascii_uppercase()
}

/// `ORDERS_CREATE` → `orders/create`, for the topics we know.
pub fn from_graphql_enum(value: &str) -> Option<&'static str> {
    SUBSCRIBED
        .iter()
        .chain(COMPLIANCE)
        .copied()
        .find(|topic| to_graphql_enum(topic) == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        assert_eq!(
            to_graphql_enum("customers_email_marketing_consent/update"),
            "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE"
        );
        for topic in SUBSCRIBED {
            assert_eq!(from_graphql_enum(&to_graphql_enum(topic)), Some(*topic));
        }
    }

    #[test]
    fn shopify_app_toml_declares_the_compliance_topics() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/shopify.app.toml"))
                .unwrap();
        for topic in COMPLIANCE {
            assert!(text.contains(topic), "{topic} not declared");
        }
    }
}
