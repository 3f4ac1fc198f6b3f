//! Orders and what happens to them. This module owns what the handlers share: line item input,
//! pricing line items from the catalog, and finding an order or one of its lines.

mod changes;
mod placing;
mod refunds;

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;

pub use self::changes::{cancel, edit, fulfill};
pub use self::placing::{create, show, update};
pub use self::refunds::refund;
use super::common::{found, id_value};
use super::money_from;
use crate::sandbox::errors::ControlError;
use crate::sandbox::state::{SharedState, Shop};
use crate::sandbox::store::{LineItem, Order};

#[derive(Deserialize)]
pub struct LineInput {
    variant_id: Option<Value>,
    quantity: Option<u64>,
    title: Option<String>,
    price: Option<Value>,
    sku: Option<String>,
}

/// A quantity of one of the order's line items, as refunds, fulfillments and edits name them.
#[derive(Deserialize)]
struct QuantityInput {
    line_item_id: Value,
    quantity: u64,
}

/// Line items priced from the shop's catalog (or custom items with a title and price).
fn build_lines(
    state: &SharedState,
    shop: &Shop,
    inputs: &[LineInput],
) -> Result<Vec<LineItem>, ControlError> {
    if inputs.is_empty() {
        return Err(ControlError::Invalid("line_items must not be empty".into()));
    }
    inputs
        .iter()
        .map(|l| {
            let quantity = l.quantity.unwrap_or(1);
            if quantity == 0 {
                return Err(ControlError::Invalid("quantity must be at least 1".into()));
            }
            let mut item = LineItem {
                id: state.next_id(),
                product_id: None,
                variant_id: None,
                title: l.title.clone().unwrap_or_default(),
                variant_title: None,
                sku: l.sku.clone(),
                vendor: None,
                price: Decimal::ZERO,
                quantity,
                current_quantity: quantity,
                fulfilled_quantity: 0,
                grams: 0,
                total_discount: Decimal::ZERO,
            };
            match &l.variant_id {
                Some(v) => {
                    let vid = id_value(v, "variant_id")?;
                    let (p, var) = shop
                        .products
                        .values()
                        .find_map(|p| p.variants.iter().find(|x| x.id == vid).map(|x| (p, x)))
                        .ok_or_else(|| {
                            ControlError::Invalid(format!("variant {vid} does not exist"))
                        })?;
                    item.product_id = Some(p.id);
                    item.variant_id = Some(vid);
                    item.title = p.title.clone();
                    item.variant_title = (var.title != "Default Title").then(|| var.title.clone());
                    item.sku = var.sku.clone();
                    item.vendor = Some(p.vendor.clone());
                    item.price = l
                        .price
                        .as_ref()
                        .map(|v| money_from(v, "price"))
                        .transpose()?
                        .unwrap_or(var.price);
                    item.grams = var.grams;
                }
                None => {
                    if item.title.is_empty() {
                        return Err(ControlError::Invalid(
                            "a line item needs a variant_id or a title and price".into(),
                        ));
                    }
                    item.price = money_from(l.price.as_ref().unwrap_or(&Value::Null), "price")?;
                }
            }
            Ok(item)
        })
        .collect()
}

fn order_or_404(s: &mut Shop, id: u64) -> Result<&mut Order, ControlError> {
    found(s.orders.get_mut(&id), "order", id)
}

/// One of the order's line items; naming a line from another order is a 422, not a 404,
/// because the order itself was found.
fn line_on_order(o: &mut Order, line_item_id: u64) -> Result<&mut LineItem, ControlError> {
    let order_id = o.id;
    o.line_items
        .iter_mut()
        .find(|l| l.id == line_item_id)
        .ok_or_else(|| {
            ControlError::Invalid(format!(
                "line item {line_item_id} is not on order {order_id}"
            ))
        })
}
