//! Native mode: the segment as a Shopify customer segment named `SegOps: <name>` with the
//! translated query, then Shopify's member count beside ours, so the admin can show the drift.
//! Leaving native mode deletes that Shopify segment: SegOps created it and owns it.

use super::{PushError, PushOutcome, metafields, progress};
use crate::clock::now_ms;
use crate::segments::{Rule, translate};
use crate::shopify::admin_api::ShopClient;
use crate::shopify::native_segments::{self, NativeSegmentError};
use crate::store::Db;
use crate::store::ExecuteInTurn;

/// The Shopify segment's name: prefixed, so SegOps never adopts a merchant's own segment that
/// happens to share the name.
pub fn native_name(name: &str) -> String {
    format!("SegOps: {name}")
}

/// Creates or updates the segment's Shopify twin and stores both member counts; in another mode,
/// deletes the twin SegOps made earlier.
pub async fn push_native(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
) -> Result<PushOutcome, PushError> {
    let row: Option<(String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT name, rule, push_mode, native_segment_id FROM segments \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .fetch_optional(db.pool())
    .await?;
    let Some((name, rule, mode, native_id)) = row else {
        return Ok(PushOutcome::Nothing);
    };
    if mode != "native" {
        if let Some(id) = native_id {
            match native_segments::delete(client, &id).await {
                Ok(_) | Err(NativeSegmentError::Rejected(_)) => {}
                Err(err) => return Err(err.into()),
            }
            store_native(db, shop_id, segment_id, None, None).await?;
        }
        return Ok(PushOutcome::Nothing);
    }
    let rule = Rule::from_json(&rule).map_err(crate::segments_store::StoreError::from)?;
    let query = match translate(&rule) {
        Ok(query) => query,
        Err(not) => {
            progress::fail(db, shop_id, segment_id, &not.to_string()).await?;
            return Err(not.into());
        }
    };
    // Behavioural clauses filter on metafields SegOps writes: they go first, with their own
    // progress, since Shopify refuses a query naming a metafield without a definition and counts
    // right only once the values are in.
    if !query.via_metafields.is_empty() {
        metafields::sync(db, client, shop_id, segment_id, &query.via_metafields).await?;
    }
    sqlx::query(
        "UPDATE segments SET push_state = 'pushing', push_error = NULL, updated_at = $3 \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    let wanted = native_name(&name);
    let sent = match &native_id {
        Some(id) => {
            match native_segments::update(client, id, Some(&wanted), Some(&query.query)).await {
                // Deleted in Shopify's admin meanwhile: make it again.
                Err(NativeSegmentError::Rejected(_)) | Err(NativeSegmentError::Missing) => {
                    native_segments::ensure(client, &wanted, &query.query).await
                }
                other => other,
            }
        }
        None => native_segments::ensure(client, &wanted, &query.query).await,
    };
    let segment = match sent {
        Ok(segment) => segment,
        Err(err) => {
            progress::fail(db, shop_id, segment_id, &err.to_string()).await?;
            return Err(err.into());
        }
    };
    let count = native_segments::member_count(client, &segment.id).await?;
    store_native(
        db,
        shop_id,
        segment_id,
        Some(&segment.id),
        Some(i64::try_from(count).unwrap_or(i64::MAX)),
    )
    .await?;
    sqlx::query(
        "UPDATE segments SET push_state = 'done', push_error = NULL, updated_at = $3 \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(PushOutcome::Done { pushed: 1 })
}

async fn store_native(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    native_id: Option<&str>,
    shopify_count: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE segments SET native_segment_id = $3, shopify_member_count = $4, updated_at = $5 \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(native_id)
    .bind(shopify_count)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    Ok(())
}
