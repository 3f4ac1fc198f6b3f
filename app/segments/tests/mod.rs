//! Unit tests of the segments module, one file per idea, with shared profile builders.

mod ast;
mod deps;
mod eval;
mod explain;
mod native;
mod slug;
mod suggest;
mod text;

use rust_decimal::Decimal;

use super::{DAY_MS, EventHistory, EventView, Profile, Rule};
use crate::events::EventKind;

/// A fixed "now": 2026-01-01T00:00:00Z.
pub(super) const NOW: i64 = 1_767_225_600_000;

pub(super) fn days_ago(days: i64) -> i64 {
    NOW - days * DAY_MS
}

pub(super) fn dec(text: &str) -> Decimal {
    text.parse().expect("test decimal")
}

pub(super) fn rule(text: &str) -> Rule {
    Rule::parse_text(text).unwrap_or_else(|err| panic!("{}", err.pointer(text)))
}

/// (kind, days ago, products, collections)
pub(super) fn history(events: &[(EventKind, i64, &[u64], &[u64])]) -> EventHistory {
    EventHistory::from_events(
        events
            .iter()
            .map(|(kind, ago, products, collections)| EventView {
                kind: *kind,
                at_ms: days_ago(*ago),
                products,
                collections,
            }),
    )
}

pub(super) fn buyer(lifetime_value: &str, orders: u32, last_order_days_ago: i64) -> Profile {
    Profile {
        lifetime_value: dec(lifetime_value),
        order_count: orders,
        last_order_at: Some(days_ago(last_order_days_ago)),
        first_order_at: Some(days_ago(last_order_days_ago + 30)),
        created_at: Some(days_ago(400)),
        ..Profile::default()
    }
}
