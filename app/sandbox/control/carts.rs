//! Buyers' carts and checkouts: create and update.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::common::{Reply, found, id_value, publish_one, shop_mut};
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::{SharedState, Shop, random_hex};
use crate::sandbox::store::{Cart, CartLine, Checkout};
use crate::sandbox::webhooks::payloads;

#[derive(Deserialize)]
struct LineInput {
    variant_id: Value,
    quantity: Option<u64>,
}

fn lines(shop: &Shop, inputs: &[LineInput]) -> Result<Vec<CartLine>, ControlError> {
    inputs
        .iter()
        .map(|l| {
            let id = id_value(&l.variant_id, "variant_id")?;
            if !shop
                .products
                .values()
                .any(|p| p.variants.iter().any(|v| v.id == id))
            {
                return Err(ControlError::Invalid(format!(
                    "variant {id} does not exist"
                )));
            }
            Ok(CartLine {
                variant_id: id,
                quantity: l.quantity.unwrap_or(1).max(1),
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct CheckoutInput {
    customer_id: Option<Value>,
    email: Option<String>,
    cart_token: Option<String>,
    line_items: Option<Vec<LineInput>>,
}

/// `POST /_sandbox/shops/{shop}/checkouts` → checkouts/create
pub async fn create_checkout(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: CheckoutInput = parse_body(&body)?;
    let id = state.next_id();
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let line_items = lines(s, input.line_items.as_deref().unwrap_or_default())?;
    let customer_id = match &input.customer_id {
        Some(v) => {
            let cid = id_value(v, "customer_id")?;
            if !s.customers.contains_key(&cid) {
                return Err(ControlError::Invalid(format!(
                    "customer {cid} does not exist"
                )));
            }
            Some(cid)
        }
        None => None,
    };
    let now = OffsetDateTime::now_utc();
    let email = input.email.or_else(|| {
        customer_id
            .and_then(|c| s.customers.get(&c))
            .and_then(|c| c.email.clone())
    });
    let checkout = Checkout {
        id,
        token: random_hex(16),
        cart_token: input.cart_token,
        email,
        customer_id,
        line_items,
        created_at: now,
        updated_at: now,
    };
    let body = payloads::checkout(s, &checkout);
    s.checkouts.insert(checkout.token.clone(), checkout);
    publish_one(&state, s, "checkouts/create", StatusCode::CREATED, body)
}

/// `PUT /_sandbox/shops/{shop}/checkouts/{token}` → checkouts/update
pub async fn update_checkout(
    State(state): State<SharedState>,
    Path((shop, token)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let input: CheckoutInput = parse_body(&body)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let new_lines = input
        .line_items
        .as_deref()
        .map(|l| lines(s, l))
        .transpose()?;
    let c = found(s.checkouts.get_mut(&token), "checkout", &token)?;
    if let Some(l) = new_lines {
        c.line_items = l;
    }
    if input.email.is_some() {
        c.email = input.email;
    }
    c.updated_at = OffsetDateTime::now_utc();
    let c = c.clone();
    let body = payloads::checkout(s, &c);
    publish_one(&state, s, "checkouts/update", StatusCode::OK, body)
}

#[derive(Deserialize)]
struct CartInput {
    note: Option<String>,
    line_items: Option<Vec<LineInput>>,
}

/// `POST /_sandbox/shops/{shop}/carts` → carts/create
pub async fn create_cart(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: CartInput = parse_body(&body)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let line_items = lines(s, input.line_items.as_deref().unwrap_or_default())?;
    let now = OffsetDateTime::now_utc();
    let cart = Cart {
        token: random_hex(16),
        note: input.note,
        line_items,
        created_at: now,
        updated_at: now,
    };
    let body = payloads::cart(s, &cart);
    s.carts.insert(cart.token.clone(), cart);
    publish_one(&state, s, "carts/create", StatusCode::CREATED, body)
}

/// `PUT /_sandbox/shops/{shop}/carts/{token}` → carts/update
pub async fn update_cart(
    State(state): State<SharedState>,
    Path((shop, token)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let input: CartInput = parse_body(&body)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let new_lines = input
        .line_items
        .as_deref()
        .map(|l| lines(s, l))
        .transpose()?;
    let c = found(s.carts.get_mut(&token), "cart", &token)?;
    if let Some(l) = new_lines {
        c.line_items = l;
    }
    if input.note.is_some() {
        c.note = input.note;
    }
    c.updated_at = OffsetDateTime::now_utc();
    let c = c.clone();
    let body = payloads::cart(s, &c);
    publish_one(&state, s, "carts/update", StatusCode::OK, body)
}
