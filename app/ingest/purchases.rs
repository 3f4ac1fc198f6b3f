//! One purchase per order, whether the storefront's `checkout_completed` or the server's
//! `orders/paid` arrives first. Both are keyed on the normalised order id; a pixel purchase
//! that does not carry the order id yet is keyed on its checkout token until an order names
//! that token. The spec's names stay as they are ("Order Completed"); only the key decides.

use sqlx::AnyConnection;

use crate::events::{CanonicalEvent, EventKind};

fn order_key(order_id: &str) -> String {
    format!("purchase:order:{order_id}")
}

fn checkout_key(token: &str) -> String {
    format!("purchase:checkout:{token}")
}

/// The event with its final dedupe key; moves an earlier token-keyed pixel purchase under the
/// order's key when this event knows both.
pub async fn reconcile(
    conn: &mut AnyConnection,
    shop_id: &str,
    event: &CanonicalEvent,
) -> Result<CanonicalEvent, sqlx::Error> {
    let mut event = event.clone();
    if event.kind != EventKind::Purchase {
        return Ok(event);
    }
    let Some(token) = event.checkout_token.clone() else {
        return Ok(event);
    };
    if event.order_id.is_none() {
        let order = sqlx::query_scalar::<_, String>(
            "SELECT order_id FROM orders WHERE shop_id = $1 AND checkout_token = $2",
        )
        .bind(shop_id)
        .bind(&token)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(order) = order {
            event.dedupe_key = order_key(&order);
            event
                .properties
                .insert("order_id".into(), serde_json::Value::String(order.clone()));
            event.order_id = Some(order);
        }
        return Ok(event);
    }
    let Some(order) = event.order_id.clone() else {
        return Ok(event);
    };
    // A token-keyed twin of this purchase: drop it when the order-keyed one exists already,
    // otherwise rename it, so the insert below meets it as a duplicate.
    sqlx::query(
        "DELETE FROM events WHERE shop_id = $1 AND dedupe_key = $2 \
         AND EXISTS (SELECT 1 FROM events o WHERE o.shop_id = $1 AND o.dedupe_key = $3)",
    )
    .bind(shop_id)
    .bind(checkout_key(&token))
    .bind(order_key(&order))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE events SET dedupe_key = $1, order_id = $2 WHERE shop_id = $3 AND dedupe_key = $4",
    )
    .bind(order_key(&order))
    .bind(&order)
    .bind(shop_id)
    .bind(checkout_key(&token))
    .execute(&mut *conn)
    .await?;
    Ok(event)
}

/// The server's copy of a purchase the storefront reported first: its figures are the
/// order's own, so they replace the browser's; the visitor link stays.
pub async fn prefer_server_copy(
    conn: &mut AnyConnection,
    shop_id: &str,
    event: &CanonicalEvent,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE events SET properties = $1, customer_id = COALESCE($2, customer_id), order_id = COALESCE($3, order_id), \
         source = 'webhook' WHERE shop_id = $4 AND dedupe_key = $5 AND source = 'pixel'",
    )
    .bind(serde_json::Value::Object(event.properties.clone()).to_string())
    .bind(event.customer_id.as_deref())
    .bind(event.order_id.as_deref())
    .bind(shop_id)
    .bind(&event.dedupe_key)
    .execute(conn)
    .await?;
    Ok(())
}
