//! One-time OAuth state nonces: stored hashed, bound to the shop, expiring, consumed atomically.

use crate::clock::now_ms;
use crate::shopify::ShopDomain;
use crate::store::Db;
use crate::store::ExecuteInTurn;

const TTL_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StateProblem {
    #[error("is missing")]
    Missing,
    #[error("is unknown (not issued by this app)")]
    Unknown,
    #[error("was already used: this callback is a replay")]
    AlreadyUsed,
    #[error("has expired; start the install again")]
    Expired,
    #[error("was issued for another shop")]
    OtherShop,
}

pub struct Issued {
    pub nonce: String,
}

pub async fn issue(
    db: &Db,
    shop: &ShopDomain,
    connect_tenant: Option<&str>,
) -> Result<Issued, sqlx::Error> {
    let nonce = crate::crypto::random_token(24);
    let now = now_ms();
    sqlx::query(
        "INSERT INTO oauth_states (state_hash, shop_domain, connect_tenant_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(crate::crypto::sha256_hex(nonce.as_bytes()))
    .bind(shop.as_str())
    .bind(connect_tenant)
    .bind(now)
    .bind(now + TTL_MS)
    .execute_in_turn(db)
    .await?;
    Ok(Issued { nonce })
}

/// Marks the state used, if it is valid for `shop`; returns the workspace a connect link named.
pub async fn consume(
    db: &Db,
    nonce: &str,
    shop: &ShopDomain,
) -> Result<Result<Option<String>, StateProblem>, sqlx::Error> {
    let hash = crate::crypto::sha256_hex(nonce.as_bytes());
    let now = now_ms();
    let consumed = sqlx::query_as::<_, (Option<String>,)>(
        "UPDATE oauth_states SET used_at = $1 WHERE state_hash = $2 AND shop_domain = $3 AND used_at IS NULL \
         AND expires_at > $1 RETURNING connect_tenant_id",
    )
    .bind(now)
    .bind(&hash)
    .bind(shop.as_str())
    .fetch_optional(db.pool())
    .await?;
    if let Some((tenant,)) = consumed {
        return Ok(Ok(tenant));
    }
    // Say precisely why, for the merchant and for whoever reads the logs.
    let row = sqlx::query_as::<_, (String, i64, Option<i64>)>(
        "SELECT shop_domain, expires_at, used_at FROM oauth_states WHERE state_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    Ok(Err(match row {
        None => StateProblem::Unknown,
        Some((_, _, Some(_))) => StateProblem::AlreadyUsed,
        Some((domain, _, None)) if domain != shop.as_str() => StateProblem::OtherShop,
        Some(_) => StateProblem::Expired,
    }))
}

/// Removes states that can no longer be used, so the table stays small.
pub async fn prune(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
        .bind(now_ms() - TTL_MS)
        .execute_in_turn(db)
        .await?;
    Ok(())
}
