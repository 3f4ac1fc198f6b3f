//! One page of a full evaluation: a slice of the shop's profiles in person-id order (keyset
//! paging), the events their rules read, and who among that key range is a member now. Plain
//! reads outside any transaction: on SQLite they run beside the writer, on PostgreSQL they take
//! no lock. What was read may be stale by the time it is written; see `full.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::Row as _;

use super::StoreError;
use super::evaluate::EVENT_DAYS;
use super::event_ids::ids_of;
use super::load::{EventNeeds, MAX_EVENTS, PROFILE_COLUMNS, ProfileRow, read_row, snapshot};
use crate::events::EventKind;
use crate::segments::{DAY_MS, EventHistory, EventView, Profile};
use crate::store::{Db, packed};

/// A profile as read, with the version it was read at.
pub(super) struct Read {
    pub person_id: String,
    pub version: i64,
    pub profile: Profile,
}

/// A membership row as read: who, which of the pass's segments, and whether a current member
/// (a former member keeps a row with the times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct MembershipRow {
    pub person: String,
    pub segment: usize,
    pub member: bool,
}

pub(super) struct Page {
    pub profiles: Vec<Read>,
    /// Every membership row (person, index into the pass's segments) with an id in the page's
    /// key range, profile or not: members whose profile vanished are found here, and a person
    /// with no row at all for a segment can enter it by a plain insert.
    pub rows: Vec<MembershipRow>,
    /// The last person id read; `None` once the shop's profiles are exhausted, when the page's
    /// range runs to the end of the key space.
    pub through: Option<String>,
}

/// What the pass reads on every page. Owned, so that reading can run on its own task.
#[derive(Clone)]
pub(super) struct Reader {
    pub db: Db,
    pub shop_id: String,
    pub segment_ids: Arc<[String]>,
    /// The events the pass's rules read; none: the events table is not read at all.
    pub needs: EventNeeds,
    pub now_ms: i64,
    pub size: usize,
}

impl Reader {
    /// The page of people with ids after `after` (`""`: from the start).
    pub async fn page(&self, after: &str) -> Result<Page, StoreError> {
        let sql = format!(
            "SELECT person_id, version, {PROFILE_COLUMNS} FROM profiles \
             WHERE shop_id = $1 AND person_id > $2 ORDER BY person_id LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.shop_id.as_str())
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
        let mut events = match read.last() {
            Some((last, _, _)) if !self.needs.kinds.is_empty() => self.events(after, last).await?,
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
        let rows = if self.segment_ids.is_empty() {
            Vec::new()
        } else {
            self.rows(after, through.as_deref()).await?
        };
        Ok(Page {
            profiles,
            rows,
            through,
        })
    }

    /// Events in the window of every person with an id in `(after, through]`, by person: read
    /// packed into one value (`packed.rs`), properties only for kinds whose ids a rule filters on.
    async fn events(
        &self,
        after: &str,
        through: &str,
    ) -> Result<HashMap<String, Vec<Event>>, StoreError> {
        let backend = self.db.backend();
        let since = self.now_ms - EVENT_DAYS * DAY_MS;
        let (kinds, mut names) = self.needs.kind_list(5);
        let with_ids = EventNeeds {
            kinds: self.needs.ids,
            ids: self.needs.ids,
        };
        let properties = if with_ids.kinds.is_empty() {
            "''".to_owned()
        } else {
            let (id_kinds, id_names) = with_ids.kind_list(5 + names.len());
            names.extend(id_names);
            format!("CASE WHEN kind IN ({id_kinds}) THEN properties ELSE '' END")
        };
        let record = packed::record(
            backend,
            &[
                "person_id",
                "kind",
                "CAST(occurred_at AS TEXT)",
                &properties,
            ],
        );
        let sql = format!(
            "SELECT {} FROM events \
             WHERE shop_id = $1 AND person_id > $2 AND person_id <= $3 AND occurred_at >= $4 \
             AND kind IN ({kinds})",
            packed::joined(backend, &record, packed::RECORD)
        );
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(self.shop_id.as_str())
            .bind(after)
            .bind(through)
            .bind(since);
        for name in names {
            query = query.bind(name);
        }
        let packed_rows: Option<String> = query.fetch_one(self.db.pool()).await?;
        let mut by_person: HashMap<String, Vec<Event>> = HashMap::new();
        for record in packed_rows
            .as_deref()
            .unwrap_or_default()
            .split(packed::RECORD)
        {
            let mut fields = record.splitn(4, packed::UNIT);
            let (Some(person), Some(kind), Some(at), Some(properties)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let (Some(kind), Ok(at)) = (EventKind::parse(kind), at.parse::<i64>()) else {
                continue;
            };
            let (products, collections) = if self.needs.ids.contains(kind) {
                ids_of(properties)
            } else {
                (Vec::new(), Vec::new())
            };
            by_person.entry(person.to_owned()).or_default().push(Event {
                kind,
                at,
                products,
                collections,
            });
        }
        Ok(by_person)
    }

    /// The membership rows of the pass's segments with ids in `(after, through]`: one packed
    /// row per segment and state (`packed.rs`).
    async fn rows(
        &self,
        after: &str,
        through: Option<&str>,
    ) -> Result<Vec<MembershipRow>, StoreError> {
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
            "SELECT segment_id, member, {} FROM memberships WHERE shop_id = $1 \
             AND person_id > $2{upper} AND segment_id IN ({}) GROUP BY segment_id, member",
            packed::joined(self.db.backend(), "person_id", packed::UNIT),
            list.join(", ")
        );
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(self.shop_id.as_str())
            .bind(after);
        if let Some(through) = through {
            query = query.bind(through);
        }
        for id in self.segment_ids.iter() {
            query = query.bind(id);
        }
        let packed_rows: Vec<(String, i64, String)> = query.fetch_all(self.db.pool()).await?;
        let index: HashMap<&str, usize> = self
            .segment_ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let mut rows = Vec::new();
        for (segment, member, people) in &packed_rows {
            let Some(&segment) = index.get(segment.as_str()) else {
                continue;
            };
            rows.extend(
                people
                    .split(packed::UNIT)
                    .filter(|person| !person.is_empty())
                    .map(|person| MembershipRow {
                        person: person.to_owned(),
                        segment,
                        member: *member == 1,
                    }),
            );
        }
        Ok(rows)
    }
}

/// Calls `visit` with every profile of the shop, a page at a time, with the events `needs` names:
/// for reads over the whole shop that change nothing (a preview count, the first-segment
/// suggestion). Returns how many profiles there were.
pub async fn scan_profiles(
    db: &Db,
    shop_id: &str,
    needs: EventNeeds,
    now_ms: i64,
    mut visit: impl FnMut(Profile),
) -> Result<u64, StoreError> {
    let reader = Reader {
        db: db.clone(),
        shop_id: shop_id.to_owned(),
        segment_ids: Arc::from([]),
        needs,
        now_ms,
        size: SCAN_PAGE,
    };
    let mut seen = 0;
    let mut after = String::new();
    loop {
        let page = reader.page(&after).await?;
        seen += page.profiles.len() as u64;
        for read in page.profiles {
            visit(read.profile);
        }
        match page.through {
            Some(through) => after = through,
            None => return Ok(seen),
        }
    }
}

/// Profiles per page of [`scan_profiles`].
const SCAN_PAGE: usize = 2_000;

struct Event {
    kind: EventKind,
    at: i64,
    products: Vec<u64>,
    collections: Vec<u64>,
}

/// The person's most recent events of each kind, capped as `load_profile` caps them.
fn history(mut events: Vec<Event>) -> EventHistory {
    let cap = usize::try_from(MAX_EVENTS).unwrap_or(usize::MAX);
    if events.len() > cap {
        events.sort_unstable_by_key(|e| (e.kind as u8, std::cmp::Reverse(e.at)));
        let mut kept = 0;
        let mut previous = None;
        events.retain(|e| {
            if previous != Some(e.kind) {
                previous = Some(e.kind);
                kept = 0;
            }
            kept += 1;
            kept <= cap
        });
    }
    EventHistory::from_events(events.iter().map(|e| EventView {
        kind: e.kind,
        at_ms: e.at,
        products: &e.products,
        collections: &e.collections,
    }))
}

#[cfg(test)]
mod tests {
    use super::{Event, MAX_EVENTS, history};
    use crate::events::EventKind;

    fn events(kind: EventKind, count: i64) -> impl Iterator<Item = Event> {
        (0..count).map(move |at| Event {
            kind,
            at,
            products: Vec::new(),
            collections: Vec::new(),
        })
    }

    #[test]
    fn a_flood_of_one_kind_never_hides_the_other_kinds() {
        let flood = MAX_EVENTS + 300;
        let kept = history(
            events(EventKind::ProductView, flood)
                .chain(events(EventKind::Purchase, 3))
                .collect(),
        );
        let count = |kind| kept.iter().filter(|e| e.kind == kind).count();
        assert_eq!(count(EventKind::Purchase), 3);
        assert_eq!(count(EventKind::ProductView), MAX_EVENTS as usize);
        // The most recent of the flood are the ones kept.
        let oldest_view = kept
            .iter()
            .filter(|e| e.kind == EventKind::ProductView)
            .map(|e| e.at_ms)
            .min();
        assert_eq!(oldest_view, Some(flood - MAX_EVENTS));
    }
}
