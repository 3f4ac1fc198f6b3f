//! Before a native segment that filters on a behavioural trait is pushed, customers carry that
//! trait as a `segops` metafield: its definition is made (once; Shopify answers `TAKEN` after),
//! then the value of every customer whose value moved since SegOps last wrote it. A customer
//! without the metafield counts zero (the translation adds `OR … IS NULL` where zero meets the
//! clause, see `segments::native`), so zeros are never written: the first push of a shop writes
//! only the customers that have browsed, not every customer. What was written is kept per
//! customer and key, so a push writes only what changed.
//!
//! A push runs whenever SegOps' own membership moves. A value that moves without moving anyone
//! waits for the next push, and costs nothing meanwhile: had it changed the rule's answer for
//! that customer, SegOps' membership would have moved and pushed it.

use super::{PushError, progress};
use crate::clock::now_ms;
use crate::segments::{BackedTrait, MetafieldUse, NAMESPACE, backed_by_attribute};
use crate::shopify::admin_api::ShopClient;
use crate::shopify::customer_metafields::{
    self, CustomerMetafieldError, TraitDefinition, TraitValue,
};
use crate::store::Db;

/// Customers read and written per round: ten `metafieldsSet` calls.
const ROUND: i64 = 250;

/// Writes the metafields `uses` reads, for every customer of the shop whose value moved; shows
/// the count on the segment's push progress. Returns how many values were written.
pub(super) async fn sync(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
    uses: &[MetafieldUse],
) -> Result<u64, PushError> {
    let mut traits: Vec<&'static BackedTrait> = uses
        .iter()
        .filter_map(|u| backed_by_attribute(&u.attribute))
        .collect();
    traits.sort_by_key(|b| b.key);
    traits.dedup();
    let mut pending = 0;
    for backed in &traits {
        definition(client, backed).await?;
        pending += moved(db, shop_id, backed).await?;
    }
    if pending == 0 {
        return Ok(0);
    }
    progress::begin(db, shop_id, segment_id, pending).await?;
    let mut written = 0u64;
    for backed in traits {
        let mut after = String::new();
        loop {
            let values = moved_values(db, shop_id, backed, &after).await?;
            let Some((last, _)) = values.last() else {
                break;
            };
            after = last.clone();
            let sent: Vec<TraitValue> = values
                .iter()
                .map(|(customer, value)| TraitValue {
                    customer_id: format!("gid://shopify/Customer/{customer}"),
                    value: value.clone(),
                })
                .collect();
            let result = customer_metafields::set_values(
                client,
                NAMESPACE,
                backed.key,
                backed.type_name,
                &sent,
            )
            .await;
            let done = match &result {
                Ok(done) => *done,
                Err(CustomerMetafieldError::ValuesRejected { written, .. }) => *written,
                Err(_) => 0,
            };
            record(db, shop_id, backed, &values[..done]).await?;
            written += done as u64;
            progress::done(
                db,
                shop_id,
                segment_id,
                i64::try_from(written).unwrap_or(i64::MAX),
            )
            .await?;
            if let Err(err) = result {
                let reason = format!("writing metafield {NAMESPACE}.{}: {err}", backed.key);
                progress::fail(db, shop_id, segment_id, &reason).await?;
                return Err(err.into());
            }
        }
    }
    Ok(written)
}

async fn definition(client: &ShopClient, backed: &BackedTrait) -> Result<(), PushError> {
    customer_metafields::ensure_definition(
        client,
        &TraitDefinition {
            namespace: NAMESPACE.to_owned(),
            key: backed.key.to_owned(),
            name: backed.name.to_owned(),
            type_name: backed.type_name.to_owned(),
            description: Some(backed.description.to_owned()),
        },
    )
    .await?;
    Ok(())
}

/// The part of the queries below that finds customers whose value moved. `backed.key` is one of
/// a fixed list of `profiles` columns, never input.
fn moved_from(backed: &BackedTrait) -> String {
    format!(
        "FROM profiles p LEFT JOIN trait_metafields w ON w.shop_id = p.shop_id \
         AND w.customer_id = p.customer_id AND w.key = $2 \
         WHERE p.shop_id = $1 AND p.customer_id IS NOT NULL \
         AND p.customer_id NOT LIKE 'redacted-%' \
         AND COALESCE(w.value, '0') <> CAST(p.{key} AS TEXT)",
        key = backed.key
    )
}

async fn moved(db: &Db, shop_id: &str, backed: &BackedTrait) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) {}",
        moved_from(backed)
    )))
    .bind(shop_id)
    .bind(backed.key)
    .fetch_one(db.pool())
    .await
}

/// The next round of customers (after `after`, in id order) whose value moved, with the value.
async fn moved_values(
    db: &Db,
    shop_id: &str,
    backed: &BackedTrait,
    after: &str,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT p.customer_id, CAST(p.{key} AS TEXT) {} AND p.customer_id > $3 \
         ORDER BY p.customer_id LIMIT $4",
        moved_from(backed),
        key = backed.key
    )))
    .bind(shop_id)
    .bind(backed.key)
    .bind(after)
    .bind(ROUND)
    .fetch_all(db.pool())
    .await
}

/// Remembers the values Shopify now holds.
async fn record(
    db: &Db,
    shop_id: &str,
    backed: &BackedTrait,
    values: &[(String, String)],
) -> Result<(), sqlx::Error> {
    if values.is_empty() {
        return Ok(());
    }
    let mut conn = db.begin_write().await?;
    let now = now_ms();
    for (customer, value) in values {
        sqlx::query(
            "INSERT INTO trait_metafields (shop_id, customer_id, key, value, written_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id, customer_id, key) \
             DO UPDATE SET value = excluded.value, written_at = excluded.written_at",
        )
        .bind(shop_id)
        .bind(customer)
        .bind(backed.key)
        .bind(value)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    conn.commit().await?;
    Ok(())
}
