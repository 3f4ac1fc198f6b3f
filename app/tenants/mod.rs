//! Workspaces (tenants) and the shops installed into them: provisioning at install, keys,
//! the encrypted access token, uninstall and reinstall. Every query names its shop or tenant.

mod keys;
mod provision;
mod repo;

pub use keys::{ServerKeyReveal, hash_server_key};
pub use provision::{Installation, provision};
pub use repo::{ShopRecord, Tenant, WebhookSyncState};
pub use repo::{
    find_shop, find_tenant, mark_uninstalled, public_key, record_scopes, record_shop_info,
    record_webhook_sync, reveal_server_key, rotate_server_key, server_key_hint, shop_by_id,
    shops_of_tenant,
};

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("no shop {0} is installed")]
    UnknownShop(String),
    #[error("the stored access token cannot be decrypted (wrong SEGOPS_ENCRYPTION_KEY?)")]
    TokenUnreadable,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl From<TenantError> for crate::error::AppError {
    fn from(err: TenantError) -> Self {
        match err {
            TenantError::UnknownShop(shop) => {
                crate::error::AppError::NotFound(format!("no shop {shop} is installed"))
            }
            other => crate::error::AppError::internal(other),
        }
    }
}
