//! Re-evaluates the people a delivery changed against the shop's segments.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::segments_store::{self, StoreError};
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct EvaluateMembership {
    pub shop_id: String,
    pub person_ids: Vec<String>,
}

impl EvaluateMembership {
    pub const KIND: &'static str = "evaluate_membership";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let done = segments_store::evaluate_people(&app.db, &self.shop_id, &self.person_ids)
            .await
            .map_err(store_error)?;
        if done.entered + done.left > 0 {
            tracing::debug!(shop_id = %self.shop_id, entered = done.entered, left = done.left, "memberships changed");
        }
        Ok(())
    }
}

/// A stored rule that no longer reads cannot improve on retry; a database error can.
pub(super) fn store_error(err: StoreError) -> JobError {
    match err {
        StoreError::Db(err) => JobError::Retry(format!("database: {err}")),
        other => JobError::Permanent(other.to_string()),
    }
}
