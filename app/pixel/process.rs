//! A stored pixel batch becomes canonical events through the same ingest as webhooks.

use super::envelope::StoredBatch;
use super::{map, settings};
use crate::events::Mapped;
use crate::jobs::JobError;
use crate::pii::Vault;
use crate::state::App;
use crate::store::ExecuteInTurn;

pub async fn process_batch(
    app: &App,
    vault: &Vault,
    shop_id: &str,
    delivery_id: i64,
    body: &[u8],
    received_ms: i64,
) -> Result<(), JobError> {
    let batch: StoredBatch = serde_json::from_slice(body)
        .map_err(|err| JobError::Permanent(format!("pixel batch unreadable: {err}")))?;
    let mapped = Mapped {
        events: batch.events.iter().map(map::map).collect(),
        ..Mapped::default()
    };
    crate::ingest::apply(
        app,
        vault,
        shop_id,
        Some(delivery_id),
        "pixel",
        mapped,
        received_ms * 1000,
    )
    .await?;
    settings::seen(&app.db, shop_id, received_ms).await?;
    // The raw batch may hold checkout contact details; once its events are stored it has no
    // further use, so it is not kept until retention purges it.
    sqlx::query("UPDATE webhook_deliveries SET body_enc = NULL WHERE id = $1")
        .bind(delivery_id)
        .execute_in_turn(&app.db)
        .await?;
    Ok(())
}
