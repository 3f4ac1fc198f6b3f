//! Deciding whether one customer belongs to a parsed segment query. Dates compare by calendar
//! day (UTC), text and tags compare case-insensitively, and a missing value matches only
//! `IS NULL` (and `!=` / `NOT CONTAINS`, as "not that value").

use std::collections::HashMap;

use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use super::ast::{Cmp, Condition, Expr, Filter, MetaKind, Test, Value};

/// What the filters read about one customer.
#[derive(Debug, Clone)]
pub struct CustomerFacts {
    pub amount_spent: Decimal,
    pub number_of_orders: u64,
    /// ISO country codes of the customer's addresses and orders.
    pub countries: Vec<String>,
    pub tags: Vec<String>,
    /// e.g. `SUBSCRIBED`, `NOT_SUBSCRIBED`.
    pub email_status: String,
    pub sms_status: String,
    pub last_order_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Raw metafield values by (namespace, key).
    pub metafields: HashMap<(String, String), String>,
}

/// A value read off a customer, in the form the filter compares.
enum Seen {
    Number(Decimal),
    Text(String),
    Day(Date),
    Boolean(bool),
    Set(Vec<String>),
}

pub fn matches(expr: &Expr, facts: &CustomerFacts, today: Date) -> bool {
    match expr {
        Expr::And(a, b) => matches(a, facts, today) && matches(b, facts, today),
        Expr::Or(a, b) => matches(a, facts, today) || matches(b, facts, today),
        Expr::Not(inner) => !matches(inner, facts, today),
        Expr::Cond(c) => condition(c, facts, today),
    }
}

fn read(filter: &Filter, facts: &CustomerFacts) -> Option<Seen> {
    Some(match filter {
        Filter::AmountSpent => Seen::Number(facts.amount_spent),
        Filter::NumberOfOrders => Seen::Number(Decimal::from(facts.number_of_orders)),
        Filter::CustomerCountries => Seen::Set(facts.countries.clone()),
        Filter::CustomerTags => Seen::Set(facts.tags.clone()),
        Filter::EmailSubscriptionStatus => Seen::Text(facts.email_status.clone()),
        Filter::SmsSubscriptionStatus => Seen::Text(facts.sms_status.clone()),
        Filter::LastOrderDate => Seen::Day(facts.last_order_at?.date()),
        Filter::CustomerAddedDate => Seen::Day(facts.created_at.date()),
        Filter::Metafield {
            namespace,
            key,
            kind,
        } => {
            let raw = facts.metafields.get(&(namespace.clone(), key.clone()))?;
            match kind {
                MetaKind::Integer | MetaKind::Decimal => Seen::Number(raw.parse().ok()?),
                MetaKind::Boolean => Seen::Boolean(raw == "true"),
                MetaKind::Text => Seen::Text(raw.clone()),
                MetaKind::DateTime => Seen::Day(
                    Date::parse(
                        raw.get(..10)?,
                        time::macros::format_description!("[year]-[month]-[day]"),
                    )
                    .ok()?,
                ),
            }
        }
        Filter::Unknown => return None,
    })
}

fn condition(c: &Condition, facts: &CustomerFacts, today: Date) -> bool {
    let seen = read(&c.filter, facts);
    match (&c.test, seen) {
        (Test::IsNull, seen) => seen.is_none(),
        (Test::IsNotNull, seen) => seen.is_some(),
        (Test::Contains(v), Some(Seen::Set(items))) => contains(&items, v),
        (Test::NotContains(v), Some(Seen::Set(items))) => !contains(&items, v),
        (Test::NotContains(_), None) => true,
        (Test::Compare(Cmp::Ne, _), None) => true,
        (Test::Compare(cmp, value), Some(seen)) => compare(*cmp, &seen, value, today),
        (Test::Between(low, high), Some(seen)) => {
            compare(Cmp::Ge, &seen, low, today) && compare(Cmp::Le, &seen, high, today)
        }
        _ => false,
    }
}

fn contains(items: &[String], wanted: &str) -> bool {
    items.iter().any(|i| i.eq_ignore_ascii_case(wanted))
}

fn compare(cmp: Cmp, seen: &Seen, value: &Value, today: Date) -> bool {
    match (seen, value) {
        (Seen::Number(a), Value::Number(b)) => cmp.holds(a, b),
        (Seen::Day(a), Value::Date(spec)) => cmp.holds(a, &spec.resolve(today)),
        (Seen::Boolean(a), Value::Boolean(b)) => cmp.holds(a, b),
        (Seen::Text(a), Value::Text(b)) => cmp.holds(&a.to_lowercase(), &b.to_lowercase()),
        _ => false,
    }
}
