//! The install backfill of one shop (see `crate::backfill`): queued with the shop's setup,
//! sleeping while Shopify prepares each bulk export.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct Backfill {
    pub shop_id: String,
}

impl Backfill {
    pub const KIND: &'static str = "backfill";

    /// One live backfill job per shop.
    pub fn key(shop_id: &str) -> String {
        format!("backfill:{shop_id}")
    }

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        crate::backfill::run(app, &self.shop_id).await
    }
}
