//! Evaluating a compiled rule against one profile at a given time: short-circuiting, no
//! allocation, events found by binary search on time.

use rust_decimal::Decimal;

use super::ast::{CountOp, Rule, Trait};
use super::compile::{CompiledRule, Node};
use super::error::RuleError;
use super::profile::Profile;

impl CompiledRule {
    /// Whether the profile is a member at `now_ms`.
    #[inline]
    pub fn matches(&self, profile: &Profile, now_ms: i64) -> bool {
        eval(&self.root, profile, now_ms)
    }
}

impl Rule {
    /// Validates, compiles and evaluates once; compile and keep a [`CompiledRule`] to evaluate
    /// many profiles.
    pub fn matches(&self, profile: &Profile, now_ms: i64) -> Result<bool, RuleError> {
        Ok(CompiledRule::compile(self)?.matches(profile, now_ms))
    }
}

pub(crate) fn eval(node: &Node, p: &Profile, now_ms: i64) -> bool {
    match node {
        Node::All(children) => children.iter().all(|c| eval(c, p, now_ms)),
        Node::Any(children) => children.iter().any(|c| eval(c, p, now_ms)),
        Node::Not(child) => !eval(child, p, now_ms),
        Node::Decimal { field, op, value } => op.holds(&decimal(p, *field), value),
        Node::Int { field, op, value } => op.holds(&integer(p, *field), value),
        Node::Bool { field, value } => boolean(p, *field) == *value,
        Node::Text { field, op, value } => {
            text(p, *field).is_some_and(|actual| op.holds(&actual, &&**value))
        }
        Node::Country(list) => p.country.is_some_and(|c| list.contains(&c)),
        Node::Enum { field, mask } => mask & (1 << enum_index(p, *field)) != 0,
        Node::Within { field, window_ms } => {
            date(p, *field).is_some_and(|at| at >= now_ms.saturating_sub(*window_ms))
        }
        Node::OlderThan { field, window_ms } => {
            date(p, *field).is_some_and(|at| at < now_ms.saturating_sub(*window_ms))
        }
        Node::IsSet(field) => is_set(p, *field),
        Node::HasTag(tag) => p.tags.iter().any(|t| t.same(tag)),
        Node::Event {
            kind,
            op,
            count,
            window_ms,
            products,
            collections,
        } => {
            let unfiltered = products.is_empty() && collections.is_empty();
            let mut seen = 0u32;
            for event in p
                .events
                .between(now_ms.saturating_sub(*window_ms), i64::MAX)
            {
                if event.kind != *kind
                    || !(unfiltered
                        || event
                            .products
                            .iter()
                            .any(|id| products.binary_search(id).is_ok())
                        || event
                            .collections
                            .iter()
                            .any(|id| collections.binary_search(id).is_ok()))
                {
                    continue;
                }
                seen += 1;
                // Stop as soon as the answer cannot change.
                match op {
                    CountOp::AtLeast if seen >= *count => return true,
                    CountOp::AtMost | CountOp::Exactly if seen > *count => return false,
                    _ => {}
                }
            }
            count_holds(*op, seen, *count)
        }
    }
}

pub(crate) fn count_holds(op: CountOp, seen: u32, count: u32) -> bool {
    match op {
        CountOp::AtLeast => seen >= count,
        CountOp::AtMost => seen <= count,
        CountOp::Exactly => seen == count,
    }
}

pub(crate) fn decimal(p: &Profile, field: Trait) -> Decimal {
    match field {
        Trait::AverageOrderValue => p.average_order_value,
        _ => p.lifetime_value,
    }
}

pub(crate) fn integer(p: &Profile, field: Trait) -> i64 {
    i64::from(match field {
        Trait::OrderCount => p.order_count,
        Trait::ProductViews => p.product_views,
        Trait::AddToCarts => p.add_to_carts,
        _ => p.sessions,
    })
}

pub(crate) fn boolean(p: &Profile, field: Trait) -> bool {
    match field {
        Trait::HasEmail => p.has_email,
        Trait::HasPhone => p.has_phone,
        _ => p.verified_email,
    }
}

pub(crate) fn text(p: &Profile, field: Trait) -> Option<&str> {
    match field {
        Trait::FirstName => p.first_name.as_deref(),
        _ => p.last_name.as_deref(),
    }
}

pub(crate) fn date(p: &Profile, field: Trait) -> Option<i64> {
    match field {
        Trait::FirstOrderAt => p.first_order_at,
        Trait::LastOrderAt => p.last_order_at,
        Trait::CreatedAt => p.created_at,
        _ => p.last_seen_at,
    }
}

pub(crate) fn is_set(p: &Profile, field: Trait) -> bool {
    match field {
        Trait::FirstName | Trait::LastName => text(p, field).is_some(),
        Trait::Country => p.country.is_some(),
        Trait::Tags => !p.tags.is_empty(),
        Trait::FirstOrderAt | Trait::LastOrderAt | Trait::CreatedAt | Trait::LastSeenAt => {
            date(p, field).is_some()
        }
        // Validation allows IS SET only on the optional traits above.
        _ => true,
    }
}

/// The position of the profile's enum value in Shopify's list (the bit compiled masks use):
/// the enums declare their variants in that order.
pub(crate) fn enum_index(p: &Profile, field: Trait) -> u32 {
    match field {
        Trait::State => p.state as u32,
        Trait::EmailConsent => p.email_consent as u32,
        Trait::SmsConsent => p.sms_consent as u32,
        Trait::EmailOptIn => p.email_opt_in as u32,
        _ => p.sms_opt_in as u32,
    }
}
