//! The Shopify boundary: the only code that speaks Shopify's wire formats (OAuth, query and
//! webhook HMACs, session tokens, the Admin GraphQL API and its throttling, webhook topics).
//! Everything past this module works with our own types.

pub mod admin_api;
pub mod app_discounts;
pub mod bulk;
pub mod customer_metafields;
pub mod customer_tags;
pub mod native_segments;
pub mod oauth;
pub mod payloads;
mod query_hmac;
pub mod scopes;
pub mod session_token;
mod shop_domain;
pub mod subscriptions;
pub mod topics;
pub mod web_pixel;
pub mod webhook_hmac;

pub use query_hmac::{QueryHmacError, sign_query, verify_query};
pub use shop_domain::{ShopDomain, ShopDomainError};
