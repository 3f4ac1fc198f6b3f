//! History read through bulk operations at install, mapped to the very events and entity rows
//! its webhooks produce (same business keys), so an order seen both ways counts once.

use super::commerce::{Customer, Order, Refund};
use super::model::{EventKind, Mapped};
use super::{customers, orders};

/// Financial states in which Shopify has sent `orders/paid`.
const PAID: [&str; 4] = ["paid", "partially_refunded", "refunded", "partially_paid"];

/// A backfilled order: `order_created`, `purchase` once paid, `order_cancelled` when cancelled,
/// and one `refund` per refund, with the order's newest state.
pub fn backfilled_order(order: &Order, refunds: &[Refund]) -> Mapped {
    let mut mapped = orders::order(EventKind::OrderCreated, order);
    if order
        .financial_status
        .as_deref()
        .is_some_and(|s| PAID.contains(&s))
    {
        mapped
            .events
            .extend(orders::order(EventKind::Purchase, order).events);
    }
    if order.cancelled_at_ms.is_some() {
        mapped
            .events
            .extend(orders::order(EventKind::OrderCancelled, order).events);
    }
    for refund in refunds {
        mapped.events.extend(orders::refund(refund).events);
    }
    mapped
}

/// A backfilled customer: the customer's state and protected data, no event (the customer
/// existed before SegOps; `customers/create` already happened).
pub fn backfilled_customer(customer: &Customer) -> Mapped {
    let mut mapped = customers::customer(EventKind::CustomerUpdated, customer);
    mapped.events.clear();
    mapped
}
