//! A discount rule and its validation: every refusal names the field and what is allowed.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The checkout Function refuses a configuration with more active rules than this.
pub const MAX_ACTIVE_RULES: usize = 25;
/// Checkout shows the message next to the discount: keep it a short line.
pub const MAX_MESSAGE_CHARS: usize = 100;
/// Amounts and percentages are money-like: cents, or hundredths of a percent.
const MAX_DECIMALS: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Percentage,
    Fixed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Percentage => "percentage",
            Kind::Fixed => "fixed",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "percentage" => Some(Kind::Percentage),
            "fixed" | "fixed_amount" => Some(Kind::Fixed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Order,
    Products,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Order => "order",
            Scope::Products => "products",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        match text {
            "order" => Some(Scope::Order),
            "products" => Some(Scope::Products),
            _ => None,
        }
    }
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub id: String,
    pub segment_id: String,
    pub kind: Kind,
    /// Decimal text, normalised ("10", "5.5").
    pub value: String,
    pub scope: Scope,
    pub product_ids: Vec<String>,
    pub collection_ids: Vec<String>,
    pub minimum_subtotal: Option<String>,
    pub message: Option<String>,
    pub priority: i64,
    pub active: bool,
}

/// What the admin sends. On update, absent fields keep their stored value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleInput {
    pub segment_id: Option<String>,
    pub kind: Option<String>,
    pub value: Option<String>,
    pub scope: Option<String>,
    pub product_ids: Option<Vec<String>>,
    pub collection_ids: Option<Vec<String>>,
    pub minimum_subtotal: Option<String>,
    pub message: Option<String>,
    pub priority: Option<i64>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("unknown segment {0:?}: choose one of this shop's segments")]
    UnknownSegment(String),
    #[error("kind must be \"percentage\" or \"fixed\", got {0:?}")]
    Kind(String),
    #[error("scope must be \"order\" or \"products\", got {0:?}")]
    Scope(String),
    #[error("value must be a number with at most 2 decimals, got {0:?}")]
    NotANumber(String),
    #[error("a percentage must be more than 0 and at most 100, got {0}")]
    Percentage(String),
    #[error("a fixed amount must be more than 0, got {0}")]
    Fixed(String),
    #[error("minimum_subtotal must be a number of at least 0 with at most 2 decimals, got {0:?}")]
    Minimum(String),
    #[error("the message is {0} characters; at most {MAX_MESSAGE_CHARS} are allowed")]
    MessageTooLong(usize),
    #[error("priority must be 0 or more, got {0}")]
    Priority(i64),
    #[error("an order-wide rule cannot name products or collections; choose scope \"products\"")]
    IdsOnOrderRule,
    #[error("{0:?} is not a {1} id (expected gid://shopify/{1}/<number>)")]
    BadId(String, &'static str),
    #[error(
        "at most {MAX_ACTIVE_RULES} rules can be active at once (the checkout Function's limit); deactivate one first"
    )]
    TooManyActive,
}

/// Applies `input` over `base` (the stored rule on update) and validates the result.
/// `segment_known` says whether a segment id belongs to the shop; `other_active` counts the
/// shop's active rules other than this one.
pub fn validate(
    id: String,
    base: Option<&Rule>,
    input: RuleInput,
    segment_known: impl Fn(&str) -> bool,
    other_active: usize,
) -> Result<Rule, ValidationError> {
    let segment_id = input
        .segment_id
        .or_else(|| base.map(|b| b.segment_id.clone()))
        .filter(|s| !s.trim().is_empty())
        .ok_or(ValidationError::Missing("segment_id"))?;
    if !segment_known(&segment_id) {
        return Err(ValidationError::UnknownSegment(segment_id));
    }
    let kind = match input.kind {
        Some(text) => Kind::parse(text.trim()).ok_or(ValidationError::Kind(text))?,
        None => base
            .map(|b| b.kind)
            .ok_or(ValidationError::Missing("kind"))?,
    };
    let value_text = input
        .value
        .or_else(|| base.map(|b| b.value.clone()))
        .ok_or(ValidationError::Missing("value"))?;
    let value = decimal(&value_text).ok_or(ValidationError::NotANumber(value_text))?;
    match kind {
        Kind::Percentage if value <= Decimal::ZERO || value > Decimal::ONE_HUNDRED => {
            return Err(ValidationError::Percentage(value.to_string()));
        }
        Kind::Fixed if value <= Decimal::ZERO => {
            return Err(ValidationError::Fixed(value.to_string()));
        }
        _ => {}
    }
    let scope = match input.scope {
        Some(text) => Scope::parse(text.trim()).ok_or(ValidationError::Scope(text))?,
        None => base
            .map(|b| b.scope)
            .ok_or(ValidationError::Missing("scope"))?,
    };
    let product_ids = ids(input.product_ids, base.map(|b| &b.product_ids));
    let collection_ids = ids(input.collection_ids, base.map(|b| &b.collection_ids));
    if scope == Scope::Order && !(product_ids.is_empty() && collection_ids.is_empty()) {
        return Err(ValidationError::IdsOnOrderRule);
    }
    check_gids(&product_ids, "Product")?;
    check_gids(&collection_ids, "Collection")?;
    let minimum_subtotal = match input.minimum_subtotal {
        Some(text) if text.trim().is_empty() => None,
        Some(text) => match decimal(&text) {
            Some(minimum) if minimum >= Decimal::ZERO => Some(minimum.to_string()),
            _ => return Err(ValidationError::Minimum(text)),
        },
        None => base.and_then(|b| b.minimum_subtotal.clone()),
    };
    let message = match input.message {
        Some(text) => Some(text.trim().to_owned()).filter(|m| !m.is_empty()),
        None => base.and_then(|b| b.message.clone()),
    };
    if let Some(chars) = message.as_ref().map(|m| m.chars().count())
        && chars > MAX_MESSAGE_CHARS
    {
        return Err(ValidationError::MessageTooLong(chars));
    }
    let priority = input.priority.or(base.map(|b| b.priority)).unwrap_or(0);
    if priority < 0 {
        return Err(ValidationError::Priority(priority));
    }
    let active = input.active.or(base.map(|b| b.active)).unwrap_or(true);
    if active && other_active >= MAX_ACTIVE_RULES {
        return Err(ValidationError::TooManyActive);
    }
    Ok(Rule {
        id,
        segment_id,
        kind,
        value: value.to_string(),
        scope,
        product_ids,
        collection_ids,
        minimum_subtotal,
        message,
        priority,
        active,
    })
}

/// Plain decimal text (no exponent, no sign but "-"), normalised; None when not one.
fn decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.');
    let value: Decimal = text.parse().ok().filter(|_| plain)?;
    (value.scale() <= MAX_DECIMALS || value.normalize().scale() <= MAX_DECIMALS)
        .then(|| value.normalize())
}

fn ids(input: Option<Vec<String>>, base: Option<&Vec<String>>) -> Vec<String> {
    input
        .or_else(|| base.cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|id| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

fn check_gids(ids: &[String], resource: &'static str) -> Result<(), ValidationError> {
    let prefix = format!("gid://shopify/{resource}/");
    for id in ids {
        let number = id.strip_prefix(&prefix).unwrap_or_default();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::BadId(id.clone(), resource));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, value: &str) -> RuleInput {
        RuleInput {
            segment_id: Some("seg-1".into()),
            kind: Some(kind.into()),
            value: Some(value.into()),
            scope: Some("order".into()),
            ..RuleInput::default()
        }
    }

    fn check(input: RuleInput, other_active: usize) -> Result<Rule, ValidationError> {
        validate("r".into(), None, input, |s| s == "seg-1", other_active)
    }

    #[test]
    fn percentages_outside_zero_to_hundred_are_refused_with_the_value() {
        let err = check(input("percentage", "120"), 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a percentage must be more than 0 and at most 100, got 120"
        );
        assert!(check(input("percentage", "0"), 0).is_err());
        assert_eq!(
            check(input("percentage", "100.00"), 0).unwrap().value,
            "100"
        );
        assert!(check(input("percentage", "1e2"), 0).is_err());
        assert!(check(input("percentage", "10.125"), 0).is_err());
    }

    #[test]
    fn fixed_amounts_must_be_positive() {
        assert!(check(input("fixed", "-5"), 0).is_err());
        assert_eq!(check(input("fixed", "5.50"), 0).unwrap().value, "5.5");
    }

    #[test]
    fn the_twenty_sixth_active_rule_is_refused_but_an_inactive_one_is_kept() {
        assert_eq!(
            check(input("percentage", "10"), 25).unwrap_err(),
            ValidationError::TooManyActive
        );
        let mut off = input("percentage", "10");
        off.active = Some(false);
        assert!(!check(off, 25).unwrap().active);
    }

    #[test]
    fn unknown_segments_and_long_messages_are_refused() {
        let mut other = input("percentage", "10");
        other.segment_id = Some("seg-2".into());
        assert_eq!(
            check(other, 0).unwrap_err(),
            ValidationError::UnknownSegment("seg-2".into())
        );
        let mut long = input("percentage", "10");
        long.message = Some("x".repeat(MAX_MESSAGE_CHARS + 1));
        assert_eq!(
            check(long, 0).unwrap_err(),
            ValidationError::MessageTooLong(MAX_MESSAGE_CHARS + 1)
        );
    }

    #[test]
    fn order_rules_cannot_name_products_and_ids_must_be_gids() {
        let mut named = input("percentage", "10");
        named.product_ids = Some(vec!["gid://shopify/Product/1".into()]);
        assert_eq!(
            check(named.clone(), 0).unwrap_err(),
            ValidationError::IdsOnOrderRule
        );
        named.scope = Some("products".into());
        assert!(check(named.clone(), 0).is_ok());
        named.collection_ids = Some(vec!["Collection/2".into()]);
        assert!(matches!(
            check(named, 0).unwrap_err(),
            ValidationError::BadId(_, "Collection")
        ));
    }

    #[test]
    fn an_update_keeps_what_it_does_not_name() {
        let stored = check(input("fixed", "5"), 0).unwrap();
        let off = RuleInput {
            active: Some(false),
            ..RuleInput::default()
        };
        let updated = validate("r".into(), Some(&stored), off, |_| true, 30).unwrap();
        assert_eq!(updated.value, "5");
        assert!(!updated.active);
    }
}
