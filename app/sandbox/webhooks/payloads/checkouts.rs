//! Bodies for a buyer's journey before an order: `checkouts/*` and `carts/*`, priced from the catalog.

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{embedded_customer, money, money_set, postal_address, ts, ts_utc_millis};
use crate::sandbox::state::Shop;
use crate::sandbox::store::{Cart, CartLine, Checkout};

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
