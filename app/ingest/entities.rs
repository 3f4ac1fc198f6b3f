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
            placed_at_ms,
        } => {
            sqlx::query(
                "INSERT INTO orders (shop_id, order_id, updated_at, customer_id, financial_status, fulfillment_status, cancelled, \
                 total, currency, checkout_token, cart_token, version_at, placed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                 ON CONFLICT (shop_id, order_id) DO UPDATE SET updated_at = excluded.updated_at, version_at = excluded.version_at, customer_id = excluded.customer_id, \
                 financial_status = excluded.financial_status, fulfillment_status = excluded.fulfillment_status, \
                 cancelled = excluded.cancelled, total = excluded.total, currency = excluded.currency, \
                 checkout_token = COALESCE(excluded.checkout_token, orders.checkout_token), \
                 cart_token = COALESCE(excluded.cart_token, orders.cart_token), \
                 placed_at = COALESCE(excluded.placed_at, orders.placed_at) \
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
            .bind(*placed_at_ms)
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
            created_at_ms,
            verified_email,
            email_opt_in_level,
            sms_opt_in_level,
            email_consent_at_ms,
            sms_consent_at_ms,
        } => {
            sqlx::query(
                "INSERT INTO customers (shop_id, customer_id, updated_at, state, tags, email_marketing, sms_marketing, deleted, version_at, \
                 customer_created_at, verified_email, email_opt_in, sms_opt_in, email_consent_at, sms_consent_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (shop_id, customer_id) DO UPDATE SET \
                 updated_at = excluded.updated_at, version_at = excluded.version_at, state = COALESCE(excluded.state, customers.state), \
                 tags = CASE WHEN $16 = 1 THEN excluded.tags ELSE customers.tags END, \
                 email_marketing = CASE WHEN COALESCE(excluded.email_consent_at, 0) >= COALESCE(customers.email_consent_at, 0) \
                   THEN COALESCE(excluded.email_marketing, customers.email_marketing) ELSE customers.email_marketing END, \
                 email_opt_in = CASE WHEN COALESCE(excluded.email_consent_at, 0) >= COALESCE(customers.email_consent_at, 0) \
                   THEN COALESCE(excluded.email_opt_in, customers.email_opt_in) ELSE customers.email_opt_in END, \
                 email_consent_at = CASE WHEN COALESCE(excluded.email_consent_at, 0) >= COALESCE(customers.email_consent_at, 0) \
                   THEN COALESCE(excluded.email_consent_at, customers.email_consent_at) ELSE customers.email_consent_at END, \
                 sms_marketing = CASE WHEN COALESCE(excluded.sms_consent_at, 0) >= COALESCE(customers.sms_consent_at, 0) \
                   THEN COALESCE(excluded.sms_marketing, customers.sms_marketing) ELSE customers.sms_marketing END, \
                 sms_opt_in = CASE WHEN COALESCE(excluded.sms_consent_at, 0) >= COALESCE(customers.sms_consent_at, 0) \
                   THEN COALESCE(excluded.sms_opt_in, customers.sms_opt_in) ELSE customers.sms_opt_in END, \
                 sms_consent_at = CASE WHEN COALESCE(excluded.sms_consent_at, 0) >= COALESCE(customers.sms_consent_at, 0) \
                   THEN COALESCE(excluded.sms_consent_at, customers.sms_consent_at) ELSE customers.sms_consent_at END, \
                 customer_created_at = COALESCE(excluded.customer_created_at, customers.customer_created_at), \
                 verified_email = COALESCE(excluded.verified_email, customers.verified_email), \
                 deleted = customers.deleted OR excluded.deleted WHERE (customers.updated_at, customers.version_at) <= (excluded.updated_at, excluded.version_at)",
            )
            .bind(shop_id)
            .bind(id)
            .bind(updated_at_ms)
            .bind(state.as_deref())
            .bind(tags.as_ref().map(|t| t.join(",")).unwrap_or_default())
            .bind(email_marketing.as_deref())
            .bind(sms_marketing.as_deref())
            .bind(*deleted)
            .bind(version_us)
            .bind(*created_at_ms)
            .bind(verified_email.map(i64::from))
            .bind(email_opt_in_level.as_deref())
            .bind(sms_opt_in_level.as_deref())
            .bind(*email_consent_at_ms)
            .bind(*sms_consent_at_ms)
            .bind(i64::from(tags.is_some()))
            .execute(&mut *conn)
            .await?;
            if let Some(tags) = tags {
                super::tags::snapshot(conn, shop_id, id, tags, *updated_at_ms).await?;
            }
        }
        EntityChange::CustomerTags {
            customer_id,
            tags,
            added,
            at_ms,
        } => {
            super::tags::change(conn, shop_id, customer_id, tags, *added, *at_ms).await?;
        }
        EntityChange::Consent {
            customer_id,
            channel,
            state,
            opt_in_level,
            updated_at_ms,
        } => {
            // A consent webhook may come before the customer's own: a stub row (updated_at 0)
            // holds the consent until the full snapshot arrives.
            let (state_col, level_col, at_col) = if channel == "sms" {
                ("sms_marketing", "sms_opt_in", "sms_consent_at")
            } else {
                ("email_marketing", "email_opt_in", "email_consent_at")
            };
            sqlx::query("INSERT INTO customers (shop_id, customer_id, updated_at) VALUES ($1, $2, 0) ON CONFLICT (shop_id, customer_id) DO NOTHING")
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            let sql = format!(
                "UPDATE customers SET {state_col} = COALESCE($1, {state_col}), {level_col} = COALESCE($2, {level_col}), {at_col} = $3 \
                 WHERE shop_id = $4 AND customer_id = $5 AND COALESCE({at_col}, 0) <= $3"
            );
            // Only the fixed column names above are interpolated; every value is bound.
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(state.as_deref())
                .bind(opt_in_level.as_deref())
                .bind(*updated_at_ms)
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
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
