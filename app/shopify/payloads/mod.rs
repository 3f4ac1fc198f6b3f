//! Shopify's webhook payload bodies (the REST-shaped JSON each topic POSTs) and their conversion
//! into our commerce types (`crate::events::commerce`). Only this module knows their field names.
//!
//! Every field is optional on the wire; what a conversion cannot do without is reported as a
//! [`PayloadError`] naming the field. Error texts never quote payload values, so they are safe
//! to log (payloads carry protected customer data).

mod carts;
mod checkouts;
mod compliance;
mod customers;
mod fulfillments;
pub mod ids;
mod lines;
mod orders;
mod people;
mod products;
mod refunds;
mod wire;

pub use carts::cart;
pub use checkouts::checkout;
pub use compliance::compliance_request;
pub use customers::{consent_update, customer, customer_deleted, customers_merge, tags_change};
pub use fulfillments::fulfillment;
pub use ids::normalise_id;
pub use orders::{order, order_edit};
pub use products::{product, product_deleted};
pub use refunds::refund;
pub use wire::parse_decimal;

use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("the body is not JSON: {0}")]
    NotJson(String),
    #[error("required field `{0}` is missing or null")]
    MissingField(String),
    #[error("field `{field}`: {reason}")]
    InvalidField { field: String, reason: String },
}

impl PayloadError {
    pub(crate) fn missing(field: &str) -> Self {
        PayloadError::MissingField(field.to_owned())
    }
}

/// Deserialises a whole body, naming the offending field on failure.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, PayloadError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        classify(&inner, &path)
    })?;
    de.end().map_err(|err| classify(&err, "."))?;
    Ok(value)
}

fn classify(err: &serde_json::Error, path: &str) -> PayloadError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Data => PayloadError::InvalidField {
            field: if path == "." {
                "(the body)".to_owned()
            } else {
                path.to_owned()
            },
            reason: redact_quoted(&err.to_string()),
        },
        Category::Syntax | Category::Eof | Category::Io => PayloadError::NotJson(format!(
            "{} at line {} column {}",
            match err.classify() {
                Category::Eof => "unexpected end of input",
                _ => "syntax error",
            },
            err.line(),
            err.column()
        )),
    }
}

/// serde quotes offending string values (`invalid type: string "jane@…"`); those may be
/// protected customer data, so they are blanked before the message can reach a log.
fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for ch in message.chars() {
        if ch == '"' {
            if inside {
                out.push_str("…\"");
            } else {
                out.push('"');
            }
            inside = !inside;
        } else if !inside {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        price: Option<wire::Amount>,
        lines: Option<Vec<Probe>>,
    }

    #[test]
    fn decode_errors_name_the_field_and_never_quote_its_value() {
        let err = decode::<Probe>(br#"{"lines":[{"price":"jane@example.com"}]}"#).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("lines[0].price"), "{text}");
        assert!(!text.contains("jane"), "{text}");

        let err = decode::<Probe>(br#"{"lines":[{"price":5}], "x": "#).unwrap_err();
        assert!(matches!(err, PayloadError::NotJson(_)), "{err}");
        let err = decode::<Probe>(b"[1,2]").unwrap_err();
        assert!(matches!(err, PayloadError::InvalidField { .. }), "{err}");
        let err = decode::<Probe>(b"{} {}").unwrap_err();
        assert!(matches!(err, PayloadError::NotJson(_)), "{err}");
    }

    #[test]
    fn quoted_values_are_blanked() {
        assert_eq!(
            redact_quoted(r#"invalid type: string "secret", expected x"#),
            r#"invalid type: string "…", expected x"#
        );
    }
}
