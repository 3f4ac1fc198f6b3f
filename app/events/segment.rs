//! Building Segment-spec properties: money as JSON numbers, the `products` array.
//!
//! Money is computed as `Decimal` and emitted as a JSON Number (Segment types it `Number`),
//! written from the Decimal's normalised string (`"404.95"`, `"-85"`). Integers stay exact;
//! fractional amounts round-trip exactly up to 15 significant digits (serde_json stores them
//! as f64 and prints the shortest round-trip form). Read them back with
//! `CanonicalEvent::decimal`.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use super::commerce::Line;

pub fn number(amount: Decimal) -> Value {
    Number::from_str(&amount.normalize().to_string())
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A property map that skips absent values, so a spec `String` is never sent as `null`.
#[derive(Default)]
pub struct Props(pub Map<String, Value>);

impl Props {
    pub fn text(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.0
                .insert(key.to_owned(), Value::String(value.to_owned()));
        }
        self
    }

    pub fn money(&mut self, key: &str, amount: Decimal) -> &mut Self {
        self.0.insert(key.to_owned(), number(amount));
        self
    }

    pub fn money_opt(&mut self, key: &str, amount: Option<Decimal>) -> &mut Self {
        if let Some(amount) = amount {
            self.money(key, amount);
        }
        self
    }

    pub fn value(&mut self, key: &str, value: Value) -> &mut Self {
        self.0.insert(key.to_owned(), value);
        self
    }

    pub fn build(&mut self) -> Map<String, Value> {
        std::mem::take(&mut self.0)
    }
}

/// Segment's `products` array: `product_id`, `sku`, `name`, `variant`, `brand` (vendor),
/// `price`, `quantity`, `position` (1-based), plus our `variant_id`.
pub fn products(lines: &[Line]) -> Value {
    Value::Array(
        lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let mut p = Props::default();
                p.text("product_id", line.product_id.as_deref())
                    .text("variant_id", line.variant_id.as_deref())
                    .text("sku", line.sku.as_deref())
                    .text("name", line.name.as_deref())
                    .text("variant", line.variant.as_deref())
                    .text("brand", line.brand.as_deref())
                    .money("price", line.price)
                    .value("quantity", Value::from(line.quantity))
                    .value("position", Value::from(index + 1));
                Value::Object(p.build())
            })
            .collect(),
    )
}

/// Segment's `coupon` is one string: Shopify's discount codes, comma-joined.
pub fn coupon(codes: &[String]) -> Option<String> {
    (!codes.is_empty()).then(|| codes.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_from_the_decimal_string() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(number(d("404.95")).to_string(), "404.95");
        assert_eq!(number(d("10.00")).to_string(), "10");
        assert_eq!(number(d("-85.00")).to_string(), "-85");
        assert_eq!(number(d("-0.00")).to_string(), "0");
        assert_eq!(number(d("0.1")).to_string(), "0.1");
        assert_eq!(number(d("123456789012.35")).to_string(), "123456789012.35");
    }
}
