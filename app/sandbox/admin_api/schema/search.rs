//! The part of Shopify's search syntax the sandbox's `customers` and `orders` understand:
//! space-separated `field:value` terms (AND), with `>`, `>=`, `<`, `<=` on dates and ids.
//! Terms on other fields are ignored, as Shopify ignores filters it cannot apply.

use std::cmp::Ordering;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug)]
pub struct Term {
    pub field: String,
    op: Op,
    value: String,
}

/// Splits `query` into terms; quotes (`'…'`, `"…"`) keep spaces inside a value.
pub fn parse(query: Option<&str>) -> Vec<Term> {
    let Some(q) = query else {
        return Vec::new();
    };
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for ch in q.chars().chain(std::iter::once(' ')) {
        match (quote, ch) {
            (Some(open), c) if c == open => quote = None,
            (None, '\'' | '"') => quote = Some(ch),
            (None, c) if c.is_whitespace() => {
                if let Some(term) = term(&current) {
                    terms.push(term);
                }
                current.clear();
            }
            (_, c) => current.push(c),
        }
    }
    terms
}

fn term(raw: &str) -> Option<Term> {
    let (field, rest) = raw.split_once(':')?;
    let rest = rest.trim();
    let (op, value) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)]
        .into_iter()
        .find_map(|(p, op)| rest.strip_prefix(p).map(|v| (op, v)))
        .unwrap_or((Op::Eq, rest));
    Some(Term {
        field: field.trim().to_lowercase(),
        op,
        value: value.trim().to_string(),
    })
}

fn holds(op: Op, ord: Ordering) -> bool {
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
    }
}

/// A date (`2024-01-01`, midnight UTC) or a timestamp (`2024-01-01T10:00:00Z`).
fn instant(value: &str) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        return Some(t);
    }
    let date = Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc())
}

impl Term {
    /// Whether `t` satisfies this term (a term whose value is not a date matches nothing).
    pub fn time_matches(&self, t: OffsetDateTime) -> bool {
        instant(&self.value).is_some_and(|v| holds(self.op, t.cmp(&v)))
    }

    pub fn id_matches(&self, id: u64) -> bool {
        let raw = self.value.rsplit('/').next().unwrap_or_default();
        raw.parse::<u64>().is_ok_and(|v| holds(self.op, id.cmp(&v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_ranges_compare_as_shopify_documents() {
        let terms = parse(Some("created_at:>='2024-03-01' id:<=10"));
        assert_eq!(terms.len(), 2);
        let march = instant("2024-03-01T00:00:00Z").unwrap();
        assert!(terms[0].time_matches(march));
        assert!(!terms[0].time_matches(march - time::Duration::seconds(1)));
        assert!(terms[1].id_matches(10));
        assert!(!terms[1].id_matches(11));
    }
}
