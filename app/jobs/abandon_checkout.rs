//! Fires when a checkout's abandonment window ends: unless it was completed meanwhile, it emits
//! `checkout_abandoned` from the stored checkout. A purchase cancels the timer; this job checks
//! again anyway, since the purchase may be committed in the same instant.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::clock::now_ms;
use crate::events::{self, EntityChange};
use crate::ingest::entities::recovery_context;
use crate::pii::{Vault, VaultError};
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct AbandonCheckout {
    pub shop_id: String,
    pub token: String,
}

type CheckoutRow = (
    i64,
    Option<String>,
    i64,
    String,
    String,
    Option<Vec<u8>>,
    String,
    Option<i64>,
);

impl AbandonCheckout {
    pub const KIND: &'static str = "abandon_checkout";

    pub fn key(shop_id: &str, token: &str) -> String {
        format!("abandon:{shop_id}:{token}")
    }

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let row: Option<CheckoutRow> = sqlx::query_as(
            "SELECT updated_at, customer_id, CAST(CASE WHEN completed THEN 1 ELSE 0 END AS BIGINT), total, currency, recovery_url_enc, line_items, abandoned_at \
             FROM checkouts WHERE shop_id = $1 AND token = $2",
        )
        .bind(&self.shop_id)
        .bind(&self.token)
        .fetch_optional(app.db.pool())
        .await?;
        let Some((
            updated_at,
            customer_id,
            completed,
            total,
            currency,
            recovery_enc,
            line_items,
            abandoned_at,
        )) = row
        else {
            return Ok(());
        };
        let ordered: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM orders WHERE shop_id = $1 AND checkout_token = $2",
        )
        .bind(&self.shop_id)
        .bind(&self.token)
        .fetch_one(app.db.pool())
        .await?;
        let completed = completed == 1;
        if completed || abandoned_at.is_some() || ordered > 0 {
            return Ok(());
        }
        let vault = match Vault::for_shop(&app.db, &app.config.master_key, &self.shop_id).await {
            Ok(vault) => vault,
            Err(VaultError::NoShopKey(_)) => return Ok(()),
            Err(err) => return Err(JobError::Retry(err.to_string())),
        };
        let recovery_url = recovery_enc.and_then(|sealed| {
            vault
                .sealer()
                .open_string(&sealed, &recovery_context(&self.shop_id, &self.token))
                .ok()
        });
        let checkout = EntityChange::Checkout {
            token: self.token.clone(),
            updated_at_ms: updated_at,
            customer_id,
            completed,
            total: total.parse().map_err(|_| {
                JobError::Permanent(format!("stored total {total:?} is not a decimal"))
            })?,
            currency,
            recovery_url,
            line_items: serde_json::from_str(&line_items)
                .unwrap_or(serde_json::Value::Array(Vec::new())),
        };
        let now = now_ms();
        let Some(event) = events::abandoned_checkout_event(&checkout, now) else {
            return Ok(());
        };
        let mut conn = app.db.begin_write().await?;
        let result = async {
            crate::ingest::insert_event(&mut conn, &self.shop_id, None, "timer", &event).await?;
            sqlx::query("UPDATE checkouts SET abandoned_at = $1 WHERE shop_id = $2 AND token = $3")
                .bind(now)
                .bind(&self.shop_id)
                .bind(&self.token)
                .execute(&mut *conn)
                .await?;
            Ok::<_, sqlx::Error>(())
        }
        .await;
        match result {
            Ok(()) => conn.commit().await.map(|_| ())?,
            Err(err) => {
                let _ = conn.rollback().await;
                return Err(err.into());
            }
        }
        Ok(())
    }
}
