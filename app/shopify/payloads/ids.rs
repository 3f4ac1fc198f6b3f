//! Shopify resource ids in every spelling they arrive in: a JSON integer (`450789469`), a decimal
//! string (`"450789469"`), an Admin GraphQL id (`gid://shopify/Order/450789469`, optionally with
//! a `?query`), and the Web Pixel's `gid://shopify/OrderIdentity/450789469`. All of them become
//! the bare decimal string. Ids exceed 2^53, so they are read as `u64`, never through `f64`.

use serde_json::Value;

/// Something that may hold a Shopify id.
pub trait RawId {
    fn normalised_id(&self) -> Option<String>;
}

/// The bare decimal form of a Shopify id, or `None` when the value is not an id (a float, zero,
/// a negative number, an empty or non-numeric string, a gid without a numeric tail).
pub fn normalise_id<R: RawId + ?Sized>(raw: &R) -> Option<String> {
    raw.normalised_id()
}

impl RawId for str {
    fn normalised_id(&self) -> Option<String> {
        let text = self.trim();
        let digits = match text.strip_prefix("gid://shopify/") {
            Some(rest) => {
                let rest = rest.split(['?', '#']).next().unwrap_or(rest);
                let (resource, tail) = rest.rsplit_once('/')?;
                if resource.is_empty() {
                    return None;
                }
                tail
            }
            None => text,
        };
        parse_positive(digits).map(|id| id.to_string())
    }
}

impl RawId for String {
    fn normalised_id(&self) -> Option<String> {
        self.as_str().normalised_id()
    }
}

impl RawId for u64 {
    fn normalised_id(&self) -> Option<String> {
        (*self > 0).then(|| self.to_string())
    }
}

impl RawId for Value {
    fn normalised_id(&self) -> Option<String> {
        match self {
            // `as_u64` is exact for every integer serde_json parsed; floats return None.
            Value::Number(number) => number.as_u64().and_then(|id| id.normalised_id()),
            Value::String(text) => text.normalised_id(),
            _ => None,
        }
    }
}

/// Digits only (no sign, no exponent, no fraction), fitting a u64, non-zero.
fn parse_positive(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok().filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::normalise_id;
    use serde_json::json;

    #[test]
    fn every_spelling_of_an_order_id_normalises_to_the_same_decimal_string() {
        let expected = Some("450789469".to_string());
        assert_eq!(normalise_id(&json!(450789469)), expected);
        assert_eq!(normalise_id(&json!("450789469")), expected);
        assert_eq!(normalise_id("450789469"), expected);
        assert_eq!(normalise_id("gid://shopify/Order/450789469"), expected);
        assert_eq!(
            normalise_id("gid://shopify/OrderIdentity/450789469"),
            expected
        );
        assert_eq!(
            normalise_id(&json!("gid://shopify/Order/450789469")),
            expected
        );
        assert_eq!(normalise_id(&450789469_u64), expected);
    }

    #[test]
    fn ids_beyond_two_to_the_fifty_third_stay_exact() {
        // 820982911946154508 rounds to 820982911946154500 through an f64.
        let body = r#"{"id": 820982911946154508, "max": 18446744073709551615}"#;
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            normalise_id(&value["id"]),
            Some("820982911946154508".to_string())
        );
        assert_eq!(
            normalise_id(&value["max"]),
            Some("18446744073709551615".to_string())
        );
        assert_eq!(
            normalise_id("gid://shopify/Order/820982911946154508"),
            Some("820982911946154508".to_string())
        );
        assert_eq!(
            normalise_id("gid://shopify/OrderIdentity/820982911946154508"),
            Some("820982911946154508".to_string())
        );
    }

    #[test]
    fn gids_with_query_strings_keep_only_the_numeric_tail() {
        assert_eq!(
            normalise_id("gid://shopify/Customer/706405506930370084?cache=1"),
            Some("706405506930370084".to_string())
        );
    }

    #[test]
    fn values_that_are_not_ids_are_refused() {
        for value in [
            json!(null),
            json!(true),
            json!(1.5),
            json!(8.2098291194615e17),
            json!(-3),
            json!(0),
            json!(""),
            json!("abc"),
            json!("12a"),
            json!("-12"),
            json!("+12"),
            json!("1e5"),
            json!("18446744073709551616"),
            json!("gid://shopify/Order/"),
            json!("gid://shopify/Order/abc"),
            json!("gid://shopify/12"),
            json!("gid://other/Order/12"),
            json!([1]),
            json!({"id": 1}),
        ] {
            assert_eq!(normalise_id(&value), None, "{value}");
        }
    }
}
