//! Refunding some of an order's line items and shipping, which moves it to partially_refunded or refunded.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::{QuantityInput, line_on_order, order_or_404};
use crate::sandbox::control::common::{Reply, id_value, publish, shop_mut};
use crate::sandbox::control::{optional_money, parse_id};
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::SharedState;
use crate::sandbox::store::{Refund, RefundLineItem};
use crate::sandbox::webhooks::payloads;

#[derive(Deserialize)]
struct RefundInput {
    #[serde(default)]
    line_items: Vec<QuantityInput>,
    shipping: Option<Value>,
    note: Option<String>,
}

/// `POST …/orders/{id}/refunds` → refunds/create + orders/updated
pub async fn refund(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: RefundInput = parse_body(&body)?;
    let shipping = optional_money(&input.shipping, "shipping")?;
    let now = OffsetDateTime::now_utc();
    let (refund_id, transaction_id) = (state.next_id(), state.next_id());
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let o = order_or_404(s, id)?;
    if o.financial_status == "pending" || o.financial_status == "voided" {
        return Err(ControlError::Invalid(
            "an unpaid order cannot be refunded".into(),
        ));
    }
    if input.line_items.is_empty() && shipping.is_zero() {
        return Err(ControlError::Invalid(
            "a refund needs line_items or shipping".into(),
        ));
    }
    let mut lines = Vec::new();
    for q in &input.line_items {
        let lid = id_value(&q.line_item_id, "line_item_id")?;
        let li = line_on_order(o, lid)?;
        if q.quantity == 0 || q.quantity > li.current_quantity {
            return Err(ControlError::Invalid(format!(
                "cannot refund {} of line item {lid} (refundable: {})",
                q.quantity, li.current_quantity
            )));
        }
        li.current_quantity -= q.quantity;
        lines.push(RefundLineItem {
            id: state.next_id(),
            line_item_id: lid,
            quantity: q.quantity,
            subtotal: li.price * Decimal::from(q.quantity),
        });
    }
    if shipping > o.shipping {
        return Err(ControlError::Invalid(
            "shipping refund exceeds the order's shipping".into(),
        ));
    }
    let r = Refund {
        id: refund_id,
        order_id: id,
        created_at: now,
        note: input.note,
        line_items: lines,
        shipping,
        transaction_id,
    };
    o.refunds.push(r.clone());
    o.financial_status = if o.refunded() >= o.total() {
        "refunded"
    } else {
        "partially_refunded"
    }
    .into();
    o.updated_at = now;
    let o = o.clone();
    let refund_body = payloads::refund(s, &o, &r);
    let events = vec![
        ("refunds/create", refund_body.clone()),
        ("orders/updated", payloads::order(s, &o)),
    ];
    publish(&state, s, events, StatusCode::CREATED, refund_body)
}
