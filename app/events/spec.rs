//! Run-time validation of outgoing properties against the Segment Ecommerce v2 spec.
//!
//! Each rule names a property, its spec type, whether we always send it, and the spec event
//! whose property table defines that type (`typed_per`). That is the event itself, except for:
//! "Order Refunded", whose table lists only `order_id` while its own example sends `total`,
//! `currency` and `products` (typed as in "Order Completed"); `checkout_id` on "Checkout
//! Started" (typed as in "Checkout Step Viewed"); and our "Checkout Abandoned", which is typed
//! as "Checkout Started". A test checks every rule against the spec fixture.

use serde_json::Value;

use super::model::CanonicalEvent;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecType {
    String,
    Number,
    Array,
}

impl SpecType {
    pub fn name(self) -> &'static str {
        match self {
            SpecType::String => "String",
            SpecType::Number => "Number",
            SpecType::Array => "Array",
        }
    }

    pub fn accepts(self, value: &Value) -> bool {
        match self {
            SpecType::String => value.is_string(),
            SpecType::Number => value.is_number(),
            SpecType::Array => value.is_array(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub property: &'static str,
    pub ty: SpecType,
    pub required: bool,
    pub typed_per: &'static str,
}

const fn rule(
    property: &'static str,
    ty: SpecType,
    required: bool,
    typed_per: &'static str,
) -> Rule {
    Rule {
        property,
        ty,
        required,
        typed_per,
    }
}

use SpecType::{Array, Number, String as Str};

const COMPLETED: &str = "Order Completed";
const UPDATED: &str = "Order Updated";
const CANCELLED: &str = "Order Cancelled";
const STARTED: &str = "Checkout Started";

/// The properties each event we send is checked for.
pub const RULES: &[(&str, &[Rule])] = &[
    (
        COMPLETED,
        &[
            rule("order_id", Str, true, COMPLETED),
            rule("checkout_id", Str, false, COMPLETED),
            rule("total", Number, true, COMPLETED),
            rule("subtotal", Number, true, COMPLETED),
            rule("revenue", Number, true, COMPLETED),
            rule("shipping", Number, true, COMPLETED),
            rule("tax", Number, true, COMPLETED),
            rule("discount", Number, true, COMPLETED),
            rule("coupon", Str, false, COMPLETED),
            rule("currency", Str, true, COMPLETED),
            rule("products", Array, true, COMPLETED),
        ],
    ),
    (
        UPDATED,
        &[
            rule("order_id", Str, true, UPDATED),
            rule("total", Number, true, UPDATED),
            rule("revenue", Number, true, UPDATED),
            rule("shipping", Number, true, UPDATED),
            rule("tax", Number, true, UPDATED),
            rule("discount", Number, true, UPDATED),
            rule("coupon", Str, false, UPDATED),
            rule("currency", Str, true, UPDATED),
            rule("products", Array, true, UPDATED),
        ],
    ),
    (
        CANCELLED,
        &[
            rule("order_id", Str, true, CANCELLED),
            rule("total", Number, true, CANCELLED),
            rule("revenue", Number, true, CANCELLED),
            rule("shipping", Number, true, CANCELLED),
            rule("tax", Number, true, CANCELLED),
            rule("discount", Number, true, CANCELLED),
            rule("coupon", Str, false, CANCELLED),
            rule("currency", Str, true, CANCELLED),
            rule("products", Array, true, CANCELLED),
        ],
    ),
    (
        "Order Refunded",
        &[
            rule("order_id", Str, true, "Order Refunded"),
            rule("total", Number, true, COMPLETED),
            rule("revenue", Number, true, COMPLETED),
            rule("shipping", Number, false, COMPLETED),
            rule("tax", Number, false, COMPLETED),
            rule("currency", Str, false, COMPLETED),
            rule("products", Array, true, COMPLETED),
        ],
    ),
    (
        STARTED,
        &[
            rule("checkout_id", Str, true, "Checkout Step Viewed"),
            rule("value", Number, true, STARTED),
            rule("revenue", Number, true, STARTED),
            rule("shipping", Number, true, STARTED),
            rule("tax", Number, true, STARTED),
            rule("discount", Number, true, STARTED),
            rule("coupon", Str, false, STARTED),
            rule("currency", Str, true, STARTED),
            rule("products", Array, true, STARTED),
        ],
    ),
    (
        "Product Viewed",
        &[
            rule("product_id", Str, true, "Product Viewed"),
            rule("sku", Str, false, "Product Viewed"),
            rule("name", Str, false, "Product Viewed"),
            rule("brand", Str, false, "Product Viewed"),
            rule("variant", Str, false, "Product Viewed"),
            rule("price", Number, false, "Product Viewed"),
            rule("currency", Str, false, "Product Viewed"),
            rule("url", Str, false, "Product Viewed"),
            rule("image_url", Str, false, "Product Viewed"),
        ],
    ),
    (
        "Product Added",
        &[
            rule("cart_id", Str, false, "Product Added"),
            rule("product_id", Str, true, "Product Added"),
            rule("sku", Str, false, "Product Added"),
            rule("name", Str, false, "Product Added"),
            rule("variant", Str, false, "Product Added"),
            rule("price", Number, false, "Product Added"),
            rule("quantity", Number, true, "Product Added"),
        ],
    ),
    (
        "Product Removed",
        &[
            rule("cart_id", Str, false, "Product Removed"),
            rule("product_id", Str, true, "Product Removed"),
            rule("sku", Str, false, "Product Removed"),
            rule("name", Str, false, "Product Removed"),
            rule("variant", Str, false, "Product Removed"),
            rule("price", Number, false, "Product Removed"),
            rule("quantity", Number, true, "Product Removed"),
        ],
    ),
    (
        "Product List Viewed",
        &[
            rule("list_id", Str, true, "Product List Viewed"),
            rule("category", Str, false, "Product List Viewed"),
            rule("products", Array, true, "Product List Viewed"),
        ],
    ),
    (
        "Products Searched",
        &[rule("query", Str, true, "Products Searched")],
    ),
    (
        "Cart Viewed",
        &[
            rule("cart_id", Str, false, "Cart Viewed"),
            rule("products", Array, true, "Cart Viewed"),
        ],
    ),
    (
        "Checkout Step Completed",
        &[
            rule("checkout_id", Str, true, "Checkout Step Completed"),
            rule("step", Number, true, "Checkout Step Completed"),
            rule("shipping_method", Str, false, "Checkout Step Completed"),
        ],
    ),
    (
        "Payment Info Entered",
        &[
            rule("checkout_id", Str, true, "Payment Info Entered"),
            rule("step", Number, true, "Payment Info Entered"),
            rule("payment_method", Str, false, "Payment Info Entered"),
        ],
    ),
    (
        "Checkout Abandoned",
        &[
            rule("checkout_id", Str, true, "Checkout Step Viewed"),
            rule("value", Number, true, STARTED),
            rule("currency", Str, true, STARTED),
            rule("products", Array, true, STARTED),
        ],
    ),
];

/// Rules for each item of `products`, typed per the event's own `products.$.*` rows (the
/// `typed_per` of its `products` rule). `product_id` is absent for custom lines.
pub const PRODUCT_RULES: &[(&str, SpecType, bool)] = &[
    ("product_id", Str, false),
    ("sku", Str, false),
    ("name", Str, false),
    ("brand", Str, false),
    ("variant", Str, false),
    ("price", Number, true),
    ("quantity", Number, true),
    ("position", Number, true),
];

pub fn rules_for(segment_name: &str) -> Option<&'static [Rule]> {
    RULES
        .iter()
        .find(|(name, _)| *name == segment_name)
        .map(|(_, rules)| *rules)
}

/// Problems with an outgoing event's properties; empty when it conforms. Events without a
/// Segment name are checked only for a well-formed `products` array.
pub fn spec_problems(event: &CanonicalEvent) -> Vec<String> {
    let mut problems = Vec::new();
    let props = &event.properties;
    if let Some(name) = event.segment_name {
        match rules_for(name) {
            None => problems.push(format!("{name}: no spec rules for this event")),
            Some(rules) => {
                for rule in rules {
                    match props.get(rule.property) {
                        None if rule.required => {
                            problems.push(format!("{name}: `{}` is required", rule.property))
                        }
                        None => {}
                        Some(value) if !rule.ty.accepts(value) => problems.push(format!(
                            "{name}: `{}` must be a {}",
                            rule.property,
                            rule.ty.name()
                        )),
                        Some(_) => {}
                    }
                }
            }
        }
    }
    if let Some(products) = props.get("products") {
        let label = event.segment_name.unwrap_or(event.kind.as_str());
        match products.as_array() {
            None => problems.push(format!("{label}: `products` must be an Array")),
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let Some(item) = item.as_object() else {
                        problems.push(format!("{label}: `products[{index}]` must be an object"));
                        continue;
                    };
                    for (property, ty, required) in PRODUCT_RULES {
                        match item.get(*property) {
                            None if *required => problems.push(format!(
                                "{label}: `products[{index}].{property}` is required"
                            )),
                            Some(value) if !ty.accepts(value) => problems.push(format!(
                                "{label}: `products[{index}].{property}` must be a {}",
                                ty.name()
                            )),
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    problems
}
