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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle, JoinSet};

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
    /// Write transactions in flight at once; `None`: the store's default (see [`writers`]).
    pub writers: Option<usize>,
}

/// How many batches a pass writes at once by default. SQLite has one write lock, so one. On
/// PostgreSQL the writes are disjoint (each batch holds other people) and inserting millions of
/// rows is bound by one server process's CPU, so a second writer runs beside the first.
fn writers(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 2,
    }
}

impl Default for FullOptions {
    fn default() -> Self {
        FullOptions {
            page_size: 2_000,
            batch_changes: 4_000,
            as_of_ms: None,
            writers: None,
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
    /// Time spent reading pages, evaluating them, and writing batches (summed over the
    /// writers), in milliseconds. Reads and writes overlap, so the three may add up to more
    /// than the pass took.
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
    let writers = options
        .writers
        .unwrap_or_else(|| writers(db.backend()))
        .max(1);
    let (batches, writing) = write_behind(pass.clone(), writers);
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

/// What the writers did over the whole pass.
#[derive(Default)]
struct Totals {
    moved: Vec<(u64, u64)>,
    rechecked: u64,
    transactions: u64,
    /// Summed over the writers: with several, more than the time the writing took.
    ms: u64,
}

impl Totals {
    fn add(&mut self, other: Totals) {
        self.rechecked += other.rechecked;
        self.transactions += other.transactions;
        self.ms += other.ms;
        for (total, (entered, left)) in self.moved.iter_mut().zip(other.moved) {
            total.0 += entered;
            total.1 += left;
        }
    }
}

/// Writes batches as they come on `writers` tasks; stops at the first error. Batches hold
/// disjoint people, so the order they commit in does not matter.
fn write_behind(
    pass: Pass,
    writers: usize,
) -> (mpsc::Sender<Batch>, JoinHandle<Result<Totals, StoreError>>) {
    let (batches, receiver) = mpsc::channel::<Batch>(writers);
    let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
    let written = Arc::new(AtomicU64::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..writers {
        tasks.spawn(write_each(pass.clone(), receiver.clone(), written.clone()));
    }
    let task = tokio::spawn(async move {
        let mut totals = Totals {
            moved: vec![(0, 0); pass.segment_ids.len()],
            ..Totals::default()
        };
        // The first error ends the pass: returning drops the set, which stops the other
        // writers (a write cut off mid-transaction rolls back), and the closed channel stops
        // the evaluation.
        while let Some(done) = tasks.join_next().await {
            let done = done.map_err(|err| {
                StoreError::Db(sqlx::Error::Io(std::io::Error::other(format!(
                    "a full evaluation writer stopped: {err}"
                ))))
            })??;
            totals.add(done);
        }
        Ok(totals)
    });
    (batches, task)
}

/// One writer: takes the next batch until there are none; `written` counts the pass's
/// committed batches across writers.
async fn write_each(
    pass: Pass,
    batches: Arc<tokio::sync::Mutex<mpsc::Receiver<Batch>>>,
    written: Arc<AtomicU64>,
) -> Result<Totals, StoreError> {
    let mut totals = Totals {
        moved: vec![(0, 0); pass.segment_ids.len()],
        ..Totals::default()
    };
    // Each writer keeps its own timings: two writers may each queue a segment's safety push
    // within the minute, which the job's unique key absorbs.
    let mut safety = SafetyPushes::new(pass.segment_ids.len());
    loop {
        let next = batches.lock().await.recv().await;
        let Some((changes, read)) = next else {
            return Ok(totals);
        };
        let started = Instant::now();
        let done = write_batch(&pass, changes, &read, &mut safety).await?;
        let count = written.fetch_add(1, Ordering::Relaxed) + 1;
        if pass.db.backend() == Backend::Postgres && count.is_power_of_two() {
            // A first pass can grow `memberships` by millions of rows in minutes, faster
            // than autovacuum re-reads its statistics; planned from those of a near-empty
            // table, each page's membership read became a 0.8 s scan (BENCHMARKS.md). So the
            // statistics are refreshed whenever the pass's batches have doubled: often while
            // the table is small and ANALYZE cheap, about ten times in a pass of 500.
            sqlx::query("ANALYZE memberships")
                .execute(pass.db.pool())
                .await?;
        }
        totals.transactions += 1;
        totals.ms += elapsed_ms(started);
        totals.rechecked += done.rechecked;
        for (total, (entered, left)) in totals.moved.iter_mut().zip(done.moved) {
            total.0 += entered;
            total.1 += left;
        }
    }
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
    // Each person's rows: (segment, whether a current member).
    let mut rows: HashMap<&str, Vec<(usize, bool)>> = HashMap::new();
    for row in &page.rows {
        rows.entry(row.person.as_str())
            .or_default()
            .push((row.segment, row.member));
    }
    for read in &page.profiles {
        let had = rows.remove(read.person_id.as_str()).unwrap_or_default();
        let before = pending.len();
        set.evaluate_all(&read.profile, now, |segment, member| {
            let row = had.iter().find(|(s, _)| s == segment);
            if member != row.is_some_and(|(_, was)| *was) {
                pending.push(Change {
                    person: read.person_id.clone(),
                    segment: *segment,
                    enter: member,
                    fresh: row.is_none(),
                });
            }
        });
        if pending.len() > before {
            read_at.insert(read.person_id.clone(), Some(read.version));
        }
    }
    // Members without a profile any more (merged away) leave.
    for (person, had) in rows {
        let mut left = false;
        for (segment, _) in had.into_iter().filter(|(_, member)| *member) {
            left = true;
            pending.push(Change {
                person: person.to_owned(),
                segment,
                enter: false,
                fresh: false,
            });
        }
        if left {
            read_at.insert(person.to_owned(), None);
        }
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
