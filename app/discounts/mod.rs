//! Segment discounts: rules the merchant configures in the admin, validated here, stored, and
//! carried to Shopify as the configuration of the app's automatic discount (the checkout Function).

mod configuration;
mod rules;
mod store;
mod sync;

pub use configuration::{CONFIG_KEY, CONFIG_NAMESPACE, FUNCTION_HANDLE, configuration};
pub use rules::{
    Kind, MAX_ACTIVE_RULES, MAX_MESSAGE_CHARS, Rule, RuleInput, Scope, ValidationError,
};
pub use store::{SegmentChoice, ShopDiscount, list_rules, segments, shop_discount};
pub use sync::{DiscountError, Saved, save};
