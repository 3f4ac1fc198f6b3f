//! `products/create`, `products/update`, `products/delete`.

use serde::Deserialize;

use super::lines::non_empty;
use super::wire::{Amount, Id, Tags, Timestamp, ms};
use super::{PayloadError, decode};
use crate::events::commerce::{Deleted, Product, Variant};

#[derive(Debug, Deserialize)]
struct ProductBody {
    id: Option<Id>,
    admin_graphql_api_id: Option<Id>,
    title: Option<String>,
    vendor: Option<String>,
    product_type: Option<String>,
    status: Option<String>,
    handle: Option<String>,
    tags: Option<Tags>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    variants: Option<Vec<VariantBody>>,
}

#[derive(Debug, Deserialize)]
struct VariantBody {
    id: Option<Id>,
    sku: Option<String>,
    title: Option<String>,
    price: Option<Amount>,
}

pub fn product(body: &[u8]) -> Result<Product, PayloadError> {
    let p: ProductBody = decode(body)?;
    Ok(Product {
        id: p
            .id
            .or(p.admin_graphql_api_id)
            .ok_or_else(|| PayloadError::missing("id"))?
            .0,
        created_at_ms: ms(p.created_at),
        updated_at_ms: ms(p.updated_at),
        title: non_empty(&p.title),
        vendor: non_empty(&p.vendor),
        product_type: non_empty(&p.product_type),
        status: non_empty(&p.status),
        handle: non_empty(&p.handle),
        tags: p.tags.map(|t| t.0).unwrap_or_default(),
        variants: p
            .variants
            .into_iter()
            .flatten()
            .map(|v| Variant {
                id: v.id.map(|id| id.0),
                sku: non_empty(&v.sku),
                title: non_empty(&v.title),
                price: v.price.map(|a| a.0),
            })
            .collect(),
    })
}

#[derive(Debug, Deserialize)]
struct DeletedBody {
    id: Option<Id>,
}

pub fn product_deleted(body: &[u8]) -> Result<Deleted, PayloadError> {
    let d: DeletedBody = decode(body)?;
    d.id.map(|id| Deleted { id: id.0 })
        .ok_or_else(|| PayloadError::missing("id"))
}
