//! Small pushes by direct calls: one `tagsAdd`/`tagsRemove` per customer, paced by the Admin
//! API client's throttle, progress saved after every batch. Anonymous people (no Shopify
//! customer) are marked pushed without a call.

use super::{PushError, TagTarget, progress};
use crate::shopify::admin_api::ShopClient;
use crate::shopify::bulk::TagChange;
use crate::shopify::customer_tags;
use crate::store::Db;
use crate::store::ExecuteInTurn;

/// Rows claimed per round: progress is saved after each.
const BATCH: i64 = 50;

/// Customers whose tag state Shopify does not reflect yet.
pub(super) async fn pending(db: &Db, shop_id: &str, segment_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0 \
         AND person_id LIKE 'customer:%'",
    )
    .bind(shop_id)
    .bind(segment_id)
    .fetch_one(db.pool())
    .await
}

/// People without a Shopify customer have nothing to tag.
pub(super) async fn mark_anonymous(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE memberships SET pushed = 1 WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0 \
         AND person_id NOT LIKE 'customer:%'",
    )
    .bind(shop_id)
    .bind(segment_id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

/// Pushes every pending change by direct calls; returns how many calls went through. A refusal
/// is recorded on the segment and returned for a retry.
pub(super) async fn push(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
    target: &TagTarget,
) -> Result<u64, PushError> {
    let mut done = progress::current(db, shop_id, segment_id).await?;
    let mut pushed = 0u64;
    loop {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT person_id, member FROM memberships \
             WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0 \
             AND person_id LIKE 'customer:%' ORDER BY person_id LIMIT $3",
        )
        .bind(shop_id)
        .bind(segment_id)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            return Ok(pushed);
        }
        for (person_id, member) in rows {
            let customer = person_id.trim_start_matches("customer:");
            let gid = format!("gid://shopify/Customer/{customer}");
            let tags = std::slice::from_ref(&target.tag);
            let sent = match target.change(member) {
                TagChange::Add => customer_tags::tags_add(client, &gid, tags).await,
                TagChange::Remove => customer_tags::tags_remove(client, &gid, tags).await,
            };
            if let Err(err) = sent {
                progress::fail(db, shop_id, segment_id, &err.to_string()).await?;
                return Err(err.into());
            }
            pushed += 1;
            mark(db, shop_id, segment_id, &person_id, member).await?;
            done += 1;
        }
        progress::done(db, shop_id, segment_id, done).await?;
    }
}

/// Marks only the state just pushed. When the person moved meanwhile, another push may already
/// have sent (and marked) the newer state before this call landed, so the row goes back to
/// unpushed and the current state is sent again next round.
async fn mark(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    person_id: &str,
    member: i64,
) -> Result<(), sqlx::Error> {
    let marked = sqlx::query(
        "UPDATE memberships SET pushed = 1 \
         WHERE shop_id = $1 AND segment_id = $2 AND person_id = $3 AND member = $4",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(person_id)
    .bind(member)
    .execute_in_turn(db)
    .await?;
    if marked.rows_affected() == 0 {
        sqlx::query(
            "UPDATE memberships SET pushed = 0 \
             WHERE shop_id = $1 AND segment_id = $2 AND person_id = $3",
        )
        .bind(shop_id)
        .bind(segment_id)
        .bind(person_id)
        .execute_in_turn(db)
        .await?;
    }
    Ok(())
}
