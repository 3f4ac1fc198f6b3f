//! Pushes a tag-mode segment's unpushed membership changes to Shopify: `segops:<slug>` added to
//! customers who entered, removed from those who left. Only SegOps' own tag is touched, and
//! anonymous people (no Shopify customer) are marked pushed without a call.

use super::StoreError;
use crate::clock::now_ms;
use crate::segments::Slug;
use crate::shopify::admin_api::ShopClient;
use crate::shopify::customer_tags::{self, CustomerTagsError};
use crate::store::Db;

/// Rows claimed per round: progress is saved after each.
const BATCH: i64 = 50;

/// How a push ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Every change is in Shopify; `pushed` tag calls were made.
    Done { pushed: u64 },
    /// The segment is gone or not pushed by tags.
    Nothing,
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tags(#[from] CustomerTagsError),
    #[error("the segment's slug is not valid: {0}")]
    Slug(String),
}

impl From<sqlx::Error> for PushError {
    fn from(err: sqlx::Error) -> Self {
        PushError::Store(StoreError::Db(err))
    }
}

/// Pushes every unpushed membership change of the segment, saving progress on the segment row.
/// A failure is recorded (`push_state = failed`, `push_error`) and returned for a retry.
pub async fn push_tags(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
) -> Result<PushOutcome, PushError> {
    let segment: Option<(String, String)> =
        sqlx::query_as("SELECT slug, push_mode FROM segments WHERE shop_id = $1 AND id = $2")
            .bind(shop_id)
            .bind(segment_id)
            .fetch_optional(db.pool())
            .await?;
    let Some((slug, mode)) = segment else {
        return Ok(PushOutcome::Nothing);
    };
    if mode != "tag" {
        return Ok(PushOutcome::Nothing);
    }
    let tag = Slug::parse(&slug)
        .map_err(|e| PushError::Slug(e.to_string()))?
        .tag();
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0",
    )
    .bind(shop_id)
    .bind(segment_id)
    .fetch_one(db.pool())
    .await?;
    progress(db, shop_id, segment_id, "pushing", 0, total, None).await?;
    let mut done = 0i64;
    let mut pushed = 0u64;
    loop {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT person_id, member FROM memberships \
             WHERE shop_id = $1 AND segment_id = $2 AND pushed = 0 ORDER BY person_id LIMIT $3",
        )
        .bind(shop_id)
        .bind(segment_id)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            break;
        }
        for (person_id, member) in rows {
            if let Some(customer) = person_id.strip_prefix("customer:") {
                let gid = format!("gid://shopify/Customer/{customer}");
                let tags = std::slice::from_ref(&tag);
                let sent = if member == 1 {
                    customer_tags::tags_add(client, &gid, tags).await
                } else {
                    customer_tags::tags_remove(client, &gid, tags).await
                };
                if let Err(err) = sent {
                    let reason = err.to_string();
                    progress(
                        db,
                        shop_id,
                        segment_id,
                        "failed",
                        done,
                        total,
                        Some(&reason),
                    )
                    .await?;
                    return Err(err.into());
                }
                pushed += 1;
            }
            // Only the state just pushed is marked. When the person moved meanwhile, another
            // push may already have sent (and marked) the newer state before this call landed,
            // so the row goes back to unpushed and the current state is sent again next round.
            let marked = sqlx::query(
                "UPDATE memberships SET pushed = 1 \
                 WHERE shop_id = $1 AND segment_id = $2 AND person_id = $3 AND member = $4",
            )
            .bind(shop_id)
            .bind(segment_id)
            .bind(&person_id)
            .bind(member)
            .execute(db.pool())
            .await?;
            if marked.rows_affected() == 0 {
                sqlx::query(
                    "UPDATE memberships SET pushed = 0 \
                     WHERE shop_id = $1 AND segment_id = $2 AND person_id = $3",
                )
                .bind(shop_id)
                .bind(segment_id)
                .bind(&person_id)
                .execute(db.pool())
                .await?;
            }
            done += 1;
        }
        progress(
            db,
            shop_id,
            segment_id,
            "pushing",
            done,
            total.max(done),
            None,
        )
        .await?;
    }
    progress(db, shop_id, segment_id, "done", done, total.max(done), None).await?;
    Ok(PushOutcome::Done { pushed })
}

#[allow(clippy::too_many_arguments)]
async fn progress(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
    state: &str,
    done: i64,
    total: i64,
    error: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE segments SET push_state = $3, push_done = $4, push_total = $5, push_error = $6, \
         updated_at = $7 WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(state)
    .bind(done)
    .bind(total)
    .bind(error)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}
