//! Changes to a placed order: cancelling it, fulfilling some or all of it, and editing its lines.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

use super::{LineInput, QuantityInput, build_lines, line_on_order, order_or_404};
use crate::sandbox::control::common::{Reply, id_value, publish, shop_mut};
use crate::sandbox::control::parse_id;
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::{SharedState, random_hex};
use crate::sandbox::store::Fulfillment;
use crate::sandbox::webhooks::payloads;

#[derive(Deserialize)]
struct CancelInput {
    reason: Option<String>,
}

/// `POST …/orders/{id}/cancel` → orders/cancelled + orders/updated
pub async fn cancel(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: CancelInput = parse_body(&body)?;
    let reason = input.reason.unwrap_or_else(|| "customer".into());
    if ![
        "customer",
        "fraud",
        "inventory",
        "declined",
        "staff",
        "other",
    ]
    .contains(&reason.as_str())
    {
        return Err(ControlError::Invalid(
            "reason must be customer, fraud, inventory, declined, staff or other".into(),
        ));
    }
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let o = order_or_404(s, id)?;
    if o.cancelled_at.is_some() {
        return Err(ControlError::Invalid("order is already cancelled".into()));
    }
    if o.fulfillment_status().is_some() {
        return Err(ControlError::Invalid(
            "a fulfilled order cannot be cancelled".into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    o.cancelled_at = Some(now);
    o.closed_at = Some(now);
    o.cancel_reason = Some(reason);
    o.financial_status = if o.financial_status == "pending" {
        "voided"
    } else {
        "refunded"
    }
    .into();
    o.updated_at = now;
    let o = o.clone();
    let body = payloads::order(s, &o);
    let events = vec![
        ("orders/cancelled", body.clone()),
        ("orders/updated", body.clone()),
    ];
    publish(&state, s, events, StatusCode::OK, body)
}

#[derive(Deserialize)]
struct FulfillInput {
    line_items: Option<Vec<QuantityInput>>,
    tracking_number: Option<String>,
}

/// `POST …/orders/{id}/fulfillments` → fulfillments/create + orders/fulfilled (or partially_fulfilled) + orders/updated
pub async fn fulfill(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: FulfillInput = parse_body(&body)?;
    let fulfillment_id = state.next_id();
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let o = order_or_404(s, id)?;
    if o.cancelled_at.is_some() {
        return Err(ControlError::Invalid(
            "a cancelled order cannot be fulfilled".into(),
        ));
    }
    let wanted: Vec<(u64, u64)> = match input.line_items {
        Some(items) => items
            .iter()
            .map(|q| Ok((id_value(&q.line_item_id, "line_item_id")?, q.quantity)))
            .collect::<Result<_, ControlError>>()?,
        None => o
            .line_items
            .iter()
            .map(|l| {
                (
                    l.id,
                    l.current_quantity.saturating_sub(l.fulfilled_quantity),
                )
            })
            .filter(|(_, q)| *q > 0)
            .collect(),
    };
    if wanted.is_empty() {
        return Err(ControlError::Invalid("nothing left to fulfill".into()));
    }
    for (lid, qty) in &wanted {
        let li = line_on_order(o, *lid)?;
        if *qty == 0 || li.fulfilled_quantity + qty > li.current_quantity {
            return Err(ControlError::Invalid(format!(
                "cannot fulfill {qty} of line item {lid}"
            )));
        }
        li.fulfilled_quantity += qty;
    }
    let now = OffsetDateTime::now_utc();
    let f = Fulfillment {
        id: fulfillment_id,
        order_id: id,
        name: format!("{}.{}", o.name(), o.fulfillments.len() + 1),
        created_at: now,
        tracking_number: input
            .tracking_number
            .unwrap_or_else(|| format!("1Z{}", &random_hex(8).to_uppercase())),
        line_items: wanted,
    };
    o.fulfillments.push(f.clone());
    o.updated_at = now;
    let o = o.clone();
    let order_body = payloads::order(s, &o);
    let status_topic = if o.fulfillment_status() == Some("fulfilled") {
        "orders/fulfilled"
    } else {
        "orders/partially_fulfilled"
    };
    let fulfillment_body = payloads::fulfillment(s, &o, &f);
    let events = vec![
        ("fulfillments/create", fulfillment_body.clone()),
        (status_topic, order_body.clone()),
        ("orders/updated", order_body),
    ];
    publish(&state, s, events, StatusCode::CREATED, fulfillment_body)
}

#[derive(Deserialize)]
struct EditInput {
    #[serde(default)]
    add: Vec<LineInput>,
    #[serde(default)]
    remove: Vec<QuantityInput>,
    staff_note: Option<String>,
}

/// `POST …/orders/{id}/edit {add: [{variant_id, quantity}], remove: [{line_item_id, quantity}]}` → orders/edited + orders/updated
pub async fn edit(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: EditInput = parse_body(&body)?;
    if input.add.is_empty() && input.remove.is_empty() {
        return Err(ControlError::Invalid("an edit needs add or remove".into()));
    }
    let edit_id = state.next_id();
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let added_lines = if input.add.is_empty() {
        Vec::new()
    } else {
        build_lines(&state, s, &input.add)?
    };
    let o = order_or_404(s, id)?;
    if o.cancelled_at.is_some() {
        return Err(ControlError::Invalid(
            "a cancelled order cannot be edited".into(),
        ));
    }
    let mut removed = Vec::new();
    for q in &input.remove {
        let lid = id_value(&q.line_item_id, "line_item_id")?;
        let li = line_on_order(o, lid)?;
        if q.quantity == 0 || q.quantity > li.current_quantity.saturating_sub(li.fulfilled_quantity)
        {
            return Err(ControlError::Invalid(format!(
                "cannot remove {} of line item {lid}",
                q.quantity
            )));
        }
        li.current_quantity -= q.quantity;
        removed.push((lid, q.quantity));
    }
    let added: Vec<(u64, u64)> = added_lines.iter().map(|l| (l.id, l.quantity)).collect();
    o.line_items.extend(added_lines);
    let now = OffsetDateTime::now_utc();
    o.updated_at = now;
    let o = o.clone();
    let edit_body = payloads::order_edit(
        &o,
        edit_id,
        &added,
        &removed,
        input.staff_note.as_deref().unwrap_or_default(),
        now,
    );
    let order_body = payloads::order(s, &o);
    let reply = json!({ "order_edit": edit_body["order_edit"], "order": order_body });
    let events = vec![("orders/edited", edit_body), ("orders/updated", order_body)];
    publish(&state, s, events, StatusCode::OK, reply)
}
