//! `carts/create`, `carts/update`: the online store's cart.

use serde::Deserialize;

use super::lines::{LineBody, lines, non_empty, sum};
use super::wire::{Timestamp, ms};
use super::{PayloadError, decode};
use crate::events::commerce::Cart;

#[derive(Debug, Deserialize)]
struct CartBody {
    id: Option<String>,
    token: Option<String>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    line_items: Option<Vec<LineBody>>,
}

pub fn cart(body: &[u8]) -> Result<Cart, PayloadError> {
    let c: CartBody = decode(body)?;
    let token = non_empty(&c.token)
        .or_else(|| non_empty(&c.id))
        .ok_or_else(|| PayloadError::missing("token"))?;
    let updated_at_ms = ms(c.updated_at)
        .or(ms(c.created_at))
        .ok_or_else(|| PayloadError::missing("updated_at"))?;
    let value = sum(
        c.line_items
            .iter()
            .flatten()
            .map(|line| line.line_total().unwrap_or_default()),
        "line_items[].line_price",
    )?;
    Ok(Cart {
        created_at_ms: ms(c.created_at),
        updated_at_ms,
        currency: c
            .line_items
            .iter()
            .flatten()
            .find_map(LineBody::shop_currency)
            .map(str::to_owned),
        value,
        lines: lines(&c.line_items, "line_items")?,
        token,
    })
}
