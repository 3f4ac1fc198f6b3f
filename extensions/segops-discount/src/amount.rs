//! Exact decimal amounts for comparing discounts, without floats.
//!
//! The Function API sends `Decimal` as a string (`"29.99"`). The Function never prints
//! amounts it computed (it echoes the configured value strings), it only compares them,
//! so a fixed-point integer in millionths is enough and keeps the module small and the
//! instruction count low: `rust_decimal` would add both size and per-operation cost for
//! no precision we use. Digits past the sixth decimal place are truncated.

/// Millionths per unit.
const SCALE: i64 = 1_000_000;
/// Up to a trillion units: more than any cart or discount, and overflow-free.
const MAX_WHOLE_DIGITS: usize = 12;

/// A decimal amount in millionths of a unit (money, or a percentage).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    pub const ZERO: Amount = Amount(0);
    pub const HUNDRED: Amount = Amount(100 * SCALE);

    /// Parses `-?digits(.digits)?`, the wire form of Shopify's `Decimal`.
    /// Rejects anything else (exponents, blanks, signs on their own, overflow).
    pub fn parse(text: &str) -> Option<Amount> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
            Some(_) => return None,
            None => (unsigned, ""),
        };
        // At most 12 whole digits: no arithmetic below can overflow, so none is checked
        // (checked 64-bit multiplication is a 128-bit library call in wasm).
        if whole.is_empty() || whole.len() > MAX_WHOLE_DIGITS {
            return None;
        }
        let mut units: i64 = 0;
        for &byte in whole.as_bytes() {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            units = units * 10 + i64::from(digit);
        }
        let mut millionths: i64 = 0;
        let mut place = SCALE;
        for &byte in fraction.as_bytes() {
            if place == 1 {
                // Digits past the sixth are validated, then truncated.
                if !byte.is_ascii_digit() {
                    return None;
                }
                continue;
            }
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                return None;
            }
            place /= 10;
            millionths += i64::from(digit) * place;
        }
        let value = units * SCALE + millionths;
        Some(Amount(if negative { -value } else { value }))
    }

    pub fn millionths(self) -> i64 {
        self.0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn saturating_add(self, other: Amount) -> Amount {
        Amount(self.0.saturating_add(other.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_strings_parse_exactly() {
        assert_eq!(Amount::parse("10"), Some(Amount(10_000_000)));
        assert_eq!(Amount::parse("10.0"), Some(Amount(10_000_000)));
        assert_eq!(Amount::parse("29.99"), Some(Amount(29_990_000)));
        assert_eq!(Amount::parse("0.000001"), Some(Amount(1)));
        assert_eq!(Amount::parse("-2.5"), Some(Amount(-2_500_000)));
        assert_eq!(Amount::parse("1.1234567"), Some(Amount(1_123_456)));
    }

    #[test]
    fn malformed_decimals_are_rejected() {
        for text in [
            "", "-", ".", "1.", ".5", "1e3", "1,5", " 1", "1.2.3", "abc", "NaN",
        ] {
            assert_eq!(Amount::parse(text), None, "{text:?}");
        }
        assert_eq!(
            Amount::parse("999999999999").map(Amount::millionths),
            Some(999_999_999_999_000_000)
        );
        assert_eq!(Amount::parse("1000000000000"), None);
    }
}
