//! Pushing a segment's membership into Shopify. Tag mode: `segops:<slug>` follows the members,
//! through direct `tagsAdd`/`tagsRemove` calls for small changes and one bulk mutation at a time
//! for large ones; progress is kept on the segment and a restart resumes where Shopify's
//! confirmations stop. Native mode: a Shopify segment with the translated query, and the drift
//! between Shopify's count and ours.

mod bulk;
mod direct;
mod metafields;
mod native;
mod progress;

pub use native::{native_name, push_native};

use super::StoreError;
use crate::segments::{NotNative, Slug};
use crate::shopify::admin_api::ShopClient;
use crate::shopify::bulk::{BulkError, TagChange};
use crate::shopify::customer_metafields::CustomerMetafieldError;
use crate::shopify::customer_tags::CustomerTagsError;
use crate::shopify::native_segments::NativeSegmentError;
use crate::store::Db;

/// Above this many pending changes a push goes through a bulk mutation. A `tagsAdd` costs about
/// 10 points and a standard-plan shop restores 100 points/s, so direct calls move ~10 customers
/// a second once the 1,000-point bucket is spent: 250 take ~25 s, which is about where a bulk
/// mutation (a handful of calls, no bucket cost per customer, a few seconds of Shopify queueing
/// and our polling) starts to win.
pub const BULK_THRESHOLD: i64 = 250;

/// How long a poller waits before asking Shopify about a running bulk mutation again.
pub const POLL_INTERVAL_MS: i64 = 2_000;

/// How a push step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Every change is in Shopify; `pushed` changes were confirmed during this run.
    Done { pushed: u64 },
    /// A bulk mutation is queued or running: the caller (the poller) asks again later.
    Waiting,
    /// A bulk mutation is in flight and its poller job owns it; nothing to do here.
    Handed,
    /// The segment is gone, or there is nothing of this kind to push.
    Nothing,
    /// Shopify refused some changes; the reason is on the segment and the rows stay unpushed.
    Failed { reason: String },
}

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tags(#[from] CustomerTagsError),
    #[error(transparent)]
    Bulk(#[from] BulkError),
    #[error(transparent)]
    Native(#[from] NativeSegmentError),
    #[error(transparent)]
    NotNative(#[from] NotNative),
    #[error(transparent)]
    Metafields(#[from] CustomerMetafieldError),
    #[error("the segment's slug is not valid: {0}")]
    Slug(String),
}

impl From<sqlx::Error> for PushError {
    fn from(err: sqlx::Error) -> Self {
        PushError::Store(StoreError::Db(err))
    }
}

/// What the tag push does: in tag mode the tag follows membership; in any other mode SegOps
/// clears its own tag from everyone it may have tagged (it owns `segops:` tags, merchants don't).
#[derive(Debug, Clone)]
struct TagTarget {
    tag: String,
    clearing: bool,
}

impl TagTarget {
    fn change(&self, member: i64) -> TagChange {
        if !self.clearing && member == 1 {
            TagChange::Add
        } else {
            TagChange::Remove
        }
    }

    /// The `member` values a change of `kind` pushes, as an inclusive range.
    fn members_for(&self, kind: TagChange) -> (i64, i64) {
        match (self.clearing, kind) {
            (true, _) => (0, 1),
            (false, TagChange::Add) => (1, 1),
            (false, TagChange::Remove) => (0, 0),
        }
    }
}

async fn target(db: &Db, shop_id: &str, segment_id: &str) -> Result<Option<TagTarget>, PushError> {
    let segment: Option<(String, String)> =
        sqlx::query_as("SELECT slug, push_mode FROM segments WHERE shop_id = $1 AND id = $2")
            .bind(shop_id)
            .bind(segment_id)
            .fetch_optional(db.pool())
            .await?;
    let Some((slug, mode)) = segment else {
        return Ok(None);
    };
    let tag = Slug::parse(&slug)
        .map_err(|e| PushError::Slug(e.to_string()))?
        .tag();
    Ok(Some(TagTarget {
        tag,
        clearing: mode != "tag",
    }))
}

/// Pushes the segment's unpushed tag changes. `poller` says the caller is the job that owns a
/// running bulk mutation (it reschedules itself on `Waiting`); other callers leave it alone.
pub async fn push_tags(
    db: &Db,
    client: &ShopClient,
    shop_id: &str,
    segment_id: &str,
    poller: bool,
) -> Result<PushOutcome, PushError> {
    let Some(target) = target(db, shop_id, segment_id).await? else {
        return Ok(PushOutcome::Nothing);
    };
    direct::mark_anonymous(db, shop_id, segment_id).await?;
    let mut pushed = 0u64;
    // Whether this caller claimed the bulk mutation now in flight (and may start it).
    let mut claimed = false;
    loop {
        if let Some(flight) = bulk::in_flight(db, shop_id, segment_id).await? {
            if !poller && !claimed {
                return Ok(PushOutcome::Handed);
            }
            match bulk::advance(db, client, shop_id, segment_id, &target, &flight).await? {
                bulk::Advance::Waiting if poller => return Ok(PushOutcome::Waiting),
                bulk::Advance::Waiting => return Ok(PushOutcome::Handed),
                bulk::Advance::Settled { pushed: n } => {
                    pushed += n;
                    claimed = false;
                    continue;
                }
                bulk::Advance::Failed { reason } => return Ok(PushOutcome::Failed { reason }),
            }
        }
        let pending = direct::pending(db, shop_id, segment_id).await?;
        if pending == 0 {
            progress::finish(db, shop_id, segment_id).await?;
            return Ok(PushOutcome::Done { pushed });
        }
        progress::begin(db, shop_id, segment_id, pending).await?;
        if pending <= BULK_THRESHOLD {
            pushed += direct::push(db, client, shop_id, segment_id, &target).await?;
            continue;
        }
        // A poller already exists when the caller is one: it must not queue a second.
        claimed = bulk::claim(db, shop_id, segment_id, &target, !poller).await?;
        if !claimed && !poller {
            return Ok(PushOutcome::Handed);
        }
    }
}
