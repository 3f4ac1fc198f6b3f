//! Tests of the mapping against Shopify's sample payloads and the Segment spec fixture. Tests
//! that need fixtures print `fixtures absent: skipping …` and pass when the folder is missing.

mod compliance;
mod dedupe;
mod fuzz;
mod money;
mod privacy;
mod rudderstack;
mod samples;
mod spec_fixture;

use rust_decimal::Decimal;

use super::{CanonicalEvent, Mapped, map_webhook};
use crate::testing::{fixture_bytes, fixture_json};

/// `orders/paid` → `shopify/webhooks/payloads/orders__paid.json`.
fn sample_path(topic: &str) -> String {
    format!(
        "shopify/webhooks/payloads/{}.json",
        topic.replace('/', "__")
    )
}

fn sample(topic: &str) -> Option<Vec<u8>> {
    fixture_bytes(&sample_path(topic))
}

fn sample_json(topic: &str) -> Option<serde_json::Value> {
    fixture_json(&sample_path(topic))
}

/// The sample for `topic`, mapped; panics with the error when it does not map.
fn mapped(topic: &str) -> Option<Mapped> {
    let body = sample(topic)?;
    Some(map_webhook(topic, &body).unwrap_or_else(|err| panic!("{topic}: {err}")))
}

fn only_event(mapped: &Mapped) -> &CanonicalEvent {
    assert_eq!(mapped.events.len(), 1, "{:?}", mapped.events);
    &mapped.events[0]
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}
