//! `fulfillments/create`, `fulfillments/update`.

use serde::Deserialize;

use super::lines::{LineBody, lines, non_empty};
use super::wire::{Id, Timestamp, ms};
use super::{PayloadError, decode};
use crate::events::commerce::Fulfillment;

#[derive(Debug, Deserialize)]
struct FulfillmentBody {
    id: Option<Id>,
    admin_graphql_api_id: Option<Id>,
    order_id: Option<Id>,
    status: Option<String>,
    shipment_status: Option<String>,
    tracking_company: Option<String>,
    created_at: Option<Timestamp>,
    updated_at: Option<Timestamp>,
    line_items: Option<Vec<LineBody>>,
}

pub fn fulfillment(body: &[u8]) -> Result<Fulfillment, PayloadError> {
    let f: FulfillmentBody = decode(body)?;
    let created_at_ms = ms(f.created_at)
        .or(ms(f.updated_at))
        .ok_or_else(|| PayloadError::missing("created_at"))?;
    Ok(Fulfillment {
        id: f
            .id
            .or(f.admin_graphql_api_id)
            .ok_or_else(|| PayloadError::missing("id"))?
            .0,
        order_id: f
            .order_id
            .ok_or_else(|| PayloadError::missing("order_id"))?
            .0,
        created_at_ms,
        updated_at_ms: ms(f.updated_at).unwrap_or(created_at_ms),
        status: non_empty(&f.status),
        shipment_status: non_empty(&f.shipment_status),
        tracking_company: non_empty(&f.tracking_company),
        lines: lines(&f.line_items, "line_items")?,
    })
}
