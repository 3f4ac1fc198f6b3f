//! Storefront events in our vocabulary, with Segment-spec properties. Reads only catalogue,
//! cart and checkout figures from the event's data: never a customer id or contact field,
//! which a client could forge (identity is decided server-side, see `identity`).

use serde_json::{Map, Number, Value, json};

use super::envelope::PixelEvent;
use crate::events::{CanonicalEvent, EventKind, normalise_id};

/// The canonical event for one validated pixel event.
pub fn map(event: &PixelEvent) -> CanonicalEvent {
    let data = &event.data;
    let kind = kind_of(&event.name);
    let checkout = data.get("checkout");
    let token = checkout
        .and_then(|c| c.get("token"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    let order_id = checkout
        .and_then(|c| c.pointer("/order/id"))
        .and_then(|id| match id {
            Value::String(s) => normalise_id(s.as_str()),
            Value::Number(n) => normalise_id(&n.to_string()),
            _ => None,
        });
    let dedupe_key = match (kind, &order_id, &token) {
        (EventKind::Purchase, Some(order), _) => format!("purchase:order:{order}"),
        (EventKind::Purchase, None, Some(token)) => format!("purchase:checkout:{token}"),
        (EventKind::CheckoutStart, _, Some(token)) => format!("checkout_start:checkout:{token}"),
        _ => format!("{}:pixel:{}", kind.as_str(), event.id),
    };
    let mut canonical = CanonicalEvent::new(kind, dedupe_key, event.occurred_at_ms);
    canonical.anonymous_id = Some(event.client_id.clone());
    canonical.message_id = Some(event.id.clone());
    canonical.consent = Some(event.consent);
    canonical.checkout_token = token.clone();
    canonical.order_id = order_id.clone();
    let mut props = Map::new();
    match kind {
        EventKind::PageView => {
            put(&mut props, "url", event.url.clone().map(Value::from));
            put(
                &mut props,
                "path",
                event.url.as_deref().map(path_of).map(Value::from),
            );
            put(
                &mut props,
                "referrer",
                event.referrer.clone().map(Value::from),
            );
            put(&mut props, "title", event.title.clone().map(Value::from));
        }
        EventKind::ProductView => {
            if let Some(variant) = data.get("productVariant") {
                props.extend(product(variant, 1, None));
                put(&mut props, "currency", currency(variant.get("price")));
            }
        }
        EventKind::CollectionView => {
            let collection = data.get("collection");
            let id = collection
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty());
            let title = collection.and_then(|c| c.get("title")).cloned();
            let list_id = id
                .map(|id| normalise_id(id).unwrap_or_else(|| id.to_owned()))
                .or_else(|| title.as_ref().and_then(Value::as_str).map(str::to_owned));
            put(&mut props, "list_id", list_id.map(Value::from));
            put(&mut props, "category", title);
            props.insert(
                "products".into(),
                variants(collection.and_then(|c| c.get("productVariants"))),
            );
        }
        EventKind::Search => {
            let result = data.get("searchResult");
            put(
                &mut props,
                "query",
                result.and_then(|r| r.get("query")).cloned(),
            );
            props.insert(
                "products".into(),
                variants(result.and_then(|r| r.get("productVariants"))),
            );
        }
        EventKind::AddToCart | EventKind::RemoveFromCart => {
            if let Some(line) = data.get("cartLine") {
                let quantity = line.get("quantity").and_then(Value::as_u64).unwrap_or(1);
                if let Some(merchandise) = line.get("merchandise") {
                    props.extend(product(merchandise, quantity, None));
                    put(&mut props, "currency", currency(merchandise.get("price")));
                }
            }
        }
        EventKind::CartView => {
            let cart = data.get("cart");
            let cart_id = cart
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .map(cart_token);
            canonical.cart_token = cart_id.clone();
            put(&mut props, "cart_id", cart_id.map(Value::from));
            put(
                &mut props,
                "value",
                amount(cart.and_then(|c| c.pointer("/cost/totalAmount"))),
            );
            put(
                &mut props,
                "currency",
                currency(cart.and_then(|c| c.pointer("/cost/totalAmount"))),
            );
            props.insert(
                "products".into(),
                cart_lines(cart.and_then(|c| c.get("lines"))),
            );
        }
        EventKind::CheckoutStart | EventKind::Purchase => {
            if let Some(checkout) = checkout {
                checkout_figures(&mut props, checkout, kind == EventKind::Purchase);
            }
            put(&mut props, "checkout_id", token.clone().map(Value::from));
            if kind == EventKind::Purchase {
                put(&mut props, "order_id", order_id.map(Value::from));
            }
        }
        EventKind::CheckoutContactInfo
        | EventKind::CheckoutShippingInfo
        | EventKind::PaymentInfo => {
            put(&mut props, "checkout_id", token.map(Value::from));
            let step = match kind {
                EventKind::CheckoutContactInfo => 1,
                EventKind::CheckoutShippingInfo => 2,
                _ => 3,
            };
            props.insert("step".into(), json!(step));
            let shipping = checkout
                .and_then(|c| {
                    c.pointer("/shippingLine/title")
                        .or_else(|| c.pointer("/delivery/selectedDeliveryOptions/0/title"))
                })
                .cloned();
            if kind == EventKind::CheckoutShippingInfo {
                put(
                    &mut props,
                    "shipping_method",
                    shipping.filter(Value::is_string),
                );
            }
            if kind == EventKind::PaymentInfo {
                let gateway = checkout
                    .and_then(|c| c.pointer("/transactions/0/gateway"))
                    .cloned();
                put(
                    &mut props,
                    "payment_method",
                    gateway.filter(Value::is_string),
                );
            }
        }
        _ => {}
    }
    canonical.properties = props;
    canonical
}

fn kind_of(name: &str) -> EventKind {
    match name {
        "page_viewed" => EventKind::PageView,
        "product_viewed" => EventKind::ProductView,
        "collection_viewed" => EventKind::CollectionView,
        "search_submitted" => EventKind::Search,
        "product_added_to_cart" => EventKind::AddToCart,
        "product_removed_from_cart" => EventKind::RemoveFromCart,
        "cart_viewed" => EventKind::CartView,
        "checkout_started" => EventKind::CheckoutStart,
        "checkout_contact_info_submitted" => EventKind::CheckoutContactInfo,
        "checkout_shipping_info_submitted" => EventKind::CheckoutShippingInfo,
        "payment_info_submitted" => EventKind::PaymentInfo,
        // Validation admits only the tracked names; the last one is checkout_completed.
        _ => EventKind::Purchase,
    }
}

fn put(props: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value.filter(|v| !v.is_null()) {
        props.insert(key.to_owned(), value);
    }
}

/// Pixel money is a JSON number already (`{amount: 749.95, currencyCode}`).
fn amount(money: Option<&Value>) -> Option<Value> {
    money
        .and_then(|m| m.get("amount"))
        .and_then(Value::as_f64)
        .and_then(Number::from_f64)
        .map(Value::Number)
}

fn currency(money: Option<&Value>) -> Option<Value> {
    money
        .and_then(|m| m.get("currencyCode"))
        .filter(|c| c.is_string())
        .cloned()
}

fn path_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default()
}

/// A cart id as the cart webhooks and orders spell its token: no gid prefix, no `?key=`.
pub fn cart_token(id: &str) -> String {
    let id = id.strip_prefix("gid://shopify/Cart/").unwrap_or(id);
    id.split('?').next().unwrap_or(id).to_owned()
}

/// Segment's product fields from a pixel `ProductVariant`.
fn product(variant: &Value, quantity: u64, position: Option<usize>) -> Map<String, Value> {
    let mut item = Map::new();
    let product = variant.get("product");
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(Value::from)
    };
    put(
        &mut item,
        "product_id",
        product
            .and_then(|p| p.get("id"))
            .and_then(|id| {
                id.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(id.to_string()))
            })
            .and_then(|id| normalise_id(id.as_str()))
            .map(Value::from),
    );
    put(&mut item, "sku", text(variant.get("sku")));
    put(
        &mut item,
        "name",
        text(product.and_then(|p| p.get("title"))),
    );
    put(
        &mut item,
        "brand",
        text(product.and_then(|p| p.get("vendor"))),
    );
    put(
        &mut item,
        "category",
        text(product.and_then(|p| p.get("type"))),
    );
    put(&mut item, "variant", text(variant.get("title")));
    put(&mut item, "price", amount(variant.get("price")));
    item.insert("quantity".into(), json!(quantity));
    if let Some(position) = position {
        item.insert("position".into(), json!(position));
    }
    put(&mut item, "url", text(product.and_then(|p| p.get("url"))));
    put(&mut item, "image_url", text(variant.pointer("/image/src")));
    item
}

fn variants(list: Option<&Value>) -> Value {
    let items = list
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Value::Array(
        items
            .iter()
            .enumerate()
            .map(|(i, v)| Value::Object(product(v, 1, Some(i + 1))))
            .collect(),
    )
}

fn cart_lines(lines: Option<&Value>) -> Value {
    let items = lines
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Value::Array(
        items
            .iter()
            .enumerate()
            .filter_map(|(i, line)| {
                let quantity = line.get("quantity").and_then(Value::as_u64).unwrap_or(1);
                line.get("merchandise")
                    .map(|m| Value::Object(product(m, quantity, Some(i + 1))))
            })
            .collect(),
    )
}

fn checkout_figures(props: &mut Map<String, Value>, checkout: &Value, purchase: bool) {
    let total = amount(checkout.get("totalPrice"));
    put(props, if purchase { "total" } else { "value" }, total);
    put(props, "revenue", amount(checkout.get("subtotalPrice")));
    if purchase {
        put(props, "subtotal", amount(checkout.get("subtotalPrice")));
    }
    put(
        props,
        "shipping",
        amount(checkout.pointer("/shippingLine/price")).or(Some(json!(0))),
    );
    put(
        props,
        "tax",
        amount(checkout.get("totalTax")).or(Some(json!(0))),
    );
    put(
        props,
        "discount",
        amount(checkout.get("discountsAmount")).or(Some(json!(0))),
    );
    put(
        props,
        "currency",
        checkout
            .get("currencyCode")
            .filter(|c| c.is_string())
            .cloned(),
    );
    let coupon = checkout
        .pointer("/discountApplications/0/title")
        .filter(|c| c.is_string())
        .cloned();
    put(props, "coupon", coupon);
    let lines = checkout
        .get("lineItems")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let products = lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let quantity = line.get("quantity").and_then(Value::as_u64).unwrap_or(1);
            line.get("variant")
                .map(|v| Value::Object(product(v, quantity, Some(i + 1))))
        })
        .collect();
    props.insert("products".into(), Value::Array(products));
}
