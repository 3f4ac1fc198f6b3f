//! Metafield keys, namespaces, types and values checked as live Shopify checks them, with its
//! messages (captured from `metafieldsSet` input validation).

use rust_decimal::Decimal;

/// The types the sandbox stores; others are refused with `INVALID_TYPE`.
pub const SUPPORTED_TYPES: [&str; 7] = [
    "number_integer",
    "number_decimal",
    "boolean",
    "single_line_text_field",
    "multi_line_text_field",
    "date_time",
    "json",
];

const RESERVED_NAMESPACES: [&str; 3] = ["shopify_standard", "protected", "shopify-l10n-fields"];

/// A problem with one input field: (field name, code, message).
pub type Problem = (&'static str, &'static str, String);

pub fn check_namespace(namespace: &str) -> Option<Problem> {
    let n = namespace.chars().count();
    if RESERVED_NAMESPACES.contains(&namespace) {
        return Some((
            "namespace",
            "",
            format!("Namespace {namespace} is a reserved namespace"),
        ));
    }
    if n < 3 {
        return Some((
            "namespace",
            "TOO_SHORT",
            "Namespace is too short (minimum is 3 characters)".into(),
        ));
    }
    (n > 255).then(|| {
        (
            "namespace",
            "TOO_LONG",
            "Namespace is too long (maximum is 255 characters)".to_string(),
        )
    })
}

pub fn check_key(key: &str) -> Option<Problem> {
    let n = key.chars().count();
    if n < 2 {
        return Some((
            "key",
            "TOO_SHORT",
            "Key is too short (minimum is 2 characters)".into(),
        ));
    }
    (n > 64).then(|| {
        (
            "key",
            "TOO_LONG",
            "Key is too long (maximum is 64 characters)".to_string(),
        )
    })
}

/// The value as Shopify stores it, or why it is not one of `type_name`.
pub fn check_value(type_name: &str, value: &str) -> Result<String, Problem> {
    let bad = |message: &str| Err(("value", "INVALID_VALUE", message.to_string()));
    match type_name {
        "number_integer" => match value.trim().parse::<i64>() {
            Ok(n) if n.unsigned_abs() <= 9_007_199_254_740_991 => Ok(n.to_string()),
            Ok(_) => bad("Value is out of range."),
            Err(_) => bad("Value must be an integer."),
        },
        "number_decimal" => match value.trim().parse::<Decimal>() {
            Ok(d) if d.abs() > Decimal::from(9_999_999_999_999i64) => {
                bad("Value can't exceed 9999999999999.")
            }
            Ok(_) => Ok(value.trim().to_string()),
            Err(_) => bad("Value must be a decimal."),
        },
        "boolean" => match value {
            "true" | "false" => Ok(value.to_string()),
            _ => bad("Value must be true or false."),
        },
        "single_line_text_field" => {
            if value.trim().is_empty() {
                bad("Value can't be blank.")
            } else if value.contains('\n') || value.contains('\r') {
                bad("Value must be a single line text string.")
            } else {
                Ok(value.to_string())
            }
        }
        "multi_line_text_field" => {
            if value.trim().is_empty() {
                bad("Value can't be blank.")
            } else {
                Ok(value.to_string())
            }
        }
        "date_time" => {
            let naive = time::PrimitiveDateTime::parse(
                value.get(..19).unwrap_or(value),
                time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
            );
            let rest = value.get(19..).unwrap_or_default();
            let zone_ok = rest.is_empty()
                || rest == "Z"
                || time::OffsetDateTime::parse(
                    value,
                    &time::format_description::well_known::Rfc3339,
                )
                .is_ok();
            if naive.is_ok() && zone_ok {
                Ok(value.to_string())
            } else {
                bad(
                    "Value must be in \u{201c}YYYY-MM-DDTHH:MM:SS\u{201d} format. For example: 2022-06-01T15:30:00",
                )
            }
        }
        "json" => match serde_json::from_str::<serde_json::Value>(value) {
            Ok(v) => Ok(v.to_string()),
            Err(e) => Err((
                "value",
                "INVALID_VALUE",
                format!("Value is invalid JSON: {e}."),
            )),
        },
        other => Err((
            "type",
            "INVALID_TYPE",
            format!("Type '{other}' is not a supported metafield type."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_with_shopifys_messages() {
        let msg = |t: &str, v: &str| check_value(t, v).err().map(|p| p.2);
        assert_eq!(
            msg("number_integer", "not a number").as_deref(),
            Some("Value must be an integer.")
        );
        assert_eq!(
            msg("boolean", "yes").as_deref(),
            Some("Value must be true or false.")
        );
        assert_eq!(
            msg("number_decimal", "10000000000000.1").as_deref(),
            Some("Value can't exceed 9999999999999.")
        );
        assert_eq!(
            msg("single_line_text_field", "").as_deref(),
            Some("Value can't be blank.")
        );
        assert_eq!(
            msg("single_line_text_field", "Line\nBreak").as_deref(),
            Some("Value must be a single line text string.")
        );
        assert!(
            msg("date_time", "tomorrow")
                .unwrap()
                .starts_with("Value must be in")
        );
        assert_eq!(
            check_value("date_time", "2026-06-01T15:30:00Z"),
            Ok("2026-06-01T15:30:00Z".into())
        );
        assert_eq!(check_value("number_decimal", " 12.50 "), Ok("12.50".into()));
        assert!(
            msg("json", "{nope")
                .unwrap()
                .starts_with("Value is invalid JSON")
        );
        assert_eq!(check_key("x").map(|p| p.1), Some("TOO_SHORT"));
        assert_eq!(check_namespace("ab").map(|p| p.1), Some("TOO_SHORT"));
        assert_eq!(
            check_namespace("protected").map(|p| p.2),
            Some("Namespace protected is a reserved namespace".into())
        );
    }
}
