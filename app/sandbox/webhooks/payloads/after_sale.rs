//! What happens to an order after it is placed: `refunds/create` (with its transaction) and `fulfillments/*`.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::line_items::nested_line_item;
use super::{money, money_set, postal_address, ts};
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::{Fulfillment, Order, Refund};

fn transaction(
    order: &Order,
    id: u64,
    kind: &str,
    amount: Decimal,
    at: time::OffsetDateTime,
) -> Value {
    let zero = json!({ "amount": "0.0", "currency": "XXX" });
    json!({
        "id": id,
        "order_id": order.id,
        "kind": kind,
        "gateway": "bogus",
        "status": "success",
        "message": if kind == "refund" { "Refunded" } else { "Paid" },
        "created_at": ts(at),
        "test": true,
        "authorization": null,
        "location_id": null,
        "user_id": null,
        "parent_id": null,
        "processed_at": ts(at),
        "device_id": null,
        "error_code": null,
        "source_name": "web",
        "receipt": {},
        "amount": money(amount),
        "currency": null,
        "payment_id": format!("{}.{}", order.name(), order.refunds.len() + 1),
        "total_unsettled_set": { "presentment_money": zero.clone(), "shop_money": zero },
        "manual_payment_gateway": false,
        "amount_rounding": null,
        "admin_graphql_api_id": gid("OrderTransaction", id),
    })
}

/// `refunds/create`.
pub fn refund(shop: &Shop, order: &Order, r: &Refund) -> Value {
    let cur = &shop.currency;
    let lines: Vec<Value> = r
        .line_items
        .iter()
        .map(|rl| {
            let li = order.line_items.iter().find(|l| l.id == rl.line_item_id);
            json!({
                "id": rl.id,
                "quantity": rl.quantity,
                "line_item_id": rl.line_item_id,
                "location_id": null,
                "restock_type": "no_restock",
                "subtotal": rl.subtotal.round_dp(2).to_string().parse::<f64>().unwrap_or_default(),
                "total_tax": 0,
                "subtotal_set": money_set(rl.subtotal, cur),
                "total_tax_set": money_set(Decimal::ZERO, cur),
                "line_item": li.map(|l| nested_line_item(l, cur)),
            })
        })
        .collect();
    let shipping_lines: Vec<Value> = if r.shipping > Decimal::ZERO {
        vec![json!({
            "id": r.id + 3,
            "shipping_line_id": order.id + 5,
            "subtotal_amount_set": money_set(r.shipping, cur),
        })]
    } else {
        Vec::new()
    };
    json!({
        "id": r.id,
        "order_id": r.order_id,
        "created_at": ts(r.created_at),
        "note": r.note,
        "user_id": null,
        "processed_at": ts(r.created_at),
        "duties": [],
        "total_duties_set": money_set(Decimal::ZERO, cur),
        "return": null,
        "restock": false,
        "refund_shipping_lines": shipping_lines,
        "admin_graphql_api_id": gid("Refund", r.id),
        "order_adjustments": [],
        "refund_line_items": lines,
        "transactions": [transaction(order, r.transaction_id, "refund", r.amount(), r.created_at)],
    })
}

/// `fulfillments/create` and `fulfillments/update`.
pub fn fulfillment(shop: &Shop, order: &Order, f: &Fulfillment) -> Value {
    let lines: Vec<Value> = f
        .line_items
        .iter()
        .filter_map(|(id, qty)| {
            let li = order.line_items.iter().find(|l| l.id == *id)?;
            let mut v = nested_line_item(li, &shop.currency);
            v["quantity"] = json!(qty);
            Some(v)
        })
        .collect();
    let tracking_url = format!(
        "https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums={}",
        f.tracking_number
    );
    json!({
        "id": f.id,
        "order_id": f.order_id,
        "status": "success",
        "created_at": ts(f.created_at),
        "service": "manual",
        "updated_at": ts(f.created_at),
        "tracking_company": "UPS",
        "shipment_status": null,
        "location_id": shop.numeric_id + 1,
        "origin_address": null,
        "email": order.email,
        "destination": order.address.as_ref().map(postal_address),
        "line_items": lines,
        "tracking_number": f.tracking_number,
        "tracking_numbers": [f.tracking_number],
        "tracking_url": tracking_url,
        "tracking_urls": [tracking_url],
        "receipt": {},
        "name": f.name,
        "admin_graphql_api_id": gid("Fulfillment", f.id),
    })
}
