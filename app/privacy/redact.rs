//! Erasure. A redacted customer's personal data is deleted; their events and orders stay, under
//! a random pseudonym, so counts and revenue (anonymous aggregates) stay right. A redacted shop
//! leaves no row behind, and its data key's salt goes with it.

use super::requests::PrivacyRequest;
use crate::clock::now_ms;
use crate::jobs::JobError;
use crate::pii::Vault;
use crate::state::App;

pub async fn customer(app: &App, request: &PrivacyRequest) -> Result<(), JobError> {
    let shop_id = request.shop_id.as_str();
    let pseudonym = format!("redacted-{}", uuid::Uuid::new_v4().simple());
    let vault = Vault::for_shop(&app.db, &app.config.master_key, shop_id)
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
    // Deliveries that were never processed (parked) may still name the customer: look inside.
    let unprocessed = unprocessed_mentioning(app, &vault, shop_id, request).await?;

    let mut conn = app.db.begin_write().await?;
    let result = async {
        // Excludes the ingest's transactions of this shop (see `privacy::erased`).
        crate::identity::lock_shop(&mut conn, shop_id).await?;
        for delivery_id in &unprocessed {
            sqlx::query("UPDATE webhook_deliveries SET body_enc = NULL WHERE shop_id = $1 AND id = $2")
                .bind(shop_id)
                .bind(delivery_id)
                .execute(&mut *conn)
                .await?;
        }
        for order_id in &request.orders {
            sqlx::query(
                "UPDATE webhook_deliveries SET body_enc = NULL WHERE shop_id = $1 AND id IN \
                 (SELECT delivery_id FROM events WHERE shop_id = $1 AND order_id = $2 AND delivery_id IS NOT NULL)",
            )
            .bind(shop_id)
            .bind(order_id)
            .execute(&mut *conn)
            .await?;
            for sql in [
                "UPDATE events SET customer_id = $1 WHERE shop_id = $2 AND order_id = $3",
                "UPDATE orders SET customer_id = $1 WHERE shop_id = $2 AND order_id = $3",
            ] {
                sqlx::query(sql).bind(&pseudonym).bind(shop_id).bind(order_id).execute(&mut *conn).await?;
            }
        }
        if let Some(customer_id) = &request.customer_id {
            // Remembered by a keyed hash, so a history import that read them from Shopify before
            // the erasure does not store them again (`backfill`).
            sqlx::query(
                "INSERT INTO redacted_customers (shop_id, customer_hash, redacted_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (shop_id, customer_hash) DO NOTHING",
            )
            .bind(shop_id)
            .bind(vault.customer_hash(customer_id))
            .bind(now_ms())
            .execute(&mut *conn)
            .await?;
            // Their identities (visitor ids, tokens, email hash) and profile leave the graph;
            // their events stay, under the pseudonym, for the shop's aggregate figures.
            let person: Option<String> = sqlx::query_scalar(
                "SELECT person_id FROM identities WHERE shop_id = $1 AND kind = 'customer' AND value = $2",
            )
            .bind(shop_id)
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(person) = person {
                sqlx::query(
                    "DELETE FROM stitch_attempts WHERE shop_id = $1 AND anonymous_id IN \
                     (SELECT value FROM identities WHERE shop_id = $1 AND person_id = $2 AND kind = 'anonymous')",
                )
                .bind(shop_id)
                .bind(&person)
                .execute(&mut *conn)
                .await?;
                sqlx::query("UPDATE events SET person_id = $1, anonymous_id = NULL WHERE shop_id = $2 AND person_id = $3")
                    .bind(format!("redacted:{pseudonym}"))
                    .bind(shop_id)
                    .bind(&person)
                    .execute(&mut *conn)
                    .await?;
                for sql in [
                    "DELETE FROM identities WHERE shop_id = $1 AND person_id = $2",
                    "DELETE FROM profiles WHERE shop_id = $1 AND person_id = $2",
                    // Both keyed by segment first: the segment list makes these lookups, not scans.
                    "DELETE FROM memberships WHERE shop_id = $1 AND person_id = $2 \
                     AND segment_id IN (SELECT id FROM segments WHERE shop_id = $1)",
                    "DELETE FROM segment_push_lines WHERE shop_id = $1 AND person_id = $2 \
                     AND segment_id IN (SELECT id FROM segments WHERE shop_id = $1)",
                ] {
                    sqlx::query(sql).bind(shop_id).bind(&person).execute(&mut *conn).await?;
                }
            }
            sqlx::query("DELETE FROM aliases WHERE shop_id = $1 AND user_id = $2")
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            for sql in [
                "DELETE FROM customer_pii WHERE shop_id = $1 AND customer_id = $2",
                // The values SegOps wrote onto the customer in Shopify: Shopify erases the
                // customer itself.
                "DELETE FROM trait_metafields WHERE shop_id = $1 AND customer_id = $2",
                "DELETE FROM customer_tags WHERE shop_id = $1 AND customer_id = $2",
            ] {
                sqlx::query(sql).bind(shop_id).bind(customer_id).execute(&mut *conn).await?;
            }
            sqlx::query("UPDATE webhook_deliveries SET body_enc = NULL, customer_id = $1 WHERE shop_id = $2 AND customer_id = $3")
                .bind(&pseudonym)
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE pii_access_log SET customer_id = $1 WHERE shop_id = $2 AND customer_id = $3")
                .bind(&pseudonym)
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            // Earlier requests about them go too, exports (which hold their data) included.
            sqlx::query("UPDATE privacy_requests SET customer_id = $1, export_enc = NULL WHERE shop_id = $2 AND customer_id = $3")
                .bind(&pseudonym)
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE checkouts SET customer_id = $1, recovery_url_enc = NULL WHERE shop_id = $2 AND customer_id = $3")
                .bind(&pseudonym)
                .bind(shop_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
            // Dedupe keys and properties may spell the customer's id too.
            sqlx::query(
                "UPDATE events SET customer_id = $1, dedupe_key = REPLACE(dedupe_key, $3, $1), \
                 properties = REPLACE(properties, $3, $1) WHERE shop_id = $2 AND (customer_id = $3 OR dedupe_key LIKE '%' || $3 || '%')",
            )
            .bind(&pseudonym)
            .bind(shop_id)
            .bind(customer_id)
            .execute(&mut *conn)
            .await?;
            for sql in [
                "UPDATE orders SET customer_id = $1 WHERE shop_id = $2 AND customer_id = $3",
                "UPDATE customers SET customer_id = $1, tags = '' WHERE shop_id = $2 AND customer_id = $3",
                "UPDATE customers SET merged_into = $1 WHERE shop_id = $2 AND merged_into = $3",
            ] {
                sqlx::query(sql).bind(&pseudonym).bind(shop_id).bind(customer_id).execute(&mut *conn).await?;
            }
        }
        sqlx::query("UPDATE privacy_requests SET status = 'done', completed_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(&request.id)
            .execute(&mut *conn)
            .await?;
        Ok::<_, sqlx::Error>(())
    }
    .await;
    finish(conn, result).await?;
    tracing::info!(shop_id, request = %request.id, "customer redacted");
    Ok(())
}

/// Ids of this shop's unprocessed deliveries whose body mentions the customer or their orders.
async fn unprocessed_mentioning(
    app: &App,
    vault: &Vault,
    shop_id: &str,
    request: &PrivacyRequest,
) -> Result<Vec<i64>, JobError> {
    let rows: Vec<(i64, String, String, Vec<u8>)> = sqlx::query_as(
        "SELECT id, topic, event_id, body_enc FROM webhook_deliveries WHERE shop_id = $1 AND status <> 'processed' AND body_enc IS NOT NULL",
    )
    .bind(shop_id)
    .fetch_all(app.db.pool())
    .await?;
    let needles: Vec<&str> = request
        .customer_id
        .iter()
        .chain(&request.orders)
        .map(String::as_str)
        .collect();
    Ok(rows
        .into_iter()
        .filter(|(_, topic, event_id, sealed)| {
            crate::webhooks::body::open(vault.sealer(), shop_id, topic, event_id, sealed)
                .map(|body| {
                    needles
                        .iter()
                        .any(|n| body.windows(n.len()).any(|w| w == n.as_bytes()))
                })
                .unwrap_or(false)
        })
        .map(|(id, ..)| id)
        .collect())
}

/// Every table that holds rows of a shop, children first.
const SHOP_TABLES: &[&str] = &[
    "DELETE FROM jobs WHERE shop_id = $1",
    "DELETE FROM pending_evaluations WHERE shop_id = $1",
    "DELETE FROM events WHERE shop_id = $1",
    "DELETE FROM orders WHERE shop_id = $1",
    "DELETE FROM customer_tags WHERE shop_id = $1",
    "DELETE FROM customers WHERE shop_id = $1",
    "DELETE FROM products WHERE shop_id = $1",
    "DELETE FROM checkouts WHERE shop_id = $1",
    "DELETE FROM customer_pii WHERE shop_id = $1",
    "DELETE FROM trait_metafields WHERE shop_id = $1",
    "DELETE FROM redacted_customers WHERE shop_id = $1",
    "DELETE FROM webhook_deliveries WHERE shop_id = $1",
    "DELETE FROM privacy_requests WHERE shop_id = $1",
    "DELETE FROM data_health WHERE shop_id = $1",
    "DELETE FROM pii_access_log WHERE shop_id = $1",
    "DELETE FROM identities WHERE shop_id = $1",
    "DELETE FROM aliases WHERE shop_id = $1",
    "DELETE FROM stitch_attempts WHERE shop_id = $1",
    "DELETE FROM profiles WHERE shop_id = $1",
    "DELETE FROM pixels WHERE shop_id = $1",
    // Memberships are keyed by segment: the shop's segments (deleted after) find its rows.
    "DELETE FROM memberships WHERE shop_id = $1 \
     AND segment_id IN (SELECT id FROM segments WHERE shop_id = $1)",
    "DELETE FROM segment_push_lines WHERE shop_id = $1",
    "DELETE FROM segment_pushes WHERE shop_id = $1",
    "DELETE FROM segments WHERE shop_id = $1",
    "DELETE FROM discount_rules WHERE shop_id = $1",
    "DELETE FROM shop_discounts WHERE shop_id = $1",
    "DELETE FROM backfills WHERE shop_id = $1",
];

pub async fn shop(app: &App, request: &PrivacyRequest) -> Result<(), JobError> {
    let shop_id = request.shop_id.as_str();
    let shop = crate::tenants::shop_by_id(&app.db, shop_id)
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
    let mut conn = app.db.begin_write().await?;
    let result = async {
        for sql in SHOP_TABLES {
            sqlx::query(*sql).bind(shop_id).execute(&mut *conn).await?;
        }
        if let Some(shop) = &shop {
            sqlx::query("DELETE FROM oauth_states WHERE shop_domain = $1")
                .bind(shop.domain.as_str())
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM shops WHERE id = $1")
                .bind(shop_id)
                .execute(&mut *conn)
                .await?;
            // The workspace goes too when no other shop is attached to it.
            let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shops WHERE tenant_id = $1")
                .bind(&shop.tenant_id)
                .fetch_one(&mut *conn)
                .await?;
            if others == 0 {
                sqlx::query("DELETE FROM oauth_states WHERE connect_tenant_id = $1")
                    .bind(&shop.tenant_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM api_keys WHERE tenant_id = $1")
                    .bind(&shop.tenant_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM tenants WHERE id = $1")
                    .bind(&shop.tenant_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    finish(conn, result).await?;
    if let Some(shop) = &shop {
        app.shop_keys.forget(&shop.domain);
        tracing::info!(shop = %shop.domain, "shop redacted: every row erased");
    }
    Ok(())
}

async fn finish(
    conn: crate::store::WriteTx<'_>,
    result: Result<(), sqlx::Error>,
) -> Result<(), JobError> {
    match result {
        Ok(()) => {
            conn.commit().await?;
            Ok(())
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err.into())
        }
    }
}
