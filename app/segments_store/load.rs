//! Builds the `segments::Profile` snapshot of one person from their `profiles` row and their
//! recent events.

use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{EVENT_DAYS, StoreError};
use crate::events::EventKind;
use crate::segments::{
    CountryCode, CustomerState, DAY_MS, EventHistory, EventView, MarketingState, OptInLevel,
    Profile, Tag,
};

/// At most this many of a person's most recent events are read: segment windows count recent
/// behaviour, and a bot's flood must not make one evaluation slow.
pub(super) const MAX_EVENTS: i64 = 500;

/// Every person with a profile in the shop.
pub async fn profile_people(
    conn: &mut AnyConnection,
    shop_id: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT person_id FROM profiles WHERE shop_id = $1 ORDER BY person_id")
            .bind(shop_id)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// The person's profile snapshot, or `None` when they have no profile row (merged away).
pub async fn load_profile(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
    now_ms: i64,
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
    let events = load_events(conn, shop_id, person_id, now_ms).await?;
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
) -> Result<EventHistory, StoreError> {
    let since = now_ms - EVENT_DAYS * DAY_MS;
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT kind, occurred_at, properties FROM events \
         WHERE shop_id = $1 AND person_id = $2 AND occurred_at >= $3 \
         ORDER BY occurred_at DESC LIMIT $4",
    )
    .bind(shop_id)
    .bind(person_id)
    .bind(since)
    .bind(MAX_EVENTS)
    .fetch_all(&mut *conn)
    .await?;
    let parsed: Vec<(EventKind, i64, Vec<u64>, Vec<u64>)> = rows
        .into_iter()
        .filter_map(|(kind, at, props)| {
            let kind = EventKind::parse(&kind)?;
            let (products, collections) = ids_of(&props);
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

/// Product ids (top-level `product_id` or each of `products[].product_id`) and collection ids
/// (`collection_id`) from an event's properties; ids may be numbers, strings or GIDs.
pub(super) fn ids_of(properties: &str) -> (Vec<u64>, Vec<u64>) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(properties) else {
        return (Vec::new(), Vec::new());
    };
    let mut products: Vec<u64> = Vec::new();
    products.extend(value.get("product_id").and_then(numeric_id));
    if let Some(lines) = value.get("products").and_then(|p| p.as_array()) {
        products.extend(
            lines
                .iter()
                .filter_map(|l| l.get("product_id"))
                .filter_map(numeric_id),
        );
    }
    products.sort_unstable();
    products.dedup();
    let collections = value
        .get("collection_id")
        .and_then(numeric_id)
        .into_iter()
        .collect();
    (products, collections)
}

fn numeric_id(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.rsplit('/').next()?.parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::ids_of;

    #[test]
    fn product_ids_come_from_the_event_and_its_lines() {
        let (products, collections) = ids_of(
            r#"{"product_id":"gid://shopify/Product/7","products":[{"product_id":"9"},{"product_id":7}],"collection_id":3}"#,
        );
        assert_eq!(products, vec![7, 9]);
        assert_eq!(collections, vec![3]);
    }
}
