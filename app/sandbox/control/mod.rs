//! The control API under `/_sandbox/`: how tests and `segops demo` play the merchant and the
//! buyers (create shops and data, set faults) and watch webhook deliveries. JSON in, JSON out.

mod carts;
mod catalog;
mod common;
mod customers;
mod native;
mod orders;
mod seed;
mod shops;

use axum::Router;
use axum::routing::{get, post, put};
use rust_decimal::Decimal;
use serde_json::Value;

use super::errors::ControlError;
use super::state::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/_sandbox/shops", post(shops::create))
        .route("/_sandbox/shops/{shop}", get(shops::show))
        .route("/_sandbox/shops/{shop}/settings", post(shops::settings))
        .route(
            "/_sandbox/shops/{shop}/session_token",
            post(shops::session_token),
        )
        .route("/_sandbox/shops/{shop}/uninstall", post(shops::uninstall))
        .route(
            "/_sandbox/shops/{shop}/webhooks/send",
            post(shops::send_webhook),
        )
        .route("/_sandbox/shops/{shop}/deliveries", get(shops::deliveries))
        .route("/_sandbox/deliveries/flush", post(shops::flush))
        .route("/_sandbox/deliveries/idle", get(shops::idle))
        .route("/_sandbox/shops/{shop}/customers", post(customers::create))
        .route(
            "/_sandbox/shops/{shop}/customers/{id}",
            put(customers::update)
                .delete(customers::delete)
                .get(customers::show),
        )
        .route(
            "/_sandbox/shops/{shop}/customers/{id}/email_consent",
            post(customers::email_consent),
        )
        .route(
            "/_sandbox/shops/{shop}/customers/{id}/sms_consent",
            post(customers::sms_consent),
        )
        .route("/_sandbox/shops/{shop}/products", post(catalog::create))
        .route(
            "/_sandbox/shops/{shop}/products/{id}",
            put(catalog::update)
                .delete(catalog::delete)
                .get(catalog::show),
        )
        .route("/_sandbox/shops/{shop}/orders", post(orders::create))
        .route(
            "/_sandbox/shops/{shop}/orders/{id}",
            put(orders::update).get(orders::show),
        )
        .route(
            "/_sandbox/shops/{shop}/orders/{id}/refunds",
            post(orders::refund),
        )
        .route(
            "/_sandbox/shops/{shop}/orders/{id}/cancel",
            post(orders::cancel),
        )
        .route(
            "/_sandbox/shops/{shop}/orders/{id}/fulfillments",
            post(orders::fulfill),
        )
        .route(
            "/_sandbox/shops/{shop}/orders/{id}/edit",
            post(orders::edit),
        )
        .route(
            "/_sandbox/shops/{shop}/checkouts",
            post(carts::create_checkout),
        )
        .route(
            "/_sandbox/shops/{shop}/checkouts/{token}",
            put(carts::update_checkout),
        )
        .route("/_sandbox/shops/{shop}/carts", post(carts::create_cart))
        .route(
            "/_sandbox/shops/{shop}/carts/{token}",
            put(carts::update_cart),
        )
        .route("/_sandbox/shops/{shop}/seed", post(seed::seed))
        .route("/_sandbox/shops/{shop}/web_pixel", get(native::web_pixel))
        .route("/_sandbox/shops/{shop}/segments", get(native::segments))
        .route(
            "/_sandbox/shops/{shop}/customers/{id}/metafields",
            get(native::customer_metafields),
        )
        .route("/_sandbox/shops/{shop}/discounts", get(native::discounts))
}

/// Money given as a JSON string (`"19.99"`) or number.
pub(crate) fn money_from(v: &Value, field: &str) -> Result<Decimal, ControlError> {
    let parsed = match v {
        Value::String(s) => s.parse::<Decimal>().ok(),
        Value::Number(n) => n.to_string().parse::<Decimal>().ok(),
        _ => None,
    };
    match parsed {
        Some(d) if d >= Decimal::ZERO => Ok(d.round_dp(2)),
        _ => Err(ControlError::Invalid(format!(
            "{field} must be a non-negative amount"
        ))),
    }
}

pub(crate) fn optional_money(v: &Option<Value>, field: &str) -> Result<Decimal, ControlError> {
    match v {
        None | Some(Value::Null) => Ok(Decimal::ZERO),
        Some(v) => money_from(v, field),
    }
}

/// Ids in paths are numeric (`9007…`) or GIDs (`gid://shopify/Customer/9007…`).
pub(crate) fn parse_id(raw: &str) -> Result<u64, ControlError> {
    raw.rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ControlError::NotFound(format!("no resource with id {raw}")))
}
