//! The mandatory privacy requests, in our terms.

use super::MapError;
use crate::shopify::payloads;

/// A privacy request Shopify forwards on behalf of a customer or a shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComplianceRequest {
    /// `customers/data_request`: send the store owner the customer's data.
    DataRequest {
        shop_domain: String,
        customer_id: Option<String>,
        orders_requested: Vec<String>,
        request_id: Option<String>,
    },
    /// `customers/redact`: erase the customer's data.
    CustomerRedact {
        shop_domain: String,
        customer_id: Option<String>,
        orders_to_redact: Vec<String>,
    },
    /// `shop/redact`: erase everything about the shop (48 hours after uninstall).
    ShopRedact { shop_domain: String },
}

/// Parses a compliance webhook body. Any other topic is `MapError::NotCompliance`.
pub fn parse_compliance(topic: &str, body: &[u8]) -> Result<ComplianceRequest, MapError> {
    payloads::compliance_request(topic, body)
        .ok_or_else(|| MapError::NotCompliance {
            topic: topic.to_owned(),
        })?
        .map_err(|err| MapError::from_payload(topic, err))
}
