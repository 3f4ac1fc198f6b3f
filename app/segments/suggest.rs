//! The first segment SegOps proposes to a new shop, computed from its profiles: its
//! high-value customers, or its lapsed buyers when most buyers have lapsed.

use rust_decimal::Decimal;

use super::DAY_MS;
use super::ast::{CmpOp, Rule, Trait, Value};
use super::profile::Profile;

/// A buyer with no order in this many days has lapsed.
pub const LAPSED_AFTER_DAYS: u32 = 90;

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub name: String,
    pub rule: Rule,
    /// Members the rule has at the time of the suggestion.
    pub expected_members: usize,
}

/// Proposes one segment, or `None` when the shop has no buyer to build one from.
///
/// High-value customers are the buyers whose lifetime value is above the 80th percentile of
/// buyers' lifetime values (nearest rank, exact decimals). Lapsed buyers (ordered before, not in
/// the last [`LAPSED_AFTER_DAYS`] days) are proposed instead when they are at least half of
/// the buyers, or when nobody is above the percentile (every buyer spent the same).
pub fn suggest_first_segment<'a>(
    profiles: impl IntoIterator<Item = &'a Profile>,
    now_ms: i64,
) -> Option<Suggestion> {
    let lapsed_before = now_ms.saturating_sub(i64::from(LAPSED_AFTER_DAYS) * DAY_MS);
    let mut values: Vec<Decimal> = Vec::new();
    let mut lapsed = 0usize;
    for profile in profiles {
        if profile.order_count == 0 {
            continue;
        }
        values.push(profile.lifetime_value);
        if profile.last_order_at.is_some_and(|at| at < lapsed_before) {
            lapsed += 1;
        }
    }
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    // Nearest rank: the smallest value with at least 80% of buyers at or below it.
    let rank = (values.len() * 4).div_ceil(5);
    let threshold = values[rank - 1];
    let above = values.len() - values.partition_point(|v| *v <= threshold);
    let buyers = values.len();
    let has_ordered = Rule::compare(Trait::OrderCount, CmpOp::Ge, Value::Int(1));
    if lapsed > 0 && (lapsed * 2 >= buyers || above == 0) {
        return Some(Suggestion {
            name: "Lapsed buyers".into(),
            rule: Rule::all([
                has_ordered,
                Rule::OlderThan {
                    field: Trait::LastOrderAt,
                    days: LAPSED_AFTER_DAYS,
                },
            ]),
            expected_members: lapsed,
        });
    }
    (above > 0).then(|| Suggestion {
        name: "High-value customers".into(),
        rule: Rule::all([
            has_ordered,
            Rule::compare(
                Trait::LifetimeValue,
                CmpOp::Gt,
                Value::Decimal(threshold.normalize()),
            ),
        ]),
        expected_members: above,
    })
}
