//! What the intake needs to know of a shop, cached so the hot path reads the database once per
//! shop per minute rather than once per delivery: its id and the sealer for its raw bodies.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::crypto::{MasterKey, Sealer};
use crate::shopify::ShopDomain;
use crate::store::Db;

const TTL: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct IntakeShop {
    pub shop_id: String,
    pub sealer: Sealer,
}

#[derive(Default)]
pub struct ShopKeys {
    entries: RwLock<HashMap<ShopDomain, (Instant, IntakeShop)>>,
}

impl ShopKeys {
    /// The shop if we still hold its data (installed or not, until `shop/redact`).
    pub async fn get(
        &self,
        db: &Db,
        master: &MasterKey,
        shop: &ShopDomain,
    ) -> Result<Option<IntakeShop>, sqlx::Error> {
        if let Ok(entries) = self.entries.read()
            && let Some((at, entry)) = entries.get(shop)
            && at.elapsed() < TTL
        {
            return Ok(Some(entry.clone()));
        }
        let row = sqlx::query_as::<_, (String, Option<Vec<u8>>)>(
            "SELECT id, pii_salt FROM shops WHERE domain = $1",
        )
        .bind(shop.as_str())
        .fetch_optional(db.pool())
        .await?;
        let entry = row.and_then(|(shop_id, salt)| {
            salt.map(|salt| IntakeShop {
                shop_id,
                sealer: master.shop_pii_sealer(&salt),
            })
        });
        // Only known shops are cached: a shop installed a moment ago must not be refused.
        if let (Some(found), Ok(mut entries)) = (&entry, self.entries.write()) {
            entries.insert(shop.clone(), (Instant::now(), found.clone()));
        }
        Ok(entry)
    }

    pub fn forget(&self, shop: &ShopDomain) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(shop);
        }
    }
}
