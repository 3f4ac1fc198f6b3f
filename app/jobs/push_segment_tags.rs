//! Pushes a tag-mode segment's membership changes to Shopify as `segops:<slug>` customer tags.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::segments_store::{self, PushError, StoreError};
use crate::state::App;
use crate::tenants;

#[derive(Debug, Serialize, Deserialize)]
pub struct PushSegmentTags {
    pub shop_id: String,
    pub segment_id: String,
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
        match segments_store::push_tags(&app.db, &client, &self.shop_id, &self.segment_id).await {
            Ok(_) => Ok(()),
            Err(PushError::Store(StoreError::Db(err))) => {
                Err(JobError::Retry(format!("database: {err}")))
            }
            Err(PushError::Slug(reason)) => Err(JobError::Permanent(reason)),
            Err(err) => Err(JobError::Retry(err.to_string())),
        }
    }
}
