//! Putting the pixel on the shop: its settings (storefront key, endpoint, enabled events,
//! sampling) go to Shopify with `webPixelCreate`, or `webPixelUpdate` once it exists. The outcome
//! is recorded for the admin's Pixel page and setup steps.

use super::settings::{self, PixelSettings, SettingsError};
use crate::shopify::web_pixel;
use crate::state::App;
use crate::tenants::ShopRecord;

#[derive(Debug, thiserror::Error)]
pub enum PixelInstallError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error("the shop's access token cannot be opened: {0}")]
    Token(String),
    #[error("Shopify did not take the pixel: {0}")]
    Shopify(String),
}

/// The endpoint the pixel posts to.
pub fn endpoint(app: &App) -> String {
    format!("{}/pixel/v1/events", app.config.app_url)
}

/// Sends the shop's current pixel settings to Shopify. Without a token (uninstalled) there is
/// nothing to do.
pub async fn push(app: &App, shop: &ShopRecord) -> Result<PixelSettings, PixelInstallError> {
    let current = settings::ensure(&app.db, &shop.id).await?;
    let client = match app.shop_client(shop) {
        Ok(Some(client)) => client,
        Ok(None) => return Ok(current),
        Err(err) => return Err(PixelInstallError::Token(err.to_string())),
    };
    let wanted: web_pixel::PixelSettings = current
        .shopify_settings(&endpoint(app))
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    match web_pixel::ensure(&client, &wanted).await {
        Ok(id) => {
            settings::record_push(&app.db, &shop.id, Ok(&id)).await?;
        }
        Err(err) => {
            let reason = err.to_string();
            settings::record_push(&app.db, &shop.id, Err(&reason)).await?;
            return Err(PixelInstallError::Shopify(reason));
        }
    }
    Ok(settings::load(&app.db, &shop.id).await?.unwrap_or(current))
}
