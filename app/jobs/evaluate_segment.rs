//! Evaluates every profile of a shop against one segment: after it is created, or on demand.

use serde::{Deserialize, Serialize};

use super::JobError;
use super::evaluate_membership::store_error;
use crate::segments_store;
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct EvaluateSegment {
    pub shop_id: String,
    pub segment_id: String,
}

impl EvaluateSegment {
    pub const KIND: &'static str = "evaluate_segment";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let done = segments_store::reevaluate_segment(&app.db, &self.shop_id, &self.segment_id)
            .await
            .map_err(store_error)?;
        tracing::info!(shop_id = %self.shop_id, segment_id = %self.segment_id, entered = done.entered, left = done.left, "segment evaluated");
        Ok(())
    }
}
