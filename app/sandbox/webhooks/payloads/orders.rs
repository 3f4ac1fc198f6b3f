//! The order body itself: `orders/*` topics and `orders/edited`.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::after_sale::{fulfillment, refund};
use super::line_items::order_line_item;
use super::{embedded_customer, money, money_set, postal_address, ts};
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::Order;

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
