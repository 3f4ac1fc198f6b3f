//! Line items, discount codes and shipping lines as orders, checkouts, carts, refunds and
//! fulfillments carry them.

use rust_decimal::Decimal;
use serde::Deserialize;

use super::PayloadError;
use super::wire::{Amount, Id, MoneySet};
use crate::events::commerce::Line;

#[derive(Debug, Deserialize)]
pub struct LineBody {
    pub product_id: Option<Id>,
    pub variant_id: Option<Id>,
    pub sku: Option<String>,
    pub title: Option<String>,
    pub name: Option<String>,
    pub variant_title: Option<String>,
    pub vendor: Option<String>,
    pub price: Option<Amount>,
    pub price_set: Option<MoneySet>,
    pub quantity: Option<i64>,
    /// Carts: the line's total after line discounts.
    pub line_price: Option<Amount>,
    pub line_price_set: Option<MoneySet>,
}

impl LineBody {
    /// The unit price in the shop currency: `price`, else `price_set.shop_money`.
    fn unit_price(&self) -> Option<Decimal> {
        self.price
            .map(|a| a.0)
            .or_else(|| self.price_set.as_ref().and_then(MoneySet::shop))
    }

    pub fn shop_currency(&self) -> Option<&str> {
        self.price_set
            .as_ref()
            .and_then(MoneySet::shop_currency)
            .or_else(|| {
                self.line_price_set
                    .as_ref()
                    .and_then(MoneySet::shop_currency)
            })
    }

    /// Our line; `field` names the list for error messages (`line_items`).
    pub fn to_line(&self, field: &str, quantity: Option<i64>) -> Result<Line, PayloadError> {
        let price = self
            .unit_price()
            .ok_or_else(|| PayloadError::missing(&format!("{field}[].price")))?;
        let quantity = quantity.or(self.quantity).unwrap_or(0);
        let quantity = u64::try_from(quantity).map_err(|_| PayloadError::InvalidField {
            field: format!("{field}[].quantity"),
            reason: "a quantity cannot be negative".to_owned(),
        })?;
        Ok(Line {
            product_id: self.product_id.clone().map(|id| id.0),
            variant_id: self.variant_id.clone().map(|id| id.0),
            sku: non_empty(&self.sku),
            name: non_empty(&self.title).or_else(|| non_empty(&self.name)),
            variant: non_empty(&self.variant_title),
            brand: non_empty(&self.vendor),
            price,
            quantity,
        })
    }

    /// A cart line's total: `line_price`, else unit price × quantity.
    pub fn line_total(&self) -> Option<Decimal> {
        self.line_price
            .map(|a| a.0)
            .or_else(|| self.line_price_set.as_ref().and_then(MoneySet::shop))
            .or_else(|| {
                let quantity = Decimal::from(self.quantity.unwrap_or(0).max(0));
                self.unit_price().and_then(|p| p.checked_mul(quantity))
            })
    }
}

pub fn lines(list: &Option<Vec<LineBody>>, field: &str) -> Result<Vec<Line>, PayloadError> {
    list.iter()
        .flatten()
        .map(|line| line.to_line(field, None))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct DiscountCode {
    pub code: Option<String>,
}

pub fn coupons(codes: &Option<Vec<DiscountCode>>) -> Vec<String> {
    codes
        .iter()
        .flatten()
        .filter_map(|c| non_empty(&c.code))
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ShippingLine {
    pub price: Option<Amount>,
    pub price_set: Option<MoneySet>,
}

/// Sum of the shipping lines' prices, checked for overflow.
pub fn shipping_total(list: &Option<Vec<ShippingLine>>) -> Result<Decimal, PayloadError> {
    sum(
        list.iter().flatten().map(|line| {
            line.price
                .map(|a| a.0)
                .or_else(|| line.price_set.as_ref().and_then(MoneySet::shop))
                .unwrap_or_default()
        }),
        "shipping_lines",
    )
}

/// An overflow-checked sum; amounts beyond Decimal's range are refused, not wrapped.
pub fn sum(
    amounts: impl IntoIterator<Item = Decimal>,
    field: &str,
) -> Result<Decimal, PayloadError> {
    amounts
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, amount| acc.checked_add(amount))
        .ok_or_else(|| PayloadError::InvalidField {
            field: field.to_owned(),
            reason: "amounts overflow".to_owned(),
        })
}

pub fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
