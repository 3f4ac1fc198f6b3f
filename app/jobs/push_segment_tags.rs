//! Pushes a segment's membership changes to Shopify as `segops:<slug>` customer tags (or clears
//! them after the segment left tag mode). With `poll`, the job follows a running bulk mutation:
//! it asks Shopify, and while Shopify works it queues itself again for later instead of holding
//! a worker.

use serde::{Deserialize, Serialize};

use super::{JobError, NewJob, queue};
use crate::segments_store::{self, POLL_INTERVAL_MS, PushError, PushOutcome, StoreError};
use crate::state::App;
use crate::tenants;

#[derive(Debug, Serialize, Deserialize)]
pub struct PushSegmentTags {
    pub shop_id: String,
    pub segment_id: String,
    /// This job owns the segment's bulk mutation in flight.
    #[serde(default)]
    pub poll: bool,
}

impl PushSegmentTags {
    pub const KIND: &'static str = "push_segment_tags";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let shop = tenants::shop_by_id(&app.db, &self.shop_id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let Some(shop) = shop.filter(tenants::ShopRecord::is_installed) else {
            // Uninstalled: nothing can reach Shopify; the rows stay unpushed for a reinstall.
            return Ok(());
        };
        let client = match app.shop_client(&shop) {
            Ok(Some(client)) => client,
            Ok(None) => return Ok(()),
            Err(err) => return Err(JobError::Permanent(err.to_string())),
        };
        let pushed =
            segments_store::push_tags(&app.db, &client, &self.shop_id, &self.segment_id, self.poll)
                .await;
        match pushed {
            Ok(PushOutcome::Waiting) => {
                let mut next = NewJob::now(&self.shop_id, Self::KIND, &self);
                next.run_at += POLL_INTERVAL_MS;
                let _turn = app.db.write_turn().await?;
                let mut conn = app.db.pool().acquire().await?;
                queue::enqueue(&mut conn, &next).await?;
                Ok(())
            }
            // The reason is on the segment for the merchant; retrying later may get through.
            Ok(PushOutcome::Failed { reason }) => Err(JobError::Retry(reason)),
            Ok(_) => Ok(()),
            Err(PushError::Store(StoreError::Db(err))) => {
                Err(JobError::Retry(format!("database: {err}")))
            }
            Err(PushError::Slug(reason)) => Err(JobError::Permanent(reason)),
            Err(err) => Err(JobError::Retry(err.to_string())),
        }
    }
}
