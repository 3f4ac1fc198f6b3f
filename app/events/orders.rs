//! Orders, order edits, refunds and fulfillments → canonical events.

use serde_json::{Value, json};

use super::commerce::{Fulfillment, Order, OrderEdit, Refund};
use super::model::{CanonicalEvent, EntityChange, EventKind, Mapped, PersonData};
use super::segment::{Props, coupon, products};

/// Properties shared by the order events (Order Completed/Updated/Cancelled and ours).
fn order_properties(order: &Order) -> Props {
    let t = &order.totals;
    let mut p = Props::default();
    p.text("order_id", Some(&order.id))
        .text(
            "checkout_id",
            order
                .checkout_token
                .as_deref()
                .or(order.checkout_id.as_deref()),
        )
        .money("total", t.total)
        .money("subtotal", t.subtotal)
        // Segment: revenue includes discounts, excludes shipping and taxes = Shopify's subtotal.
        .money("revenue", t.subtotal)
        .money("shipping", t.shipping)
        .money("tax", t.tax)
        .money("discount", t.discount)
        .text("coupon", coupon(&order.coupons).as_deref())
        .text("currency", Some(&t.currency))
        .value("products", products(&order.lines));
    if let Some(presentment) = &order.presentment {
        p.text("presentment_currency", Some(&presentment.currency))
            .money_opt("presentment_total", presentment.total);
    }
    p
}

fn order_event(
    kind: EventKind,
    order: &Order,
    key: String,
    at: i64,
    props: Props,
) -> CanonicalEvent {
    let mut props = props;
    let mut event = CanonicalEvent::new(kind, key, at);
    event.customer_id = order.customer_id.clone();
    event.order_id = Some(order.id.clone());
    event.checkout_token = order.checkout_token.clone();
    event.cart_token = order.cart_token.clone();
    event.properties = props.build();
    event
}

/// `orders/create|updated|paid|cancelled|fulfilled`: one event, the order's state, its person.
pub fn order(kind: EventKind, order: &Order) -> Mapped {
    let id = &order.id;
    let (key, at) = match kind {
        EventKind::Purchase => (
            format!("purchase:order:{id}"),
            order.processed_at_ms.unwrap_or(order.created_at_ms),
        ),
        EventKind::OrderCreated => (format!("order_created:order:{id}"), order.created_at_ms),
        EventKind::OrderCancelled => (
            format!("order_cancelled:order:{id}"),
            order.cancelled_at_ms.unwrap_or(order.updated_at_ms),
        ),
        EventKind::OrderFulfilled => (format!("order_fulfilled:order:{id}"), order.updated_at_ms),
        _ => (
            format!("{}:order:{id}:{}", kind.as_str(), order.updated_at_ms),
            order.updated_at_ms,
        ),
    };
    let mut props = order_properties(order);
    props
        .text("financial_status", order.financial_status.as_deref())
        .text("fulfillment_status", order.fulfillment_status.as_deref());
    if kind == EventKind::OrderCancelled {
        props.text("cancel_reason", order.cancel_reason.as_deref());
    }
    Mapped {
        events: vec![order_event(kind, order, key, at, props)],
        entities: vec![EntityChange::Order {
            id: order.id.clone(),
            updated_at_ms: order.updated_at_ms,
            customer_id: order.customer_id.clone(),
            financial_status: order.financial_status.clone(),
            fulfillment_status: order.fulfillment_status.clone(),
            cancelled: order.cancelled_at_ms.is_some(),
            total: order.current_total,
            currency: order.totals.currency.clone(),
            checkout_token: order.checkout_token.clone(),
            cart_token: order.cart_token.clone(),
            placed_at_ms: Some(order.processed_at_ms.unwrap_or(order.created_at_ms)),
        }],
        people: PersonData::list(order.person.clone()),
    }
}

/// `refunds/create` → "Order Refunded" with negative amounts referencing the original order,
/// so summing `total` (or `revenue`) over an order's events gives its net figure.
pub fn refund(refund: &Refund) -> Mapped {
    let mut props = Props::default();
    props
        .text("order_id", Some(&refund.order_id))
        .text("refund_id", Some(&refund.id))
        .money("total", -refund.amount)
        .money("revenue", -refund.merchandise)
        .money("tax", -refund.tax)
        .money("shipping", -refund.shipping)
        .text("currency", refund.currency.as_deref())
        .value("products", products(&refund.lines));
    let mut event = CanonicalEvent::new(
        EventKind::Refund,
        format!("refund:refund:{}", refund.id),
        refund.occurred_at_ms,
    );
    event.order_id = Some(refund.order_id.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        ..Mapped::default()
    }
}

/// `orders/edited`: which lines changed; the new totals arrive with the `orders/updated` that
/// Shopify sends alongside.
pub fn order_edit(edit: &OrderEdit) -> Mapped {
    let deltas = |list: &[super::commerce::LineDelta]| {
        Value::Array(
            list.iter()
                .map(|d| json!({"line_item_id": d.line_item_id, "delta": d.delta}))
                .collect(),
        )
    };
    let mut props = Props::default();
    props
        .text("order_id", Some(&edit.order_id))
        .text("order_edit_id", Some(&edit.id))
        .value("lines_added", deltas(&edit.added))
        .value("lines_removed", deltas(&edit.removed));
    let mut event = CanonicalEvent::new(
        EventKind::OrderModified,
        format!("order_modified:order_edit:{}", edit.id),
        edit.occurred_at_ms,
    );
    event.order_id = Some(edit.order_id.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        ..Mapped::default()
    }
}

/// `fulfillments/create|update`.
pub fn fulfillment(kind: EventKind, f: &Fulfillment) -> Mapped {
    let (key, at) = if kind == EventKind::FulfillmentCreated {
        (
            format!("fulfillment_created:fulfillment:{}", f.id),
            f.created_at_ms,
        )
    } else {
        (
            format!(
                "fulfillment_updated:fulfillment:{}:{}",
                f.id, f.updated_at_ms
            ),
            f.updated_at_ms,
        )
    };
    let mut props = Props::default();
    props
        .text("order_id", Some(&f.order_id))
        .text("fulfillment_id", Some(&f.id))
        .text("status", f.status.as_deref())
        .text("shipment_status", f.shipment_status.as_deref())
        .text("tracking_company", f.tracking_company.as_deref())
        .value("products", products(&f.lines));
    let mut event = CanonicalEvent::new(kind, key, at);
    event.order_id = Some(f.order_id.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        ..Mapped::default()
    }
}
