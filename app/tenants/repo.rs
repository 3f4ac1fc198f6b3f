//! SQL for tenants, shops and keys. Every statement is scoped by a shop or tenant id.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::TenantError;
use super::keys::{self, ServerKeyReveal};
use crate::clock::now_ms;
use crate::crypto::Sealer;
use crate::shopify::ShopDomain;
use crate::store::Db;
use crate::store::ExecuteInTurn;

#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct ShopRecord {
    pub id: String,
    pub domain: ShopDomain,
    pub tenant_id: String,
    pub name: Option<String>,
    pub currency: Option<String>,
    pub access_token_enc: Option<Vec<u8>>,
    pub granted_scopes: String,
    pub installed_at: Option<i64>,
    pub uninstalled_at: Option<i64>,
    pub webhooks: WebhookSyncState,
}

#[derive(Debug, Clone, Default)]
pub struct WebhookSyncState {
    pub expected: i64,
    pub present: i64,
    pub synced_at: Option<i64>,
    pub error: Option<String>,
}

impl ShopRecord {
    pub fn is_installed(&self) -> bool {
        self.access_token_enc.is_some() && self.uninstalled_at.is_none()
    }

    /// Decrypts the offline token; its ciphertext is bound to this shop's domain.
    pub fn access_token(
        &self,
        sealer: &Sealer,
    ) -> Result<Option<crate::crypto::Secret<String>>, TenantError> {
        match &self.access_token_enc {
            None => Ok(None),
            Some(sealed) => sealer
                .open_string(sealed, token_context(&self.domain).as_bytes())
                .map(|t| Some(crate::crypto::Secret::new(t)))
                .map_err(|_| TenantError::TokenUnreadable),
        }
    }
}

pub(super) fn token_context(shop: &ShopDomain) -> String {
    format!("access-token:{shop}")
}

/// The columns `shop_from_row` reads (a macro so queries stay `&'static str`).
macro_rules! shop_columns {
    () => {
        "id, domain, tenant_id, name, currency, access_token_enc, granted_scopes, installed_at, uninstalled_at, \
         webhooks_expected, webhooks_present, webhooks_synced_at, webhooks_error"
    };
}

fn shop_from_row(row: &AnyRow) -> Result<ShopRecord, sqlx::Error> {
    let domain: String = row.try_get("domain")?;
    Ok(ShopRecord {
        id: row.try_get("id")?,
        domain: ShopDomain::parse(&domain).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        tenant_id: row.try_get("tenant_id")?,
        name: row.try_get("name")?,
        currency: row.try_get("currency")?,
        access_token_enc: row.try_get("access_token_enc")?,
        granted_scopes: row.try_get("granted_scopes")?,
        installed_at: row.try_get("installed_at")?,
        uninstalled_at: row.try_get("uninstalled_at")?,
        webhooks: WebhookSyncState {
            expected: row.try_get("webhooks_expected")?,
            present: row.try_get("webhooks_present")?,
            synced_at: row.try_get("webhooks_synced_at")?,
            error: row.try_get("webhooks_error")?,
        },
    })
}

pub async fn find_shop(db: &Db, shop: &ShopDomain) -> Result<Option<ShopRecord>, TenantError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        shop_columns!(),
        " FROM shops WHERE domain = $1"
    ))
    .bind(shop.as_str())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(shop_from_row).transpose()?)
}

pub async fn shop_by_id(db: &Db, shop_id: &str) -> Result<Option<ShopRecord>, TenantError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        shop_columns!(),
        " FROM shops WHERE id = $1"
    ))
    .bind(shop_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.as_ref().map(shop_from_row).transpose()?)
}

pub async fn shops_of_tenant(db: &Db, tenant_id: &str) -> Result<Vec<ShopRecord>, TenantError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        shop_columns!(),
        " FROM shops WHERE tenant_id = $1 ORDER BY created_at"
    ))
    .bind(tenant_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(shop_from_row).collect::<Result<_, _>>()?)
}

pub async fn find_tenant(db: &Db, tenant_id: &str) -> Result<Option<Tenant>, TenantError> {
    let row = sqlx::query("SELECT id, slug, name, created_at FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row
        .map(|row| -> Result<Tenant, sqlx::Error> {
            Ok(Tenant {
                id: row.try_get("id")?,
                slug: row.try_get("slug")?,
                name: row.try_get("name")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .transpose()?)
}

/// `app/uninstalled`: the token goes, the data stays (until `shop/redact`).
pub async fn mark_uninstalled(db: &Db, shop: &ShopDomain) -> Result<bool, TenantError> {
    let now = now_ms();
    let result = sqlx::query(
        "UPDATE shops SET access_token_enc = NULL, uninstalled_at = $1, updated_at = $1, webhooks_present = 0 \
         WHERE domain = $2 AND uninstalled_at IS NULL",
    )
    .bind(now)
    .bind(shop.as_str())
    .execute_in_turn(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

pub async fn record_scopes(db: &Db, shop_id: &str, scopes: &str) -> Result<(), TenantError> {
    sqlx::query("UPDATE shops SET granted_scopes = $1, updated_at = $2 WHERE id = $3")
        .bind(scopes)
        .bind(now_ms())
        .bind(shop_id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

pub async fn record_shop_info(
    db: &Db,
    shop_id: &str,
    gid: &str,
    name: &str,
    currency: &str,
    primary_host: &str,
) -> Result<(), TenantError> {
    sqlx::query("UPDATE shops SET shopify_gid = $1, name = $2, currency = $3, primary_host = $6, updated_at = $4 WHERE id = $5")
        .bind(gid)
        .bind(name)
        .bind(currency)
        .bind(now_ms())
        .bind(shop_id)
        .bind(primary_host)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

pub async fn record_webhook_sync(
    db: &Db,
    shop_id: &str,
    state: &WebhookSyncState,
) -> Result<(), TenantError> {
    sqlx::query(
        "UPDATE shops SET webhooks_expected = $1, webhooks_present = $2, webhooks_synced_at = $3, webhooks_error = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(state.expected)
    .bind(state.present)
    .bind(state.synced_at)
    .bind(state.error.as_deref())
    .bind(now_ms())
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

pub async fn public_key(db: &Db, tenant_id: &str) -> Result<Option<String>, TenantError> {
    let key = sqlx::query_scalar::<_, String>(
        "SELECT public_key FROM api_keys WHERE tenant_id = $1 AND kind = 'public' AND revoked_at IS NULL",
    )
    .bind(tenant_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(key)
}

pub async fn server_key_hint(db: &Db, tenant_id: &str) -> Result<Option<String>, TenantError> {
    let hint = sqlx::query_scalar::<_, String>(
        "SELECT hint FROM api_keys WHERE tenant_id = $1 AND kind = 'server' AND revoked_at IS NULL",
    )
    .bind(tenant_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(hint)
}

/// Takes the sealed server key out of its row, so it can never be shown again, and opens it.
/// Of two concurrent callers only the one whose update clears the column gets the key.
pub async fn reveal_server_key(
    db: &Db,
    sealer: &Sealer,
    tenant_id: &str,
) -> Result<Option<ServerKeyReveal>, TenantError> {
    let row = sqlx::query_as::<_, (String, Option<Vec<u8>>)>(
        "SELECT id, reveal_enc FROM api_keys WHERE tenant_id = $1 AND kind = 'server' AND revoked_at IS NULL",
    )
    .bind(tenant_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((key_id, Some(sealed))) = row else {
        return Ok(None);
    };
    let taken = sqlx::query("UPDATE api_keys SET reveal_enc = NULL WHERE id = $1 AND tenant_id = $2 AND reveal_enc IS NOT NULL")
        .bind(&key_id)
        .bind(tenant_id)
        .execute_in_turn(db)
        .await?;
    if taken.rows_affected() != 1 {
        return Ok(None);
    }
    Ok(sealer
        .open_string(&sealed, &keys::reveal_context(tenant_id))
        .ok()
        .map(ServerKeyReveal))
}

/// Revokes the live server key and issues a new one, to be revealed once.
pub async fn rotate_server_key(
    db: &Db,
    sealer: &Sealer,
    tenant_id: &str,
) -> Result<(), TenantError> {
    let now = now_ms();
    let (hash, hint, sealed) = keys::issue_server_key(sealer, tenant_id);
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE api_keys SET revoked_at = $1, reveal_enc = NULL WHERE tenant_id = $2 AND kind = 'server' AND revoked_at IS NULL")
        .bind(now)
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO api_keys (id, tenant_id, kind, secret_hash, hint, reveal_enc, created_at) VALUES ($1, $2, 'server', $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(tenant_id)
    .bind(hash)
    .bind(hint)
    .bind(sealed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
