//! A person's canonical events, newest first, paged by a keyset on (occurred_at, id), each
//! with its Segment name and the few properties a merchant recognises it by.

use serde::Serialize;
use serde_json::Value;

use super::QueryError;
use crate::store::Db;

/// Events one timeline page holds.
pub const TIMELINE_PAGE: i64 = 50;

#[derive(Debug, Clone, Serialize)]
pub struct TimelineEvent {
    pub id: i64,
    pub kind: String,
    /// The Segment spec name it is sent as, when the spec has one.
    pub segment_name: Option<String>,
    pub occurred_at: i64,
    pub source: String,
    /// A few scalar properties worth a glance (`order_id`, `total`, `name`, …).
    pub properties: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub events: Vec<TimelineEvent>,
    pub next_cursor: Option<String>,
}

macro_rules! timeline_select {
    () => {
        "SELECT id, kind, segment_name, occurred_at, source, properties FROM events \
         WHERE shop_id = $1 AND person_id = $2"
    };
}

/// The person's events, newest first, after `cursor` (`<occurred_at>.<id>` of the last shown).
pub async fn timeline(
    db: &Db,
    shop_id: &str,
    person_id: &str,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Timeline, QueryError> {
    let limit = limit.clamp(1, 200);
    let after = cursor.map(parse_event_cursor).transpose()?;
    let rows: Vec<(i64, String, Option<String>, i64, String, String)> = match after {
        None => {
            sqlx::query_as(concat!(
                timeline_select!(),
                " ORDER BY occurred_at DESC, id DESC LIMIT $3"
            ))
            .bind(shop_id)
            .bind(person_id)
            .bind(limit + 1)
            .fetch_all(db.pool())
            .await?
        }
        Some((at, id)) => {
            sqlx::query_as(concat!(
                timeline_select!(),
                " AND (occurred_at < $3 OR (occurred_at = $3 AND id < $4)) \
                 ORDER BY occurred_at DESC, id DESC LIMIT $5"
            ))
            .bind(shop_id)
            .bind(person_id)
            .bind(at)
            .bind(id)
            .bind(limit + 1)
            .fetch_all(db.pool())
            .await?
        }
    };
    let more = rows.len() as i64 > limit;
    let events: Vec<TimelineEvent> = rows
        .into_iter()
        .take(limit as usize)
        .map(
            |(id, kind, segment_name, occurred_at, source, properties)| TimelineEvent {
                id,
                kind,
                segment_name,
                occurred_at,
                source,
                properties: key_properties(&properties),
            },
        )
        .collect();
    let next_cursor = more
        .then(|| events.last().map(|e| format!("{}.{}", e.occurred_at, e.id)))
        .flatten();
    Ok(Timeline {
        events,
        next_cursor,
    })
}

fn parse_event_cursor(text: &str) -> Result<(i64, i64), QueryError> {
    let (at, id) = text.split_once('.').ok_or(QueryError::BadCursor)?;
    Ok((
        at.parse().map_err(|_| QueryError::BadCursor)?,
        id.parse().map_err(|_| QueryError::BadCursor)?,
    ))
}

/// Properties a merchant recognises an event by, in this order, when present.
const KEY_PROPERTIES: [&str; 15] = [
    "order_id",
    "checkout_id",
    "total",
    "revenue",
    "value",
    "currency",
    "name",
    "sku",
    "price",
    "query",
    "url",
    "reason",
    "channel",
    "state",
    "opt_in_level",
];

fn key_properties(json: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else {
        return Vec::new();
    };
    let mut shown: Vec<(String, String)> = KEY_PROPERTIES
        .iter()
        .filter_map(|key| {
            let text = match map.get(*key)? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(((*key).to_owned(), text))
        })
        .collect();
    if let Some(Value::Array(products)) = map.get("products") {
        shown.push(("products".into(), products.len().to_string()));
    }
    shown
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_properties_pick_scalars_in_a_stable_order() {
        let shown = super::key_properties(
            r#"{"currency":"CAD","order_id":"7","total":110,"products":[{},{}],"nested":{"a":1}}"#,
        );
        assert_eq!(
            shown,
            vec![
                ("order_id".to_owned(), "7".to_owned()),
                ("total".to_owned(), "110".to_owned()),
                ("currency".to_owned(), "CAD".to_owned()),
                ("products".to_owned(), "2".to_owned()),
            ]
        );
        assert!(super::parse_event_cursor("12.x").is_err());
        assert_eq!(super::parse_event_cursor("12.3").ok(), Some((12, 3)));
    }
}
