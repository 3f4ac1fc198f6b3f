//! People waiting to be evaluated against their shop's segments. A profile change writes one
//! row per changed person in its own transaction (so a committed change is always evaluated);
//! a worker takes up to a batch of one shop's rows and evaluates them in a single transaction
//! that also deletes them, so a crash or an error puts them back untouched. Many changes to
//! one person between two batches cost one evaluation, and the hot path writes no job row.
//! One worker evaluates a shop at a time (PostgreSQL: a transaction-scoped advisory lock;
//! SQLite: its single writer), so the last evaluation of a person always reads their latest
//! profile. Failures back off, then go to the jobs table parked, as `evaluate_membership`.

use std::collections::{BTreeMap, BTreeSet};

use futures::FutureExt;
use sqlx::AnyConnection;

use super::evaluate_membership::store_error;
use super::{ChangedTraits, EvaluateMembership, JobError, queue};
use crate::clock::now_ms;
use crate::state::App;
use crate::store::{Backend, Db, dialect};

/// Rows one evaluation takes: large enough to keep up with a busy storefront, small enough
/// that one transaction stays short.
const BATCH: i64 = 256;

/// Records that `people` changed (`changed`: what; `None`: anything may have). Called inside
/// the transaction that commits the change.
pub async fn mark(
    conn: &mut AnyConnection,
    shop_id: &str,
    people: &[String],
    changed: Option<&ChangedTraits>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let (traits, events) = changed
        .map(|c| (c.traits.join(","), c.events.join(",")))
        .unwrap_or_default();
    let everything = i64::from(changed.is_none());
    let mut offset = 0;
    for size in dialect::statement_sizes(people.len()) {
        let chunk = &people[offset..offset + size];
        offset += size;
        let mut sql = String::from(
            "INSERT INTO pending_evaluations (shop_id, person_id, traits, events, everything, run_at, created_at) VALUES ",
        );
        sql.push_str(&dialect::values(chunk.len(), 7));
        // Only the `$n` markers are interpolated; every value is bound.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for person in chunk {
            query = query
                .bind(shop_id)
                .bind(person)
                .bind(&traits)
                .bind(&events)
                .bind(everything)
                .bind(now)
                .bind(now);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How a batch ended.
pub enum Ran {
    Evaluated,
    /// It failed: retried later, or parked (true) after too many tries.
    Failed {
        shop_id: String,
        why: String,
        parked: bool,
    },
}

/// Evaluates the next due batch, if there is one this worker may take.
pub async fn run_next(app: &App) -> Result<Option<Ran>, sqlx::Error> {
    let now = now_ms();
    // Outside a transaction first: an idle worker's poll costs one indexed read.
    let shop_id: Option<String> = sqlx::query_scalar(
        "SELECT shop_id FROM pending_evaluations WHERE run_at <= $1 ORDER BY id LIMIT 1",
    )
    .bind(now)
    .fetch_optional(app.db.pool())
    .await?;
    let Some(shop_id) = shop_id else {
        return Ok(None);
    };
    let mut conn = app.db.begin_write().await?;
    // An error drops (rolls back) the transaction.
    let claimed = claim(&mut conn, app.db.backend(), &shop_id, now).await?;
    if claimed.is_empty() {
        // Another worker holds this shop, or took its rows meanwhile.
        conn.rollback().await?;
        return Ok(None);
    }
    let people = merged(&claimed);
    let evaluation = std::panic::AssertUnwindSafe(evaluate(&mut conn, &shop_id, &people))
        .catch_unwind()
        .await;
    let failure = match evaluation {
        Ok(Ok(())) => match conn.commit().await {
            Ok(()) => return Ok(Some(Ran::Evaluated)),
            Err(err) => JobError::from(err),
        },
        Ok(Err(err)) => {
            let _ = conn.rollback().await;
            err
        }
        Err(panic) => {
            let _ = conn.rollback().await;
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned());
            JobError::Retry(format!("evaluation panicked: {}", why.unwrap_or_default()))
        }
    };
    let (why, permanent) = match failure {
        JobError::Permanent(why) => (why, true),
        other => (other.to_string(), false),
    };
    tracing::warn!(shop_id = %shop_id, people = people.len(), reason = %why, "evaluating changed people failed");
    let parked = fail(&app.db, &shop_id, &claimed, &people, &why, permanent).await?;
    Ok(Some(Ran::Failed {
        shop_id,
        why,
        parked,
    }))
}

/// Pending rows that need an evaluation: how many there are now (tests and benchmarks wait on
/// zero).
pub async fn due_count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM pending_evaluations WHERE run_at <= $1")
        .bind(now_ms())
        .fetch_one(db.pool())
        .await
}

struct Pending {
    id: i64,
    person_id: String,
    traits: String,
    events: String,
    everything: bool,
    attempts: i64,
}

/// Takes (deletes, inside the open transaction) up to a batch of the shop's due rows; none
/// when another worker is evaluating this shop.
async fn claim(
    conn: &mut AnyConnection,
    backend: Backend,
    shop_id: &str,
    now: i64,
) -> Result<Vec<Pending>, sqlx::Error> {
    if backend == Backend::Postgres {
        let held: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
            .bind(lock_key(shop_id))
            .fetch_one(&mut *conn)
            .await?;
        if !held {
            return Ok(Vec::new());
        }
    }
    let rows = sqlx::query_as::<_, (i64, String, String, String, i64, i64)>(
        "DELETE FROM pending_evaluations WHERE id IN (SELECT id FROM pending_evaluations \
         WHERE shop_id = $1 AND run_at <= $2 ORDER BY id LIMIT $3) \
         RETURNING id, person_id, traits, events, everything, attempts",
    )
    .bind(shop_id)
    .bind(now)
    .bind(BATCH)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, person_id, traits, events, everything, attempts)| Pending {
                id,
                person_id,
                traits,
                events,
                everything: everything != 0,
                attempts,
            },
        )
        .collect())
}

/// The shop's evaluation lock: distinct from the identity lock (`identity::lock_shop`), so
/// evaluating never waits on the intake's writes.
fn lock_key(shop_id: &str) -> i64 {
    let digest = crate::crypto::sha256_hex(format!("evaluate:{shop_id}").as_bytes());
    i64::from_str_radix(&digest[..15], 16).unwrap_or(0)
}

/// Trait names and event-kind names.
type NameSets = (BTreeSet<String>, BTreeSet<String>);

/// One entry per person, with the union of what changed on them (`None`: everything).
fn merged(claimed: &[Pending]) -> BTreeMap<String, Option<ChangedTraits>> {
    let mut people: BTreeMap<String, Option<NameSets>> = BTreeMap::new();
    for row in claimed {
        let entry = people
            .entry(row.person_id.clone())
            .or_insert_with(|| Some(Default::default()));
        if row.everything {
            *entry = None;
        }
        if let Some((traits, events)) = entry {
            let names = |list: &str| {
                list.split(',')
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            traits.extend(names(&row.traits));
            events.extend(names(&row.events));
        }
    }
    people
        .into_iter()
        .map(|(person, changed)| {
            let changed = changed.map(|(traits, events)| ChangedTraits {
                traits: traits.into_iter().collect(),
                events: events.into_iter().collect(),
            });
            (person, changed)
        })
        .collect()
}

async fn evaluate(
    conn: &mut AnyConnection,
    shop_id: &str,
    people: &BTreeMap<String, Option<ChangedTraits>>,
) -> Result<(), JobError> {
    let each: Vec<(String, crate::segments::Changes)> = people
        .iter()
        .map(|(person, changed)| {
            let changes = changed.as_ref().map_or_else(
                crate::segments::Changes::everything,
                ChangedTraits::to_changes,
            );
            (person.clone(), changes)
        })
        .collect();
    let done = crate::segments_store::evaluate_changed_in(conn, shop_id, &each)
        .await
        .map_err(store_error)?;
    if done.entered + done.left > 0 {
        tracing::debug!(
            shop_id,
            entered = done.entered,
            left = done.left,
            "memberships changed"
        );
    }
    Ok(())
}

/// A failed batch: its rows wait out the job queue's backoff, or, after as many tries as a job
/// gets (or at once when retrying cannot help), become one parked `evaluate_membership` job
/// the merchant can see and replay. True when parked.
async fn fail(
    db: &Db,
    shop_id: &str,
    claimed: &[Pending],
    people: &BTreeMap<String, Option<ChangedTraits>>,
    why: &str,
    permanent: bool,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let attempts = claimed.iter().map(|r| r.attempts).max().unwrap_or(0) + 1;
    let park = permanent || attempts >= queue::MAX_ATTEMPTS;
    let ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
    let mut conn = db.begin_write().await?;
    let result = async {
        if park {
            for chunk in id_chunks(&ids) {
                let sql = format!(
                    "DELETE FROM pending_evaluations WHERE shop_id = $1 AND id IN ({})",
                    markers(2, chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(shop_id);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&mut *conn).await?;
            }
            let job = parked_job(shop_id, people);
            sqlx::query(
                "INSERT INTO jobs (shop_id, kind, payload, status, run_at, attempts, last_error, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'parked', $4, $5, $6, $4, $4)",
            )
            .bind(shop_id)
            .bind(EvaluateMembership::KIND)
            .bind(serde_json::to_string(&job).unwrap_or_default())
            .bind(now)
            .bind(attempts)
            .bind(why)
            .execute(&mut *conn)
            .await?;
        } else {
            // 1 s, 4 s, 16 s, … as the job queue.
            let delay = 1000 * 4i64.pow(attempts.saturating_sub(1).min(8) as u32);
            for chunk in id_chunks(&ids) {
                let sql = format!(
                    "UPDATE pending_evaluations SET attempts = $2, run_at = $3, last_error = $4 \
                     WHERE shop_id = $1 AND id IN ({})",
                    markers(5, chunk.len())
                );
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(shop_id)
                    .bind(attempts)
                    .bind(now + delay)
                    .bind(why);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&mut *conn).await?;
            }
        }
        Ok::<_, sqlx::Error>(())
    }
    .await;
    match result {
        Ok(()) => {
            conn.commit().await?;
            Ok(park)
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}

/// The parked job's payload: everyone in the batch, with the union of what changed.
fn parked_job(
    shop_id: &str,
    people: &BTreeMap<String, Option<ChangedTraits>>,
) -> EvaluateMembership {
    let mut union: Option<NameSets> = Some(Default::default());
    for changed in people.values() {
        match (changed, union.as_mut()) {
            (Some(c), Some((traits, events))) => {
                traits.extend(c.traits.iter().cloned());
                events.extend(c.events.iter().cloned());
            }
            _ => union = None,
        }
    }
    EvaluateMembership {
        shop_id: shop_id.to_owned(),
        person_ids: people.keys().cloned().collect(),
        changed: union.map(|(traits, events)| ChangedTraits {
            traits: traits.into_iter().collect(),
            events: events.into_iter().collect(),
        }),
    }
}

/// Ids split into statements of a few shapes (see `dialect::statement_sizes`).
fn id_chunks(ids: &[i64]) -> Vec<&[i64]> {
    let mut offset = 0;
    dialect::statement_sizes(ids.len())
        .into_iter()
        .map(|size| {
            let chunk = &ids[offset..offset + size];
            offset += size;
            chunk
        })
        .collect()
}

/// `$first, $first+1, …` for `n` values.
fn markers(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{Pending, merged};

    fn row(id: i64, person: &str, traits: &str, events: &str, everything: bool) -> Pending {
        Pending {
            id,
            person_id: person.into(),
            traits: traits.into(),
            events: events.into(),
            everything,
            attempts: 0,
        }
    }

    #[test]
    fn a_persons_changes_merge_into_one_evaluation_and_everything_wins() {
        let people = merged(&[
            row(1, "p1", "add_to_carts,last_seen_at", "add_to_cart", false),
            row(2, "p2", "country", "", false),
            row(3, "p1", "sessions", "page_view", false),
            row(4, "p2", "", "", true),
        ]);
        assert_eq!(people.len(), 2);
        let p1 = people["p1"].as_ref().expect("p1 has named changes");
        assert_eq!(p1.traits, ["add_to_carts", "last_seen_at", "sessions"]);
        assert_eq!(p1.events, ["add_to_cart", "page_view"]);
        assert!(
            people["p2"].is_none(),
            "a merge means every segment looks again"
        );
    }
}
