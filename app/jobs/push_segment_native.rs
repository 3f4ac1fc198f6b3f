//! Pushes a native-mode segment as a Shopify customer segment and reads Shopify's member count
//! back; after the segment left native mode, deletes the Shopify segment SegOps made.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::segments_store::{self, PushError, StoreError};
use crate::state::App;
use crate::tenants;

#[derive(Debug, Serialize, Deserialize)]
pub struct PushSegmentNative {
    pub shop_id: String,
    pub segment_id: String,
}

impl PushSegmentNative {
    pub const KIND: &'static str = "push_segment_native";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let shop = tenants::shop_by_id(&app.db, &self.shop_id)
            .await
            .map_err(|e| JobError::Retry(e.to_string()))?;
        let Some(shop) = shop.filter(tenants::ShopRecord::is_installed) else {
            return Ok(());
        };
        let client = match app.shop_client(&shop) {
            Ok(Some(client)) => client,
            Ok(None) => return Ok(()),
            Err(err) => return Err(JobError::Permanent(err.to_string())),
        };
        match segments_store::push_native(&app.db, &client, &self.shop_id, &self.segment_id).await {
            Ok(_) => Ok(()),
            Err(PushError::Store(StoreError::Db(err))) => {
                Err(JobError::Retry(format!("database: {err}")))
            }
            // The rule changed to one Shopify cannot express: the reason is on the segment.
            Err(PushError::NotNative(not)) => Err(JobError::Permanent(not.to_string())),
            Err(err) => Err(JobError::Retry(err.to_string())),
        }
    }
}
