//! Why a webhook body could not be mapped. Every variant is permanent: the same body fails the
//! same way, so callers park it rather than retry. Messages never quote payload values.

use crate::shopify::payloads::PayloadError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("unknown webhook topic `{topic}`")]
    UnknownTopic { topic: String },
    #[error("`{topic}` is not a compliance topic")]
    NotCompliance { topic: String },
    #[error("{topic}: the body is not JSON ({reason})")]
    InvalidJson { topic: String, reason: String },
    #[error("{topic}: required field `{field}` is missing or null")]
    MissingField { topic: String, field: String },
    #[error("{topic}: field `{field}` is invalid ({reason})")]
    InvalidField {
        topic: String,
        field: String,
        reason: String,
    },
}

impl MapError {
    pub(crate) fn from_payload(topic: &str, err: PayloadError) -> Self {
        let topic = topic.to_owned();
        match err {
            PayloadError::NotJson(reason) => MapError::InvalidJson { topic, reason },
            PayloadError::MissingField(field) => MapError::MissingField { topic, field },
            PayloadError::InvalidField { field, reason } => MapError::InvalidField {
                topic,
                field,
                reason,
            },
        }
    }
}
