//! Storefront key → shop, cached: the pixel intake resolves the shop on every request, so the
//! database is read once per key per minute. Unknown keys are remembered briefly too, so a
//! flood of made-up keys does not become a flood of queries.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::crypto::{MasterKey, Sealer};
use crate::store::Db;

const TTL: Duration = Duration::from_secs(60);
const UNKNOWN_TTL: Duration = Duration::from_secs(5);
const MAX_ENTRIES: usize = 50_000;

#[derive(Clone)]
pub struct PixelShop {
    pub shop_id: String,
    /// Origins whose pages may post events: the shop's myshopify and primary domains.
    pub hosts: Vec<String>,
    pub installed: bool,
    pub sealer: Sealer,
}

#[derive(Default)]
pub struct PixelKeys {
    entries: RwLock<HashMap<String, (Instant, Option<PixelShop>)>>,
}

impl PixelKeys {
    pub async fn get(
        &self,
        db: &Db,
        master: &MasterKey,
        key: &str,
    ) -> Result<Option<PixelShop>, sqlx::Error> {
        if let Ok(entries) = self.entries.read()
            && let Some((at, entry)) = entries.get(key)
        {
            let ttl = if entry.is_some() { TTL } else { UNKNOWN_TTL };
            if at.elapsed() < ttl {
                return Ok(entry.clone());
            }
        }
        let row =
            sqlx::query_as::<_, (String, String, Option<String>, Option<Vec<u8>>, Option<i64>)>(
                "SELECT s.id, s.domain, s.primary_host, s.pii_salt, s.uninstalled_at FROM pixels p \
             JOIN shops s ON s.id = p.shop_id WHERE p.storefront_key = $1",
            )
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
        let entry = row.and_then(|(shop_id, domain, primary, salt, uninstalled_at)| {
            salt.map(|salt| PixelShop {
                shop_id,
                hosts: std::iter::once(domain).chain(primary).collect(),
                installed: uninstalled_at.is_none(),
                sealer: master.shop_pii_sealer(&salt),
            })
        });
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key.to_owned(), (Instant::now(), entry.clone()));
        }
        Ok(entry)
    }

    /// Drops every cached key of a shop (uninstalled, redacted, key rotated).
    pub fn forget_shop(&self, shop_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.retain(|_, (_, e)| e.as_ref().is_none_or(|e| e.shop_id != shop_id));
        }
    }
}
