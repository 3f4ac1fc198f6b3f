//! Applying many rows read in bulk (the install backfill) through the same steps as one
//! webhook, in one short transaction that also runs the caller's own write (its checkpoint),
//! so the rows and the record of having applied them commit together or not at all.

use futures::future::BoxFuture;
use sqlx::AnyConnection;

use super::apply::{Pii, apply_in_tx};
use crate::events::Mapped;
use crate::jobs::JobError;
use crate::pii::Vault;
use crate::state::App;

/// A write the caller adds to the batch's transaction.
pub trait InTransaction: Sync {
    fn run<'c>(&'c self, conn: &'c mut AnyConnection) -> BoxFuture<'c, Result<(), sqlx::Error>>;
}

/// Applies `mapped` (several rows' changes together) as source `backfill`, then `also`, in one
/// transaction. Bulk snapshots carry no trigger time, so they are versioned 0: a webhook
/// stamped with the same `updated_at` wins the tie, and replaying a batch changes nothing.
/// Protected data is merged rather than replaced (see [`Vault::merge_in`]).
pub async fn apply_batch(
    app: &App,
    vault: &Vault,
    shop_id: &str,
    mapped: Mapped,
    also: &dyn InTransaction,
) -> Result<(), JobError> {
    let mut conn = app.db.begin_write().await?;
    let outcome = async {
        // No abandonment timer can start from a backfill (only webhooks start them).
        apply_in_tx(
            &mut conn,
            vault,
            shop_id,
            None,
            "backfill",
            &mapped,
            Pii::Merge,
            0,
            0,
        )
        .await?;
        also.run(&mut conn).await.map_err(JobError::from)
    }
    .await;
    match outcome {
        Ok(()) => {
            conn.commit().await?;
            Ok(())
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}
