//! Checkouts and carts → canonical events, and the abandonment event built from stored state.

use serde_json::Value;

use super::commerce::{Cart, Checkout};
use super::model::{CanonicalEvent, EntityChange, EventKind, Mapped, PersonData};
use super::segment::{Props, coupon, number, products};

/// `checkouts/create` (Checkout Started) and `checkouts/update`.
pub fn checkout(kind: EventKind, c: &Checkout) -> Mapped {
    let (key, at) = if kind == EventKind::CheckoutStart {
        (
            format!("checkout_start:checkout:{}", c.token),
            c.created_at_ms,
        )
    } else {
        (
            format!("checkout_update:checkout:{}:{}", c.token, c.updated_at_ms),
            c.updated_at_ms,
        )
    };
    let t = &c.totals;
    let line_items = products(&c.lines);
    let mut props = Props::default();
    props
        .text("checkout_id", Some(&c.token))
        .text("cart_id", c.cart_token.as_deref())
        // Segment's Checkout Started: `value` is what the buyer would pay, `revenue` excludes
        // shipping and tax.
        .money("value", t.total)
        .money("revenue", t.subtotal)
        .money("shipping", t.shipping)
        .money("tax", t.tax)
        .money("discount", t.discount)
        .text("coupon", coupon(&c.coupons).as_deref())
        .text("currency", Some(&t.currency))
        .value("products", line_items.clone());
    if let Some(presentment) = &c.presentment {
        props
            .text("presentment_currency", Some(&presentment.currency))
            .money_opt("presentment_total", presentment.total);
    }
    let mut event = CanonicalEvent::new(kind, key, at);
    event.customer_id = c.customer_id.clone();
    event.checkout_token = Some(c.token.clone());
    event.cart_token = c.cart_token.clone();
    event.properties = props.build();
    Mapped {
        events: vec![event],
        entities: vec![EntityChange::Checkout {
            token: c.token.clone(),
            updated_at_ms: c.updated_at_ms,
            customer_id: c.customer_id.clone(),
            completed: c.completed_at_ms.is_some(),
            total: t.total,
            currency: t.currency.clone(),
            recovery_url: c.recovery_url.clone(),
            line_items,
        }],
        people: PersonData::list(c.person.clone()),
    }
}

/// `carts/create|update` → `cart_update`. No Segment name: "Cart Viewed" is a shopper viewing
/// the cart, which the Web Pixel reports; a cart webhook is a change, not a view.
pub fn cart(c: &Cart) -> Mapped {
    let mut props = Props::default();
    props
        .text("cart_id", Some(&c.token))
        .money("value", c.value)
        .text("currency", c.currency.as_deref())
        .value("products", products(&c.lines));
    let mut event = CanonicalEvent::new(
        EventKind::CartUpdate,
        format!("cart_update:cart:{}:{}", c.token, c.updated_at_ms),
        c.updated_at_ms,
    );
    event.cart_token = Some(c.token.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        ..Mapped::default()
    }
}

/// "Checkout Abandoned" from a stored checkout snapshot: `checkout_id`, `value`, `currency`,
/// `products` (typed as in Checkout Started) and `url`, the recovery link. `None` for a
/// completed checkout or for anything that is not a checkout.
pub fn abandoned_checkout_event(checkout: &EntityChange, at_ms: i64) -> Option<CanonicalEvent> {
    let EntityChange::Checkout {
        token,
        updated_at_ms,
        customer_id,
        completed,
        total,
        currency,
        recovery_url,
        line_items,
    } = checkout
    else {
        return None;
    };
    if *completed {
        return None;
    }
    let mut props = Props::default();
    props
        .text("checkout_id", Some(token))
        .value("value", number(*total))
        .text("currency", Some(currency))
        .value(
            "products",
            match line_items {
                Value::Array(_) => line_items.clone(),
                _ => Value::Array(Vec::new()),
            },
        )
        .text("url", recovery_url.as_deref());
    let mut event = CanonicalEvent::new(
        EventKind::CheckoutAbandoned,
        format!("checkout_abandoned:checkout:{token}:{updated_at_ms}"),
        at_ms,
    );
    event.customer_id = customer_id.clone();
    event.checkout_token = Some(token.clone());
    event.properties = props.build();
    Some(event)
}
