//! Writes a batch of membership changes found by a full evaluation, in one short write
//! transaction: re-checks that each changed person's profile is still the version the pass read
//! (evaluating afresh the few that moved), then applies entries and exits as conditional
//! multi-row statements, so a row another evaluation already moved is not moved twice, and
//! keeps each segment's `member_count` by the exact number of rows changed.
//!
//! Entries of people the page saw without any row for the segment are plain inserts: an upsert
//! (`ON CONFLICT`) costs PostgreSQL a speculative insertion per row, which made a first pass of
//! 7.3M entries half again as slow (BENCHMARKS.md). Should another evaluation have inserted one
//! of those rows since the page was read, the insert fails on the key; the batch is then rolled
//! back and written again with upserts throughout.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::AnyConnection;

use super::StoreError;
use super::load::{EventNeeds, load_profile};
use crate::jobs::{NewJob, PushSegmentTags, queue};
use crate::segments::SegmentSet;
use crate::store::{Db, dialect, packed};

/// One membership to change: `person` enters (or leaves) segment number `segment` of the pass.
#[derive(Debug, Clone)]
pub(super) struct Change {
    pub person: String,
    pub segment: usize,
    pub enter: bool,
    /// The pass saw no row for this person and segment, so an entry can be a plain insert.
    pub fresh: bool,
}

/// What the pass knows while writing. Owned, so that writing can run on its own task.
#[derive(Clone)]
pub(super) struct Pass {
    pub db: Db,
    pub shop_id: String,
    pub segment_ids: Arc<[String]>,
    /// Each segment's push mode (`tag`, `native`, `none`), beside its id.
    pub push_modes: Arc<[String]>,
    pub set: Arc<SegmentSet<usize>>,
    /// The events the pass's rules read.
    pub needs: EventNeeds,
    pub now_ms: i64,
}

/// How long after a batch moved a tag segment its safety-net push runs. The pass queues the
/// real push when it ends; this one covers a pass that dies midway (its retry finds nothing
/// left to move, so would queue nothing), and while queued it absorbs every later batch's.
const SAFETY_PUSH_DELAY_MS: i64 = 5 * 60 * 1000;

/// People per packed list in one statement: a batch's changes for one segment usually fit in
/// one, and a statement stays a bounded size.
const PACKED_LIST: usize = 10_000;

/// What one batch changed.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// Per segment of the pass: (entered, left).
    pub moved: Vec<(u64, u64)>,
    /// People whose profile changed after the pass read it, evaluated again from the new one.
    pub rechecked: u64,
}

/// When each segment's safety-net push was last queued by this pass, so that a pass of many
/// batches queues it about once a minute rather than once per batch (one statement fewer per
/// segment per batch; the queued job absorbs the rest).
pub(super) struct SafetyPushes(Vec<Option<Instant>>);

impl SafetyPushes {
    pub fn new(segments: usize) -> SafetyPushes {
        SafetyPushes(vec![None; segments])
    }

    fn due(&self, segment: usize) -> bool {
        self.0
            .get(segment)
            .copied()
            .flatten()
            .is_none_or(|at| at.elapsed() >= SAFETY_PUSH_REQUEUE)
    }
}

const SAFETY_PUSH_REQUEUE: Duration = Duration::from_secs(60);

/// Applies `changes`; `read` holds the profile version each changed person was read at
/// (`None`: they had no profile).
pub(super) async fn write_batch(
    pass: &Pass,
    changes: Vec<Change>,
    read: &HashMap<String, Option<i64>>,
    safety: &mut SafetyPushes,
) -> Result<Written, StoreError> {
    match attempt(pass, changes.clone(), read, safety, Inserts::Plain).await {
        Err(StoreError::Db(err)) if dialect::is_unique_violation(&err) => {
            tracing::debug!(
                shop_id = pass.shop_id,
                "a membership row appeared under the full pass; writing its batch again with upserts"
            );
            attempt(pass, changes, read, safety, Inserts::Upsert).await
        }
        other => other,
    }
}

/// How entries of people without a row are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inserts {
    /// A plain insert: fails on the key if the row appeared since the page was read.
    Plain,
    /// An upsert that enters only a non-member, whatever the page saw.
    Upsert,
}

/// One try at writing the batch, in one write transaction.
async fn attempt(
    pass: &Pass,
    mut changes: Vec<Change>,
    read: &HashMap<String, Option<i64>>,
    safety: &mut SafetyPushes,
    inserts: Inserts,
) -> Result<Written, StoreError> {
    let mut conn = pass.db.begin_write().await?;
    let result = async {
        let people: Vec<&str> = read.keys().map(String::as_str).collect();
        let now = versions(&mut conn, pass, &people).await?;
        let stale: HashSet<String> = read
            .iter()
            .filter(|(person, version)| now.get(person.as_str()).copied() != **version)
            .map(|(person, _)| person.clone())
            .collect();
        let mut written = Written {
            moved: vec![(0, 0); pass.segment_ids.len()],
            rechecked: stale.len() as u64,
        };
        if !stale.is_empty() {
            changes.retain(|c| !stale.contains(&c.person));
            for person in &stale {
                changes.extend(evaluate_again(&mut conn, pass, person).await?);
            }
        }
        if inserts == Inserts::Upsert {
            for change in &mut changes {
                change.fresh = false;
            }
        }
        let queued = apply(&mut conn, pass, &changes, &mut written, safety).await?;
        Ok((written, queued))
    }
    .await;
    match result {
        Ok((written, queued)) => {
            conn.commit().await?;
            // Recorded only once committed: a rolled-back queueing is queued again next time.
            let now = Instant::now();
            for segment in queued {
                if let Some(at) = safety.0.get_mut(segment) {
                    *at = Some(now);
                }
            }
            Ok(written)
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}

/// The current profile version of each person who has a profile. On PostgreSQL the rows are
/// locked until commit, so no profile can change between this check and the writes.
async fn versions(
    conn: &mut AnyConnection,
    pass: &Pass,
    people: &[&str],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut found = HashMap::with_capacity(people.len());
    for chunk in people.chunks(PACKED_LIST) {
        let sql = format!(
            "SELECT person_id, version FROM profiles WHERE shop_id = $1 AND person_id IN ({}){}",
            packed::list_rows(pass.db.backend(), 2),
            dialect::lock_read(pass.db.backend())
        );
        let rows: Vec<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(pass.shop_id.as_str())
            .bind(packed::json_list(chunk))
            .fetch_all(&mut *conn)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

/// The person's changes from their profile and memberships as they are now, inside the write
/// transaction: what the per-person evaluation would conclude.
async fn evaluate_again(
    conn: &mut AnyConnection,
    pass: &Pass,
    person: &str,
) -> Result<Vec<Change>, StoreError> {
    let profile = load_profile(conn, &pass.shop_id, person, pass.now_ms, pass.needs).await?;
    let members: Vec<String> = sqlx::query_scalar(
        // The segment list turns a scan of the shop's memberships into one key lookup per segment.
        "SELECT segment_id FROM memberships WHERE shop_id = $1 AND person_id = $2 AND member = 1 \
         AND segment_id IN (SELECT id FROM segments WHERE shop_id = $1)",
    )
    .bind(pass.shop_id.as_str())
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    let mut changes = Vec::new();
    for (index, id) in pass.segment_ids.iter().enumerate() {
        let Some(rule) = pass.set.get(&index) else {
            continue;
        };
        let member = profile
            .as_ref()
            .is_some_and(|p| rule.matches(p, pass.now_ms));
        if member != members.contains(id) {
            changes.push(Change {
                person: person.to_owned(),
                segment: index,
                enter: member,
                // Rows are not known here: an entry is an upsert.
                fresh: false,
            });
        }
    }
    Ok(changes)
}

/// One segment's changes in a batch.
#[derive(Debug, Clone, Default)]
struct Moves<'a> {
    /// Entries of people with no row: plain inserts.
    insert: Vec<&'a str>,
    /// Entries of people who may have a row: upserts that enter only non-members.
    enter: Vec<&'a str>,
    leave: Vec<&'a str>,
}

/// Entries and exits, per segment in multi-row statements; then the counts. Returns the segments
/// whose safety-net push it queued.
async fn apply(
    conn: &mut AnyConnection,
    pass: &Pass,
    changes: &[Change],
    written: &mut Written,
    safety: &SafetyPushes,
) -> Result<Vec<usize>, StoreError> {
    let mut queued = Vec::new();
    let mut by_segment = vec![Moves::default(); pass.segment_ids.len()];
    for change in changes {
        let moves = &mut by_segment[change.segment];
        match (change.enter, change.fresh) {
            (true, true) => moves.insert.push(&change.person),
            (true, false) => moves.enter.push(&change.person),
            (false, _) => moves.leave.push(&change.person),
        }
    }
    for (index, moves) in by_segment.iter().enumerate() {
        let segment_id = &pass.segment_ids[index];
        let entered = insert_all(conn, pass, segment_id, &moves.insert).await?
            + enter_all(conn, pass, segment_id, &moves.enter).await?;
        let left = leave_all(conn, pass, segment_id, &moves.leave).await?;
        written.moved[index] = (entered, left);
    }
    // The counts last, in segment order: on PostgreSQL several writers share these rows, and a
    // writer holds each one's lock from its update to its commit, so updating them at the end
    // keeps the others' row writes running beside it.
    for (index, &(entered, left)) in written.moved.iter().enumerate() {
        if entered + left == 0 {
            continue;
        }
        let segment_id = &pass.segment_ids[index];
        // The exact number of rows that moved, so the count stays right with no recount
        // (a recount would read a million rows while holding the write lock).
        sqlx::query(
            "UPDATE segments SET member_count = member_count + $1, updated_at = $2 \
             WHERE shop_id = $3 AND id = $4",
        )
        .bind(i64::try_from(entered).unwrap_or(i64::MAX) - i64::try_from(left).unwrap_or(0))
        .bind(pass.now_ms)
        .bind(pass.shop_id.as_str())
        .bind(segment_id)
        .execute(&mut *conn)
        .await?;
        if pass.push_modes[index] == "tag" && safety.due(index) {
            queued.push(index);
            let job = PushSegmentTags {
                shop_id: pass.shop_id.to_owned(),
                segment_id: segment_id.clone(),
                poll: false,
            };
            let mut job = NewJob::now(&pass.shop_id, PushSegmentTags::KIND, &job);
            job.run_at += SAFETY_PUSH_DELAY_MS;
            job.unique_key = Some(format!("full-pass-push:{segment_id}"));
            queue::enqueue(conn, &job).await?;
        }
    }
    Ok(queued)
}

/// Inserts the rows of people entering who had none (as `record` does: entered now, not left,
/// unpushed); fails on the key if one has a row by now.
async fn insert_all(
    conn: &mut AnyConnection,
    pass: &Pass,
    segment_id: &str,
    people: &[&str],
) -> Result<u64, StoreError> {
    per_list(conn, pass, segment_id, people, |list| {
        format!(
            "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, pushed) \
             SELECT $1, $2, people.value, 1, $3, 0 FROM ({list}) AS people"
        )
    })
    .await
}

/// Enters the people not already members (as `record` does: entered now, not left, unpushed);
/// returns how many rows changed.
async fn enter_all(
    conn: &mut AnyConnection,
    pass: &Pass,
    segment_id: &str,
    people: &[&str],
) -> Result<u64, StoreError> {
    // `WHERE true` tells SQLite's parser the ON CONFLICT is the upsert's, not a join's.
    per_list(conn, pass, segment_id, people, |list| {
        format!(
            "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, pushed) \
             SELECT $1, $2, people.value, 1, $3, 0 FROM ({list}) AS people WHERE true \
             ON CONFLICT (segment_id, person_id) DO UPDATE SET member = 1, \
             entered_at = excluded.entered_at, left_at = NULL, pushed = 0 \
             WHERE memberships.member = 0"
        )
    })
    .await
}

/// Marks current members as left now (unpushed); returns how many rows changed.
async fn leave_all(
    conn: &mut AnyConnection,
    pass: &Pass,
    segment_id: &str,
    people: &[&str],
) -> Result<u64, StoreError> {
    per_list(conn, pass, segment_id, people, |list| {
        format!(
            "UPDATE memberships SET member = 0, left_at = $3, pushed = 0 \
             WHERE shop_id = $1 AND segment_id = $2 AND member = 1 AND person_id IN ({list})"
        )
    })
    .await
}

/// Runs the statement `sql` makes around a packed list of people (the subquery it is given)
/// once per `PACKED_LIST` people, with `$1` the shop, `$2` the segment, `$3` the pass's time and
/// `$4` the list; returns how many rows changed.
async fn per_list(
    conn: &mut AnyConnection,
    pass: &Pass,
    segment_id: &str,
    people: &[&str],
    sql: impl Fn(&str) -> String,
) -> Result<u64, StoreError> {
    let list = packed::list_rows(pass.db.backend(), 4);
    let mut changed = 0;
    for chunk in people.chunks(PACKED_LIST) {
        changed += sqlx::query(sqlx::AssertSqlSafe(sql(&list)))
            .bind(pass.shop_id.as_str())
            .bind(segment_id)
            .bind(pass.now_ms)
            .bind(packed::json_list(chunk))
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(changed)
}
