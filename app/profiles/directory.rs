//! The profile list of one shop: most recently active first, paged by a keyset cursor, or the
//! profiles an exact search names (email or phone through the vault's lookup hashes, Shopify
//! customer id, person id). Names are sealed, so they are shown but never searched.

use rust_decimal::Decimal;
use serde::Serialize;

use super::QueryError;
pub use super::search::{Cursor, Search};
use crate::pii::Vault;
use crate::store::Db;

/// Most profiles one page holds.
pub const MAX_PAGE: i64 = 100;

#[derive(Debug, Clone, Serialize)]
pub struct SegmentBadge {
    pub id: String,
    pub name: String,
    pub slug: String,
}

/// One row of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileSummary {
    pub person_id: String,
    pub customer_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Exact decimal, as text (`"110.00"`), in `currency`.
    pub lifetime_value: String,
    pub currency: Option<String>,
    pub order_count: i64,
    pub last_order_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub segments: Vec<SegmentBadge>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfilePage {
    pub profiles: Vec<ProfileSummary>,
    pub next_cursor: Option<String>,
}

type Row = (
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
);

macro_rules! select_visible {
    () => {
        "SELECT person_id, customer_id, lifetime_value, currency, order_count, last_order_at, \
         last_seen_at, COALESCE(last_seen_at, 0) FROM profiles WHERE shop_id = $1 \
         AND person_id NOT LIKE 'redacted%' AND (customer_id IS NULL OR customer_id NOT LIKE 'redacted-%')"
    };
}
// Redacted customers' rows are gone (see `select_visible`); their pseudonyms must not
// resurface either.

/// One page of the shop's profiles (or every match of a search, which names few).
pub async fn list(
    db: &Db,
    vault: &Vault,
    shop_id: &str,
    search: &Search,
    cursor: Option<&Cursor>,
    limit: i64,
    shop_currency: Option<&str>,
) -> Result<ProfilePage, QueryError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let rows: Vec<Row> = match search {
        Search::All => page_rows(db, shop_id, cursor, limit + 1).await?,
        Search::Segment(slug) => member_rows(db, shop_id, slug, cursor, limit + 1).await?,
        Search::Email(email) => {
            let customers = vault.find_by_email(db, email).await?;
            by_customers(db, shop_id, &customers).await?
        }
        Search::Phone(phone) => {
            let customers = match vault.phone_hash(phone) {
                Some(hash) => sqlx::query_scalar::<_, String>(
                    "SELECT customer_id FROM customer_pii WHERE shop_id = $1 AND phone_hash = $2",
                )
                .bind(shop_id)
                .bind(hash)
                .fetch_all(db.pool())
                .await?,
                None => Vec::new(),
            };
            by_customers(db, shop_id, &customers).await?
        }
        Search::Customer(id) => by_customers(db, shop_id, std::slice::from_ref(id)).await?,
        Search::Person(text) => {
            // A profile id as shown, or any identifier joined into one (a visitor id, a
            // checkout or cart token): the identities key serves both lookups.
            sqlx::query_as(concat!(
                select_visible!(),
                " AND person_id IN (SELECT $2 UNION SELECT person_id FROM identities WHERE shop_id = $1 \
                 AND kind IN ('anonymous', 'checkout', 'cart') AND value = $2) ORDER BY person_id"
            ))
            .bind(shop_id)
            .bind(text)
            .fetch_all(db.pool())
            .await?
        }
    };
    let paged = matches!(search, Search::All | Search::Segment(_));
    let more = paged && rows.len() as i64 > limit;
    let rows: Vec<Row> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = if more {
        rows.last().map(|r| {
            Cursor {
                recency: r.7,
                person_id: r.0.clone(),
            }
            .encode()
        })
    } else {
        None
    };
    let mut profiles = Vec::with_capacity(rows.len());
    for row in rows {
        profiles.push(summary(db, vault, shop_id, row, shop_currency).await?);
    }
    Ok(ProfilePage {
        profiles,
        next_cursor,
    })
}

/// A page after the first: `$1` shop, `$2` recency and `$3` person id of the last row shown,
/// `$4` rows. Public so a test can check the plan walks `profiles_recent` without sorting.
pub const NEXT_PAGE_SQL: &str = concat!(
    select_visible!(),
    " AND (COALESCE(last_seen_at, 0) < $2 OR (COALESCE(last_seen_at, 0) = $2 AND person_id > $3)) \
     ORDER BY COALESCE(last_seen_at, 0) DESC, person_id LIMIT $4"
);

async fn page_rows(
    db: &Db,
    shop_id: &str,
    cursor: Option<&Cursor>,
    fetch: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    match cursor {
        None => {
            sqlx::query_as(concat!(
                select_visible!(),
                " ORDER BY COALESCE(last_seen_at, 0) DESC, person_id LIMIT $2"
            ))
            .bind(shop_id)
            .bind(fetch)
            .fetch_all(db.pool())
            .await
        }
        Some(c) => {
            sqlx::query_as(NEXT_PAGE_SQL)
                .bind(shop_id)
                .bind(c.recency)
                .bind(&c.person_id)
                .bind(fetch)
                .fetch_all(db.pool())
                .await
        }
    }
}

macro_rules! select_members {
    () => {
        "SELECT p.person_id, p.customer_id, p.lifetime_value, p.currency, p.order_count, p.last_order_at, \
         p.last_seen_at, COALESCE(p.last_seen_at, 0) FROM profiles p \
         JOIN memberships m ON m.shop_id = p.shop_id AND m.person_id = p.person_id AND m.member = 1 \
         JOIN segments s ON s.id = m.segment_id AND s.shop_id = m.shop_id \
         WHERE p.shop_id = $1 AND s.slug = $2 \
         AND p.person_id NOT LIKE 'redacted%' AND (p.customer_id IS NULL OR p.customer_id NOT LIKE 'redacted-%')"
    };
}

async fn member_rows(
    db: &Db,
    shop_id: &str,
    slug: &str,
    cursor: Option<&Cursor>,
    fetch: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    match cursor {
        None => {
            sqlx::query_as(concat!(
                select_members!(),
                " ORDER BY COALESCE(p.last_seen_at, 0) DESC, p.person_id LIMIT $3"
            ))
            .bind(shop_id)
            .bind(slug)
            .bind(fetch)
            .fetch_all(db.pool())
            .await
        }
        Some(c) => {
            sqlx::query_as(concat!(
                select_members!(),
                " AND (COALESCE(p.last_seen_at, 0) < $3 OR (COALESCE(p.last_seen_at, 0) = $3 AND p.person_id > $4)) \
                 ORDER BY COALESCE(p.last_seen_at, 0) DESC, p.person_id LIMIT $5"
            ))
            .bind(shop_id)
            .bind(slug)
            .bind(c.recency)
            .bind(&c.person_id)
            .bind(fetch)
            .fetch_all(db.pool())
            .await
        }
    }
}

async fn by_customers(
    db: &Db,
    shop_id: &str,
    customers: &[String],
) -> Result<Vec<Row>, sqlx::Error> {
    let mut rows: Vec<Row> = Vec::new();
    for customer in customers {
        let found: Vec<Row> = sqlx::query_as(concat!(select_visible!(), " AND customer_id = $2"))
            .bind(shop_id)
            .bind(customer)
            .fetch_all(db.pool())
            .await?;
        rows.extend(found);
    }
    rows.sort_by(|a, b| b.7.cmp(&a.7).then_with(|| a.0.cmp(&b.0)));
    rows.dedup_by(|a, b| a.0 == b.0);
    Ok(rows)
}

async fn summary(
    db: &Db,
    vault: &Vault,
    shop_id: &str,
    row: Row,
    shop_currency: Option<&str>,
) -> Result<ProfileSummary, QueryError> {
    let (person_id, customer_id, ltv, currency, order_count, last_order_at, last_seen_at, _) = row;
    let pii = match &customer_id {
        Some(customer) => vault.get(db, customer).await?,
        None => None,
    };
    let (name, email) = match pii {
        Some(p) => (full_name(p.first_name, p.last_name), p.email),
        None => (None, None),
    };
    let segments = segment_badges(db, shop_id, &person_id).await?;
    Ok(ProfileSummary {
        lifetime_value: money_text(&ltv),
        currency: currency.or_else(|| shop_currency.map(str::to_owned)),
        person_id,
        customer_id,
        name,
        email,
        order_count,
        last_order_at,
        last_seen_at,
        segments,
    })
}

/// The segments a person is a member of now.
pub async fn segment_badges(
    db: &Db,
    shop_id: &str,
    person_id: &str,
) -> Result<Vec<SegmentBadge>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT s.id, s.name, s.slug FROM memberships m JOIN segments s ON s.id = m.segment_id AND s.shop_id = m.shop_id \
         WHERE m.shop_id = $1 AND m.person_id = $2 AND m.member = 1 \
         AND m.segment_id IN (SELECT id FROM segments WHERE shop_id = $1) ORDER BY s.name",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, slug)| SegmentBadge { id, name, slug })
        .collect())
}

pub fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// Stored decimal text shown with two places (`110` → `110.00`), never through a float.
pub fn money_text(stored: &str) -> String {
    let value = stored.parse::<Decimal>().unwrap_or_default();
    let mut rounded = value.round_dp(2);
    rounded.rescale(2);
    rounded.to_string()
}

#[cfg(test)]
mod tests {
    use super::money_text;

    #[test]
    fn money_keeps_two_places_exactly() {
        assert_eq!(money_text("110"), "110.00");
        assert_eq!(money_text("0.1"), "0.10");
        assert_eq!(money_text("12345678901234.565"), "12345678901234.56");
    }
}
