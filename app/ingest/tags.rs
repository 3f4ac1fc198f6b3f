//! A customer's tags as a set whose every element keeps its latest change: tag events and
//! snapshots (a payload or bulk row listing all tags) apply in any arrival order and agree.
//! `customers.tags`, which traits read, is derived here after each change.

use std::collections::BTreeSet;

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
    for tag in tags {
        set(conn, shop_id, customer_id, tag, present, at_ms).await?;
    }
    refresh(conn, shop_id, customer_id).await
}

/// Every tag the customer had at `at_ms`: these are present then, any other known tag absent.
pub async fn snapshot(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
    tags: &[String],
    at_ms: i64,
) -> Result<(), sqlx::Error> {
    ensure_customer(conn, shop_id, customer_id).await?;
    let listed: BTreeSet<&str> = tags.iter().map(String::as_str).collect();
    let (rows, legacy) = known(conn, shop_id, customer_id).await?;
    for tag in rows.iter().map(|(t, _)| t).chain(&legacy) {
        if !listed.contains(tag.as_str()) {
            set(conn, shop_id, customer_id, tag, false, at_ms).await?;
        }
    }
    for tag in listed {
        set(conn, shop_id, customer_id, tag, true, at_ms).await?;
    }
    refresh(conn, shop_id, customer_id).await
}

/// A tag event may come before the customer's own webhook: a placeholder row, which any
/// snapshot overwrites (its time is 0).
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

/// The customer's tag rows (tag, present) and the tags in `customers.tags` without a row (kept
/// from before rows existed).
async fn known(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
) -> Result<(Vec<(String, bool)>, Vec<String>), sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tag, present FROM customer_tags WHERE shop_id = $1 AND customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT tags FROM customers WHERE shop_id = $1 AND customer_id = $2")
            .bind(shop_id)
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?;
    let rows: Vec<(String, bool)> = rows.into_iter().map(|(t, p)| (t, p != 0)).collect();
    let legacy = split(stored.as_deref().unwrap_or(""))
        .filter(|t| !rows.iter().any(|(r, _)| r == t))
        .map(str::to_owned)
        .collect();
    Ok((rows, legacy))
}

async fn refresh(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
) -> Result<(), sqlx::Error> {
    let (rows, legacy) = known(conn, shop_id, customer_id).await?;
    let tags = derived(&rows, &legacy);
    sqlx::query("UPDATE customers SET tags = $1 WHERE shop_id = $2 AND customer_id = $3")
        .bind(tags)
        .bind(shop_id)
        .bind(customer_id)
        .execute(conn)
        .await?;
    Ok(())
}

fn split(tags: &str) -> impl Iterator<Item = &str> {
    tags.split(',').map(str::trim).filter(|t| !t.is_empty())
}

/// Present tags and the legacy ones, sorted as Shopify lists them, comma-separated.
fn derived(rows: &[(String, bool)], legacy: &[String]) -> String {
    let tags: BTreeSet<&str> = rows
        .iter()
        .filter(|(_, present)| *present)
        .map(|(t, _)| t.as_str())
        .chain(legacy.iter().map(String::as_str))
        .collect();
    tags.into_iter().collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_list_is_present_rows_and_rowless_tags_sorted() {
        let rows = vec![
            ("vip".to_owned(), true),
            ("old".to_owned(), false),
            ("Beta".to_owned(), true),
        ];
        assert_eq!(derived(&rows, &["alpha".to_owned()]), "Beta,alpha,vip");
        assert_eq!(derived(&[], &[]), "");
        assert_eq!(split(" a, ,b ").collect::<Vec<_>>(), ["a", "b"]);
    }
}
