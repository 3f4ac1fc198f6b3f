//! Group commit for the hot path: concurrent deliveries are written together, in one transaction
//! and one fsync, and each request is answered only after the commit that holds it. A single
//! writer task drains whatever queued up while the previous commit was being made, so batches
//! grow with load and a lone delivery is written at once.

use tokio::sync::{mpsc, oneshot};

use crate::clock::now_ms;
use crate::health::{self, Metric};
use crate::jobs::{NewJob, ProcessDelivery, queue};
use crate::store::{Db, dialect};

/// The most deliveries one transaction takes.
const MAX_BATCH: usize = 512;

pub struct NewDelivery {
    pub shop_id: String,
    pub topic: String,
    pub event_id: String,
    pub webhook_id: Option<String>,
    pub triggered_at: Option<String>,
    pub api_version: Option<String>,
    /// The raw body, already sealed under the shop's key.
    pub body_enc: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Fresh(i64),
    Duplicate,
}

#[derive(Debug, thiserror::Error)]
#[error("the delivery could not be stored: {0}")]
pub struct IntakeError(String);

struct Pending {
    delivery: NewDelivery,
    reply: oneshot::Sender<Result<Stored, IntakeError>>,
}

#[derive(Clone)]
pub struct IntakeWriter {
    tx: mpsc::Sender<Pending>,
}

impl IntakeWriter {
    /// Starts the writer task; `on_commit` is called after each commit that stored new work.
    pub fn spawn(db: Db, on_commit: impl Fn() + Send + 'static) -> IntakeWriter {
        let (tx, mut rx) = mpsc::channel::<Pending>(8192);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let results = write_batch(&db, &batch).await;
                let any_fresh = results
                    .as_ref()
                    .is_ok_and(|r| r.iter().any(|s| matches!(s, Stored::Fresh(_))));
                match results {
                    Ok(results) => {
                        for (pending, stored) in batch.drain(..).zip(results) {
                            let _ = pending.reply.send(Ok(stored));
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, size = batch.len(), "intake batch failed; Shopify will retry");
                        for pending in batch.drain(..) {
                            let _ = pending.reply.send(Err(IntakeError(err.to_string())));
                        }
                    }
                }
                if any_fresh {
                    on_commit();
                }
            }
        });
        IntakeWriter { tx }
    }

    /// Resolves once the delivery is durably committed (or known to be a duplicate).
    pub async fn store(&self, delivery: NewDelivery) -> Result<Stored, IntakeError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Pending { delivery, reply })
            .await
            .map_err(|_| IntakeError("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| IntakeError("the writer dropped the delivery".into()))?
    }
}

async fn write_batch(db: &Db, batch: &[Pending]) -> Result<Vec<Stored>, sqlx::Error> {
    let mut conn = db.pool().acquire().await?;
    sqlx::query(dialect::begin_write(db.backend()))
        .execute(&mut *conn)
        .await?;
    match write_in_tx(&mut conn, batch).await {
        Ok(results) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(results)
        }
        Err(err) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(err)
        }
    }
}

async fn write_in_tx(
    conn: &mut sqlx::AnyConnection,
    batch: &[Pending],
) -> Result<Vec<Stored>, sqlx::Error> {
    let now = now_ms();
    let mut results = Vec::with_capacity(batch.len());
    for Pending { delivery, .. } in batch {
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO webhook_deliveries (shop_id, topic, event_id, webhook_id, triggered_at, api_version, body_enc, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (shop_id, topic, event_id) DO NOTHING RETURNING id",
        )
        .bind(&delivery.shop_id)
        .bind(&delivery.topic)
        .bind(&delivery.event_id)
        .bind(delivery.webhook_id.as_deref())
        .bind(delivery.triggered_at.as_deref())
        .bind(delivery.api_version.as_deref())
        .bind(&delivery.body_enc)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        match id {
            Some(id) => {
                let mut job = NewJob::now(
                    &delivery.shop_id,
                    ProcessDelivery::KIND,
                    &ProcessDelivery { delivery_id: id },
                );
                job.unique_key = Some(ProcessDelivery::key(id));
                queue::enqueue(conn, &job).await?;
                results.push(Stored::Fresh(id));
            }
            None => {
                health::bump_by(
                    conn,
                    &delivery.shop_id,
                    Metric::DuplicatesDropped,
                    1,
                    Some(&delivery.topic),
                )
                .await?;
                results.push(Stored::Duplicate);
            }
        }
    }
    Ok(results)
}
