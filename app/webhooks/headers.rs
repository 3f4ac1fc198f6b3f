//! Shopify's webhook headers, in either spelling (`X-Shopify-Topic` or the newer `shopify-topic`).

use axum::http::HeaderMap;

use crate::shopify::ShopDomain;

#[derive(Debug, Clone)]
pub struct DeliveryHeaders {
    pub topic: String,
    pub shop: ShopDomain,
    /// What Shopify documents for ignoring duplicates: one per merchant action.
    pub event_id: String,
    pub webhook_id: Option<String>,
    pub triggered_at: Option<String>,
    pub api_version: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("X-Shopify-Shop-Domain: {0}")]
    Shop(#[from] crate::shopify::ShopDomainError),
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(format!("x-shopify-{name}"))
        .or_else(|| headers.get(format!("shopify-{name}")))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

impl DeliveryHeaders {
    pub fn parse(headers: &HeaderMap) -> Result<DeliveryHeaders, HeaderError> {
        let topic = header(headers, "topic").ok_or(HeaderError::Missing("X-Shopify-Topic"))?;
        let shop =
            header(headers, "shop-domain").ok_or(HeaderError::Missing("X-Shopify-Shop-Domain"))?;
        let webhook_id = header(headers, "webhook-id").map(str::to_owned);
        // Older deliveries lack the event id; the webhook id is then the best key there is.
        let event_id = header(headers, "event-id")
            .map(str::to_owned)
            .or_else(|| webhook_id.clone())
            .ok_or(HeaderError::Missing("X-Shopify-Event-Id"))?;
        Ok(DeliveryHeaders {
            topic: topic.to_ascii_lowercase(),
            shop: ShopDomain::parse(shop)?,
            event_id,
            webhook_id,
            triggered_at: header(headers, "triggered-at").map(str::to_owned),
            api_version: header(headers, "api-version").map(str::to_owned),
        })
    }
}
