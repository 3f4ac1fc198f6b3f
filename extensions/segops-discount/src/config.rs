//! The discount's configuration: the JSON stored by the SegOps app in the discount's
//! `$app:segops-discount` / `function-configuration` metafield.
//!
//! ```json
//! { "tags": ["segops:vip"], "collectionIds": ["gid://shopify/Collection/1"],
//!   "rules": [ { "segment": "vip", "kind": "percentage", "value": "10",
//!                "scope": "products", "collectionIds": ["gid://shopify/Collection/1"],
//!                "minimumSubtotal": "50.00", "message": "VIP 10% off",
//!                "priority": 1, "active": true } ] }
//! ```
//!
//! `tags` and `collectionIds` are the input query's variables (Shopify turns the
//! metafield's top-level keys into variables), so they must list every tag and
//! collection an active rule needs: otherwise the input could never show the buyer's
//! membership, and the configuration is rejected rather than silently half-working.
//! A rejected configuration means "no discount", never a failed Function.

use std::borrow::Cow;

use crate::amount::Amount;
use crate::json::{Malformed, Reader, same_bytes};

/// Shopify's per-Function budget is sized for this many rules; more is a bug upstream.
pub const MAX_ACTIVE_RULES: usize = 25;
/// A segment with slug `vip` is the customer tag `segops:vip`.
pub const TAG_PREFIX: &str = "segops:";

/// The validated configuration: only the active rules, in configuration order.
#[derive(Debug)]
pub struct Config<'a> {
    pub rules: Vec<Rule<'a>>,
}

#[derive(Debug)]
pub struct Rule<'a> {
    /// The segment's slug; members carry the tag `segops:<slug>`.
    pub segment: Cow<'a, str>,
    pub value: DiscountValue<'a>,
    pub scope: Scope<'a>,
    pub minimum_subtotal: Option<Amount>,
    pub message: Option<Cow<'a, str>>,
    /// Breaks ties between equally good rules: the lower number wins.
    pub priority: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Percentage,
    FixedAmount,
}

/// A positive amount (a percentage at most 100), kept with its configured text so the
/// output echoes exactly what the merchant entered.
#[derive(Debug)]
pub struct DiscountValue<'a> {
    pub kind: Kind,
    pub amount: Amount,
    pub text: Cow<'a, str>,
}

#[derive(Debug)]
pub enum Scope<'a> {
    /// Off the order subtotal.
    Order,
    /// Off each eligible line. With no ids at all, every product line is eligible.
    Products {
        product_ids: Vec<Cow<'a, str>>,
        collection_ids: Vec<Cow<'a, str>>,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub enum ConfigError {
    Malformed,
    TooManyActiveRules,
    EmptySegment,
    InvalidValue,
    InvalidMinimumSubtotal,
    /// An order-scoped rule that names products or collections is ambiguous.
    ProductFilterOnOrderRule,
    /// A rule's tag or collection is missing from the query variables.
    MissingQueryVariable,
}

struct RawConfig<'a> {
    tags: Vec<Cow<'a, str>>,
    collection_ids: Vec<Cow<'a, str>>,
    rules: Vec<RawRule<'a>>,
}

struct RawRule<'a> {
    segment: Cow<'a, str>,
    kind: Kind,
    value: Cow<'a, str>,
    scope: RawScope,
    product_ids: Option<Vec<Cow<'a, str>>>,
    collection_ids: Option<Vec<Cow<'a, str>>>,
    minimum_subtotal: Option<Cow<'a, str>>,
    message: Option<Cow<'a, str>>,
    /// Rules without a priority rank after those with one.
    priority: i64,
    active: bool,
}

#[derive(Clone, Copy)]
enum RawScope {
    Order,
    Products,
}

impl From<Malformed> for ConfigError {
    fn from(_: Malformed) -> ConfigError {
        ConfigError::Malformed
    }
}

impl<'a> Config<'a> {
    /// Parses the metafield's JSON value.
    pub fn parse(json: &'a [u8]) -> Result<Config<'a>, ConfigError> {
        let mut reader = Reader::new(json);
        let config = Config::read(&mut reader)?;
        reader.finish()?;
        Ok(config)
    }

    /// Reads the configuration where `reader` stands (inside the Function's input),
    /// leaving it after the value when the value is well formed.
    pub(crate) fn read(reader: &mut Reader<'a>) -> Result<Config<'a>, ConfigError> {
        let raw = read_config(reader)?;
        let active = raw.rules.iter().filter(|rule| rule.active).count();
        if active > MAX_ACTIVE_RULES {
            return Err(ConfigError::TooManyActiveRules);
        }
        let mut rules = Vec::with_capacity(active);
        for rule in raw.rules.into_iter().filter(|rule| rule.active) {
            rules.push(Rule::from_raw(rule, &raw.tags, &raw.collection_ids)?);
        }
        Ok(Config { rules })
    }
}

// Keys in the order the SegOps app writes them (any order is accepted).
const CONFIG: [&[u8]; 3] = [b"tags", b"collectionIds", b"rules"];
const RULE: [&[u8]; 10] = [
    b"segment",
    b"kind",
    b"value",
    b"scope",
    b"productIds",
    b"collectionIds",
    b"minimumSubtotal",
    b"message",
    b"priority",
    b"active",
];

fn read_config<'a>(reader: &mut Reader<'a>) -> Result<RawConfig<'a>, Malformed> {
    let mut config = RawConfig {
        tags: Vec::new(),
        collection_ids: Vec::new(),
        rules: Vec::new(),
    };
    let mut has_rules = false;
    reader.fields(&CONFIG, |reader, key| match key {
        Some(0) => read_strings(reader, &mut config.tags),
        Some(1) => read_strings(reader, &mut config.collection_ids),
        Some(_) => {
            has_rules = true;
            reader.array(|reader| {
                config.rules.push(read_rule(reader)?);
                Ok(())
            })
        }
        None => reader.skip(),
    })?;
    if has_rules {
        Ok(config)
    } else {
        Err(Malformed)
    }
}

fn read_rule<'a>(reader: &mut Reader<'a>) -> Result<RawRule<'a>, Malformed> {
    let mut segment = None;
    let mut kind = None;
    let mut value = None;
    let mut scope = None;
    let mut product_ids = None;
    let mut collection_ids = None;
    let mut minimum_subtotal = None;
    let mut message = None;
    let mut priority = i64::MAX;
    let mut active = true;
    reader.fields(&RULE, |reader, key| {
        // Optional keys may also be `null`, which `reader.null()` consumes.
        match key {
            Some(0) => segment = Some(reader.string()?),
            Some(1) => {
                kind = Some(match reader.string()?.as_ref() {
                    "percentage" => Kind::Percentage,
                    "fixed_amount" => Kind::FixedAmount,
                    _ => return Err(Malformed),
                })
            }
            Some(2) => value = Some(reader.string()?),
            Some(3) => {
                scope = Some(match reader.string()?.as_ref() {
                    "order" => RawScope::Order,
                    "products" => RawScope::Products,
                    _ => return Err(Malformed),
                })
            }
            Some(4) if !reader.null() => read_strings(reader, product_ids.insert(Vec::new()))?,
            Some(5) if !reader.null() => read_strings(reader, collection_ids.insert(Vec::new()))?,
            Some(6) if !reader.null() => minimum_subtotal = Some(reader.string()?),
            Some(7) if !reader.null() => message = Some(reader.string()?),
            Some(8) => priority = reader.integer()?,
            Some(9) => active = reader.bool()?,
            Some(_) => {}
            None => reader.skip()?,
        }
        Ok(())
    })?;
    Ok(RawRule {
        segment: segment.ok_or(Malformed)?,
        kind: kind.ok_or(Malformed)?,
        value: value.ok_or(Malformed)?,
        scope: scope.ok_or(Malformed)?,
        product_ids,
        collection_ids,
        minimum_subtotal,
        message,
        priority,
        active,
    })
}

fn read_strings<'a>(
    reader: &mut Reader<'a>,
    into: &mut Vec<Cow<'a, str>>,
) -> Result<(), Malformed> {
    reader.array(|reader| {
        into.push(reader.string()?);
        Ok(())
    })
}

impl<'a> Rule<'a> {
    fn from_raw(
        raw: RawRule<'a>,
        tags: &[Cow<'a, str>],
        collections: &[Cow<'a, str>],
    ) -> Result<Rule<'a>, ConfigError> {
        if raw.segment.is_empty() {
            return Err(ConfigError::EmptySegment);
        }
        if !tags.iter().any(|tag| is_segment_tag(tag, &raw.segment)) {
            return Err(ConfigError::MissingQueryVariable);
        }
        let amount = Amount::parse(&raw.value).ok_or(ConfigError::InvalidValue)?;
        if !amount.is_positive() || (raw.kind == Kind::Percentage && amount > Amount::HUNDRED) {
            return Err(ConfigError::InvalidValue);
        }
        let minimum_subtotal = match raw.minimum_subtotal {
            None => None,
            Some(text) => match Amount::parse(&text) {
                Some(minimum) if minimum >= Amount::ZERO => Some(minimum),
                _ => return Err(ConfigError::InvalidMinimumSubtotal),
            },
        };
        let scope = match raw.scope {
            RawScope::Order => {
                if raw.product_ids.is_some() || raw.collection_ids.is_some() {
                    return Err(ConfigError::ProductFilterOnOrderRule);
                }
                Scope::Order
            }
            RawScope::Products => {
                let collection_ids = raw.collection_ids.unwrap_or_default();
                if !collection_ids.iter().all(|id| {
                    collections
                        .iter()
                        .any(|known| same_bytes(known.as_bytes(), id.as_bytes()))
                }) {
                    return Err(ConfigError::MissingQueryVariable);
                }
                Scope::Products {
                    product_ids: raw.product_ids.unwrap_or_default(),
                    collection_ids,
                }
            }
        };
        Ok(Rule {
            segment: raw.segment,
            value: DiscountValue {
                kind: raw.kind,
                amount,
                text: raw.value,
            },
            scope,
            minimum_subtotal,
            message: raw.message,
            priority: raw.priority,
        })
    }
}

/// Whether `tag` is the customer tag of the segment `slug`.
pub fn is_segment_tag(tag: &str, slug: &str) -> bool {
    tag.strip_prefix(TAG_PREFIX)
        .is_some_and(|rest| same_bytes(rest.as_bytes(), slug.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(extra: &str) -> String {
        format!(
            r#"{{"tags":["segops:vip"],"collectionIds":["gid://shopify/Collection/1"],
                "rules":[{{"segment":"vip","kind":"percentage","value":"10","scope":"order"{extra}}}]}}"#
        )
    }

    #[test]
    fn a_documented_rule_parses() {
        let json = r#"{"tags":["segops:vip"],"collectionIds":["gid://shopify/Collection/1"],
            "rules":[{"segment":"vip","kind":"fixed_amount","value":"5.00","scope":"products",
                      "productIds":["gid://shopify/Product/1"],
                      "collectionIds":["gid://shopify/Collection/1"],
                      "minimumSubtotal":"50.00","message":"VIP $5 off","priority":1,"active":true}]}"#;
        let config = Config::parse(json.as_bytes()).unwrap();
        let rule = &config.rules[0];
        assert_eq!(rule.segment, "vip");
        assert_eq!(rule.value.kind, Kind::FixedAmount);
        assert_eq!(rule.value.text, "5.00");
        assert_eq!(rule.minimum_subtotal, Amount::parse("50"));
        assert_eq!(rule.message.as_deref(), Some("VIP $5 off"));
        assert_eq!(rule.priority, 1);
        assert!(
            matches!(&rule.scope, Scope::Products { product_ids, collection_ids }
            if product_ids.len() == 1 && collection_ids.len() == 1)
        );
    }

    #[test]
    fn inactive_rules_are_dropped() {
        let json = rule(r#","active":false"#);
        let config = Config::parse(json.as_bytes()).unwrap();
        assert!(config.rules.is_empty());
    }

    #[test]
    fn twenty_five_active_rules_are_allowed_and_twenty_six_are_not() {
        let make = |active: usize, inactive: usize| {
            let one = r#"{"segment":"vip","kind":"percentage","value":"10","scope":"order"}"#;
            let off = r#"{"segment":"vip","kind":"percentage","value":"10","scope":"order","active":false}"#;
            let rules: Vec<&str> = std::iter::repeat_n(one, active)
                .chain(std::iter::repeat_n(off, inactive))
                .collect();
            format!(r#"{{"tags":["segops:vip"],"rules":[{}]}}"#, rules.join(","))
        };
        assert_eq!(
            Config::parse(make(25, 10).as_bytes()).unwrap().rules.len(),
            25
        );
        assert_eq!(
            Config::parse(make(26, 0).as_bytes()).unwrap_err(),
            ConfigError::TooManyActiveRules
        );
    }

    #[test]
    fn malformed_configurations_are_rejected_with_a_reason() {
        let cases = [
            (String::from("{"), ConfigError::Malformed),
            (String::from(r#"{"rules":"no"}"#), ConfigError::Malformed),
            (
                rule("").replace("percentage", "bogus"),
                ConfigError::Malformed,
            ),
            (
                rule("").replace(r#""10""#, r#""ten""#),
                ConfigError::InvalidValue,
            ),
            (
                rule("").replace(r#""10""#, r#""0""#),
                ConfigError::InvalidValue,
            ),
            (
                rule("").replace(r#""10""#, r#""100.5""#),
                ConfigError::InvalidValue,
            ),
            (rule("").replace(r#""10""#, "10"), ConfigError::Malformed),
            (
                rule("").replace(r#""scope":"order""#, r#""scope":"cart""#),
                ConfigError::Malformed,
            ),
            (
                String::from(r#"{"tags":["segops:vip"]}"#),
                ConfigError::Malformed,
            ),
            (String::from("[]"), ConfigError::Malformed),
            (
                rule(r#","minimumSubtotal":"-1""#),
                ConfigError::InvalidMinimumSubtotal,
            ),
            (
                rule(r#","productIds":["gid://shopify/Product/1"]"#),
                ConfigError::ProductFilterOnOrderRule,
            ),
            (
                rule("").replace(r#""segment":"vip""#, r#""segment":"""#),
                ConfigError::EmptySegment,
            ),
            (
                rule("").replace(r#""segment":"vip""#, r#""segment":"gold""#),
                ConfigError::MissingQueryVariable,
            ),
            (
                rule(r#","collectionIds":["gid://shopify/Collection/2"]"#)
                    .replace(r#""scope":"order""#, r#""scope":"products""#),
                ConfigError::MissingQueryVariable,
            ),
        ];
        for (json, expected) in cases {
            assert_eq!(
                Config::parse(json.as_bytes()).unwrap_err(),
                expected,
                "{json}"
            );
        }
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let json = rule(r#","message":"VIP \"gold\" \u00e9""#);
        let config = Config::parse(json.as_bytes()).unwrap();
        assert_eq!(config.rules[0].message.as_deref(), Some("VIP \"gold\" é"));
    }
}
