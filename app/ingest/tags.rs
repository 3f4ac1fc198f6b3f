//! A customer's tags as a set whose every element keeps its latest change: tag events and
//! snapshots (a payload or bulk row listing all tags) apply in any arrival order and agree.
//! `customers.tags`, which traits read, is derived here after each change.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

/// Tags added (`present`) or removed at `at_ms`.
pub async fn change(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
    tags: &[String],
    present: bool,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    ensure_customer(conn, shop_id, customer_id).await?;
    let known = load(conn, shop_id, customer_id).await?;
    let changes = tags.iter().map(|t| (t.clone(), present)).collect();
    apply(conn, shop_id, customer_id, known, changes, at_ms).await
}

/// Every tag the customer had at `at_ms`: these are present then, any other known tag absent.
/// The customer's row exists already (the snapshot's own upsert made it).
pub async fn snapshot(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
    tags: &[String],
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    let known = load(conn, shop_id, customer_id).await?;
    let listed: BTreeSet<&str> = tags.iter().map(String::as_str).collect();
    let changes = known
        .tags
        .keys()
        .filter(|t| !listed.contains(t.as_str()))
        .map(|t| (t.clone(), false))
        .chain(listed.iter().map(|t| ((*t).to_owned(), true)))
        .collect();
    apply(conn, shop_id, customer_id, known, changes, at_ms).await
}

/// What is stored of a customer's tags: each tag's state and the time of its latest change
/// (`None` for a tag `customers.tags` held before rows existed), and the derived list.
#[derive(Debug, Default)]
struct Known {
    tags: BTreeMap<String, (bool, Option<i64>)>,
    list: String,
}

/// Writes the changes that are newer than what is stored, then the derived list if it moved.
async fn apply(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
    mut known: Known,
    changes: Vec<(String, bool)>,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    for (tag, present) in changes {
        let current = known.tags.get(&tag).copied();
        let newer = current.is_none_or(|(_, at)| at.is_none_or(|at| at <= at_ms));
        if !newer || current == Some((present, Some(at_ms))) {
            continue;
        }
        set(conn, shop_id, customer_id, &tag, present, at_ms).await?;
        known.tags.insert(tag, (present, Some(at_ms)));
    }
    let list = derived(&known.tags);
    if list != known.list {
        sqlx::query("UPDATE customers SET tags = $1 WHERE shop_id = $2 AND customer_id = $3")
            .bind(list)
            .bind(shop_id)
            .bind(customer_id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A tag event may come before the customer's own webhook: the row is made with time 0, so
/// that webhook's snapshot still wins.
async fn ensure_customer(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO customers (shop_id, customer_id, updated_at) VALUES ($1, $2, 0) \
         ON CONFLICT (shop_id, customer_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(customer_id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn set(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
    tag: &str,
    present: bool,
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO customer_tags (shop_id, customer_id, tag, present, changed_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (shop_id, customer_id, tag) DO UPDATE SET present = excluded.present, changed_at = excluded.changed_at \
         WHERE customer_tags.changed_at <= excluded.changed_at",
    )
    .bind(shop_id)
    .bind(customer_id)
    .bind(tag)
    .bind(i64::from(present))
    .bind(at_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(customers.tags, tag, present, changed_at)`, the tag columns empty when it has no rows.
type TagRow = (String, Option<String>, Option<i64>, Option<i64>);

/// The customer's list and tag rows in one round trip.
async fn load(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
) -> Result<Known, sqlx::Error> {
    let rows: Vec<TagRow> = sqlx::query_as(
        "SELECT c.tags, t.tag, t.present, t.changed_at FROM customers c \
         LEFT JOIN customer_tags t ON t.shop_id = c.shop_id AND t.customer_id = c.customer_id \
         WHERE c.shop_id = $1 AND c.customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    let mut known = Known::default();
    for (list, tag, present, changed_at) in rows {
        known.list = list;
        if let (Some(tag), Some(present), Some(at)) = (tag, present, changed_at) {
            known.tags.insert(tag, (present != 0, Some(at)));
        }
    }
    let legacy: Vec<String> = split(&known.list)
        .filter(|t| !known.tags.contains_key(*t))
        .map(str::to_owned)
        .collect();
    for tag in legacy {
        known.tags.insert(tag, (true, None));
    }
    Ok(known)
}

fn split(tags: &str) -> impl Iterator<Item = &str> {
    tags.split(',').map(str::trim).filter(|t| !t.is_empty())
}

/// The present tags, sorted (byte order), comma-separated.
fn derived(tags: &BTreeMap<String, (bool, Option<i64>)>) -> String {
    tags.iter()
        .filter(|(_, (present, _))| *present)
        .map(|(t, _)| t.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_list_is_the_present_tags_sorted() {
        let tags: BTreeMap<String, (bool, Option<i64>)> = [
            ("vip".to_owned(), (true, Some(2))),
            ("old".to_owned(), (false, Some(1))),
            ("Beta".to_owned(), (true, Some(3))),
            ("alpha".to_owned(), (true, None)),
        ]
        .into();
        assert_eq!(derived(&tags), "Beta,alpha,vip");
        assert_eq!(derived(&BTreeMap::new()), "");
        assert_eq!(split(" a, ,b ").collect::<Vec<_>>(), ["a", "b"]);
    }
}
