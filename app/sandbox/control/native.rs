//! Reading what the app configured through its native integrations, as a merchant would see it in
//! the admin: the web pixel's settings, segments, customer metafields and automatic app discounts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::common::{Reply, found, shop_ref};
use super::parse_id;
use crate::sandbox::errors::ControlError;
use crate::sandbox::state::{SharedState, Shop, gid};
use crate::sandbox::store::native::MetafieldRecord;

fn metafields_of(shop: &Shop, owner: &str) -> Vec<Value> {
    shop.native
        .metafields
        .values()
        .filter(|m| m.owner_id == owner)
        .map(metafield_json)
        .collect()
}

fn metafield_json(m: &MetafieldRecord) -> Value {
    json!({ "namespace": m.namespace, "key": m.key, "type": m.type_name, "value": m.value })
}

/// `GET /_sandbox/shops/{shop}/web_pixel`: the app's pixel and its settings, or 404.
pub async fn web_pixel(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let pixel = s
        .native
        .web_pixel
        .as_ref()
        .ok_or_else(|| ControlError::NotFound(format!("{shop} has no web pixel")))?;
    Ok((
        StatusCode::OK,
        Json(json!({ "id": gid("WebPixel", pixel.id), "settings": pixel.settings })),
    ))
}

/// `GET /_sandbox/shops/{shop}/segments`: every segment with its name and query.
pub async fn segments(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let list: Vec<Value> = s
        .native
        .segments
        .values()
        .map(|x| json!({ "id": gid("Segment", x.id), "name": x.name, "query": x.query }))
        .collect();
    Ok((StatusCode::OK, Json(Value::Array(list))))
}

/// `GET /_sandbox/shops/{shop}/customers/{id}/metafields`: the customer's metafields.
pub async fn customer_metafields(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    found(s.customers.get(&id), "customer", id)?;
    Ok((
        StatusCode::OK,
        Json(Value::Array(metafields_of(s, &gid("Customer", id)))),
    ))
}

/// `GET /_sandbox/shops/{shop}/discounts`: the automatic app discounts with their Function and
/// configuration metafields.
pub async fn discounts(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let list: Vec<Value> = s
        .native
        .discounts
        .values()
        .map(|d| {
            let id = gid("DiscountAutomaticNode", d.id);
            json!({
                "id": id,
                "title": d.title,
                "function_id": d.function_id,
                "discount_classes": d.discount_classes,
                "combines_with": {
                    "order_discounts": d.combines_with.order_discounts,
                    "product_discounts": d.combines_with.product_discounts,
                    "shipping_discounts": d.combines_with.shipping_discounts,
                },
                "starts_at": d.starts_at.unix_timestamp(),
                "ends_at": d.ends_at.map(|t| t.unix_timestamp()),
                "metafields": metafields_of(s, &id),
            })
        })
        .collect();
    Ok((StatusCode::OK, Json(Value::Array(list))))
}
