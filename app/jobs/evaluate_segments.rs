//! Evaluates every profile of a shop against several of its segments in one pass over the
//! profiles: the daily sweep of the segments whose windows slide.

use serde::{Deserialize, Serialize};

use super::JobError;
use super::evaluate_membership::store_error;
use crate::segments_store::{self, FullOptions};
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct EvaluateSegments {
    pub shop_id: String,
    /// Segments deleted since the job was queued are skipped.
    pub segment_ids: Vec<String>,
}

impl EvaluateSegments {
    pub const KIND: &'static str = "evaluate_segments";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let done = segments_store::evaluate_segments(
            &app.db,
            &self.shop_id,
            &self.segment_ids,
            &FullOptions::default(),
        )
        .await
        .map_err(store_error)?;
        tracing::info!(shop_id = %self.shop_id, segments = done.segments, entered = done.entered, left = done.left, "segments evaluated");
        Ok(())
    }
}
