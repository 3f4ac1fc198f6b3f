//! Group commit for the hot path: concurrent deliveries are written together, in one transaction
//! and one fsync, and each request is answered only after the commit that holds it. A single
//! writer task drains whatever queued up while the previous commit was being made, so batches
//! grow with load and a lone delivery is written at once. The delivery row is also the queue
//! entry its processing claims (`jobs::delivery_queue`), so each delivery is one row.

use tokio::sync::{mpsc, oneshot};

use super::writer_stats::{WriterSnapshot, WriterStats};
use crate::clock::now_ms;
use crate::health::{self, Metric};
use sqlx::Any;
use sqlx::pool::PoolConnection;

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
    stats: std::sync::Arc<WriterStats>,
}

impl IntakeWriter {
    /// Starts the writer task; `on_commit` is called after each commit that stored new work.
    pub fn spawn(db: Db, on_commit: impl Fn() + Send + Sync + 'static) -> IntakeWriter {
        let (tx, rx) = mpsc::channel::<Pending>(8192);
        let rx = std::sync::Arc::new(tokio::sync::Mutex::new(rx));
        let on_commit = std::sync::Arc::new(on_commit);
        let stats = std::sync::Arc::new(WriterStats::default());
        let writers = writer_count(db.backend());
        for _ in 0..writers {
            let (db, rx, on_commit, stats) = (
                db.clone(),
                std::sync::Arc::clone(&rx),
                std::sync::Arc::clone(&on_commit),
                std::sync::Arc::clone(&stats),
            );
            tokio::spawn(async move { write_loop(db, rx, on_commit, stats).await });
        }
        IntakeWriter { tx, stats }
    }

    /// The writers' time per phase so far (see `writer_stats`).
    pub fn stats(&self) -> WriterSnapshot {
        self.stats.snapshot()
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

/// SQLite has one writer at a time; PostgreSQL commits concurrently, so several writers keep
/// its commits overlapping. `SEGOPS_INTAKE_WRITERS` overrides the PostgreSQL count (an
/// operator's knob for a database with more or fewer cores than this default assumes).
fn writer_count(backend: crate::store::Backend) -> usize {
    match backend {
        crate::store::Backend::Sqlite => 1,
        crate::store::Backend::Postgres => std::env::var("SEGOPS_INTAKE_WRITERS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| (1..=64).contains(n))
            .unwrap_or(4),
    }
}

/// One writer: takes whatever is queued (up to a batch), commits it, answers each request.
async fn write_loop(
    db: Db,
    rx: std::sync::Arc<tokio::sync::Mutex<mpsc::Receiver<Pending>>>,
    on_commit: std::sync::Arc<impl Fn() + Send + Sync + 'static>,
    stats: std::sync::Arc<WriterStats>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Kept while deliveries keep coming, so a busy writer skips the pool between batches;
    // given back when idle, so the pool can close and a broken connection is not kept.
    let mut held: Option<PoolConnection<Any>> = None;
    loop {
        {
            let mut rx = rx.lock().await;
            let first = match rx.try_recv() {
                Ok(first) => first,
                Err(_) => {
                    held = None;
                    let Some(first) = rx.recv().await else { return };
                    first
                }
            };
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
        }
        {
            let results = match held.as_mut() {
                Some(conn) => Ok(conn),
                None => db.pool().acquire().await.map(|conn| held.insert(conn)),
            };
            let results = match results {
                Ok(conn) => write_batch(&db, conn, &batch, &stats).await,
                Err(err) => Err(err),
            };
            if results.is_err() {
                held = None;
            }
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
    }
}

/// Counts duplicates per shop and topic in the batch's own transaction, after its inserts and
/// in key order: a writer holding a counter row is past every insert, so it never waits for
/// another writer's key, and two writers take counter rows in the same order. No deadlock, and
/// no second commit per batch.
async fn count_duplicates(
    conn: &mut sqlx::AnyConnection,
    batch: &[Pending],
    results: &[Stored],
) -> Result<(), sqlx::Error> {
    let mut duplicates: std::collections::BTreeMap<(&str, &str), i64> =
        std::collections::BTreeMap::new();
    for (pending, stored) in batch.iter().zip(results) {
        if *stored == Stored::Duplicate {
            *duplicates
                .entry((
                    pending.delivery.shop_id.as_str(),
                    pending.delivery.topic.as_str(),
                ))
                .or_default() += 1;
        }
    }
    for ((shop_id, topic), count) in duplicates {
        health::bump_by(conn, shop_id, Metric::DuplicatesDropped, count, Some(topic)).await?;
    }
    Ok(())
}

async fn write_batch(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    batch: &[Pending],
    stats: &WriterStats,
) -> Result<Vec<Stored>, sqlx::Error> {
    let started = std::time::Instant::now();
    let mut tx = db.begin_write_on(conn).await?;
    let begun = started.elapsed();
    let written = async {
        let results = write_in_tx(&mut tx, batch).await?;
        count_duplicates(&mut tx, batch, &results).await?;
        Ok::<_, sqlx::Error>(results)
    }
    .await;
    match written {
        Ok(results) => {
            let inserted = started.elapsed();
            tx.commit().await?;
            stats.record(
                batch.len(),
                begun,
                inserted - begun,
                started.elapsed() - inserted,
            );
            Ok(results)
        }
        Err(err) => {
            let _ = tx.rollback().await;
            Err(err)
        }
    }
}

async fn write_in_tx(
    conn: &mut sqlx::AnyConnection,
    batch: &[Pending],
) -> Result<Vec<Stored>, sqlx::Error> {
    let now = now_ms();
    let mut results = vec![Stored::Duplicate; batch.len()];
    // Rows go in key order: two PostgreSQL writers whose batches share keys (a retry landing
    // beside its original) then wait for each other in one direction only, never in a cycle.
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by(|&a, &b| key(&batch[a]).cmp(&key(&batch[b])));
    let mut offset = 0;
    for size in dialect::statement_sizes(batch.len()) {
        let chunk = &order[offset..offset + size];
        let mut sql = String::from(
            "INSERT INTO webhook_deliveries (shop_id, topic, event_id, webhook_id, triggered_at, api_version, body_enc, received_at) VALUES ",
        );
        sql.push_str(&dialect::values(chunk.len(), 8));
        sql.push_str(" ON CONFLICT (shop_id, topic, event_id) DO NOTHING RETURNING id, shop_id, topic, event_id");
        // Only the `$n` markers are interpolated; every value is bound.
        let mut query =
            sqlx::query_as::<_, (i64, String, String, String)>(sqlx::AssertSqlSafe(sql));
        for &index in chunk {
            let delivery = &batch[index].delivery;
            query = query
                .bind(&delivery.shop_id)
                .bind(&delivery.topic)
                .bind(&delivery.event_id)
                .bind(delivery.webhook_id.as_deref())
                .bind(delivery.triggered_at.as_deref())
                .bind(delivery.api_version.as_deref())
                .bind(&delivery.body_enc)
                .bind(now);
        }
        let inserted = query.fetch_all(&mut *conn).await?;
        for (id, shop_id, topic, event_id) in inserted {
            // The first request of the batch with this key gets the row; later ones are duplicates.
            let row_key = (shop_id.as_str(), topic.as_str(), event_id.as_str());
            if let Some(&index) = chunk.iter().find(|&&i| key(&batch[i]) == row_key) {
                results[index] = Stored::Fresh(id);
            }
        }
        offset += size;
    }
    Ok(results)
}

/// A delivery's dedupe key.
fn key(pending: &Pending) -> (&str, &str, &str) {
    let d = &pending.delivery;
    (d.shop_id.as_str(), d.topic.as_str(), d.event_id.as_str())
}
