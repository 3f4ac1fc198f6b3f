//! Builds the `segments::Profile` snapshot of one person from their `profiles` row and their
//! recent events.

use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::event_ids::ids_of;
use super::{EVENT_DAYS, StoreError};
use crate::events::EventKind;
use crate::segments::{
    CountryCode, CustomerState, DAY_MS, EventHistory, EventKinds, EventView, MarketingState,
    OptInLevel, Profile, Rule, Tag,
};

/// At most this many of a person's most recent events of each kind are read: segment windows
/// count recent behaviour, and a bot's flood must not make one evaluation slow. The cap is per
/// kind so that what a rule sees of one kind never depends on which other kinds are read.
pub(super) const MAX_EVENTS: i64 = 500;

/// What some rules read of the event history: the kinds they count, and among those the kinds
/// they also filter by product or collection, the only events whose properties need parsing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventNeeds {
    pub kinds: EventKinds,
    pub ids: EventKinds,
}

impl EventNeeds {
    /// Everything: for showing why a person is or is not in each segment.
    pub const ALL: EventNeeds = EventNeeds {
        kinds: EventKinds::ALL,
        ids: EventKinds::ALL,
    };

    pub fn of<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> EventNeeds {
        let mut needs = EventNeeds::default();
        for rule in rules {
            rule.walk(&mut |node, _| {
                if let Rule::Event(event) = node {
                    needs.kinds = needs.kinds.with(event.kind);
                    if !event.products.is_empty() || !event.collections.is_empty() {
                        needs.ids = needs.ids.with(event.kind);
                    }
                }
            });
        }
        needs
    }

    /// `kind IN (…)` markers for the kinds, numbered from `$first`, with the names to bind.
    pub(super) fn kind_list(&self, first: usize) -> (String, Vec<&'static str>) {
        let names: Vec<&'static str> = self.kinds.iter().map(EventKind::as_str).collect();
        let markers = (first..first + names.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        (markers, names)
    }
}

/// The person's profile snapshot, or `None` when they have no profile row (merged away). Its
/// event history holds what `needs` names: rules reading other kinds see none of them.
pub async fn load_profile(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
    now_ms: i64,
    needs: EventNeeds,
) -> Result<Option<Profile>, StoreError> {
    let row = sqlx::query(
        "SELECT lifetime_value, order_count, first_order_at, last_order_at, country, tags, state, \
         verified_email, email_consent, email_opt_in, sms_consent, sms_opt_in, has_email, \
         has_phone, customer_created_at, last_seen_at, product_views, add_to_carts, sessions \
         FROM profiles WHERE shop_id = $1 AND person_id = $2",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let row = read_row(&row, 0)?;
    let events = load_events(conn, shop_id, person_id, now_ms, needs).await?;
    Ok(Some(snapshot(row, events)))
}

/// The profile columns, in this order, that [`read_row`] expects.
pub(super) const PROFILE_COLUMNS: &str = "lifetime_value, order_count, first_order_at, \
    last_order_at, country, tags, state, verified_email, email_consent, email_opt_in, \
    sms_consent, sms_opt_in, has_email, has_phone, customer_created_at, last_seen_at, \
    product_views, add_to_carts, sessions";

/// The profile columns in query order.
pub(super) struct ProfileRow {
    lifetime_value: String,
    order_count: i64,
    first_order_at: Option<i64>,
    last_order_at: Option<i64>,
    country: Option<String>,
    tags: String,
    state: Option<String>,
    verified_email: Option<i64>,
    email_consent: Option<String>,
    email_opt_in: Option<String>,
    sms_consent: Option<String>,
    sms_opt_in: Option<String>,
    has_email: i64,
    has_phone: i64,
    created_at: Option<i64>,
    last_seen_at: Option<i64>,
    product_views: i64,
    add_to_carts: i64,
    sessions: i64,
}

/// Reads [`PROFILE_COLUMNS`] starting at column `at` (a page query selects the key first).
pub(super) fn read_row(row: &AnyRow, at: usize) -> Result<ProfileRow, sqlx::Error> {
    Ok(ProfileRow {
        lifetime_value: row.try_get(at)?,
        order_count: row.try_get(at + 1)?,
        first_order_at: row.try_get(at + 2)?,
        last_order_at: row.try_get(at + 3)?,
        country: row.try_get(at + 4)?,
        tags: row.try_get(at + 5)?,
        state: row.try_get(at + 6)?,
        verified_email: row.try_get(at + 7)?,
        email_consent: row.try_get(at + 8)?,
        email_opt_in: row.try_get(at + 9)?,
        sms_consent: row.try_get(at + 10)?,
        sms_opt_in: row.try_get(at + 11)?,
        has_email: row.try_get(at + 12)?,
        has_phone: row.try_get(at + 13)?,
        created_at: row.try_get(at + 14)?,
        last_seen_at: row.try_get(at + 15)?,
        product_views: row.try_get(at + 16)?,
        add_to_carts: row.try_get(at + 17)?,
        sessions: row.try_get(at + 18)?,
    })
}

pub(super) fn snapshot(r: ProfileRow, events: EventHistory) -> Profile {
    let lifetime_value = r.lifetime_value.parse::<Decimal>().unwrap_or_default();
    let order_count = u32::try_from(r.order_count.max(0)).unwrap_or(u32::MAX);
    let average_order_value = if order_count == 0 {
        Decimal::ZERO
    } else {
        (lifetime_value / Decimal::from(order_count)).round_dp(2)
    };
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    Profile {
        lifetime_value,
        average_order_value,
        order_count,
        first_order_at: r.first_order_at,
        last_order_at: r.last_order_at,
        created_at: r.created_at,
        last_seen_at: r.last_seen_at,
        has_email: r.has_email != 0,
        has_phone: r.has_phone != 0,
        // Names live in the vault, not in profiles; rules on them see "not set".
        first_name: None,
        last_name: None,
        country: r.country.as_deref().and_then(CountryCode::parse),
        tags: r
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(Tag::new)
            .collect(),
        state: r
            .state
            .as_deref()
            .and_then(|s| CustomerState::parse(&s.to_ascii_uppercase()))
            .unwrap_or_default(),
        verified_email: r.verified_email.unwrap_or(0) != 0,
        email_consent: marketing(r.email_consent.as_deref()),
        email_opt_in: opt_in(r.email_opt_in.as_deref()),
        sms_consent: marketing(r.sms_consent.as_deref()),
        sms_opt_in: opt_in(r.sms_opt_in.as_deref()),
        product_views: count(r.product_views),
        add_to_carts: count(r.add_to_carts),
        sessions: count(r.sessions),
        events,
    }
}

// Webhooks (REST) store `subscribed` / `single_opt_in`, GraphQL `SUBSCRIBED`: both are the
// same Shopify enum value.
fn marketing(text: Option<&str>) -> MarketingState {
    text.and_then(|t| MarketingState::parse(&t.to_ascii_uppercase()))
        .unwrap_or_default()
}

fn opt_in(text: Option<&str>) -> OptInLevel {
    text.and_then(|t| OptInLevel::parse(&t.to_ascii_uppercase()))
        .unwrap_or_default()
}

async fn load_events(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
    now_ms: i64,
    needs: EventNeeds,
) -> Result<EventHistory, StoreError> {
    if needs.kinds.is_empty() {
        return Ok(EventHistory::default());
    }
    let since = now_ms - EVENT_DAYS * DAY_MS;
    let (kinds, names) = needs.kind_list(5);
    let sql = format!(
        "SELECT kind, occurred_at, properties FROM (\
           SELECT kind, occurred_at, properties, \
             ROW_NUMBER() OVER (PARTITION BY kind ORDER BY occurred_at DESC) AS recent \
           FROM events WHERE shop_id = $1 AND person_id = $2 AND occurred_at >= $3 \
             AND kind IN ({kinds})\
         ) AS windowed WHERE recent <= $4"
    );
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(shop_id)
        .bind(person_id)
        .bind(since)
        .bind(MAX_EVENTS);
    for name in names {
        query = query.bind(name);
    }
    let rows: Vec<(String, i64, String)> = query.fetch_all(&mut *conn).await?;
    let parsed: Vec<(EventKind, i64, Vec<u64>, Vec<u64>)> = rows
        .into_iter()
        .filter_map(|(kind, at, props)| {
            let kind = EventKind::parse(&kind)?;
            let (products, collections) = if needs.ids.contains(kind) {
                ids_of(&props)
            } else {
                (Vec::new(), Vec::new())
            };
            Some((kind, at, products, collections))
        })
        .collect();
    Ok(EventHistory::from_events(parsed.iter().map(
        |(kind, at, products, collections)| EventView {
            kind: *kind,
            at_ms: *at,
            products,
            collections,
        },
    )))
}
