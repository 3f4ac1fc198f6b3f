//! The pixel's wire format and its validation. A batch is accepted event by event: each
//! rejected event gets its own reason, and only valid events are stored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::events::Consent;

/// Most events one request may carry (the pixel sends far fewer; a cap bounds the work).
pub const MAX_EVENTS: usize = 500;
const MAX_ID_CHARS: usize = 128;
/// Events stamped further ahead than this are refused: a clock that wrong corrupts timelines.
const MAX_FUTURE_MS: i64 = 24 * 3600 * 1000;

/// The Shopify standard events the pixel subscribes to.
pub const TRACKED: [&str; 12] = [
    "page_viewed",
    "product_viewed",
    "collection_viewed",
    "search_submitted",
    "product_added_to_cart",
    "product_removed_from_cart",
    "cart_viewed",
    "checkout_started",
    "checkout_contact_info_submitted",
    "checkout_shipping_info_submitted",
    "payment_info_submitted",
    "checkout_completed",
];

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub key: String,
    #[serde(default)]
    pub batch: Vec<Value>,
}

/// One event as we store it after validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PixelEvent {
    pub id: String,
    pub name: String,
    pub occurred_at_ms: i64,
    pub client_id: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub consent: Consent,
    #[serde(default)]
    pub data: Value,
}

/// What the intake stores for one request: the valid events, sealed like a webhook body.
#[derive(Debug, Serialize, Deserialize)]
pub struct StoredBatch {
    pub events: Vec<PixelEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventProblem {
    #[error("not an object")]
    NotAnObject,
    #[error("`{0}` is missing or not a string")]
    Missing(&'static str),
    #[error("`{0}` is longer than {MAX_ID_CHARS} characters")]
    TooLong(&'static str),
    #[error("`{0}` is not a tracked event")]
    Untracked(String),
    #[error("`timestamp` is not an RFC 3339 time")]
    BadTimestamp,
    #[error("`timestamp` is more than a day in the future")]
    FutureTimestamp,
    #[error("`consent` is missing or not four booleans")]
    BadConsent,
    #[error("analytics consent was not granted; the event was discarded")]
    ConsentWithheld,
}

/// Validates one event of a batch. Identity fields a client might add (`customer_id`,
/// `user_id`, `email`…) are not read: the server decides who a visitor is.
pub fn validate(raw: &Value, now_ms: i64) -> Result<PixelEvent, EventProblem> {
    let object = raw.as_object().ok_or(EventProblem::NotAnObject)?;
    let text = |field: &'static str| -> Result<String, EventProblem> {
        let value = object
            .get(field)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or(EventProblem::Missing(field))?;
        if value.chars().count() > MAX_ID_CHARS {
            return Err(EventProblem::TooLong(field));
        }
        Ok(value.to_owned())
    };
    let name = text("name")?;
    if !TRACKED.contains(&name.as_str()) {
        return Err(EventProblem::Untracked(name));
    }
    let id = text("id")?;
    let client_id = text("client_id")?;
    let timestamp = text("timestamp")?;
    let occurred_at_ms =
        time::OffsetDateTime::parse(&timestamp, &time::format_description::well_known::Rfc3339)
            .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
            .map_err(|_| EventProblem::BadTimestamp)?;
    if occurred_at_ms > now_ms + MAX_FUTURE_MS {
        return Err(EventProblem::FutureTimestamp);
    }
    let consent: Consent = object
        .get("consent")
        .and_then(|c| serde_json::from_value(c.clone()).ok())
        .ok_or(EventProblem::BadConsent)?;
    if !consent.analytics {
        return Err(EventProblem::ConsentWithheld);
    }
    let context = object.get("context");
    let context_text = |field: &str| {
        context
            .and_then(|c| c.get(field))
            .and_then(Value::as_str)
            .map(|s| s.chars().take(2048).collect::<String>())
    };
    Ok(PixelEvent {
        id,
        name,
        occurred_at_ms,
        client_id,
        url: context_text("url"),
        referrer: context_text("referrer"),
        title: context_text("title"),
        consent,
        data: object.get("data").cloned().unwrap_or(Value::Null),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_726_434_000_000;

    fn event() -> Value {
        json!({
            "id": "sh-1", "name": "product_viewed", "timestamp": "2024-09-15T20:57:59.674Z",
            "client_id": "c7b3", "context": {"url": "https://s.example/p"},
            "consent": {"analytics": true, "marketing": false, "preferences": false, "sale_of_data": false},
            "data": {}
        })
    }

    #[test]
    fn a_well_formed_event_is_accepted_with_its_time_in_ms() {
        let valid = validate(&event(), NOW).unwrap();
        assert_eq!(valid.occurred_at_ms, 1_726_433_879_674);
        assert_eq!(valid.url.as_deref(), Some("https://s.example/p"));
    }

    #[test]
    fn each_defect_is_named() {
        let cases: Vec<(&str, Value, EventProblem)> = vec![
            (
                "name",
                json!("alert_displayed"),
                EventProblem::Untracked("alert_displayed".into()),
            ),
            ("id", json!(""), EventProblem::Missing("id")),
            (
                "client_id",
                json!("x".repeat(200)),
                EventProblem::TooLong("client_id"),
            ),
            ("timestamp", json!("yesterday"), EventProblem::BadTimestamp),
            (
                "timestamp",
                json!("2030-01-01T00:00:00Z"),
                EventProblem::FutureTimestamp,
            ),
            (
                "consent",
                json!({"analytics": "yes"}),
                EventProblem::BadConsent,
            ),
            (
                "consent",
                json!({"analytics": false, "marketing": true, "preferences": true, "sale_of_data": true}),
                EventProblem::ConsentWithheld,
            ),
        ];
        for (field, value, problem) in cases {
            let mut raw = event();
            raw[field] = value;
            assert_eq!(validate(&raw, NOW), Err(problem), "{field}");
        }
        assert_eq!(validate(&json!([1]), NOW), Err(EventProblem::NotAnObject));
    }

    #[test]
    fn client_sent_identity_fields_are_not_kept() {
        let mut raw = event();
        raw["customer_id"] = json!("999");
        raw["user_id"] = json!("victim");
        let stored = serde_json::to_value(validate(&raw, NOW).unwrap()).unwrap();
        let text = stored.to_string();
        assert!(!text.contains("999") && !text.contains("victim"), "{text}");
    }
}
