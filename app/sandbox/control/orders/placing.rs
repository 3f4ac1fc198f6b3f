//! Placing an order (paid at once or pending), reading it back, and editing its note, tags and email.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::{LineInput, build_lines, order_or_404};
use crate::sandbox::control::common::{
    Reply, found, id_value, publish, publish_one, shop_mut, shop_ref,
};
use crate::sandbox::control::{money_from, optional_money, parse_id};
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::{SharedState, random_hex};
use crate::sandbox::store::Order;
use crate::sandbox::webhooks::payloads;

#[derive(Deserialize)]
#[serde(untagged)]
enum DiscountInput {
    Code(String),
    Full { code: String, amount: Value },
}

#[derive(Deserialize)]
struct OrderInput {
    customer_id: Option<Value>,
    email: Option<String>,
    phone: Option<String>,
    line_items: Vec<LineInput>,
    financial_status: Option<String>,
    discount_code: Option<DiscountInput>,
    shipping: Option<Value>,
    tax: Option<Value>,
    checkout_token: Option<String>,
    cart_token: Option<String>,
    note: Option<String>,
    tags: Option<Vec<String>>,
    buyer_accepts_marketing: Option<bool>,
}

/// `POST /_sandbox/shops/{shop}/orders` → orders/create (+ orders/paid when paid, one event)
pub async fn create(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: OrderInput = parse_body(&body)?;
    let financial_status = input
        .financial_status
        .clone()
        .unwrap_or_else(|| "paid".into());
    if financial_status != "paid" && financial_status != "pending" {
        return Err(ControlError::Invalid(
            "financial_status must be paid or pending".into(),
        ));
    }
    let shipping = optional_money(&input.shipping, "shipping")?;
    let tax = optional_money(&input.tax, "tax")?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let customer_id = input
        .customer_id
        .as_ref()
        .map(|v| id_value(v, "customer_id"))
        .transpose()?;
    let customer = match customer_id {
        Some(id) => Some(
            s.customers
                .get(&id)
                .cloned()
                .ok_or_else(|| ControlError::Invalid(format!("customer {id} does not exist")))?,
        ),
        None => None,
    };
    let line_items = build_lines(&state, s, &input.line_items)?;
    let subtotal: Decimal = line_items
        .iter()
        .map(|l| l.price * Decimal::from(l.quantity))
        .sum();
    let discount = match input.discount_code {
        None => None,
        Some(DiscountInput::Code(code)) => Some((code, (subtotal / Decimal::from(10)).round_dp(2))),
        Some(DiscountInput::Full { code, amount }) => Some((
            code,
            money_from(&amount, "discount_code.amount")?.min(subtotal),
        )),
    };
    let now = OffsetDateTime::now_utc();
    s.orders_placed += 1;
    let order = Order {
        id: state.next_id(),
        number: s.orders_placed,
        token: random_hex(16),
        email: input
            .email
            .or_else(|| customer.as_ref().and_then(|c| c.email.clone())),
        phone: input
            .phone
            .or_else(|| customer.as_ref().and_then(|c| c.phone.clone())),
        customer_id,
        created_at: now,
        updated_at: now,
        cancelled_at: None,
        cancel_reason: None,
        closed_at: None,
        financial_status: financial_status.clone(),
        line_items,
        shipping,
        tax,
        discount,
        checkout_token: input.checkout_token.clone(),
        cart_token: input.cart_token,
        note: input.note,
        tags: input.tags.unwrap_or_default(),
        refunds: Vec::new(),
        fulfillments: Vec::new(),
        address: customer.as_ref().and_then(|c| c.address.clone()),
        buyer_accepts_marketing: input.buyer_accepts_marketing.unwrap_or(false),
    };
    if let Some(token) = &input.checkout_token {
        s.checkouts.remove(token);
    }
    let body = payloads::order(s, &order);
    let mut events = vec![("orders/create", body.clone())];
    if financial_status == "paid" {
        events.push(("orders/paid", body.clone()));
    }
    s.orders.insert(order.id, order);
    publish(&state, s, events, StatusCode::CREATED, body)
}

/// `GET /_sandbox/shops/{shop}/orders/{id}`
pub async fn show(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let o = found(s.orders.get(&id), "order", id)?;
    Ok((StatusCode::OK, Json(payloads::order(s, o))))
}

#[derive(Deserialize)]
struct OrderUpdate {
    note: Option<String>,
    tags: Option<Vec<String>>,
    email: Option<String>,
}

/// `PUT /_sandbox/shops/{shop}/orders/{id}` (note, tags, email) → orders/updated
pub async fn update(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: OrderUpdate = parse_body(&body)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let o = order_or_404(s, id)?;
    if input.note.is_some() {
        o.note = input.note;
    }
    if let Some(t) = input.tags {
        o.tags = t;
    }
    if input.email.is_some() {
        o.email = input.email;
    }
    o.updated_at = OffsetDateTime::now_utc();
    let o = o.clone();
    let body = payloads::order(s, &o);
    publish_one(&state, s, "orders/updated", StatusCode::OK, body)
}
