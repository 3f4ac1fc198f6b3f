//! `checkouts/create`, `checkouts/update`: the REST (abandoned) Checkout resource.

use serde::Deserialize;

use super::lines::{
    DiscountCode, LineBody, ShippingLine, coupons, lines, non_empty, shipping_total,
};
use super::orders::presentment;
use super::people::CustomerBody;
use super::wire::{Amount, Timestamp, ms};
use super::{PayloadError, decode};
use crate::events::commerce::{Checkout, Totals};

// No `Debug`: it holds protected customer data.
#[derive(Deserialize)]
struct CheckoutBody {
    token: Option<String>,
    cart_token: Option<String>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    completed_at: Option<Timestamp>,
    currency: Option<String>,
    presentment_currency: Option<String>,
    total_price: Option<Amount>,
    subtotal_price: Option<Amount>,
    total_tax: Option<Amount>,
    total_discounts: Option<Amount>,
    shipping_lines: Option<Vec<ShippingLine>>,
    discount_codes: Option<Vec<DiscountCode>>,
    line_items: Option<Vec<LineBody>>,
    abandoned_checkout_url: Option<String>,
    customer: Option<CustomerBody>,
    email: Option<String>,
    phone: Option<String>,
}

pub fn checkout(body: &[u8]) -> Result<Checkout, PayloadError> {
    let c: CheckoutBody = decode(body)?;
    let token = non_empty(&c.token).ok_or_else(|| PayloadError::missing("token"))?;
    let created_at_ms = ms(c.created_at)
        .or(ms(c.updated_at))
        .ok_or_else(|| PayloadError::missing("created_at"))?;
    let amount = |value: Option<Amount>, field: &str| {
        value
            .map(|a| a.0)
            .ok_or_else(|| PayloadError::missing(field))
    };
    let totals = Totals {
        currency: non_empty(&c.currency).ok_or_else(|| PayloadError::missing("currency"))?,
        total: amount(c.total_price, "total_price")?,
        subtotal: amount(c.subtotal_price, "subtotal_price")?,
        tax: amount(c.total_tax, "total_tax")?,
        shipping: shipping_total(&c.shipping_lines)?,
        discount: c.total_discounts.map(|a| a.0).unwrap_or_default(),
    };
    Ok(Checkout {
        cart_token: non_empty(&c.cart_token),
        customer_id: c.customer.as_ref().and_then(CustomerBody::id),
        created_at_ms,
        updated_at_ms: ms(c.updated_at).unwrap_or(created_at_ms),
        completed_at_ms: ms(c.completed_at),
        presentment: presentment(&c.presentment_currency, &None),
        totals,
        coupons: coupons(&c.discount_codes),
        lines: lines(&c.line_items, "line_items")?,
        recovery_url: non_empty(&c.abandoned_checkout_url),
        person: c
            .customer
            .as_ref()
            .and_then(|customer| customer.person(&c.email, &c.phone)),
        token,
    })
}
