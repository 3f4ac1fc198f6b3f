//! One page of a full evaluation: a slice of the shop's profiles in person-id order (keyset
//! paging), the events their rules read, and who among that key range is a member now. Plain
//! reads outside any transaction: on SQLite they run beside the writer, on PostgreSQL they take
//! no lock. What was read may be stale by the time it is written; see `full.rs`.

use std::collections::HashMap;

use sqlx::Row;

use super::StoreError;
use super::evaluate::EVENT_DAYS;
use super::load::{MAX_EVENTS, PROFILE_COLUMNS, ProfileRow, ids_of, read_row, snapshot};
use crate::events::EventKind;
use crate::segments::{DAY_MS, EventHistory, EventView, Profile};
use crate::store::Db;

/// A profile as read, with the version it was read at.
pub(super) struct Read {
    pub person_id: String,
    pub version: i64,
    pub profile: Profile,
}

pub(super) struct Page {
    pub profiles: Vec<Read>,
    /// Current members (person, index into the pass's segments) with ids in the page's key
    /// range, profile or not: members whose profile vanished are found here.
    pub members: Vec<(String, usize)>,
    /// The last person id read; `None` once the shop's profiles are exhausted, when the page's
    /// range runs to the end of the key space.
    pub through: Option<String>,
}

/// What the pass reads on every page.
pub(super) struct Reader<'a> {
    pub db: &'a Db,
    pub shop_id: &'a str,
    pub segment_ids: &'a [String],
    /// False when no rule of the pass counts events: the events table is not read at all.
    pub with_events: bool,
    pub now_ms: i64,
    pub size: usize,
}

impl Reader<'_> {
    /// The page of people with ids after `after` (`""`: from the start).
    pub async fn page(&self, after: &str) -> Result<Page, StoreError> {
        let sql = format!(
            "SELECT person_id, version, {PROFILE_COLUMNS} FROM profiles \
             WHERE shop_id = $1 AND person_id > $2 ORDER BY person_id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.shop_id)
            .bind(after)
            .bind(i64::try_from(self.size).unwrap_or(i64::MAX))
            .fetch_all(self.db.pool())
            .await?;
        let mut read: Vec<(String, i64, ProfileRow)> = Vec::with_capacity(rows.len());
        for row in &rows {
            read.push((row.try_get(0)?, row.try_get(1)?, read_row(row, 2)?));
        }
        drop(rows);
        let through = (read.len() >= self.size)
            .then(|| read.last().map(|(person, _, _)| person.clone()))
            .flatten();
        let mut events = match (self.with_events, read.last()) {
            (true, Some((last, _, _))) => self.events(after, last).await?,
            _ => HashMap::new(),
        };
        let profiles = read
            .into_iter()
            .map(|(person_id, version, row)| {
                let history = events.remove(&person_id).map(history).unwrap_or_default();
                Read {
                    person_id,
                    version,
                    profile: snapshot(row, history),
                }
            })
            .collect();
        let members = self.members(after, through.as_deref()).await?;
        Ok(Page {
            profiles,
            members,
            through,
        })
    }

    /// Events in the window of every person with an id in `(after, through]`, by person.
    async fn events(
        &self,
        after: &str,
        through: &str,
    ) -> Result<HashMap<String, Vec<Event>>, StoreError> {
        let since = self.now_ms - EVENT_DAYS * DAY_MS;
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT person_id, kind, occurred_at, properties FROM events \
             WHERE shop_id = $1 AND person_id > $2 AND person_id <= $3 AND occurred_at >= $4",
        )
        .bind(self.shop_id)
        .bind(after)
        .bind(through)
        .bind(since)
        .fetch_all(self.db.pool())
        .await?;
        let mut by_person: HashMap<String, Vec<Event>> = HashMap::new();
        for (person, kind, at, properties) in rows {
            let Some(kind) = EventKind::parse(&kind) else {
                continue;
            };
            let (products, collections) = ids_of(&properties);
            by_person.entry(person).or_default().push(Event {
                kind,
                at,
                products,
                collections,
            });
        }
        Ok(by_person)
    }

    /// Current members of the pass's segments with ids in `(after, through]`.
    async fn members(
        &self,
        after: &str,
        through: Option<&str>,
    ) -> Result<Vec<(String, usize)>, StoreError> {
        // The segment ids are bound, one `$n` each; only the markers are formatted in.
        let first = if through.is_some() { 4 } else { 3 };
        let list: Vec<String> = (0..self.segment_ids.len())
            .map(|i| format!("${}", first + i))
            .collect();
        let upper = if through.is_some() {
            " AND person_id <= $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT person_id, segment_id FROM memberships WHERE shop_id = $1 AND member = 1 \
             AND person_id > $2{upper} AND segment_id IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(self.shop_id)
            .bind(after);
        if let Some(through) = through {
            query = query.bind(through);
        }
        for id in self.segment_ids {
            query = query.bind(id);
        }
        let rows: Vec<(String, String)> = query.fetch_all(self.db.pool()).await?;
        let index: HashMap<&str, usize> = self
            .segment_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|(person, segment)| Some((person, *index.get(segment.as_str())?)))
            .collect())
    }
}

struct Event {
    kind: EventKind,
    at: i64,
    products: Vec<u64>,
    collections: Vec<u64>,
}

/// The person's most recent events, capped as `load_profile` caps them.
fn history(mut events: Vec<Event>) -> EventHistory {
    events.sort_unstable_by_key(|e| std::cmp::Reverse(e.at));
    events.truncate(usize::try_from(MAX_EVENTS).unwrap_or(usize::MAX));
    EventHistory::from_events(events.iter().map(|e| EventView {
        kind: e.kind,
        at_ms: e.at,
        products: &e.products,
        collections: &e.collections,
    }))
}
