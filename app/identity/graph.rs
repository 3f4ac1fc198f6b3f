//! Linking identifiers into people, inside the caller's transaction. Links are unions: the
//! result depends only on which links were made, never on their order, and making one twice
//! changes nothing. Two different customers are never merged by storefront or token evidence
//! (a shared device or a forwarded cart link must not join two people's histories).

use sqlx::AnyConnection;

use super::ids::{IdKind, Identifier, identifier_of, stronger};
use crate::health::{self, Metric};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    /// The person every given identifier now belongs to (or `None` when none were given).
    pub person_id: Option<String>,
    /// Groups folded into it.
    pub merged: Vec<String>,
    /// Anonymous ids that became known (Segment Alias: previous id → user id).
    pub aliases: Vec<(String, String)>,
    /// Two different customers were implicated; only the unclaimed identifiers were linked.
    pub conflict: bool,
}

/// Serialises identity work of one shop across workers and replicas on PostgreSQL (SQLite's
/// write transaction already does).
pub async fn lock_shop(conn: &mut AnyConnection, shop_id: &str) -> Result<(), sqlx::Error> {
    if crate::store::Backend::of(conn) == crate::store::Backend::Postgres {
        let digest = crate::crypto::sha256_hex(shop_id.as_bytes());
        let key = i64::from_str_radix(&digest[..15], 16).unwrap_or(0);
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(conn)
            .await?;
    }
    Ok(())
}

pub async fn person_of(
    conn: &mut AnyConnection,
    shop_id: &str,
    id: &Identifier,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar::<_, String>(
        "SELECT person_id FROM identities WHERE shop_id = $1 AND kind = $2 AND value = $3",
    )
    .bind(shop_id)
    .bind(id.kind.as_str())
    .bind(&id.value)
    .fetch_optional(conn)
    .await
}

/// Makes `ids` one person (see the module docs for the one exception).
pub async fn link(
    conn: &mut AnyConnection,
    shop_id: &str,
    ids: &[Identifier],
    now_ms: i64,
) -> Result<Linked, sqlx::Error> {
    let mut outcome = Linked {
        person_id: None,
        merged: Vec::new(),
        aliases: Vec::new(),
        conflict: false,
    };
    if ids.is_empty() {
        return Ok(outcome);
    }
    let mut current: Vec<(Identifier, Option<String>)> = Vec::with_capacity(ids.len());
    for id in ids {
        let person = person_of(conn, shop_id, id).await?;
        current.push((id.clone(), person));
    }
    let mut groups: Vec<String> = current.iter().filter_map(|(_, p)| p.clone()).collect();
    groups.sort();
    groups.dedup();

    // Customers this link would join: named in it directly, or owning one of its groups.
    let mut customers: Vec<String> = ids
        .iter()
        .filter(|id| id.kind == IdKind::Customer)
        .map(Identifier::person_id)
        .chain(
            groups
                .iter()
                .filter(|g| g.starts_with("customer:"))
                .cloned(),
        )
        .collect();
    customers.sort();
    customers.dedup();
    if customers.len() > 1 {
        outcome.conflict = true;
        health::bump_by(conn, shop_id, Metric::IdentityConflicts, 1, None).await?;
        // Attach only what nobody claims yet, to the customer the event names (if any).
        let Some(owner) = ids.iter().find(|id| id.kind == IdKind::Customer) else {
            return Ok(outcome);
        };
        let person = owner.person_id();
        for (id, existing) in &current {
            if existing.is_none() {
                insert(conn, shop_id, id, &person, now_ms).await?;
            }
        }
        outcome.person_id = Some(person);
        return Ok(outcome);
    }

    // The group's name: the strongest of the given identifiers and the existing groups' names.
    let mut best = ids[0].clone();
    for candidate in ids
        .iter()
        .cloned()
        .chain(groups.iter().filter_map(|g| identifier_of(g)))
    {
        if stronger(&candidate, &best) {
            best = candidate;
        }
    }
    let person = best.person_id();
    for group in groups.iter().filter(|g| **g != person) {
        if person.starts_with("customer:") {
            let anonymous = sqlx::query_scalar::<_, String>(
                "SELECT value FROM identities WHERE shop_id = $1 AND person_id = $2 AND kind = 'anonymous'",
            )
            .bind(shop_id)
            .bind(group)
            .fetch_all(&mut *conn)
            .await?;
            let user = best.value.clone();
            for previous in anonymous {
                outcome.aliases.push((previous, user.clone()));
            }
        }
        rename(conn, shop_id, group, &person).await?;
        outcome.merged.push(group.clone());
    }
    for (id, existing) in &current {
        if existing.is_none() {
            if person.starts_with("customer:") && id.kind == IdKind::Anonymous {
                outcome.aliases.push((id.value.clone(), best.value.clone()));
            }
            insert(conn, shop_id, id, &person, now_ms).await?;
        }
    }
    for (previous, user) in &outcome.aliases {
        let recorded = sqlx::query(
            "INSERT INTO aliases (shop_id, previous_id, user_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(shop_id)
        .bind(previous)
        .bind(user)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
        if recorded.rows_affected() == 1 {
            health::bump_by(conn, shop_id, Metric::Stitched, 1, None).await?;
        }
    }
    outcome.person_id = Some(person);
    Ok(outcome)
}

/// Shopify merged two customers: their people become one, whatever the no-two-customers rule
/// says, because Shopify itself says they are the same.
pub async fn merge_customers(
    conn: &mut AnyConnection,
    shop_id: &str,
    kept: &str,
    merged: &str,
    now_ms: i64,
) -> Result<String, sqlx::Error> {
    let kept_id = Identifier::new(IdKind::Customer, kept);
    let merged_id = Identifier::new(IdKind::Customer, merged);
    let kept_person = match person_of(conn, shop_id, &kept_id).await? {
        Some(person) => person,
        None => {
            insert(conn, shop_id, &kept_id, &kept_id.person_id(), now_ms).await?;
            kept_id.person_id()
        }
    };
    if let Some(old) = person_of(conn, shop_id, &merged_id).await?
        && old != kept_person
    {
        rename(conn, shop_id, &old, &kept_person).await?;
    }
    Ok(kept_person)
}

async fn insert(
    conn: &mut AnyConnection,
    shop_id: &str,
    id: &Identifier,
    person: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO identities (shop_id, kind, value, person_id, first_seen_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (shop_id, kind, value) DO UPDATE SET person_id = excluded.person_id",
    )
    .bind(shop_id)
    .bind(id.kind.as_str())
    .bind(&id.value)
    .bind(person)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves a whole group, its events and its profile under another person.
async fn rename(
    conn: &mut AnyConnection,
    shop_id: &str,
    from: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE identities SET person_id = $1 WHERE shop_id = $2 AND person_id = $3")
        .bind(to)
        .bind(shop_id)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE events SET person_id = $1 WHERE shop_id = $2 AND person_id = $3")
        .bind(to)
        .bind(shop_id)
        .bind(from)
        .execute(&mut *conn)
        .await?;
    crate::profiles::merge_into(conn, shop_id, from, to).await
}
