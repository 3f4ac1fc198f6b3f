//! Reading fields of bulk result rows (Admin GraphQL shapes): ids, times, money, enums.

use rust_decimal::Decimal;
use serde_json::Value;

use super::BulkError;
use crate::shopify::payloads::{ids::normalise_id, parse_decimal};

/// A row field that must be present; the error names the field, never its value.
pub(super) fn bad(field: &str) -> BulkError {
    BulkError::BadLine {
        line: 0,
        reason: format!("field `{field}` is missing or malformed"),
    }
}

pub(super) fn id(row: &Value, field: &str) -> Result<String, BulkError> {
    normalise_id(&row[field]).ok_or_else(|| bad(field))
}

/// `customer { id }` and the like.
pub(super) fn nested_id(row: &Value, field: &str) -> Option<String> {
    normalise_id(&row[field]["id"])
}

pub(super) fn time_ms(row: &Value, field: &str) -> Option<i64> {
    let text = row[field].as_str()?;
    let at =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `fieldSet { shopMoney { amount } }` in the shop's currency.
pub(super) fn shop_money(row: &Value, field: &str) -> Option<Decimal> {
    parse_decimal(row[field]["shopMoney"]["amount"].as_str()?)
}

pub(super) fn shop_currency(row: &Value, field: &str) -> Option<String> {
    row[field]["shopMoney"]["currencyCode"]
        .as_str()
        .map(str::to_owned)
}

pub(super) fn text(row: &Value, field: &str) -> Option<String> {
    row[field]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// GraphQL enums (`PARTIALLY_REFUNDED`) in the lower-case spelling webhooks use, so bulk and
/// live rows compare equal.
pub(super) fn enum_lower(row: &Value, field: &str) -> Option<String> {
    text(row, field).map(|t| t.to_ascii_lowercase())
}
