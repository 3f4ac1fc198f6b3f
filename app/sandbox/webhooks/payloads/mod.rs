//! Webhook bodies in Shopify's 2026-04 shapes, rendered from the sandbox's own records.
//! Ids are JSON integers (often above 2^53), money is a string, timestamps carry the shop's offset.

mod after_sale;
mod checkouts;
mod line_items;
mod orders;

pub use after_sale::{fulfillment, refund};
pub use checkouts::{cart, checkout};
pub use orders::{order, order_edit};

use rust_decimal::Decimal;
use serde_json::{Value, json};
use time::{OffsetDateTime, UtcOffset};

use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::{Address, Customer, Product};

/// Sandbox shops keep `America/Bogota` time: UTC-05:00 all year, like Shopify's samples.
pub const SHOP_TIMEZONE: &str = "America/Bogota";

/// A shop-local timestamp, e.g. `2021-12-31T19:00:00-05:00`.
pub fn ts(t: OffsetDateTime) -> String {
    let offset = UtcOffset::from_hms(-5, 0, 0).unwrap_or(UtcOffset::UTC);
    let t = t.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        if h < 0 || m < 0 { '-' } else { '+' },
        h.unsigned_abs(),
        m.unsigned_abs()
    )
}

/// A UTC timestamp with milliseconds, e.g. `2022-01-01T00:00:00.000Z` (carts, variant gids).
pub fn ts_utc_millis(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Joins JSON objects (large payloads are built in parts to stay under `json!`'s recursion limit).
pub fn merge(parts: Vec<Value>) -> Value {
    let mut out = serde_json::Map::new();
    for part in parts {
        if let Value::Object(map) = part {
            out.extend(map);
        }
    }
    Value::Object(out)
}

pub fn opt_ts(t: Option<OffsetDateTime>) -> Value {
    t.map(ts).map_or(Value::Null, Value::String)
}

pub fn money(d: Decimal) -> String {
    format!("{:.2}", d.round_dp(2))
}

pub fn money_set(d: Decimal, currency: &str) -> Value {
    let m = json!({ "amount": money(d), "currency_code": currency });
    json!({ "shop_money": m.clone(), "presentment_money": m })
}

/// An order's billing/shipping address or a fulfillment destination.
pub fn postal_address(a: &Address) -> Value {
    json!({
        "first_name": a.first_name,
        "address1": a.address1,
        "phone": a.phone,
        "city": a.city,
        "zip": a.zip,
        "province": a.province,
        "country": a.country,
        "last_name": a.last_name,
        "address2": a.address2,
        "company": a.company,
        "latitude": null,
        "longitude": null,
        "name": format!("{} {}", a.first_name, a.last_name),
        "country_code": a.country_code,
        "province_code": a.province_code,
    })
}

fn customer_address(a: &Address, customer_id: u64) -> Value {
    json!({
        "id": a.id,
        "customer_id": customer_id,
        "first_name": a.first_name,
        "last_name": a.last_name,
        "company": a.company,
        "address1": a.address1,
        "address2": a.address2,
        "city": a.city,
        "province": a.province,
        "country": a.country,
        "zip": a.zip,
        "phone": a.phone,
        "name": format!("{} {}", a.first_name, a.last_name),
        "province_code": a.province_code,
        "country_code": a.country_code,
        "country_name": a.country,
        "default": true,
    })
}

/// `customers/create` and `customers/update`.
pub fn customer(shop: &Shop, c: &Customer) -> Value {
    let mut v = embedded_customer(shop, c);
    if let Value::Object(map) = &mut v {
        let addresses: Vec<Value> = c
            .address
            .iter()
            .map(|a| customer_address(a, c.id))
            .collect();
        map.insert("addresses".into(), Value::Array(addresses));
    }
    v
}

/// The customer object inside orders and checkouts (no `addresses` list).
pub fn embedded_customer(shop: &Shop, c: &Customer) -> Value {
    json!({
        "id": c.id,
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "state": c.state,
        "note": c.note,
        "verified_email": c.verified_email,
        "multipass_identifier": null,
        "tax_exempt": false,
        "email": c.email,
        "phone": c.phone,
        "currency": shop.currency,
        "tax_exemptions": [],
        "admin_graphql_api_id": gid("Customer", c.id),
        "default_address": c.address.as_ref().map(|a| customer_address(a, c.id)),
    })
}

/// `customers/delete`.
pub fn customer_deleted(id: u64) -> Value {
    json!({ "id": id, "tax_exemptions": [], "admin_graphql_api_id": gid("Customer", id) })
}

/// `customers_email_marketing_consent/update`.
pub fn email_consent(c: &Customer) -> Value {
    json!({
        "customer_id": c.id,
        "email_address": c.email,
        "email_marketing_consent": {
            "state": c.email_consent.state,
            "opt_in_level": c.email_consent.opt_in_level,
            "consent_updated_at": opt_ts(c.email_consent.updated_at),
        }
    })
}

/// `customers_marketing_consent/update` (SMS).
pub fn sms_consent(c: &Customer) -> Value {
    json!({
        "id": c.id,
        "phone": c.phone,
        "sms_marketing_consent": {
            "state": c.sms_consent.state,
            "opt_in_level": c.sms_consent.opt_in_level,
            "consent_updated_at": opt_ts(c.sms_consent.updated_at),
            "consent_collected_from": "other",
        }
    })
}

/// `customer.tags_added` and `customer.tags_removed` for a change of `c`'s tags from `before`:
/// one event per direction that has tags, compared as Shopify compares tags (case-insensitively).
pub fn tag_changes(
    c: &Customer,
    before: &[String],
    at: OffsetDateTime,
) -> Vec<(&'static str, Value)> {
    let missing = |from: &[String], other: &[String]| -> Vec<String> {
        from.iter()
            .filter(|t| !other.iter().any(|o| o.eq_ignore_ascii_case(t)))
            .cloned()
            .collect()
    };
    let body = |tags: Vec<String>| json!({ "customerId": gid("Customer", c.id), "tags": tags, "occurredAt": ts_utc_millis(at) });
    let mut events = Vec::new();
    let added = missing(&c.tags, before);
    if !added.is_empty() {
        events.push(("customer.tags_added", body(added)));
    }
    let removed = missing(before, &c.tags);
    if !removed.is_empty() {
        events.push(("customer.tags_removed", body(removed)));
    }
    events
}

/// `products/create` and `products/update`.
pub fn product(p: &Product) -> Value {
    let variants: Vec<Value> = p
        .variants
        .iter()
        .map(|v| {
            json!({
                "admin_graphql_api_id": gid("ProductVariant", v.id),
                "barcode": null,
                "compare_at_price": v.compare_at_price.map(money),
                "created_at": ts(v.created_at),
                "id": v.id,
                "inventory_policy": "deny",
                "position": v.position,
                "price": money(v.price),
                "product_id": v.product_id,
                "sku": v.sku,
                "taxable": true,
                "title": v.title,
                "updated_at": ts(v.updated_at),
                "option1": v.title,
                "option2": null,
                "option3": null,
                "image_id": null,
                "inventory_item_id": v.inventory_item_id,
                "inventory_quantity": v.inventory_quantity,
                "old_inventory_quantity": v.inventory_quantity,
            })
        })
        .collect();
    let variant_gids: Vec<Value> = p
        .variants
        .iter()
        .map(|v| {
            json!({
                "admin_graphql_api_id": gid("ProductVariant", v.id),
                "updated_at": ts_utc_millis(v.updated_at),
            })
        })
        .collect();
    json!({
        "admin_graphql_api_id": gid("Product", p.id),
        "body_html": p.body_html,
        "created_at": ts(p.created_at),
        "handle": p.handle,
        "id": p.id,
        "product_type": p.product_type,
        "published_at": ts(p.created_at),
        "template_suffix": null,
        "title": p.title,
        "updated_at": ts(p.updated_at),
        "vendor": p.vendor,
        "status": p.status,
        "published_scope": "web",
        "tags": p.tags.join(", "),
        "variants": variants,
        "options": [{
            "name": "Title",
            "id": p.id + 1,
            "product_id": p.id,
            "position": 1,
            "values": p.variants.iter().map(|v| v.title.clone()).collect::<Vec<_>>(),
        }],
        "images": [],
        "image": null,
        "media": [],
        "variant_gids": variant_gids,
        "has_variants_that_requires_components": false,
        "category": null,
    })
}

/// `products/delete`.
pub fn product_deleted(id: u64) -> Value {
    json!({ "id": id })
}

/// `app/uninstalled` (and `shop/update`): the shop resource.
pub fn shop_resource(shop: &Shop) -> Value {
    let a = json!({
        "id": shop.numeric_id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.domain,
        "province": "Tennessee",
        "country": "US",
        "address1": "190 MacLaren Street",
        "zip": "37178",
        "city": "Houston",
        "source": null,
        "phone": "3213213210",
        "latitude": null,
        "longitude": null,
        "primary_locale": "en",
        "address2": null,
        "created_at": ts(shop.created_at),
        "updated_at": ts(shop.created_at),
        "country_code": "US",
        "country_name": "United States",
        "currency": shop.currency,
        "customer_email": shop.email,
        "timezone": "(GMT-05:00) Bogota",
        "iana_timezone": shop.iana_timezone,
        "shop_owner": shop.name,
        "money_format": "${{amount}}",
        "money_with_currency_format": format!("${{{{amount}}}} {}", shop.currency),
    });
    let b = json!({
        "weight_unit": "kg",
        "province_code": "TN",
        "taxes_included": false,
        "auto_configure_tax_inclusivity": null,
        "tax_shipping": null,
        "county_taxes": true,
        "plan_display_name": shop.plan,
        "plan_name": plan_name(&shop.plan),
        "has_discounts": false,
        "has_gift_cards": false,
        "myshopify_domain": shop.domain,
        "google_apps_domain": null,
        "google_apps_login_enabled": null,
        "money_in_emails_format": "${{amount}}",
        "money_with_currency_in_emails_format": format!("${{{{amount}}}} {}", shop.currency),
        "eligible_for_payments": true,
        "requires_extra_payments_agreement": false,
        "password_enabled": false,
        "has_storefront": true,
        "finances": true,
        "primary_location_id": shop.numeric_id + 1,
        "checkout_api_supported": true,
        "multi_location_enabled": true,
        "setup_required": false,
        "pre_launch_enabled": false,
        "enabled_presentment_currencies": [shop.currency],
        "marketing_sms_consent_enabled_at_checkout": false,
        "transactional_sms_disabled": false,
    });
    merge(vec![a, b])
}

pub fn plan_name(display: &str) -> &'static str {
    match display {
        "Shopify Plus" | "Plus" => "shopify_plus",
        "Developer Preview" | "Development" => "partner_test",
        "Advanced" => "unlimited",
        "Grow" | "Shopify" => "professional",
        _ => "basic",
    }
}

/// `app/scopes_update`.
pub fn scopes_update(
    shop: &Shop,
    previous: &[String],
    current: &[String],
    installation_id: u64,
) -> Value {
    json!({
        "id": installation_id,
        "shop_id": gid("Shop", shop.numeric_id),
        "previous": previous,
        "current": current,
        "updated_at": ts_utc_millis(OffsetDateTime::now_utc()),
    })
}

/// A default body for topics that have no merchant action in the control API
/// (compliance requests, bulk operations, billing, merges); `None` for topics the sandbox cannot render.
pub fn default_for(topic: &str, shop: &Shop) -> Option<Value> {
    let now = OffsetDateTime::now_utc();
    let first_customer = shop.customers.values().next();
    let customer_json = match first_customer {
        Some(c) => json!({ "id": c.id, "email": c.email, "phone": c.phone }),
        None => json!({ "id": 191167, "email": "john@example.com", "phone": "555-625-1199" }),
    };
    let orders: Vec<u64> = match first_customer {
        Some(c) => shop
            .orders
            .values()
            .filter(|o| o.customer_id == Some(c.id))
            .map(|o| o.id)
            .collect(),
        None => vec![299938, 280263, 220458],
    };
    Some(match topic {
        "customers/data_request" => json!({
            "shop_id": shop.numeric_id,
            "shop_domain": shop.domain,
            "customer": customer_json,
            "orders_requested": orders,
            "data_request": { "id": now.unix_timestamp() % 100_000 },
        }),
        "customers/redact" => json!({
            "shop_id": shop.numeric_id,
            "shop_domain": shop.domain,
            "customer": customer_json,
            "orders_to_redact": orders,
        }),
        "shop/redact" => json!({ "shop_id": shop.numeric_id, "shop_domain": shop.domain }),
        "app/uninstalled" | "shop/update" => shop_resource(shop),
        "bulk_operations/finish" => json!({
            "admin_graphql_api_id": gid("BulkOperation", now.unix_timestamp() as u64),
            "completed_at": ts(now),
            "created_at": ts(now),
            "error_code": null,
            "status": "completed",
            "type": "query",
        }),
        "app_subscriptions/update" => json!({
            "app_subscription": {
                "admin_graphql_api_id": gid("AppSubscription", now.unix_timestamp() as u64),
                "name": "SegOps",
                "status": "ACTIVE",
                "admin_graphql_api_shop_id": gid("Shop", shop.numeric_id),
                "created_at": ts(now),
                "updated_at": ts(now),
                "currency": shop.currency,
                "capped_amount": null,
                "price": "0.00",
                "interval": "every_30_days",
                "plan_handle": null,
            }
        }),
        "customers/merge" => json!({
            "admin_graphql_api_customer_kept_id": gid("Customer", first_customer.map_or(1, |c| c.id)),
            "admin_graphql_api_customer_deleted_id": gid("Customer", shop.customers.values().nth(1).map_or(2, |c| c.id)),
            "admin_graphql_api_job_id": null,
            "status": "completed",
            "errors": [],
        }),
        _ => return None,
    })
}
