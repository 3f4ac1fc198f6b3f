//! Install-time provisioning, idempotent: the first install creates a workspace (or attaches the
//! shop to one named by a connect link) and its keys; a reinstall or a replay only refreshes the
//! token and scopes of the same workspace.

use sqlx::Row;

use super::repo::{self, ShopRecord, Tenant, token_context};
use super::{TenantError, keys};
use crate::clock::now_ms;
use crate::crypto::{Sealer, Secret};
use crate::jobs::{NewJob, SetUpShop, queue};
use crate::shopify::ShopDomain;
use crate::store::Db;

#[derive(Debug)]
pub struct Installation {
    pub shop: ShopRecord,
    pub tenant: Tenant,
    /// Whether this install created the workspace (rather than finding or joining one).
    pub created_workspace: bool,
}

pub async fn provision(
    db: &Db,
    sealer: &Sealer,
    shop: &ShopDomain,
    access_token: &Secret<String>,
    scopes: &str,
    connect_tenant: Option<&str>,
) -> Result<Installation, TenantError> {
    let sealed_token = sealer.seal(
        access_token.expose().as_bytes(),
        token_context(shop).as_bytes(),
    );
    let now = now_ms();
    let mut conn = db.begin_write().await?;
    let outcome = match provision_in_tx(
        &mut conn,
        sealer,
        shop,
        &sealed_token,
        scopes,
        connect_tenant,
        now,
    )
    .await
    {
        Ok(created) => enqueue_setup(&mut conn, shop).await.map(|()| created),
        Err(err) => Err(err),
    };
    match outcome {
        Ok(created) => {
            conn.commit().await?;
            let shop_record = repo::find_shop(db, shop)
                .await?
                .ok_or_else(|| TenantError::UnknownShop(shop.to_string()))?;
            let tenant = repo::find_tenant(db, &shop_record.tenant_id)
                .await?
                .ok_or_else(|| TenantError::UnknownShop(shop.to_string()))?;
            tracing::info!(shop = %shop, tenant = %tenant.slug, created, "shop provisioned");
            Ok(Installation {
                shop: shop_record,
                tenant,
                created_workspace: created,
            })
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}

async fn provision_in_tx(
    conn: &mut sqlx::AnyConnection,
    sealer: &Sealer,
    shop: &ShopDomain,
    sealed_token: &[u8],
    scopes: &str,
    connect_tenant: Option<&str>,
    now: i64,
) -> Result<bool, TenantError> {
    // Reinstall or replay: same workspace, fresh token.
    let updated = sqlx::query(
        "UPDATE shops SET access_token_enc = $1, granted_scopes = $2, uninstalled_at = NULL, \
         installed_at = COALESCE(installed_at, $3), updated_at = $3 WHERE domain = $4",
    )
    .bind(sealed_token)
    .bind(scopes)
    .bind(now)
    .bind(shop.as_str())
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() > 0 {
        if connect_tenant.is_some() {
            tracing::info!(shop = %shop, "connect link ignored: the shop already belongs to a workspace");
        }
        return Ok(false);
    }

    let joined = match connect_tenant {
        Some(tenant_id) => sqlx::query("SELECT id FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get::<String, _>("id"))
            .transpose()?,
        None => None,
    };
    let (tenant_id, created) = match joined {
        Some(id) => (id, false),
        None => (create_tenant(conn, shop, now).await?, true),
    };
    sqlx::query(
        "INSERT INTO shops (id, domain, tenant_id, access_token_enc, granted_scopes, pii_salt, installed_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(shop.as_str())
    .bind(&tenant_id)
    .bind(sealed_token)
    .bind(scopes)
    .bind(crate::crypto::random_bytes::<32>().to_vec())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if created {
        let issued = keys::issue(sealer, &tenant_id);
        sqlx::query("INSERT INTO api_keys (id, tenant_id, kind, public_key, hint, created_at) VALUES ($1, $2, 'public', $3, $4, $5)")
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&tenant_id)
            .bind(&issued.public_key)
            .bind(&issued.public_key)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO api_keys (id, tenant_id, kind, secret_hash, hint, reveal_enc, created_at) VALUES ($1, $2, 'server', $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&tenant_id)
        .bind(&issued.server_key_hash)
        .bind(&issued.server_key_hint)
        .bind(&issued.server_key_reveal)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(created)
}

/// Every (re)install queues the Admin API setup, in the same transaction as the install itself.
async fn enqueue_setup(
    conn: &mut sqlx::AnyConnection,
    shop: &ShopDomain,
) -> Result<(), TenantError> {
    let shop_id: String = sqlx::query_scalar("SELECT id FROM shops WHERE domain = $1")
        .bind(shop.as_str())
        .fetch_one(&mut *conn)
        .await?;
    let job = NewJob::now(
        &shop_id,
        SetUpShop::KIND,
        &SetUpShop {
            shop_id: shop_id.clone(),
        },
    );
    queue::enqueue(conn, &job).await?;
    Ok(())
}

/// A workspace named after the shop; its slug is the shop's subdomain, suffixed on a clash.
async fn create_tenant(
    conn: &mut sqlx::AnyConnection,
    shop: &ShopDomain,
    now: i64,
) -> Result<String, TenantError> {
    let id = uuid::Uuid::now_v7().to_string();
    let base = shop.name();
    for n in 1..1000 {
        let slug = if n == 1 {
            base.to_owned()
        } else {
            format!("{base}-{n}")
        };
        let inserted = sqlx::query(
            "INSERT INTO tenants (id, slug, name, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING",
        )
        .bind(&id)
        .bind(&slug)
        .bind(base)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(id);
        }
    }
    Err(TenantError::Database(sqlx::Error::Protocol(format!(
        "no free workspace slug for {base}"
    ))))
}
