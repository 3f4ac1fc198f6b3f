//! The steps every control handler shares: find the shop the path names, find a record in it,
//! read an id from a body, and send webhooks before answering with JSON.

use std::fmt::Display;

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::sandbox::errors::{ControlError, shop_not_found};
use crate::sandbox::state::{SharedState, Shop, World};
use crate::sandbox::webhooks::emit;

pub(crate) type Reply = Result<(StatusCode, Json<Value>), ControlError>;

/// The shop a path names, or a 404 saying which.
pub(crate) fn shop_ref<'a>(world: &'a World, shop: &str) -> Result<&'a Shop, ControlError> {
    world.shops.get(shop).ok_or_else(|| shop_not_found(shop))
}

/// The shop a path names, for a handler that changes it, or a 404 saying which.
pub(crate) fn shop_mut<'a>(world: &'a mut World, shop: &str) -> Result<&'a mut Shop, ControlError> {
    world
        .shops
        .get_mut(shop)
        .ok_or_else(|| shop_not_found(shop))
}

/// A record looked up in a shop, or a 404 naming what was missing (`order 42 not found`).
pub(crate) fn found<T>(
    record: Option<T>,
    what: &str,
    key: impl Display,
) -> Result<T, ControlError> {
    record.ok_or_else(|| ControlError::NotFound(format!("{what} {key} not found")))
}

/// An id given in a JSON body, as a number or a GID; anything else is a 422 naming the field.
pub(crate) fn id_value(v: &Value, field: &str) -> Result<u64, ControlError> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.rsplit('/').next().and_then(|x| x.parse().ok()),
        _ => None,
    }
    .ok_or_else(|| ControlError::Invalid(format!("{field} must be an id")))
}

/// Queues `events` for the shop, then answers with `reply`: in that order, so a caller holding
/// the reply can already see the deliveries it caused.
pub(crate) fn publish(
    state: &SharedState,
    shop: &Shop,
    events: Vec<(&str, Value)>,
    status: StatusCode,
    reply: Value,
) -> Reply {
    emit(state, shop, events);
    Ok((status, Json(reply)))
}

/// One topic whose body is also the reply, the common case for create and update.
pub(crate) fn publish_one(
    state: &SharedState,
    shop: &Shop,
    topic: &str,
    status: StatusCode,
    body: Value,
) -> Reply {
    publish(state, shop, vec![(topic, body.clone())], status, body)
}

/// A delete's webhook, then the `{id, deleted: true}` answer every delete gives.
pub(crate) fn publish_deleted(
    state: &SharedState,
    shop: &Shop,
    topic: &str,
    body: Value,
    id: u64,
) -> Reply {
    let reply = json!({ "id": id, "deleted": true });
    publish(state, shop, vec![(topic, body)], StatusCode::OK, reply)
}
