//! Orders and what happens to them: placing, paying, refunding, cancelling, fulfilling, editing.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{money_from, optional_money, parse_id};
use crate::sandbox::errors::{ControlError, parse_body, shop_not_found};
use crate::sandbox::state::{SharedState, Shop, random_hex};
use crate::sandbox::store::{Fulfillment, LineItem, Order, Refund, RefundLineItem};
use crate::sandbox::webhooks::{emit, payloads};

type Reply = Result<(StatusCode, Json<Value>), ControlError>;

#[derive(Deserialize)]
pub struct LineInput {
    variant_id: Option<Value>,
    quantity: Option<u64>,
    title: Option<String>,
    price: Option<Value>,
    sku: Option<String>,
}

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

fn id_value(v: &Value, what: &str) -> Result<u64, ControlError> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.rsplit('/').next().and_then(|x| x.parse().ok()),
        _ => None,
    }
    .ok_or_else(|| ControlError::Invalid(format!("{what} must be an id")))
}

/// Line items priced from the shop's catalog (or custom items with a title and price).
fn build_lines(
    state: &SharedState,
    shop: &Shop,
    inputs: &[LineInput],
) -> Result<Vec<LineItem>, ControlError> {
    if inputs.is_empty() {
        return Err(ControlError::Invalid("line_items must not be empty".into()));
    }
    inputs
        .iter()
        .map(|l| {
            let quantity = l.quantity.unwrap_or(1);
            if quantity == 0 {
                return Err(ControlError::Invalid("quantity must be at least 1".into()));
            }
            let mut item = LineItem {
                id: state.next_id(),
                product_id: None,
                variant_id: None,
                title: l.title.clone().unwrap_or_default(),
                variant_title: None,
                sku: l.sku.clone(),
                vendor: None,
                price: Decimal::ZERO,
                quantity,
                current_quantity: quantity,
                fulfilled_quantity: 0,
                grams: 0,
                total_discount: Decimal::ZERO,
            };
            match &l.variant_id {
                Some(v) => {
                    let vid = id_value(v, "variant_id")?;
                    let (p, var) = shop
                        .products
                        .values()
                        .find_map(|p| p.variants.iter().find(|x| x.id == vid).map(|x| (p, x)))
                        .ok_or_else(|| {
                            ControlError::Invalid(format!("variant {vid} does not exist"))
                        })?;
                    item.product_id = Some(p.id);
                    item.variant_id = Some(vid);
                    item.title = p.title.clone();
                    item.variant_title = (var.title != "Default Title").then(|| var.title.clone());
                    item.sku = var.sku.clone();
                    item.vendor = Some(p.vendor.clone());
                    item.price = l
                        .price
                        .as_ref()
                        .map(|v| money_from(v, "price"))
                        .transpose()?
                        .unwrap_or(var.price);
                    item.grams = var.grams;
                }
                None => {
                    if item.title.is_empty() {
                        return Err(ControlError::Invalid(
                            "a line item needs a variant_id or a title and price".into(),
                        ));
                    }
                    item.price = money_from(l.price.as_ref().unwrap_or(&Value::Null), "price")?;
                }
            }
            Ok(item)
        })
        .collect()
}

fn order_or_404(s: &mut Shop, id: u64) -> Result<&mut Order, ControlError> {
    s.orders
        .get_mut(&id)
        .ok_or_else(|| ControlError::NotFound(format!("order {id} not found")))
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
    let s = world
        .shops
        .get_mut(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
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
    emit(&state, s, events);
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /_sandbox/shops/{shop}/orders/{id}`
pub async fn show(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let world = state.world();
    let s = world
        .shops
        .get(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
    let o = s
        .orders
        .get(&id)
        .ok_or_else(|| ControlError::NotFound(format!("order {id} not found")))?;
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
    let s = world
        .shops
        .get_mut(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
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
    emit(&state, s, vec![("orders/updated", body.clone())]);
    Ok((StatusCode::OK, Json(body)))
}

#[derive(Deserialize)]
struct QuantityInput {
    line_item_id: Value,
    quantity: u64,
}

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
    let s = world
        .shops
        .get_mut(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
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
        let li = o
            .line_items
            .iter_mut()
            .find(|l| l.id == lid)
            .ok_or_else(|| {
                ControlError::Invalid(format!("line item {lid} is not on order {id}"))
            })?;
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
    emit(
        &state,
        s,
        vec![
            ("refunds/create", refund_body.clone()),
            ("orders/updated", payloads::order(s, &o)),
        ],
    );
    Ok((StatusCode::CREATED, Json(refund_body)))
}

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
    let s = world
        .shops
        .get_mut(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
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
    emit(
        &state,
        s,
        vec![
            ("orders/cancelled", body.clone()),
            ("orders/updated", body.clone()),
        ],
    );
    Ok((StatusCode::OK, Json(body)))
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
    let s = world
        .shops
        .get_mut(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
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
        let li = o
            .line_items
            .iter_mut()
            .find(|l| l.id == *lid)
            .ok_or_else(|| {
                ControlError::Invalid(format!("line item {lid} is not on order {id}"))
            })?;
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
    emit(
        &state,
        s,
        vec![
            ("fulfillments/create", fulfillment_body.clone()),
            (status_topic, order_body.clone()),
            ("orders/updated", order_body),
        ],
    );
    Ok((StatusCode::CREATED, Json(fulfillment_body)))
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
    let s = world
        .shops
        .get_mut(&shop)
        .ok_or_else(|| shop_not_found(&shop))?;
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
        let li = o
            .line_items
            .iter_mut()
            .find(|l| l.id == lid)
            .ok_or_else(|| {
                ControlError::Invalid(format!("line item {lid} is not on order {id}"))
            })?;
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
    emit(
        &state,
        s,
        vec![
            ("orders/edited", edit_body.clone()),
            ("orders/updated", payloads::order(s, &o)),
        ],
    );
    Ok((
        StatusCode::OK,
        Json(json!({ "order_edit": edit_body["order_edit"], "order": payloads::order(s, &o) })),
    ))
}
