//! What follows an install, off the OAuth callback's path: the shop's details and its webhook
//! subscriptions, through the Admin API. Enqueued with the provisioning that causes it; retried
//! with backoff when Shopify is unreachable or throttles for too long.

use serde::{Deserialize, Serialize};

use super::JobError;
use crate::state::App;

#[derive(Debug, Serialize, Deserialize)]
pub struct SetUpShop {
    pub shop_id: String,
}

impl SetUpShop {
    pub const KIND: &'static str = "set_up_shop";

    pub async fn run(self, app: &App) -> Result<(), JobError> {
        let shop = crate::tenants::shop_by_id(&app.db, &self.shop_id)
            .await
            .map_err(|err| JobError::Retry(err.to_string()))?;
        // Uninstalled (or erased) meanwhile: nothing to set up.
        let Some(shop) = shop.filter(|s| s.is_installed()) else {
            return Ok(());
        };
        crate::install::after_install(app, &shop)
            .await
            .map_err(JobError::Retry)?;
        // History next, once the shop can be read (a reinstall keeps what it has).
        let _turn = app.db.write_turn().await?;
        let mut conn = app.db.pool().acquire().await?;
        crate::backfill::enqueue_in(&mut conn, &self.shop_id, app.config.backfill.days).await?;
        app.jobs_notify.notify_waiters();
        Ok(())
    }
}
