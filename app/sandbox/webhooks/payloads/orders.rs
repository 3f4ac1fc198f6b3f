//! Order-shaped bodies: orders/*, refunds/create, fulfillments/*, orders/edited, checkouts/*, carts/*.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{embedded_customer, money, money_set, postal_address, ts, ts_utc_millis};
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::{Cart, CartLine, Checkout, Fulfillment, LineItem, Order, Refund};

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
fn order_line_item(li: &LineItem, currency: &str) -> Value {
    let mut map = line_item_core(li, currency);
    map.insert("attributed_staffs".into(), json!([]));
    map.insert("current_quantity".into(), json!(li.current_quantity));
    map.insert("sales_line_item_group_id".into(), Value::Null);
    Value::Object(map)
}

/// A line item as refunds and fulfillments embed it.
fn nested_line_item(li: &LineItem, currency: &str) -> Value {
    Value::Object(line_item_core(li, currency))
}

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

/// `orders/create`, `orders/paid`, `orders/updated`, `orders/cancelled`, `orders/fulfilled`.
pub fn order(shop: &Shop, o: &Order) -> Value {
    let cur = shop.currency.as_str();
    let customer = o.customer_id.and_then(|id| shop.customers.get(&id));
    let line_items_total = o.line_items_total();
    let discount = o.discount_amount();
    let total = o.total();
    let refunded = o.refunded();
    let current_subtotal = o.current_subtotal();
    let current_total = (total - refunded).max(Decimal::ZERO);
    let outstanding = if o.financial_status == "pending" {
        total
    } else {
        Decimal::ZERO
    };
    let shipping_line = json!({
        "id": o.id + 5,
        "carrier_identifier": null,
        "code": "Standard",
        "current_discounted_price_set": money_set(o.shipping, cur),
        "discounted_price": money(o.shipping),
        "discounted_price_set": money_set(o.shipping, cur),
        "is_removed": false,
        "phone": null,
        "price": money(o.shipping),
        "price_set": money_set(o.shipping, cur),
        "requested_fulfillment_service_id": null,
        "source": "shopify",
        "title": "Standard",
        "tax_lines": [],
        "discount_allocations": [],
    });
    let tax_lines: Vec<Value> = if o.tax > Decimal::ZERO {
        vec![json!({
            "price": money(o.tax),
            "rate": 0.08,
            "title": "Tax",
            "price_set": money_set(o.tax, cur),
            "channel_liable": false,
        })]
    } else {
        Vec::new()
    };
    let (discount_codes, discount_applications) = match &o.discount {
        Some((code, amount)) => (
            json!([{ "code": code, "amount": money(*amount), "type": "fixed_amount" }]),
            json!([{
                "target_type": "line_item",
                "type": "discount_code",
                "value": money(*amount),
                "value_type": "fixed_amount",
                "allocation_method": "across",
                "target_selection": "all",
                "code": code,
            }]),
        ),
        None => (json!([]), json!([])),
    };
    let total_weight: u64 = o.line_items.iter().map(|l| l.grams * l.quantity).sum();
    let mut first = json!({
        "id": o.id,
        "admin_graphql_api_id": gid("Order", o.id),
        "app_id": null,
        "browser_ip": null,
        "buyer_accepts_marketing": o.buyer_accepts_marketing,
        "cancel_reason": o.cancel_reason,
        "cancelled_at": super::opt_ts(o.cancelled_at),
        "cart_token": o.cart_token,
        "checkout_token": o.checkout_token,
        "client_details": null,
        "closed_at": super::opt_ts(o.closed_at),
        "confirmation_number": o.token[..9.min(o.token.len())].to_uppercase(),
        "confirmed": true,
        "contact_email": o.email,
        "created_at": ts(o.created_at),
        "currency": cur,
        "current_shipping_price_set": money_set(o.shipping, cur),
        "current_subtotal_price": money(current_subtotal),
        "current_subtotal_price_set": money_set(current_subtotal, cur),
        "current_total_additional_fees_set": null,
        "current_total_discounts": money(discount),
        "current_total_discounts_set": money_set(discount, cur),
        "current_total_duties_set": null,
        "current_total_price": money(current_total),
        "current_total_price_set": money_set(current_total, cur),
        "current_total_tax": money(o.tax),
        "current_total_tax_set": money_set(o.tax, cur),
    });
    let first_b = json!({
        "customer_locale": "en",
        "device_id": null,
        "discount_codes": discount_codes,
        "duties_included": false,
        "email": o.email,
        "estimated_taxes": false,
        "financial_status": o.financial_status,
        "fulfillment_status": o.fulfillment_status(),
        "landing_site": null,
        "landing_site_ref": null,
        "location_id": null,
        "merchant_business_entity_id": format!("MTU{}", shop.numeric_id),
        "merchant_of_record_app_id": null,
        "name": o.name(),
        "note": o.note,
        "note_attributes": [],
        "number": o.number,
        "order_number": o.order_number(),
        "order_status_url": format!("https://{}/{}/orders/{}/authenticate?key={}", shop.domain, shop.numeric_id, o.token, o.token),
        "original_total_additional_fees_set": null,
        "original_total_duties_set": null,
        "payment_gateway_names": ["bogus"],
        "phone": o.phone,
        "po_number": null,
        "presentment_currency": cur,
    });
    let second = json!({
        "processed_at": ts(o.created_at),
        "reference": null,
        "referring_site": null,
        "source_identifier": null,
        "source_name": "web",
        "source_url": null,
        "subtotal_price": money(o.subtotal()),
        "subtotal_price_set": money_set(o.subtotal(), cur),
        "tags": o.tags.join(", "),
        "tax_exempt": false,
        "tax_lines": tax_lines,
        "taxes_included": false,
        "test": true,
        "token": o.token,
    });
    let second_b = json!({
        "total_cash_rounding_payment_adjustment_set": money_set(Decimal::ZERO, cur),
        "total_cash_rounding_refund_adjustment_set": money_set(Decimal::ZERO, cur),
        "total_discounts": money(discount),
        "total_discounts_set": money_set(discount, cur),
        "total_line_items_price": money(line_items_total),
        "total_line_items_price_set": money_set(line_items_total, cur),
        "total_outstanding": money(outstanding),
        "total_price": money(total),
        "total_price_set": money_set(total, cur),
        "total_shipping_price_set": money_set(o.shipping, cur),
        "total_tax": money(o.tax),
        "total_tax_set": money_set(o.tax, cur),
        "total_tip_received": "0.00",
        "total_weight": total_weight,
        "updated_at": ts(o.updated_at),
        "user_id": null,
        "billing_address": o.address.as_ref().map(postal_address),
        "customer": customer.map(|c| embedded_customer(shop, c)),
        "discount_applications": discount_applications,
        "fulfillments": o.fulfillments.iter().map(|f| fulfillment(shop, o, f)).collect::<Vec<_>>(),
        "line_items": o.line_items.iter().map(|l| order_line_item(l, cur)).collect::<Vec<_>>(),
        "payment_terms": null,
        "refunds": o.refunds.iter().map(|r| refund(shop, o, r)).collect::<Vec<_>>(),
        "shipping_address": o.address.as_ref().map(postal_address),
        "shipping_lines": [shipping_line],
        "returns": [],
        "line_item_groups": [],
    });
    for part in [first_b, second, second_b] {
        if let (Value::Object(a), Value::Object(b)) = (&mut first, part) {
            a.extend(b);
        }
    }
    first
}

/// `orders/edited`: which line items an edit added and removed.
pub fn order_edit(
    order: &Order,
    edit_id: u64,
    added: &[(u64, u64)],
    removed: &[(u64, u64)],
    staff_note: &str,
    at: time::OffsetDateTime,
) -> Value {
    let deltas = |items: &[(u64, u64)]| -> Vec<Value> {
        items
            .iter()
            .map(|(id, delta)| json!({ "id": id, "delta": delta }))
            .collect()
    };
    json!({
        "order_edit": {
            "id": edit_id,
            "app_id": null,
            "created_at": ts(at),
            "committed_at": ts(at),
            "notify_customer": false,
            "order_id": order.id,
            "staff_note": staff_note,
            "user_id": null,
            "line_items": { "additions": deltas(added), "removals": deltas(removed) },
            "discounts": { "line_item": { "additions": [], "removals": [] } },
            "shipping_lines": { "additions": [], "removals": [] },
        }
    })
}

struct PricedLine<'a> {
    line: &'a CartLine,
    product_id: u64,
    product_title: &'a str,
    variant_title: &'a str,
    vendor: &'a str,
    sku: Option<&'a str>,
    price: Decimal,
    grams: u64,
}

fn priced<'a>(shop: &'a Shop, lines: &'a [CartLine]) -> Vec<PricedLine<'a>> {
    lines
        .iter()
        .filter_map(|line| {
            shop.products.values().find_map(|p| {
                p.variants
                    .iter()
                    .find(|v| v.id == line.variant_id)
                    .map(|v| PricedLine {
                        line,
                        product_id: p.id,
                        product_title: &p.title,
                        variant_title: &v.title,
                        vendor: &p.vendor,
                        sku: v.sku.as_deref(),
                        price: v.price,
                        grams: v.grams,
                    })
            })
        })
        .collect()
}

/// `checkouts/create` and `checkouts/update`.
pub fn checkout(shop: &Shop, c: &Checkout) -> Value {
    let lines = priced(shop, &c.line_items);
    let subtotal: Decimal = lines
        .iter()
        .map(|l| l.price * Decimal::from(l.line.quantity))
        .sum();
    let customer = c.customer_id.and_then(|id| shop.customers.get(&id));
    let address = customer
        .and_then(|c| c.address.as_ref())
        .map(postal_address);
    let items: Vec<Value> = lines
        .iter()
        .map(|l| {
            let line_price = l.price * Decimal::from(l.line.quantity);
            json!({
                "applied_discounts": [],
                "discount_allocations": [],
                "key": format!("{:x}", l.line.variant_id ^ 0x5eed),
                "destination_location_id": null,
                "fulfillment_service": "manual",
                "gift_card": false,
                "grams": l.grams,
                "origin_location_id": shop.numeric_id + 1,
                "presentment_title": l.product_title,
                "presentment_variant_title": l.variant_title,
                "product_id": l.product_id,
                "properties": null,
                "quantity": l.line.quantity,
                "requires_shipping": true,
                "sku": l.sku,
                "tax_lines": [],
                "taxable": true,
                "title": l.product_title,
                "variant_id": l.line.variant_id,
                "variant_title": l.variant_title,
                "variant_price": money(l.price),
                "vendor": l.vendor,
                "user_id": null,
                "unit_price_measurement": {
                    "measured_type": null, "quantity_value": null, "quantity_unit": null,
                    "reference_value": null, "reference_unit": null,
                },
                "rank": null,
                "compare_at_price": null,
                "line_price": money(line_price),
                "price": money(l.price),
            })
        })
        .collect();
    let weight: u64 = lines.iter().map(|l| l.grams * l.line.quantity).sum();
    let a = json!({
        "token": c.token,
        "cart_token": c.cart_token,
        "email": c.email,
        "gateway": null,
        "buyer_accepts_marketing": false,
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "landing_site": null,
        "note": null,
        "note_attributes": [],
        "referring_site": null,
        "shipping_lines": [],
        "taxes_included": false,
        "total_weight": weight,
        "currency": shop.currency,
        "completed_at": null,
        "closed_at": null,
        "user_id": null,
        "location_id": null,
        "source_identifier": null,
        "source_url": null,
        "device_id": null,
        "phone": null,
    });
    let b = json!({
        "customer_locale": "en",
        "line_items": items,
        "name": format!("#{}", c.id),
        "source": null,
        "abandoned_checkout_url": format!("https://{}/{}/checkouts/{}/recover?key={}", shop.domain, shop.numeric_id, c.token, c.token),
        "discount_codes": [],
        "tax_lines": [],
        "source_name": "web",
        "presentment_currency": shop.currency,
        "buyer_accepts_sms_marketing": false,
        "sms_marketing_phone": null,
        "total_discounts": "0.00",
        "total_line_items_price": money(subtotal),
        "total_price": money(subtotal),
        "total_tax": "0.00",
        "subtotal_price": money(subtotal),
        "total_duties": null,
        "reservation_token": null,
        "billing_address": address.clone(),
        "shipping_address": address,
        "customer": customer.map(|cu| embedded_customer(shop, cu)),
    });
    super::merge(vec![a, b])
}

/// `carts/create` and `carts/update`.
pub fn cart(shop: &Shop, c: &Cart) -> Value {
    let cur = shop.currency.as_str();
    let items: Vec<Value> = priced(shop, &c.line_items)
        .iter()
        .map(|l| {
            let line_price = l.price * Decimal::from(l.line.quantity);
            json!({
                "id": l.line.variant_id,
                "properties": null,
                "quantity": l.line.quantity,
                "variant_id": l.line.variant_id,
                "key": format!("{}:{}", l.line.variant_id, c.token),
                "discounted_price": money(l.price),
                "discounts": [],
                "gift_card": false,
                "grams": l.grams,
                "line_price": money(line_price),
                "original_line_price": money(line_price),
                "original_price": money(l.price),
                "price": money(l.price),
                "product_id": l.product_id,
                "sku": l.sku,
                "taxable": true,
                "title": format!("{} - {}", l.product_title, l.variant_title),
                "total_discount": "0.00",
                "vendor": l.vendor,
                "discounted_price_set": money_set(l.price, cur),
                "line_price_set": money_set(line_price, cur),
                "original_line_price_set": money_set(line_price, cur),
                "price_set": money_set(l.price, cur),
                "total_discount_set": money_set(Decimal::ZERO, cur),
                "parent_relationship": null,
            })
        })
        .collect();
    json!({
        "id": c.token,
        "token": c.token,
        "line_items": items,
        "note": c.note,
        "updated_at": ts_utc_millis(c.updated_at),
        "created_at": ts_utc_millis(c.created_at),
    })
}
