//! Canonical events: what each Shopify webhook means in our vocabulary, sent under its Segment
//! Ecommerce v2 name and properties, plus the entity snapshots and protected data it carries.
//! Payload parsing lives at the Shopify boundary (`crate::shopify::payloads`).
//!
//! Topic → event (Segment name):
//! `orders/paid` → `purchase` ("Order Completed"); `orders/create` → `order_created` (none: v2
//! has no "order placed" event, and a second revenue event would double-count downstream);
//! `orders/updated` → `order_updated` ("Order Updated"); `orders/edited` → `order_modified`
//! (none: its totals arrive with the accompanying `orders/updated`); `orders/cancelled` →
//! `order_cancelled` ("Order Cancelled"); `orders/fulfilled` → `order_fulfilled`;
//! `checkouts/create` → `checkout_start` ("Checkout Started"); `checkouts/update` →
//! `checkout_update`; `carts/create|update` → `cart_update`; `customers/*` →
//! `customer_created|updated|deleted`; `customers/merge` → `customers_merged` (completed merges
//! only); both consent topics → `consent_change`; `customer.tags_added|removed` → no event, the
//! customer's tags only; `refunds/create` → `refund` ("Order
//! Refunded", negative amounts); `fulfillments/create|update` → `fulfillment_created|updated`;
//! `products/create|update|delete` → `product_created|updated|deleted`. Abandonment is decided
//! later from stored state: [`abandoned_checkout_event`] ("Checkout Abandoned").
//!
//! Money: `total` is what the buyer pays, `revenue` is Segment's (after discounts, before
//! shipping and tax), both in the shop currency, with `presentment_currency` and
//! `presentment_total` when Shopify gives them. See [`segment`] for how decimals are written.

mod backfilled;
mod checkouts;
pub mod commerce;
mod compliance;
mod customers;
mod error;
mod model;
mod orders;
mod products;
pub mod segment;
pub mod spec;

#[cfg(test)]
mod tests;

pub use crate::shopify::payloads::ids::normalise_id;
pub use backfilled::{backfilled_customer, backfilled_order};
pub use checkouts::abandoned_checkout_event;
pub use compliance::{ComplianceRequest, parse_compliance};
pub use error::MapError;
pub use model::{CanonicalEvent, Consent, EntityChange, EventKind, Mapped, PersonData};
pub use spec::spec_problems;

use crate::shopify::payloads::{self, PayloadError};
use commerce::ConsentChannel;

/// Maps one webhook body. Payloads without a time of their own (`customers/delete`,
/// `products/delete`, `customers/merge`, consent without `consent_updated_at`) get
/// `occurred_at_ms = 0`; use [`map_webhook_at`] to pass `X-Shopify-Triggered-At` instead.
pub fn map_webhook(topic: &str, body: &[u8]) -> Result<Mapped, MapError> {
    map_webhook_at(topic, body, 0)
}

/// [`map_webhook`], with the delivery's `X-Shopify-Triggered-At` (Unix ms) standing in for
/// payloads that carry no timestamp.
pub fn map_webhook_at(topic: &str, body: &[u8], triggered_at_ms: i64) -> Result<Mapped, MapError> {
    let mut mapped = map_topic(topic, body, triggered_at_ms).map_err(|err| match err {
        Failure::Payload(err) => MapError::from_payload(topic, err),
        Failure::UnknownTopic => MapError::UnknownTopic {
            topic: topic.to_owned(),
        },
    })?;
    for event in &mut mapped.events {
        event.separate_changes_within_a_second();
    }
    Ok(mapped)
}

enum Failure {
    Payload(PayloadError),
    UnknownTopic,
}

impl From<PayloadError> for Failure {
    fn from(err: PayloadError) -> Self {
        Failure::Payload(err)
    }
}

fn map_topic(topic: &str, body: &[u8], triggered_at_ms: i64) -> Result<Mapped, Failure> {
    use EventKind as K;
    let order_kind = match topic {
        "orders/paid" => Some(K::Purchase),
        "orders/create" => Some(K::OrderCreated),
        "orders/updated" => Some(K::OrderUpdated),
        "orders/cancelled" => Some(K::OrderCancelled),
        "orders/fulfilled" => Some(K::OrderFulfilled),
        _ => None,
    };
    if let Some(kind) = order_kind {
        return Ok(orders::order(kind, &payloads::order(body)?));
    }
    Ok(match topic {
        "orders/edited" => orders::order_edit(&payloads::order_edit(body)?),
        "refunds/create" => orders::refund(&payloads::refund(body)?),
        "fulfillments/create" => {
            orders::fulfillment(K::FulfillmentCreated, &payloads::fulfillment(body)?)
        }
        "fulfillments/update" => {
            orders::fulfillment(K::FulfillmentUpdated, &payloads::fulfillment(body)?)
        }
        "checkouts/create" => checkouts::checkout(K::CheckoutStart, &payloads::checkout(body)?),
        "checkouts/update" => checkouts::checkout(K::CheckoutUpdate, &payloads::checkout(body)?),
        "carts/create" | "carts/update" => checkouts::cart(&payloads::cart(body)?),
        "customers/create" => customers::customer(K::CustomerCreated, &payloads::customer(body)?),
        "customers/update" => customers::customer(K::CustomerUpdated, &payloads::customer(body)?),
        "customers/delete" => {
            customers::customer_deleted(&payloads::customer_deleted(body)?, triggered_at_ms)
        }
        "customers/merge" => {
            customers::customers_merge(&payloads::customers_merge(body)?, triggered_at_ms)
        }
        "customer.tags_added" => customers::tags(&payloads::tags_change(true, body)?),
        "customer.tags_removed" => customers::tags(&payloads::tags_change(false, body)?),
        "customers_email_marketing_consent/update" => customers::consent(
            &payloads::consent_update(ConsentChannel::Email, body)?,
            triggered_at_ms,
        ),
        "customers_marketing_consent/update" => customers::consent(
            &payloads::consent_update(ConsentChannel::Sms, body)?,
            triggered_at_ms,
        ),
        "products/create" => products::product(
            K::ProductCreated,
            &payloads::product(body)?,
            triggered_at_ms,
        )?,
        "products/update" => products::product(
            K::ProductUpdated,
            &payloads::product(body)?,
            triggered_at_ms,
        )?,
        "products/delete" => {
            products::product_deleted(&payloads::product_deleted(body)?, triggered_at_ms)
        }
        // Lifecycle and billing topics, and the privacy topics (see `parse_compliance`), carry
        // no customer events; their handlers read them directly.
        "app/uninstalled"
        | "app/scopes_update"
        | "app_subscriptions/update"
        | "bulk_operations/finish"
        | "customers/data_request"
        | "customers/redact"
        | "shop/redact" => Mapped::default(),
        _ => return Err(Failure::UnknownTopic),
    })
}
