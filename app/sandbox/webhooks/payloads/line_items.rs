//! Line items as order-shaped bodies carry them: in full on orders, trimmed inside refunds and fulfillments.

use serde_json::{Value, json};

use super::{money, money_set};
use crate::sandbox::state::gid;
use crate::sandbox::store::LineItem;

fn line_item_core(li: &LineItem, currency: &str) -> serde_json::Map<String, Value> {
    let v = json!({
        "id": li.id,
        "admin_graphql_api_id": gid("LineItem", li.id),
        "fulfillable_quantity": li.current_quantity.saturating_sub(li.fulfilled_quantity),
        "fulfillment_service": "manual",
        "fulfillment_status": if li.fulfilled_quantity == 0 { Value::Null }
            else if li.fulfilled_quantity >= li.current_quantity { json!("fulfilled") }
            else { json!("partial") },
        "gift_card": false,
        "grams": li.grams,
        "name": li.name(),
        "price": money(li.price),
        "price_set": money_set(li.price, currency),
        "product_exists": li.product_id.is_some(),
        "product_id": li.product_id,
        "properties": [],
        "quantity": li.quantity,
        "requires_shipping": true,
        "sku": li.sku,
        "taxable": true,
        "title": li.title,
        "total_discount": money(li.total_discount),
        "total_discount_set": money_set(li.total_discount, currency),
        "variant_id": li.variant_id,
        "variant_inventory_management": li.variant_id.map(|_| "shopify"),
        "variant_title": li.variant_title,
        "vendor": li.vendor,
        "tax_lines": [],
        "duties": [],
        "discount_allocations": [],
    });
    match v {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// A line item as orders carry it.
pub(super) fn order_line_item(li: &LineItem, currency: &str) -> Value {
    let mut map = line_item_core(li, currency);
    map.insert("attributed_staffs".into(), json!([]));
    map.insert("current_quantity".into(), json!(li.current_quantity));
    map.insert("sales_line_item_group_id".into(), Value::Null);
    Value::Object(map)
}

/// A line item as refunds and fulfillments embed it.
pub(super) fn nested_line_item(li: &LineItem, currency: &str) -> Value {
    Value::Object(line_item_core(li, currency))
}
