//! The scheduled purge of what is older than a shop's retention period.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct PurgeExpired {
    pub shop_id: String,
}

impl PurgeExpired {
    pub const KIND: &'static str = "purge_expired";

    /// One purge per shop per day, however many workers or replicas schedule it.
    pub fn key(shop_id: &str, day: i64) -> String {
        format!("purge:{shop_id}:{day}")
    }

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let purged = crate::privacy::retention::purge(&app.db, &self.shop_id).await?;
        if purged != crate::privacy::retention::Purged::default() {
            tracing::info!(shop_id = %self.shop_id, deliveries = purged.deliveries, events = purged.events, "purged data past retention");
        }
        Ok(())
    }
}
