//! The bodies the intake benchmark sends: Shopify's public sample payloads for every subscribed
//! topic when the fixtures are present, otherwise one built-in order of realistic size.

use crate::shopify::topics;

pub struct Payload {
    pub topic: &'static str,
    pub body: Vec<u8>,
}

pub fn load() -> (Vec<Payload>, &'static str) {
    let Some(dir) = crate::testing::fixtures_dir() else {
        return (
            vec![Payload {
                topic: "orders/create",
                body: built_in_order(),
            }],
            "built-in orders/create sample",
        );
    };
    // Lifecycle topics (uninstall, scopes, billing, bulk) change the installation itself and are
    // rare; the hot path is the commerce traffic.
    let payloads: Vec<Payload> = topics::SUBSCRIBED
        .iter()
        .filter(|topic| !topic.starts_with("app") && !topic.starts_with("bulk_operations"))
        .filter_map(|topic| {
            let file = dir
                .join("shopify/webhooks/payloads")
                .join(format!("{}.json", topic.replace('/', "__")));
            std::fs::read(file).ok().map(|body| Payload { topic, body })
        })
        .collect();
    if payloads.is_empty() {
        (
            vec![Payload {
                topic: "orders/create",
                body: built_in_order(),
            }],
            "built-in orders/create sample",
        )
    } else {
        (
            payloads,
            "Shopify's sample payloads of the 22 commerce topics (../shared/fixtures)",
        )
    }
}

/// An order payload of realistic size (a few kilobytes, three line items).
fn built_in_order() -> Vec<u8> {
    let line = |id: u64, title: &str, price: &str| {
        serde_json::json!({
            "id": id, "admin_graphql_api_id": format!("gid://shopify/LineItem/{id}"), "title": title, "name": title,
            "price": price, "quantity": 1, "sku": format!("SKU-{id}"), "vendor": "Bench Outfitters", "product_id": id + 1000,
            "variant_id": id + 2000, "variant_title": "Default", "taxable": true, "requires_shipping": true,
            "price_set": { "shop_money": { "amount": price, "currency_code": "USD" }, "presentment_money": { "amount": price, "currency_code": "USD" } },
            "discount_allocations": [], "tax_lines": [{ "title": "State tax", "rate": 0.06, "price": "1.20" }]
        })
    };
    let order = serde_json::json!({
        "id": 820982911946154508u64, "admin_graphql_api_id": "gid://shopify/Order/820982911946154508",
        "name": "#9999", "order_number": 9999, "currency": "USD", "presentment_currency": "USD",
        "created_at": "2026-11-22T10:00:00-05:00", "updated_at": "2026-11-22T10:00:00-05:00", "processed_at": "2026-11-22T10:00:00-05:00",
        "financial_status": "paid", "total_price": "65.60", "subtotal_price": "60.00", "total_tax": "3.60", "total_discounts": "0.00",
        "email": "bench.customer@example.com", "checkout_token": "bench-checkout", "cart_token": "bench-cart",
        "customer": { "id": 115310627314723954u64, "email": "bench.customer@example.com", "first_name": "Bench", "last_name": "Customer" },
        "line_items": [line(1, "Trail Tent", "20.00"), line(2, "Camp Stove", "20.00"), line(3, "Headlamp", "20.00")],
        "shipping_lines": [{ "title": "Standard", "price": "2.00", "code": "STD" }]
    });
    serde_json::to_vec(&order).unwrap_or_default()
}
