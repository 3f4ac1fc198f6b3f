//! Wire primitives shared by the payload types: ids, money amounts, money sets, timestamps and
//! tag lists, each read from the spellings Shopify actually sends.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::ids::normalise_id;

/// A Shopify id, normalised to its decimal string (see [`super::ids`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(pub String);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a positive integer id, its decimal string or a gid://shopify/ id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                normalise_id(&v)
                    .map(Id)
                    .ok_or_else(|| E::custom("id must be a positive integer"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                u64::try_from(v)
                    .map_err(|_| E::custom("id must be a positive integer"))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Id, E> {
                Err(E::custom(
                    "id must be an integer (a fractional number cannot hold an id exactly)",
                ))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                normalise_id(v)
                    .map(Id)
                    .ok_or_else(|| E::custom("string is not a Shopify id"))
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// An exact money amount. Shopify sends strings (`"89.99"`); a few fields are JSON numbers
/// (`refund_line_items[].subtotal`). Numbers are read from their shortest round-trip decimal
/// spelling, which is the literal Shopify wrote for any amount of up to 15 significant digits,
/// so no binary rounding reaches the Decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal money amount")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                parse_decimal(&v.to_string())
                    .map(Amount)
                    .ok_or_else(|| E::custom("number is not a representable money amount"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                parse_decimal(v)
                    .map(Amount)
                    .ok_or_else(|| E::custom("string is not a decimal money amount"))
            }
        }
        deserializer.deserialize_any(AmountVisitor)
    }
}

/// `"12.50"`, `"-3"`, `"1e3"`: a Decimal, or None when the text is not a finite decimal.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

/// `{ "amount": "1.00", "currency_code": "USD" }`.
#[derive(Debug, Clone, Deserialize)]
pub struct MoneyV {
    pub amount: Option<Amount>,
    pub currency_code: Option<String>,
}

/// Shopify's `*_set`: the amount in the shop's currency and in the buyer's (presentment) one.
#[derive(Debug, Clone, Deserialize)]
pub struct MoneySet {
    pub shop_money: Option<MoneyV>,
    pub presentment_money: Option<MoneyV>,
}

impl MoneySet {
    pub fn shop(&self) -> Option<Decimal> {
        self.shop_money.as_ref()?.amount.map(|a| a.0)
    }

    pub fn shop_currency(&self) -> Option<&str> {
        self.shop_money.as_ref()?.currency_code.as_deref()
    }

    pub fn presentment(&self) -> Option<(Decimal, Option<&str>)> {
        let money = self.presentment_money.as_ref()?;
        Some((money.amount?.0, money.currency_code.as_deref()))
    }
}

/// An RFC 3339 timestamp (`2021-12-31T19:00:00-05:00`, `2022-01-01T00:00:00.000Z`) as Unix ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub i64);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimestampVisitor;
        impl Visitor<'_> for TimestampVisitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an RFC 3339 timestamp")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                parse_timestamp_ms(v)
                    .map(Timestamp)
                    .ok_or_else(|| E::custom("string is not an RFC 3339 timestamp"))
            }
        }
        deserializer.deserialize_str(TimestampVisitor)
    }
}

pub fn parse_timestamp_ms(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

pub fn ms(at: Option<Timestamp>) -> Option<i64> {
    at.map(|t| t.0)
}

/// Shopify's comma-separated `"tag1, tag2"` (REST) or a JSON array of tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(pub Vec<String>);

impl<'de> Deserialize<'de> for Tags {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Joined(String),
            List(Vec<String>),
        }
        let tags = match Raw::deserialize(deserializer)? {
            Raw::Joined(text) => text
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            Raw::List(list) => list
                .into_iter()
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        };
        Ok(Tags(tags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[derive(Deserialize)]
    struct Probe {
        amount: Option<Amount>,
        at: Option<Timestamp>,
        #[serde(default)]
        tags: Tags,
        id: Option<Id>,
    }

    fn probe(body: &str) -> Result<Probe, serde_json::Error> {
        serde_json::from_str(body)
    }

    #[test]
    fn money_strings_and_numbers_become_exact_decimals() {
        assert_eq!(
            probe(r#"{"amount":"89.99"}"#).unwrap().amount,
            Some(Amount(dec("89.99")))
        );
        assert_eq!(
            probe(r#"{"amount":89.99}"#).unwrap().amount,
            Some(Amount(dec("89.99")))
        );
        assert_eq!(
            probe(r#"{"amount":0.1}"#).unwrap().amount,
            Some(Amount(dec("0.1")))
        );
        assert_eq!(
            probe(r#"{"amount":7}"#).unwrap().amount,
            Some(Amount(dec("7")))
        );
        assert_eq!(
            probe(r#"{"amount":"-0.30"}"#).unwrap().amount,
            Some(Amount(dec("-0.30")))
        );
        assert!(probe(r#"{"amount":"12,50"}"#).is_err());
        assert!(probe(r#"{"amount":""}"#).is_err());
        assert!(probe(r#"{"amount":true}"#).is_err());
    }

    #[test]
    fn timestamps_with_offsets_and_fractions_become_unix_milliseconds() {
        assert_eq!(
            probe(r#"{"at":"2021-12-31T19:00:00-05:00"}"#).unwrap().at,
            Some(Timestamp(1_640_995_200_000))
        );
        assert_eq!(
            probe(r#"{"at":"2022-01-01T00:00:00.123Z"}"#).unwrap().at,
            Some(Timestamp(1_640_995_200_123))
        );
        assert!(probe(r#"{"at":"2024-09-16T03:50:1500:00"}"#).is_err());
        assert!(probe(r#"{"at":1640995200}"#).is_err());
    }

    #[test]
    fn comma_joined_and_array_tags_both_parse() {
        assert_eq!(
            probe(r#"{"tags":"tag1, tag2,,  vip "}"#).unwrap().tags.0,
            vec!["tag1", "tag2", "vip"]
        );
        assert_eq!(
            probe(r#"{"tags":["a"," b "]}"#).unwrap().tags.0,
            vec!["a", "b"]
        );
    }

    #[test]
    fn ids_refuse_floats_and_negative_numbers() {
        assert_eq!(
            probe(r#"{"id":820982911946154508}"#).unwrap().id,
            Some(Id("820982911946154508".into()))
        );
        assert!(probe(r#"{"id":8.2e17}"#).is_err());
        assert!(probe(r#"{"id":-1}"#).is_err());
        assert!(probe(r#"{"id":"nope"}"#).is_err());
    }
}
