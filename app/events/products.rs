//! Catalog changes → canonical events and product snapshots.

use serde_json::Value;

use super::commerce::{Deleted, Product};
use super::model::{CanonicalEvent, EntityChange, EventKind, Mapped};
use super::segment::Props;
use crate::shopify::payloads::PayloadError;

/// `products/create|update`. An update must say when it happened (its version).
pub fn product(kind: EventKind, p: &Product, triggered_at_ms: i64) -> Result<Mapped, PayloadError> {
    let updated_at_ms = match (kind, p.updated_at_ms) {
        (_, Some(at)) => at,
        (EventKind::ProductCreated, None) => p.created_at_ms.unwrap_or(triggered_at_ms),
        (_, None) => return Err(PayloadError::missing("updated_at")),
    };
    let (key, at) = if kind == EventKind::ProductCreated {
        (
            format!("product_created:product:{}", p.id),
            p.created_at_ms.unwrap_or(updated_at_ms),
        )
    } else {
        (
            format!("product_updated:product:{}:{updated_at_ms}", p.id),
            updated_at_ms,
        )
    };
    let variants = p
        .variants
        .iter()
        .map(|v| {
            let mut props = Props::default();
            props
                .text("variant_id", v.id.as_deref())
                .text("sku", v.sku.as_deref())
                .text("name", v.title.as_deref())
                .money_opt("price", v.price);
            Value::Object(props.build())
        })
        .collect();
    let mut props = Props::default();
    props
        .text("product_id", Some(&p.id))
        .text("name", p.title.as_deref())
        .text("brand", p.vendor.as_deref())
        .text("category", p.product_type.as_deref())
        .text("status", p.status.as_deref())
        .text("handle", p.handle.as_deref())
        .value(
            "tags",
            Value::Array(p.tags.iter().cloned().map(Value::String).collect()),
        )
        .value("variants", Value::Array(variants));
    let mut event = CanonicalEvent::new(kind, key, at);
    event.properties = props.build();
    Ok(Mapped {
        events: vec![event],
        entities: vec![EntityChange::Product {
            id: p.id.clone(),
            updated_at_ms,
            title: p.title.clone(),
            vendor: p.vendor.clone(),
            product_type: p.product_type.clone(),
            status: p.status.clone(),
            deleted: false,
        }],
        people: Vec::new(),
    })
}

/// `products/delete`: the payload has no time, so `triggered_at_ms` stands in.
pub fn product_deleted(d: &Deleted, triggered_at_ms: i64) -> Mapped {
    let mut props = Props::default();
    props.text("product_id", Some(&d.id));
    let mut event = CanonicalEvent::new(
        EventKind::ProductDeleted,
        format!("product_deleted:product:{}", d.id),
        triggered_at_ms,
    );
    event.properties = props.build();
    Mapped {
        events: vec![event],
        entities: vec![EntityChange::Product {
            id: d.id.clone(),
            updated_at_ms: i64::MAX,
            title: None,
            vendor: None,
            product_type: None,
            status: None,
            deleted: true,
        }],
        people: Vec::new(),
    }
}
