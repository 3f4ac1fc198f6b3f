//! The one application state every handler receives.

use std::ops::Deref;
use std::sync::Arc;

use crate::config::Config;
use crate::crypto::Sealer;
use crate::shopify::ShopDomain;
use crate::shopify::admin_api::{AdminApi, ShopClient};
use crate::shopify::oauth::OAuth;
use crate::store::Db;
use crate::tenants::{self, ShopRecord, TenantError};
use crate::webhooks::intake::IntakeWriter;
use crate::webhooks::shop_keys::ShopKeys;
use tokio::sync::Notify;

pub struct App {
    pub config: Config,
    pub db: Db,
    pub admin_api: Arc<AdminApi>,
    pub oauth: OAuth,
    pub token_sealer: Sealer,
    pub intake: IntakeWriter,
    pub shop_keys: ShopKeys,
    pub pixel_keys: crate::pixel::keys::PixelKeys,
    pub pixel_limiter: crate::pixel::rate_limit::RateLimiter,
    /// Wakes job workers when new work is committed.
    pub jobs_notify: Arc<Notify>,
}

#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// Needs a Tokio runtime: it starts the intake's writer task.
    pub fn new(config: Config, db: Db) -> anyhow::Result<App> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("SegOps/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let oauth = OAuth::new(
            config.api_key.clone(),
            config.api_secret.clone(),
            format!("{}/auth/callback", config.app_url),
            http.clone(),
        );
        let jobs_notify = Arc::new(Notify::new());
        let notify = Arc::clone(&jobs_notify);
        let intake = IntakeWriter::spawn(db.clone(), move || notify.notify_waiters());
        Ok(App {
            intake,
            shop_keys: ShopKeys::default(),
            pixel_keys: Default::default(),
            pixel_limiter: crate::pixel::rate_limit::RateLimiter::new(config.pixel.events_per_sec),
            jobs_notify,
            admin_api: AdminApi::new(http, config.api_version.clone()),
            token_sealer: config.master_key.token_sealer(),
            oauth,
            config,
            db,
        })
    }

    /// An Admin API client for an installed shop, or `None` when it holds no token.
    pub fn shop_client(&self, shop: &ShopRecord) -> Result<Option<ShopClient>, TenantError> {
        Ok(shop.access_token(&self.token_sealer)?.map(|token| {
            self.admin_api.shop(
                &shop.domain,
                &self.config.shop_base_url(&shop.domain),
                token,
            )
        }))
    }

    pub async fn installed_shop(
        &self,
        shop: &ShopDomain,
    ) -> Result<Option<ShopRecord>, TenantError> {
        Ok(tenants::find_shop(&self.db, shop)
            .await?
            .filter(ShopRecord::is_installed))
    }
}
