//! Carries out one recorded privacy request (export, customer redaction, shop redaction).

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct PrivacyWork {
    pub request_id: String,
}

impl PrivacyWork {
    pub const KIND: &'static str = "privacy_request";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        crate::privacy::carry_out(app, &self.request_id).await
    }
}
