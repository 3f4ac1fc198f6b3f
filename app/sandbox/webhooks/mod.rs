//! Webhooks: topics, payload shapes, and the delivery queue that signs and retries them.

pub mod delivery;
pub mod payloads;
pub mod topics;

use serde_json::Value;

use self::delivery::Message;
use self::topics::COMPLIANCE_TOPICS;
use super::state::{SandboxState, Shop};

/// API version used for deliveries that have no subscription of their own (compliance topics).
pub const APP_WEBHOOK_API_VERSION: &str = "2026-04";

/// Queues one merchant action's webhooks: every `(topic, body)` goes to each subscription of the shop
/// on that topic (compliance topics go to the app's compliance URL); all share one event id.
pub fn emit(state: &SandboxState, shop: &Shop, events: Vec<(&str, Value)>) {
    let mut messages = Vec::new();
    for (topic, body) in events {
        if COMPLIANCE_TOPICS.contains(&topic) {
            messages.push(Message {
                topic: topic.to_string(),
                uri: state.config.compliance_url(),
                api_version: APP_WEBHOOK_API_VERSION.to_string(),
                name: None,
                body: serde_json::to_vec(&body).unwrap_or_default(),
            });
            continue;
        }
        for sub in shop
            .subscriptions
            .iter()
            .filter(|s| s.topic.rest_name() == topic)
        {
            let body = if sub.include_fields.is_empty() {
                body.clone()
            } else {
                match &body {
                    Value::Object(map) => Value::Object(
                        map.iter()
                            .filter(|(k, _)| sub.include_fields.iter().any(|f| f == *k))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    other => other.clone(),
                }
            };
            messages.push(Message {
                topic: topic.to_string(),
                uri: sub.uri.clone(),
                api_version: sub.api_version.clone(),
                name: sub.name.clone(),
                body: serde_json::to_vec(&body).unwrap_or_default(),
            });
        }
    }
    state.deliveries.enqueue(&shop.domain, messages);
}
