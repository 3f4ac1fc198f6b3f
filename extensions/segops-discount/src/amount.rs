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
        match Amount::parse_prefix(text.as_bytes()) {
            Some((amount, used)) if used == text.len() => Some(amount),
            _ => None,
        }
    }

    /// The amount `bytes` start with and how many bytes it takes, in one pass (the
    /// caller checks what follows): `None` when they do not start with one, or start
    /// with one that has too many whole digits or a `.` without digits after it.
    pub fn parse_prefix(bytes: &[u8]) -> Option<(Amount, usize)> {
        let negative = bytes.first() == Some(&b'-');
        let start = usize::from(negative);
        let mut at = start;
        let mut units: i64 = 0;
        while let Some(&byte) = bytes.get(at) {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            // At most 12 whole digits: no arithmetic below can overflow, so none is
            // checked (checked 64-bit multiplication is a 128-bit library call in wasm).
            if at - start == MAX_WHOLE_DIGITS {
                return None;
            }
            units = units * 10 + i64::from(digit);
            at += 1;
        }
        if at == start {
            return None;
        }
        let mut millionths: i64 = 0;
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let fraction = at;
            let mut place = SCALE;
            while let Some(&byte) = bytes.get(at) {
                let digit = byte.wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                // Digits past the sixth are read, then truncated.
                if place > 1 {
                    place /= 10;
                    millionths += i64::from(digit) * place;
                }
                at += 1;
            }
            if at == fraction {
                return None;
            }
        }
        let value = units * SCALE + millionths;
        Some((Amount(if negative { -value } else { value }), at))
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
        assert_eq!(Amount::parse("12345678901234567890123"), None);
    }

    #[test]
    fn a_prefix_stops_where_the_amount_does() {
        assert_eq!(
            Amount::parse_prefix(b"29.99\",").map(|(amount, used)| (amount.millionths(), used)),
            Some((29_990_000, 5))
        );
        assert_eq!(Amount::parse_prefix(b"1.\""), None);
        assert_eq!(Amount::parse_prefix(b"\"1\""), None);
    }
}
