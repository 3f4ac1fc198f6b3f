//! Keeps `memberships` in step with the rules: evaluates people against the shop's segments,
//! records entries and exits, keeps `segments.member_count`, and queues the tag push for the
//! segments whose members changed (in the same transaction). Whole-shop passes live in `full.rs`.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use super::StoreError;
use super::full::{FullOptions, evaluate_segments, finish_one};
use super::load::{EventNeeds, load_profile};
use super::repo::rules_in;
use crate::clock::now_ms;
use crate::segments::{Changes, CompiledRule, Deps, Rule};
use crate::store::{Db, WriteTx};

/// How far back a profile's event history is read: no window may usefully reach further.
pub const EVENT_DAYS: i64 = 365;

/// What one evaluation changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Evaluated {
    pub entered: u64,
    pub left: u64,
}

/// Evaluates `people` against the shop's segments whose rules read something in `changes`.
pub async fn evaluate_people(
    db: &Db,
    shop_id: &str,
    people: &[String],
    changes: &Changes,
) -> Result<Evaluated, StoreError> {
    let mut conn = begin(db).await?;
    let each: Vec<(String, Changes)> = people.iter().map(|p| (p.clone(), *changes)).collect();
    let result = evaluate_changed_in(&mut conn, shop_id, &each).await;
    finish(conn, result).await
}

/// Evaluates each person against the segments their own changes can move, inside the caller's
/// transaction: the pending-evaluation queue claims its rows in the same one, so a failure or
/// a crash leaves them to evaluate again. Each person should appear once.
pub async fn evaluate_changed_in(
    conn: &mut AnyConnection,
    shop_id: &str,
    people: &[(String, Changes)],
) -> Result<Evaluated, StoreError> {
    let rules = rules_in(conn, shop_id).await?;
    let deps: Vec<Deps> = rules.iter().map(|(_, rule)| Deps::of(rule)).collect();
    // People whose changes reach the same segments are evaluated together, so a batch of
    // similar changes costs one pass, not one per person.
    let mut groups: BTreeMap<Vec<usize>, Vec<String>> = BTreeMap::new();
    for (person, changes) in people {
        let reached: Vec<usize> = (0..deps.len())
            .filter(|&i| deps[i].affected_by(changes))
            .collect();
        if !reached.is_empty() {
            groups.entry(reached).or_default().push(person.clone());
        }
    }
    let mut done = Evaluated::default();
    for (reached, group) in groups {
        let subset: Vec<(String, Rule)> = reached.iter().map(|&i| rules[i].clone()).collect();
        let part = run(conn, shop_id, &subset, &group).await?;
        done.entered += part.entered;
        done.left += part.left;
    }
    Ok(done)
}

/// Evaluates every profile of the shop against one segment (after it is created, or on demand):
/// a full evaluation (`full.rs`) of that one segment.
pub async fn reevaluate_segment(
    db: &Db,
    shop_id: &str,
    segment_id: &str,
) -> Result<Evaluated, StoreError> {
    let done = evaluate_segments(
        db,
        shop_id,
        &[segment_id.to_owned()],
        &FullOptions::default(),
    )
    .await?;
    Ok(Evaluated {
        entered: done.entered,
        left: done.left,
    })
}

async fn begin(db: &Db) -> Result<WriteTx<'static>, StoreError> {
    Ok(db.begin_write().await?)
}

/// Commits when the work succeeded, rolls back otherwise.
async fn finish(
    conn: WriteTx<'_>,
    result: Result<Evaluated, StoreError>,
) -> Result<Evaluated, StoreError> {
    match result {
        Ok(done) => {
            conn.commit().await?;
            Ok(done)
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}

async fn run(
    conn: &mut AnyConnection,
    shop_id: &str,
    rules: &[(String, Rule)],
    people: &[String],
) -> Result<Evaluated, StoreError> {
    let now = now_ms();
    let compiled: Vec<(&str, CompiledRule)> = rules
        .iter()
        .map(|(id, rule)| Ok((id.as_str(), CompiledRule::compile(rule)?)))
        .collect::<Result<_, StoreError>>()?;
    let needs = EventNeeds::of(rules.iter().map(|(_, rule)| rule));
    let mut done = Evaluated::default();
    let mut moved: BTreeSet<&str> = BTreeSet::new();
    for person in people {
        let profile = load_profile(conn, shop_id, person, now, needs).await?;
        for (segment_id, rule) in &compiled {
            let member = profile.as_ref().is_some_and(|p| rule.matches(p, now));
            if record(conn, shop_id, segment_id, person, member, now).await? {
                moved.insert(segment_id);
                if member {
                    done.entered += 1;
                } else {
                    done.left += 1;
                }
            }
        }
    }
    for segment_id in moved {
        let push_mode: Option<String> =
            sqlx::query_scalar("SELECT push_mode FROM segments WHERE shop_id = $1 AND id = $2")
                .bind(shop_id)
                .bind(segment_id)
                .fetch_optional(&mut *conn)
                .await?;
        let mode = push_mode.as_deref().unwrap_or("none");
        finish_one(conn, shop_id, segment_id, mode, now).await?;
    }
    Ok(done)
}

/// Records `member` for the person; true when that is a change (an entry or an exit).
async fn record(
    conn: &mut AnyConnection,
    shop_id: &str,
    segment_id: &str,
    person_id: &str,
    member: bool,
    now: i64,
) -> Result<bool, StoreError> {
    let was: Option<i64> = sqlx::query_scalar(
        "SELECT member FROM memberships WHERE shop_id = $1 AND segment_id = $2 AND person_id = $3",
    )
    .bind(shop_id)
    .bind(segment_id)
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    let was_member = was == Some(1);
    if was_member == member {
        return Ok(false);
    }
    if member {
        sqlx::query(
            "INSERT INTO memberships (shop_id, segment_id, person_id, member, entered_at, left_at, pushed) \
             VALUES ($1, $2, $3, 1, $4, NULL, 0) \
             ON CONFLICT (segment_id, person_id) \
             DO UPDATE SET member = 1, entered_at = $4, left_at = NULL, pushed = 0",
        )
    } else {
        // Only a current member can leave; a never-member with no row stays without one.
        sqlx::query(
            "UPDATE memberships SET member = 0, left_at = $4, pushed = 0 \
             WHERE shop_id = $1 AND segment_id = $2 AND person_id = $3",
        )
    }
    .bind(shop_id)
    .bind(segment_id)
    .bind(person_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}
