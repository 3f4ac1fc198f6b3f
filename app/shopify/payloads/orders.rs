//! `orders/*` bodies (the REST Order resource) and `orders/edited` (an order edit).

use rust_decimal::Decimal;
use serde::Deserialize;

use super::lines::{
    DiscountCode, LineBody, ShippingLine, coupons, lines, non_empty, shipping_total,
};
use super::people::CustomerBody;
use super::wire::{Amount, Id, MoneySet, Timestamp, ms};
use super::{PayloadError, decode};
use crate::events::commerce::{LineDelta, Order, OrderEdit, Presentment, Totals};

// No `Debug`: it holds protected customer data.
#[derive(Deserialize)]
struct OrderBody {
    id: Option<Id>,
    admin_graphql_api_id: Option<Id>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    processed_at: Option<Timestamp>,
    cancelled_at: Option<Timestamp>,
    cancel_reason: Option<String>,
    checkout_id: Option<Id>,
    checkout_token: Option<String>,
    cart_token: Option<String>,
    financial_status: Option<String>,
    fulfillment_status: Option<String>,
    source_name: Option<String>,
    test: Option<bool>,
    currency: Option<String>,
    presentment_currency: Option<String>,
    total_price: Option<Amount>,
    total_price_set: Option<MoneySet>,
    subtotal_price: Option<Amount>,
    subtotal_price_set: Option<MoneySet>,
    total_tax: Option<Amount>,
    total_tax_set: Option<MoneySet>,
    total_discounts: Option<Amount>,
    total_discounts_set: Option<MoneySet>,
    total_shipping_price_set: Option<MoneySet>,
    current_total_price: Option<Amount>,
    current_total_price_set: Option<MoneySet>,
    discount_codes: Option<Vec<DiscountCode>>,
    line_items: Option<Vec<LineBody>>,
    shipping_lines: Option<Vec<ShippingLine>>,
    customer: Option<CustomerBody>,
    email: Option<String>,
    contact_email: Option<String>,
    phone: Option<String>,
}

/// A shop-currency amount: the plain field (Shopify documents it in the shop currency), else
/// the `*_set`'s shop money.
pub(crate) fn shop_money(plain: Option<Amount>, set: &Option<MoneySet>) -> Option<Decimal> {
    plain
        .map(|a| a.0)
        .or_else(|| set.as_ref().and_then(MoneySet::shop))
}

fn required(value: Option<Decimal>, field: &str) -> Result<Decimal, PayloadError> {
    value.ok_or_else(|| PayloadError::missing(field))
}

/// Any `orders/*` body except `orders/edited`.
pub fn order(body: &[u8]) -> Result<Order, PayloadError> {
    let o: OrderBody = decode(body)?;
    let id =
        o.id.as_ref()
            .or(o.admin_graphql_api_id.as_ref())
            .map(|id| id.0.clone())
            .ok_or_else(|| PayloadError::missing("id"))?;
    let created_at_ms = ms(o.created_at)
        .or(ms(o.processed_at))
        .ok_or_else(|| PayloadError::missing("created_at"))?;
    let updated_at_ms = ms(o.updated_at).unwrap_or(created_at_ms);
    let currency = non_empty(&o.currency)
        .or_else(|| {
            o.total_price_set
                .as_ref()
                .and_then(MoneySet::shop_currency)
                .map(str::to_owned)
        })
        .ok_or_else(|| PayloadError::missing("currency"))?;
    let total = required(shop_money(o.total_price, &o.total_price_set), "total_price")?;
    let shipping = match o.total_shipping_price_set.as_ref().and_then(MoneySet::shop) {
        Some(amount) => amount,
        None => shipping_total(&o.shipping_lines)?,
    };
    let totals = Totals {
        currency,
        total,
        subtotal: required(
            shop_money(o.subtotal_price, &o.subtotal_price_set),
            "subtotal_price",
        )?,
        tax: required(shop_money(o.total_tax, &o.total_tax_set), "total_tax")?,
        shipping,
        discount: required(
            shop_money(o.total_discounts, &o.total_discounts_set),
            "total_discounts",
        )?,
    };
    let presentment = presentment(&o.presentment_currency, &o.total_price_set);
    let email = non_empty(&o.email).or_else(|| non_empty(&o.contact_email));
    Ok(Order {
        created_at_ms,
        updated_at_ms,
        processed_at_ms: ms(o.processed_at),
        cancelled_at_ms: ms(o.cancelled_at),
        cancel_reason: non_empty(&o.cancel_reason),
        customer_id: o.customer.as_ref().and_then(CustomerBody::id),
        checkout_id: o.checkout_id.map(|id| id.0),
        checkout_token: non_empty(&o.checkout_token),
        cart_token: non_empty(&o.cart_token),
        financial_status: non_empty(&o.financial_status),
        fulfillment_status: non_empty(&o.fulfillment_status),
        source_name: non_empty(&o.source_name),
        test: o.test.unwrap_or(false),
        current_total: shop_money(o.current_total_price, &o.current_total_price_set)
            .unwrap_or(total),
        totals,
        presentment,
        coupons: coupons(&o.discount_codes),
        lines: lines(&o.line_items, "line_items")?,
        person: o.customer.as_ref().and_then(|c| c.person(&email, &o.phone)),
        id,
    })
}

/// The buyer's currency and, when the `*_set` carries it, the total in that currency.
pub(crate) fn presentment(
    currency: &Option<String>,
    set: &Option<MoneySet>,
) -> Option<Presentment> {
    let from_set = set.as_ref().and_then(MoneySet::presentment);
    let currency =
        non_empty(currency).or_else(|| from_set.and_then(|(_, code)| code.map(str::to_owned)))?;
    let total = from_set
        .filter(|(_, code)| code.is_none_or(|code| code == currency))
        .map(|(amount, _)| amount);
    Some(Presentment { currency, total })
}

#[derive(Debug, Deserialize)]
struct OrderEditEnvelope {
    order_edit: Option<OrderEditBody>,
}

#[derive(Debug, Deserialize)]
struct OrderEditBody {
    id: Option<Id>,
    order_id: Option<Id>,
    created_at: Option<Timestamp>,
    committed_at: Option<Timestamp>,
    line_items: Option<LineChanges>,
}

#[derive(Debug, Deserialize)]
struct LineChanges {
    additions: Option<Vec<LineChange>>,
    removals: Option<Vec<LineChange>>,
}

#[derive(Debug, Deserialize)]
struct LineChange {
    id: Option<Id>,
    delta: Option<i64>,
}

fn deltas(list: Option<&Vec<LineChange>>) -> Vec<LineDelta> {
    list.into_iter()
        .flatten()
        .filter_map(|c| {
            Some(LineDelta {
                line_item_id: c.id.clone()?.0,
                delta: c.delta.unwrap_or(0),
            })
        })
        .collect()
}

/// `orders/edited`.
pub fn order_edit(body: &[u8]) -> Result<OrderEdit, PayloadError> {
    let envelope: OrderEditEnvelope = decode(body)?;
    let edit = envelope
        .order_edit
        .ok_or_else(|| PayloadError::missing("order_edit"))?;
    let changes = edit.line_items.as_ref();
    Ok(OrderEdit {
        id: edit
            .id
            .ok_or_else(|| PayloadError::missing("order_edit.id"))?
            .0,
        order_id: edit
            .order_id
            .ok_or_else(|| PayloadError::missing("order_edit.order_id"))?
            .0,
        occurred_at_ms: ms(edit.committed_at)
            .or(ms(edit.created_at))
            .ok_or_else(|| PayloadError::missing("order_edit.committed_at"))?,
        added: deltas(changes.and_then(|c| c.additions.as_ref())),
        removed: deltas(changes.and_then(|c| c.removals.as_ref())),
    })
}
