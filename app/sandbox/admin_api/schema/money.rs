//! `MoneyV2` and `MoneyBag`, with Shopify's `Decimal` scalar (a string such as `"89.9"` or `"10.0"`).

use async_graphql::SimpleObject;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::CurrencyCode;

#[derive(Serialize, Deserialize, Clone)]
#[serde(transparent)]
pub struct DecimalString(pub String);
async_graphql::scalar!(DecimalString, "Decimal");

impl DecimalString {
    pub fn of(d: Decimal) -> Self {
        let text = d.normalize().to_string();
        DecimalString(if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        })
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "MoneyV2")]
pub struct MoneyV2 {
    pub amount: DecimalString,
    pub currency_code: CurrencyCode,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "MoneyBag")]
pub struct MoneyBag {
    pub shop_money: MoneyV2,
    pub presentment_money: MoneyV2,
}

pub fn money(amount: Decimal, currency: CurrencyCode) -> MoneyV2 {
    MoneyV2 {
        amount: DecimalString::of(amount),
        currency_code: currency,
    }
}

/// The sandbox sells in the shop's currency only, so both sides of the bag agree.
pub fn bag(amount: Decimal, currency: CurrencyCode) -> MoneyBag {
    MoneyBag {
        shop_money: money(amount, currency),
        presentment_money: money(amount, currency),
    }
}

/// A GraphQL `DateTime`: UTC, whole seconds (`2026-07-19T12:41:45Z`).
pub fn datetime(t: time::OffsetDateTime) -> super::DateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    super::DateTime(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}
