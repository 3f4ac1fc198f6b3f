//! `customers/data_request`: everything held about one customer, as one JSON document the
//! merchant downloads from the admin. Sealed at rest like the data it copies.

use serde_json::{Value, json};

use super::requests::{PrivacyRequest, export_context};
use crate::clock::now_ms;
use crate::jobs::JobError;
use crate::pii::Vault;
use crate::state::App;
use crate::store::ExecuteInTurn;

pub async fn fulfil(app: &App, request: &PrivacyRequest) -> Result<(), JobError> {
    let vault = Vault::for_shop(&app.db, &app.config.master_key, &request.shop_id)
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
    let db = &app.db;
    let shop_id = &request.shop_id;
    let mut document = json!({
        "request_id": request.id,
        "generated_at_ms": now_ms(),
        "customer_id": request.customer_id,
        "orders_requested": request.orders,
    });
    if let Some(customer_id) = &request.customer_id {
        let pii = vault
            .get(db, customer_id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        document["personal_data"] = match pii {
            Some(p) => json!({
                "email": p.email, "phone": p.phone, "first_name": p.first_name, "last_name": p.last_name,
                "default_address": p.address.and_then(|a| serde_json::from_str::<Value>(&a).ok()),
            }),
            None => Value::Null,
        };
        let customer = sqlx::query_as::<_, (i64, Option<String>, String, Option<String>, Option<String>, i64, Option<String>)>(
            "SELECT updated_at, state, tags, email_marketing, sms_marketing, CAST(CASE WHEN deleted THEN 1 ELSE 0 END AS BIGINT), \
             merged_into FROM customers \
             WHERE shop_id = $1 AND customer_id = $2",
        )
        .bind(shop_id)
        .bind(customer_id)
        .fetch_optional(db.pool())
        .await?;
        document["customer"] = customer
            .map(|(updated_at, state, tags, email, sms, deleted, merged_into)| {
                json!({ "updated_at_ms": updated_at, "state": state, "tags": tags, "email_marketing": email,
                        "sms_marketing": sms, "deleted": deleted == 1, "merged_into": merged_into })
            })
            .unwrap_or(Value::Null);
    }
    let mut events = Vec::new();
    let mut order_ids: Vec<String> = request.orders.clone();
    if let Some(customer_id) = &request.customer_id {
        let owned: Vec<String> = sqlx::query_scalar(
            "SELECT order_id FROM orders WHERE shop_id = $1 AND customer_id = $2",
        )
        .bind(shop_id)
        .bind(customer_id)
        .fetch_all(db.pool())
        .await?;
        order_ids.extend(owned);
        let rows: Vec<(String, Option<String>, i64, String, String)> = sqlx::query_as(
            "SELECT kind, segment_name, occurred_at, properties, source FROM events WHERE shop_id = $1 AND customer_id = $2 ORDER BY occurred_at",
        )
        .bind(shop_id)
        .bind(customer_id)
        .fetch_all(db.pool())
        .await?;
        events.extend(rows);
    }
    order_ids.sort();
    order_ids.dedup();
    let mut orders = Vec::new();
    for order_id in &order_ids {
        let order = sqlx::query_as::<_, (String, Option<String>, Option<String>, i64, String, String)>(
            "SELECT order_id, financial_status, fulfillment_status, CAST(CASE WHEN cancelled THEN 1 ELSE 0 END AS BIGINT), total, \
             currency FROM orders WHERE shop_id = $1 AND order_id = $2",
        )
        .bind(shop_id)
        .bind(order_id)
        .fetch_optional(db.pool())
        .await?;
        if let Some((id, financial, fulfillment, cancelled, total, currency)) = order {
            orders.push(json!({ "order_id": id, "financial_status": financial, "fulfillment_status": fulfillment,
                                "cancelled": cancelled == 1, "total": total, "currency": currency }));
        }
        if request.customer_id.is_none() {
            let rows: Vec<(String, Option<String>, i64, String, String)> = sqlx::query_as(
                "SELECT kind, segment_name, occurred_at, properties, source FROM events WHERE shop_id = $1 AND order_id = $2 ORDER BY occurred_at",
            )
            .bind(shop_id)
            .bind(order_id)
            .fetch_all(db.pool())
            .await?;
            events.extend(rows);
        }
    }
    document["orders"] = Value::Array(orders);
    document["events"] = Value::Array(
        events
            .into_iter()
            .map(|(kind, segment, at, properties, source)| {
                json!({ "event": kind, "segment_event": segment, "occurred_at_ms": at, "source": source,
                        "properties": serde_json::from_str::<Value>(&properties).unwrap_or(Value::Null) })
            })
            .collect(),
    );
    let sealed = vault.sealer().seal(
        document.to_string().as_bytes(),
        &export_context(shop_id, &request.id),
    );
    sqlx::query("UPDATE privacy_requests SET status = 'done', completed_at = $1, export_enc = $2 WHERE id = $3")
        .bind(now_ms())
        .bind(sealed)
        .bind(&request.id)
        .execute_in_turn(db)
        .await?;
    tracing::info!(shop_id = %shop_id, request = %request.id, "data request fulfilled");
    Ok(())
}
