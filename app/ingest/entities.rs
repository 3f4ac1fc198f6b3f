//! The latest state of each business object. A change is applied only when it is at least as new
//! (by Shopify's `updated_at`) as what is stored, so late or reordered deliveries cannot roll
//! state back.

use sqlx::AnyConnection;

use crate::events::EntityChange;
use crate::pii::Vault;

/// `version_us` (Shopify's trigger time in microseconds) orders changes stamped in the same
/// `updated_at` second.
pub async fn upsert(
    conn: &mut AnyConnection,
    vault: &Vault,
    shop_id: &str,
    change: &EntityChange,
    version_us: i64,
) -> Result<(), sqlx::Error> {
    match change {
        EntityChange::Order {
            id,
            updated_at_ms,
            customer_id,
            financial_status,
            fulfillment_status,
            cancelled,
            total,
            currency,
            checkout_token,
            cart_token,
        } => {
            sqlx::query(
                "INSERT INTO orders (shop_id, order_id, updated_at, customer_id, financial_status, fulfillment_status, cancelled, \
                 total, currency, checkout_token, cart_token, version_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                 ON CONFLICT (shop_id, order_id) DO UPDATE SET updated_at = excluded.updated_at, version_at = excluded.version_at, customer_id = excluded.customer_id, \
                 financial_status = excluded.financial_status, fulfillment_status = excluded.fulfillment_status, \
                 cancelled = excluded.cancelled, total = excluded.total, currency = excluded.currency, \
                 checkout_token = COALESCE(excluded.checkout_token, orders.checkout_token), \
                 cart_token = COALESCE(excluded.cart_token, orders.cart_token) \
                 WHERE (orders.updated_at, orders.version_at) <= (excluded.updated_at, excluded.version_at)",
            )
            .bind(shop_id)
            .bind(id)
            .bind(updated_at_ms)
            .bind(customer_id.as_deref())
            .bind(financial_status.as_deref())
            .bind(fulfillment_status.as_deref())
            .bind(*cancelled)
            .bind(total.to_string())
            .bind(currency)
            .bind(checkout_token.as_deref())
            .bind(cart_token.as_deref())
            .bind(version_us)
            .execute(conn)
            .await?;
        }
        EntityChange::Customer {
            id,
            updated_at_ms,
            state,
            tags,
            email_marketing,
            sms_marketing,
            deleted,
        } => {
            sqlx::query(
                "INSERT INTO customers (shop_id, customer_id, updated_at, state, tags, email_marketing, sms_marketing, deleted, version_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (shop_id, customer_id) DO UPDATE SET \
                 updated_at = excluded.updated_at, version_at = excluded.version_at, state = COALESCE(excluded.state, customers.state), \
                 tags = excluded.tags, email_marketing = COALESCE(excluded.email_marketing, customers.email_marketing), \
                 sms_marketing = COALESCE(excluded.sms_marketing, customers.sms_marketing), \
                 deleted = customers.deleted OR excluded.deleted WHERE (customers.updated_at, customers.version_at) <= (excluded.updated_at, excluded.version_at)",
            )
            .bind(shop_id)
            .bind(id)
            .bind(updated_at_ms)
            .bind(state.as_deref())
            .bind(tags.join(","))
            .bind(email_marketing.as_deref())
            .bind(sms_marketing.as_deref())
            .bind(*deleted)
            .bind(version_us)
            .execute(conn)
            .await?;
        }
        EntityChange::Product {
            id,
            updated_at_ms,
            title,
            vendor,
            product_type,
            status,
            deleted,
        } => {
            sqlx::query(
                "INSERT INTO products (shop_id, product_id, updated_at, title, vendor, product_type, status, deleted, version_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (shop_id, product_id) DO UPDATE SET \
                 updated_at = excluded.updated_at, version_at = excluded.version_at, title = COALESCE(excluded.title, products.title), \
                 vendor = COALESCE(excluded.vendor, products.vendor), product_type = COALESCE(excluded.product_type, products.product_type), \
                 status = COALESCE(excluded.status, products.status), deleted = products.deleted OR excluded.deleted \
                 WHERE (products.updated_at, products.version_at) <= (excluded.updated_at, excluded.version_at)",
            )
            .bind(shop_id)
            .bind(id)
            .bind(updated_at_ms)
            .bind(title.as_deref())
            .bind(vendor.as_deref())
            .bind(product_type.as_deref())
            .bind(status.as_deref())
            .bind(*deleted)
            .bind(version_us)
            .execute(conn)
            .await?;
        }
        EntityChange::Checkout {
            token,
            updated_at_ms,
            customer_id,
            completed,
            total,
            currency,
            recovery_url,
            line_items,
        } => {
            let recovery = recovery_url.as_ref().map(|url| {
                vault
                    .sealer()
                    .seal(url.as_bytes(), &recovery_context(shop_id, token))
            });
            sqlx::query(
                "INSERT INTO checkouts (shop_id, token, updated_at, customer_id, completed, total, currency, recovery_url_enc, line_items, \
                 version_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (shop_id, token) DO UPDATE SET \
                 updated_at = excluded.updated_at, version_at = excluded.version_at, customer_id = COALESCE(excluded.customer_id, checkouts.customer_id), \
                 completed = checkouts.completed OR excluded.completed, total = excluded.total, currency = excluded.currency, \
                 recovery_url_enc = COALESCE(excluded.recovery_url_enc, checkouts.recovery_url_enc), line_items = excluded.line_items \
                 WHERE (checkouts.updated_at, checkouts.version_at) <= (excluded.updated_at, excluded.version_at)",
            )
            .bind(shop_id)
            .bind(token)
            .bind(updated_at_ms)
            .bind(customer_id.as_deref())
            .bind(*completed)
            .bind(total.to_string())
            .bind(currency)
            .bind(recovery)
            .bind(line_items.to_string())
            .bind(version_us)
            .execute(conn)
            .await?;
        }
        EntityChange::CustomerMerge { kept, merged } => {
            for old in merged {
                sqlx::query(
                    "UPDATE customers SET merged_into = $1 WHERE shop_id = $2 AND customer_id = $3",
                )
                .bind(kept)
                .bind(shop_id)
                .bind(old)
                .execute(&mut *conn)
                .await?;
                // The merged customer's history now belongs to the one Shopify kept.
                for table in [
                    "UPDATE events SET customer_id = $1 WHERE shop_id = $2 AND customer_id = $3",
                    "UPDATE orders SET customer_id = $1 WHERE shop_id = $2 AND customer_id = $3",
                    "UPDATE checkouts SET customer_id = $1 WHERE shop_id = $2 AND customer_id = $3",
                ] {
                    sqlx::query(table)
                        .bind(kept)
                        .bind(shop_id)
                        .bind(old)
                        .execute(&mut *conn)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// A purchase completes its checkout even when the checkout's own webhook has not arrived yet.
pub async fn mark_checkout_completed(
    conn: &mut AnyConnection,
    shop_id: &str,
    token: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO checkouts (shop_id, token, updated_at, completed, total, currency) VALUES ($1, $2, 0, TRUE, '0', '') \
         ON CONFLICT (shop_id, token) DO UPDATE SET completed = TRUE",
    )
    .bind(shop_id)
    .bind(token)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether a purchase has completed this checkout (or an order names it).
pub async fn checkout_completed(
    conn: &mut AnyConnection,
    shop_id: &str,
    token: &str,
) -> Result<bool, sqlx::Error> {
    // Booleans are read as integers: the Any driver cannot decode SQLite's BOOLEAN.
    let completed: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM checkouts WHERE shop_id = $1 AND token = $2 AND completed",
    )
    .bind(shop_id)
    .bind(token)
    .fetch_one(&mut *conn)
    .await?;
    if completed > 0 {
        return Ok(true);
    }
    let ordered: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders WHERE shop_id = $1 AND checkout_token = $2",
    )
    .bind(shop_id)
    .bind(token)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ordered > 0)
}

pub fn recovery_context(shop_id: &str, token: &str) -> Vec<u8> {
    format!("checkout-recovery:{shop_id}:{token}").into_bytes()
}
