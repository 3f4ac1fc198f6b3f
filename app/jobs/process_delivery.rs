//! Turns one stored webhook delivery into canonical events and state. Idempotent: a processed
//! delivery is skipped, and every write below it is keyed on business identity.

use serde::{Deserialize, Serialize};

use super::{Backfill, JobError, queue};
use crate::events::{self, MapError};
use crate::pii::{Vault, VaultError};
use crate::shopify::topics;
use crate::state::App;
use crate::store::ExecuteInTurn;

#[derive(Debug, Serialize, Deserialize)]
pub struct ProcessDelivery {
    pub delivery_id: i64,
}

impl ProcessDelivery {
    pub const KIND: &'static str = "process_delivery";

    /// One live job per delivery; the privacy work looks for these by key.
    pub fn key(delivery_id: i64) -> String {
        format!("delivery:{delivery_id}")
    }

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let row = sqlx::query_as::<_, (String, String, String, Option<Vec<u8>>, String, Option<String>, i64)>(
            "SELECT shop_id, topic, event_id, body_enc, status, triggered_at, received_at FROM webhook_deliveries WHERE id = $1",
        )
        .bind(self.delivery_id)
        .fetch_optional(app.db.pool())
        .await?;
        // Gone (shop redacted) or done already: nothing to do.
        let Some((shop_id, topic, event_id, body_enc, status, triggered_at, received_at)) = row
        else {
            return Ok(());
        };
        if status == "processed" {
            return Ok(());
        }
        let vault = match Vault::for_shop(&app.db, &app.config.master_key, &shop_id).await {
            Ok(vault) => vault,
            // The shop was erased after this delivery was taken in (another replica's cache):
            // its row goes too.
            Err(VaultError::NoShopKey(_)) => {
                sqlx::query("DELETE FROM webhook_deliveries WHERE id = $1")
                    .bind(self.delivery_id)
                    .execute_in_turn(&app.db)
                    .await?;
                return Ok(());
            }
            Err(err) => return Err(JobError::Retry(err.to_string())),
        };
        let Some(body_enc) = body_enc else {
            return crate::ingest::mark_processed(&app.db, self.delivery_id, None)
                .await
                .map_err(JobError::from);
        };
        let body =
            crate::webhooks::body::open(vault.sealer(), &shop_id, &topic, &event_id, &body_enc)
                .map_err(|err| JobError::Permanent(err.to_string()))?;

        if topic == crate::pixel::intake::TOPIC {
            return crate::pixel::process_batch(
                app,
                &vault,
                &shop_id,
                self.delivery_id,
                &body,
                received_at,
            )
            .await;
        }
        if topics::COMPLIANCE.contains(&topic.as_str()) {
            let request = events::parse_compliance(&topic, &body)
                .map_err(|err| JobError::Permanent(err.to_string()))?;
            return crate::privacy::record(app, &shop_id, self.delivery_id, request).await;
        }
        match topic.as_str() {
            "app/scopes_update" => {
                let shop = crate::tenants::shop_by_id(&app.db, &shop_id)
                    .await
                    .map_err(|e| JobError::Retry(e.to_string()))?;
                if let Some(shop) = shop.filter(|s| s.is_installed()) {
                    crate::install::check_scopes(app, &shop)
                        .await
                        .map_err(|e| JobError::Retry(e.to_string()))?;
                    crate::install::sync_webhooks(app, &shop).await;
                }
                return crate::ingest::mark_processed(&app.db, self.delivery_id, None)
                    .await
                    .map_err(JobError::from);
            }
            // A finished bulk operation: the backfill sleeping on it goes on now, not at its
            // next poll.
            "bulk_operations/finish" => {
                if queue::wake(&app.db, &shop_id, Backfill::KIND).await? > 0 {
                    app.jobs_notify.notify_waiters();
                }
                return crate::ingest::mark_processed(&app.db, self.delivery_id, None)
                    .await
                    .map_err(JobError::from);
            }
            // Lifecycle and platform topics carry no customer events; uninstall was handled at intake.
            "app/uninstalled" | "app_subscriptions/update" => {
                return crate::ingest::mark_processed(&app.db, self.delivery_id, None)
                    .await
                    .map_err(JobError::from);
            }
            _ => {}
        }
        // Shopify's trigger time (microseconds) dates payloads that carry no time of their own and
        // orders changes stamped in the same `updated_at` second; our receipt time stands in.
        let triggered_us = triggered_at
            .and_then(|t| {
                time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339).ok()
            })
            .map(|t| (t.unix_timestamp_nanos() / 1_000) as i64)
            .unwrap_or(received_at * 1000);
        let mapped = events::map_webhook_at(&topic, &body, triggered_us / 1000)
            .map_err(|err: MapError| JobError::Permanent(format!("{topic}: {err}")))?;
        crate::ingest::apply(
            app,
            &vault,
            &shop_id,
            Some(self.delivery_id),
            "webhook",
            mapped,
            triggered_us,
        )
        .await
    }
}
