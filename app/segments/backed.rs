//! Traits Shopify does not know (storefront behaviour SegOps counts from the pixel) that SegOps
//! writes onto each customer as a `segops` metafield with a definition, so a native Shopify
//! segment can filter on them (`metafields.segops.product_views >= 5`).

use std::collections::BTreeMap;

use super::ast::{Rule, Trait};
use super::native::{NativeQuery, NotNative, to_shopify_query};

/// A trait SegOps keeps as a customer metafield.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackedTrait {
    pub field: Trait,
    /// The metafield's key in the `segops` namespace, also the trait's `profiles` column.
    pub key: &'static str,
    /// The definition's name and description, as the merchant sees them in Shopify's admin.
    pub name: &'static str,
    pub description: &'static str,
    /// Shopify's metafield type.
    pub type_name: &'static str,
}

/// The namespace every backed trait is written under.
pub const NAMESPACE: &str = "segops";

/// Every trait SegOps backs with a metafield.
pub const BACKED_TRAITS: [BackedTrait; 3] = [
    BackedTrait {
        field: Trait::ProductViews,
        key: "product_views",
        name: "SegOps: product views",
        description: "Product pages viewed on the storefront, counted by SegOps.",
        type_name: "number_integer",
    },
    BackedTrait {
        field: Trait::AddToCarts,
        key: "add_to_carts",
        name: "SegOps: add-to-carts",
        description: "Products added to the cart on the storefront, counted by SegOps.",
        type_name: "number_integer",
    },
    BackedTrait {
        field: Trait::Sessions,
        key: "sessions",
        name: "SegOps: sessions",
        description: "Storefront sessions, counted by SegOps.",
        type_name: "number_integer",
    },
];

/// The backed trait written under `attribute` (`metafields.segops.<key>`), if any.
pub fn backed_by_attribute(attribute: &str) -> Option<&'static BackedTrait> {
    let key = attribute
        .strip_prefix("metafields.")?
        .strip_prefix(NAMESPACE)?;
    let key = key.strip_prefix('.')?;
    BACKED_TRAITS.iter().find(|b| b.key == key)
}

/// Translates the rule to Shopify's segment query language, going through the backed traits'
/// metafields for clauses Shopify cannot express itself.
pub fn translate(rule: &Rule) -> Result<NativeQuery, NotNative> {
    let metafields: BTreeMap<Trait, String> = BACKED_TRAITS
        .iter()
        .map(|b| (b.field, b.key.to_owned()))
        .collect();
    to_shopify_query(rule, &metafields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_behavioural_clause_translates_through_its_metafield_and_says_so() {
        let rule = Rule::parse_text("order_count >= 1 AND product_views >= 5").unwrap();
        let native = translate(&rule).unwrap();
        assert_eq!(
            native.query,
            "number_of_orders >= 1 AND metafields.segops.product_views >= 5"
        );
        assert_eq!(native.via_metafields.len(), 1);
        assert_eq!(
            native.via_metafields[0].attribute,
            "metafields.segops.product_views"
        );
        let backed = backed_by_attribute(&native.via_metafields[0].attribute).unwrap();
        assert_eq!(backed.field, Trait::ProductViews);
    }

    #[test]
    fn a_comparison_that_zero_meets_also_takes_customers_without_the_metafield() {
        let query = |text: &str| translate(&Rule::parse_text(text).unwrap()).unwrap().query;
        let views = "metafields.segops.product_views";
        for (rule, expected) in [
            (
                "product_views < 3",
                format!("{views} < 3 OR {views} IS NULL"),
            ),
            (
                "product_views <= 0",
                format!("{views} <= 0 OR {views} IS NULL"),
            ),
            (
                "product_views = 0",
                format!("{views} = 0 OR {views} IS NULL"),
            ),
            (
                "NOT product_views >= 3",
                format!("{views} < 3 OR {views} IS NULL"),
            ),
            ("product_views >= 3", format!("{views} >= 3")),
            ("product_views > 0", format!("{views} > 0")),
            ("product_views = 2", format!("{views} = 2")),
            // Shopify's `!=` holds for a missing value: right for 4, not for 0.
            ("product_views != 4", format!("{views} != 4")),
            (
                "product_views != 0",
                format!("{views} != 0 AND {views} IS NOT NULL"),
            ),
            (
                "product_views != 0 OR order_count >= 2",
                format!("({views} != 0 AND {views} IS NOT NULL) OR number_of_orders >= 2"),
            ),
            (
                "order_count >= 1 AND product_views < 3",
                format!("number_of_orders >= 1 AND ({views} < 3 OR {views} IS NULL)"),
            ),
        ] {
            assert_eq!(query(rule), expected, "{rule}");
        }
    }

    #[test]
    fn event_windows_still_refuse_with_their_reason() {
        let rule = Rule::parse_text("did product_view >= 3 times in last 7 days").unwrap();
        let refused = translate(&rule).unwrap_err();
        assert_eq!(refused.refusals.len(), 1);
        assert!(refused.refusals[0].reason.contains("day window"));
    }

    #[test]
    fn only_segops_keys_are_backed() {
        assert!(backed_by_attribute("metafields.segops.sessions").is_some());
        assert!(backed_by_attribute("metafields.other.sessions").is_none());
        assert!(backed_by_attribute("metafields.segops.unknown").is_none());
        assert!(backed_by_attribute("amount_spent").is_none());
    }
}
