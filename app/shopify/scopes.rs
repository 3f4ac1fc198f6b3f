//! The access scopes the code uses, and nothing more. `shopify.app.toml` declares the same
//! list (a test keeps them equal).

/// Each scope with the feature that needs it, so the admin can say why one is missing.
pub const REQUIRED: &[(&str, &str)] = &[
    ("read_products", "product changes and catalog intelligence"),
    ("write_products", "writing segops.* product metafields"),
    ("read_orders", "order and refund events"),
    (
        "read_all_orders",
        "the 90-day order backfill (read_orders reaches back 60 days)",
    ),
    ("read_customers", "customer profiles and identities"),
    (
        "write_customers",
        "segops:<slug> tags, native segments and customer metafields",
    ),
    ("read_inventory", "stock levels in product intelligence"),
    ("read_checkouts", "checkout and abandonment events"),
    ("read_fulfillments", "fulfillment events"),
    ("read_locations", "fulfillment locations"),
    ("read_themes", "checking the theme app block is enabled"),
    ("write_pixels", "installing the SegOps Web Pixel"),
    ("read_customer_events", "receiving Web Pixel events"),
    ("write_discounts", "the segment-member discount Function"),
];

pub fn required() -> impl Iterator<Item = &'static str> {
    REQUIRED.iter().map(|(scope, _)| *scope)
}

/// Comma-separated, as Shopify's authorize URL takes them.
pub fn required_csv() -> String {
    required().collect::<Vec<_>>().join(",")
}

/// Scopes we need that `granted` lacks. A `write_x` grant implies `read_x`, as Shopify documents.
pub fn missing(granted: &str) -> Vec<&'static str> {
    let granted: Vec<&str> = granted
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    required()
        .filter(|scope| {
            let implied = scope
                .strip_prefix("read_")
                .map(|rest| format!("write_{rest}"));
            !granted.contains(scope) && !implied.is_some_and(|w| granted.contains(&w.as_str()))
        })
        .collect()
}

pub fn reason(scope: &str) -> &'static str {
    REQUIRED
        .iter()
        .find(|(s, _)| *s == scope)
        .map(|(_, why)| *why)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_write_scope_implies_its_read_scope() {
        let all = super::required_csv().replace("read_products,", "");
        assert!(super::missing(&all).is_empty());
        let lacking = super::required_csv().replace("write_discounts", "");
        assert_eq!(super::missing(&lacking), vec!["write_discounts"]);
    }

    #[test]
    fn shopify_app_toml_declares_exactly_these_scopes() {
        let toml_text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/shopify.app.toml"))
                .unwrap();
        let manifest: toml::Table = toml_text.parse().unwrap();
        let declared = manifest["access_scopes"]["scopes"].as_str().unwrap();
        let mut declared: Vec<&str> = declared.split(',').map(str::trim).collect();
        let mut ours: Vec<&str> = super::required().collect();
        declared.sort_unstable();
        ours.sort_unstable();
        assert_eq!(declared, ours);
    }
}
