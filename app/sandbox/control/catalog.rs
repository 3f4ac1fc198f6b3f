//! Products and their variants: create, update, delete.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;
use time::OffsetDateTime;

use super::common::{Reply, found, publish_deleted, publish_one, shop_mut, shop_ref};
use super::{money_from, parse_id};
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::SharedState;
use crate::sandbox::store::{Product, Variant};
use crate::sandbox::webhooks::payloads;

#[derive(Deserialize)]
struct VariantInput {
    title: Option<String>,
    sku: Option<String>,
    price: Value,
    compare_at_price: Option<Value>,
    inventory_quantity: Option<i64>,
    grams: Option<u64>,
}

#[derive(Deserialize, Default)]
struct ProductInput {
    title: Option<String>,
    body_html: Option<String>,
    vendor: Option<String>,
    product_type: Option<String>,
    tags: Option<Vec<String>>,
    status: Option<String>,
    variants: Option<Vec<VariantInput>>,
}

pub fn handleize(title: &str) -> String {
    let mut out = String::new();
    for c in title.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn build_variants(
    state: &SharedState,
    product_id: u64,
    inputs: Vec<VariantInput>,
    now: OffsetDateTime,
) -> Result<Vec<Variant>, ControlError> {
    if inputs.is_empty() {
        return Err(ControlError::Invalid(
            "a product needs at least one variant".into(),
        ));
    }
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            Ok(Variant {
                id: state.next_id(),
                product_id,
                title: v.title.unwrap_or_else(|| "Default Title".into()),
                sku: v.sku,
                price: money_from(&v.price, "price")?,
                compare_at_price: match &v.compare_at_price {
                    Some(Value::Null) | None => None,
                    Some(p) => Some(money_from(p, "compare_at_price")?),
                },
                position: i as u32 + 1,
                inventory_quantity: v.inventory_quantity.unwrap_or(10),
                inventory_item_id: state.next_id(),
                grams: v.grams.unwrap_or(200),
                created_at: now,
                updated_at: now,
            })
        })
        .collect()
}

/// `POST /_sandbox/shops/{shop}/products` → products/create
pub async fn create(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: ProductInput = parse_body(&body)?;
    let title = input
        .title
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ControlError::Invalid("Title can't be blank".into()))?;
    let now = OffsetDateTime::now_utc();
    let id = state.next_id();
    let variants = build_variants(&state, id, input.variants.unwrap_or_default(), now)?;
    let product = Product {
        id,
        handle: handleize(&title),
        title,
        body_html: input.body_html.unwrap_or_default(),
        vendor: input.vendor.unwrap_or_else(|| "Sandbox".into()),
        product_type: input.product_type.unwrap_or_default(),
        tags: input.tags.unwrap_or_default(),
        status: input.status.unwrap_or_else(|| "active".into()),
        created_at: now,
        updated_at: now,
        variants,
    };
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let body = payloads::product(&product);
    s.products.insert(id, product);
    publish_one(&state, s, "products/create", StatusCode::CREATED, body)
}

/// `GET /_sandbox/shops/{shop}/products/{id}`
pub async fn show(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let p = found(s.products.get(&id), "product", id)?;
    Ok((StatusCode::OK, Json(payloads::product(p))))
}

/// `PUT /_sandbox/shops/{shop}/products/{id}` → products/update (variants, when given, replace the old ones)
pub async fn update(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: ProductInput = parse_body(&body)?;
    let now = OffsetDateTime::now_utc();
    let variants = match input.variants {
        Some(v) => Some(build_variants(&state, id, v, now)?),
        None => None,
    };
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let p = found(s.products.get_mut(&id), "product", id)?;
    if let Some(t) = input.title {
        p.title = t;
    }
    if let Some(b) = input.body_html {
        p.body_html = b;
    }
    if let Some(v) = input.vendor {
        p.vendor = v;
    }
    if let Some(t) = input.product_type {
        p.product_type = t;
    }
    if let Some(t) = input.tags {
        p.tags = t;
    }
    if let Some(st) = input.status {
        p.status = st;
    }
    if let Some(v) = variants {
        p.variants = v;
    }
    p.updated_at = now;
    let body = payloads::product(p);
    publish_one(&state, s, "products/update", StatusCode::OK, body)
}

/// `DELETE /_sandbox/shops/{shop}/products/{id}` → products/delete
pub async fn delete(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    found(s.products.remove(&id), "product", id)?;
    publish_deleted(
        &state,
        s,
        "products/delete",
        payloads::product_deleted(id),
        id,
    )
}
