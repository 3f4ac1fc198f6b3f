//! Full evaluation: every profile of a shop against several of its segments at once (a new
//! segment, an on-demand re-run, the daily sweep). Profiles are read a page at a time with plain
//! reads, evaluated in memory against all the segments, and only the memberships that change are
//! written, in short batched write transactions; a re-run with nothing to change writes nothing.
//!
//! Concurrency: a webhook may change a profile after the pass read it. Each write batch re-reads
//! the changed people's profile versions inside its transaction (locking them on PostgreSQL) and
//! evaluates afresh anyone whose version moved, so a stale answer is never written over a newer
//! one. People whose profile moved but whose answer did not change are not written at all: the
//! change that moved their profile queued its own incremental evaluation, which runs after it
//! committed and so sees it. Writes are conditional (enter only non-members, leave only members),
//! so the pass and an incremental evaluation never record the same move twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};

use super::StoreError;
use super::load::EventNeeds;
use super::page::{Page, Reader};
use super::write::{Change, Pass, SafetyPushes, write_batch};
use crate::clock::now_ms;
use crate::jobs::{NewJob, PushSegmentNative, PushSegmentTags, queue};
use crate::segments::{Rule, SegmentSet};
use crate::store::{Backend, Db};

/// How a full evaluation pages and batches.
#[derive(Debug, Clone)]
pub struct FullOptions {
    /// Profiles read per page.
    pub page_size: usize,
    /// Changes gathered before a write transaction (at page boundaries, so it may be exceeded
    /// by one page's worth): short enough that the webhook intake never waits long on SQLite's
    /// one write lock.
    pub batch_changes: usize,
    /// Evaluate as of this time instead of the clock: a benchmark's synthetic profiles are built
    /// relative to a fixed time, so that windows select the same people on every run.
    pub as_of_ms: Option<i64>,
}

impl Default for FullOptions {
    fn default() -> Self {
        FullOptions {
            page_size: 2_000,
            batch_changes: 4_000,
            as_of_ms: None,
        }
    }
}

/// What a full evaluation did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FullEvaluation {
    /// Segments evaluated (requested ones that exist).
    pub segments: usize,
    pub profiles: u64,
    pub entered: u64,
    pub left: u64,
    /// People whose profile changed under the pass and were evaluated again before writing.
    pub rechecked: u64,
    pub write_transactions: u64,
    /// Time spent reading pages, evaluating them, and writing batches, in milliseconds. Reads
    /// and writes overlap, so the three may add up to more than the pass took.
    pub read_ms: u64,
    pub evaluate_ms: u64,
    pub write_ms: u64,
}

/// Evaluates every profile of the shop against the segments `segment_ids` names (unknown ids
/// are skipped), reading the profiles once for all of them.
pub async fn evaluate_segments(
    db: &Db,
    shop_id: &str,
    segment_ids: &[String],
    options: &FullOptions,
) -> Result<FullEvaluation, StoreError> {
    let started = Instant::now();
    let now = options.as_of_ms.unwrap_or_else(now_ms);
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, rule, push_mode FROM segments WHERE shop_id = $1 ORDER BY created_at, id",
    )
    .bind(shop_id)
    .fetch_all(db.pool())
    .await?;
    let mut ids = Vec::new();
    let mut push_modes = Vec::new();
    let mut set = SegmentSet::new();
    let mut rules = Vec::new();
    for (id, json, push_mode) in rows {
        if !segment_ids.contains(&id) {
            continue;
        }
        let rule = Rule::from_json(&json)?;
        set.insert(ids.len(), &rule)?;
        rules.push(rule);
        ids.push(id);
        push_modes.push(push_mode);
    }
    let mut done = FullEvaluation {
        segments: ids.len(),
        ..FullEvaluation::default()
    };
    if ids.is_empty() {
        return Ok(done);
    }
    let needs = EventNeeds::of(&rules);
    let ids: Arc<[String]> = ids.into();
    let reader = Reader {
        db: db.clone(),
        shop_id: shop_id.to_owned(),
        segment_ids: ids.clone(),
        needs,
        now_ms: now,
        size: options.page_size.max(1),
    };
    let pass = Pass {
        db: db.clone(),
        shop_id: shop_id.to_owned(),
        segment_ids: ids.clone(),
        push_modes: push_modes.clone().into(),
        set: Arc::new(set),
        needs,
        now_ms: now,
    };
    // Three stages, each on its own task so that they overlap on separate cores: reading (and
    // decoding) the next pages, evaluating this one, writing the last batch of changes. Each
    // hand-over holds at most one item waiting, which bounds memory and lets a slow stage hold
    // the others back. Key ranges are disjoint, and on SQLite readers run beside the writer.
    let (mut pages, reading) = read_ahead(reader);
    let (batches, writing) = write_behind(pass.clone());
    let _stop = AbortOnDrop(vec![reading, writing.abort_handle()]);
    let mut pending: Vec<Change> = Vec::new();
    let mut read_at: HashMap<String, Option<i64>> = HashMap::new();
    while let Some(next) = pages.recv().await {
        let (current, read_ms) = next?;
        done.read_ms += read_ms;
        done.profiles += current.profiles.len() as u64;
        let evaluating = Instant::now();
        changes_in(&current, &pass.set, now, &mut pending, &mut read_at);
        done.evaluate_ms += elapsed_ms(evaluating);
        let last = current.through.is_none();
        if pending.len() >= options.batch_changes || (last && !pending.is_empty()) {
            let batch = (std::mem::take(&mut pending), std::mem::take(&mut read_at));
            if batches.send(batch).await.is_err() {
                // The writer stopped on an error, which its result carries.
                break;
            }
        }
    }
    drop(batches);
    let written = writing.await.map_err(|err| {
        StoreError::Db(sqlx::Error::Io(std::io::Error::other(format!(
            "the full evaluation's writer stopped: {err}"
        ))))
    })??;
    done.write_ms = written.ms;
    done.write_transactions = written.transactions;
    done.rechecked = written.rechecked;
    let mut moved = vec![false; ids.len()];
    for (index, (entered, left)) in written.moved.into_iter().enumerate() {
        done.entered += entered;
        done.left += left;
        moved[index] = entered + left > 0;
    }
    finish_moved(db, shop_id, &ids, &push_modes, &moved, now).await?;
    tracing::info!(
        shop_id,
        segments = done.segments,
        profiles = done.profiles,
        entered = done.entered,
        left = done.left,
        rechecked = done.rechecked,
        read_ms = done.read_ms,
        evaluate_ms = done.evaluate_ms,
        write_ms = done.write_ms,
        elapsed_ms = elapsed_ms(started),
        "full segment evaluation"
    );
    Ok(done)
}

/// A page as read, with the milliseconds its reading took.
type Read = Result<(Page, u64), StoreError>;

/// Reads every page in key order on its own task, one page ahead of the evaluation; an error
/// ends the reading and is handed over in its turn.
fn read_ahead(reader: Reader) -> (mpsc::Receiver<Read>, AbortHandle) {
    let (pages, receiver) = mpsc::channel(1);
    let task = tokio::spawn(async move {
        let mut after = String::new();
        loop {
            let started = Instant::now();
            let page = reader.page(&after).await;
            let read_ms = elapsed_ms(started);
            let next = match &page {
                Ok(page) => page.through.clone(),
                Err(_) => None,
            };
            if pages.send(page.map(|page| (page, read_ms))).await.is_err() {
                return;
            }
            match next {
                Some(through) => after = through,
                None => return,
            }
        }
    });
    (receiver, task.abort_handle())
}

type Batch = (Vec<Change>, HashMap<String, Option<i64>>);

/// What the writer did over the whole pass.
#[derive(Default)]
struct Totals {
    moved: Vec<(u64, u64)>,
    rechecked: u64,
    transactions: u64,
    ms: u64,
}

/// On PostgreSQL, the writer refreshes `memberships`' statistics after its first batch and then
/// after every this many.
const ANALYZE_EVERY: u64 = 25;

/// Writes batches in the order they come, on its own task; stops at the first error.
fn write_behind(pass: Pass) -> (mpsc::Sender<Batch>, JoinHandle<Result<Totals, StoreError>>) {
    let (batches, mut receiver) = mpsc::channel::<Batch>(1);
    let task = tokio::spawn(async move {
        let mut totals = Totals {
            moved: vec![(0, 0); pass.segment_ids.len()],
            ..Totals::default()
        };
        let mut safety = SafetyPushes::new(pass.segment_ids.len());
        while let Some((changes, read)) = receiver.recv().await {
            let started = Instant::now();
            let written = write_batch(&pass, changes, &read, &mut safety).await?;
            totals.transactions += 1;
            if pass.db.backend() == Backend::Postgres && totals.transactions % ANALYZE_EVERY == 1 {
                // A first pass can grow `memberships` by millions of rows in minutes, faster
                // than autovacuum re-reads its statistics; planned from those of a near-empty
                // table, each page's membership read became a 0.8 s scan (BENCHMARKS.md).
                sqlx::query("ANALYZE memberships")
                    .execute(pass.db.pool())
                    .await?;
            }
            totals.ms += elapsed_ms(started);
            totals.rechecked += written.rechecked;
            for (total, (entered, left)) in totals.moved.iter_mut().zip(written.moved) {
                total.0 += entered;
                total.1 += left;
            }
        }
        Ok(totals)
    });
    (batches, task)
}

/// Stops the pass's tasks when it ends early (an error, or the caller giving up on it): a
/// write cut off mid-transaction rolls back.
struct AbortOnDrop(Vec<AbortHandle>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The page's membership changes, each person's read version beside them.
fn changes_in(
    page: &Page,
    set: &SegmentSet<usize>,
    now: i64,
    pending: &mut Vec<Change>,
    read_at: &mut HashMap<String, Option<i64>>,
) {
    let mut members: HashMap<&str, Vec<usize>> = HashMap::new();
    for (person, segment) in &page.members {
        members.entry(person.as_str()).or_default().push(*segment);
    }
    for read in &page.profiles {
        let was = members.remove(read.person_id.as_str()).unwrap_or_default();
        let before = pending.len();
        set.evaluate_all(&read.profile, now, |segment, member| {
            if member != was.contains(segment) {
                pending.push(Change {
                    person: read.person_id.clone(),
                    segment: *segment,
                    enter: member,
                });
            }
        });
        if pending.len() > before {
            read_at.insert(read.person_id.clone(), Some(read.version));
        }
    }
    // Members without a profile any more (merged away) leave.
    for (person, segments) in members {
        for segment in segments {
            pending.push(Change {
                person: person.to_owned(),
                segment,
                enter: false,
            });
        }
        read_at.insert(person.to_owned(), None);
    }
}

/// For each segment the pass moved, in its own short write transaction: recounts its members
/// (the batches kept the count by deltas; a recount also heals a count a concurrent
/// per-person evaluation computed from a snapshot that missed a batch) and queues its push, as
/// the per-person path does.
async fn finish_moved(
    db: &Db,
    shop_id: &str,
    ids: &[String],
    push_modes: &[String],
    moved: &[bool],
    now: i64,
) -> Result<(), StoreError> {
    for ((id, mode), _) in ids.iter().zip(push_modes).zip(moved).filter(|(_, m)| **m) {
        let mut conn = db.begin_write().await?;
        let result = finish_one(&mut conn, shop_id, id, mode, now).await;
        match result {
            Ok(()) => {
                conn.commit().await?;
            }
            Err(err) => {
                let _ = conn.rollback().await;
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Recounts a segment whose members moved and queues the push its mode needs (none for
/// `none`): what every evaluation, per person or full, does once it has moved someone.
pub(super) async fn finish_one(
    conn: &mut sqlx::AnyConnection,
    shop_id: &str,
    id: &str,
    mode: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE segments SET member_count = (SELECT COUNT(*) FROM memberships \
         WHERE shop_id = $1 AND segment_id = $2 AND member = 1), updated_at = $3 \
         WHERE shop_id = $1 AND id = $2",
    )
    .bind(shop_id)
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let job = match mode {
        "tag" => NewJob::now(
            shop_id,
            PushSegmentTags::KIND,
            &PushSegmentTags {
                shop_id: shop_id.to_owned(),
                segment_id: id.to_owned(),
                poll: false,
            },
        ),
        // Shopify computes a native segment's members itself; our count moved, so the drift
        // is read again.
        "native" => NewJob::now(
            shop_id,
            PushSegmentNative::KIND,
            &PushSegmentNative {
                shop_id: shop_id.to_owned(),
                segment_id: id.to_owned(),
            },
        ),
        _ => return Ok(()),
    };
    queue::enqueue(conn, &job).await?;
    Ok(())
}
