//! Behavioural counts from storefront events, kept incrementally (each new event adds once:
//! duplicates never reach here), protected-data presence, and folding one person's profile
//! into another's when the identity graph merges them.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use crate::clock::now_ms;
use crate::events::EventKind;

/// A visit ends after this long without activity, as web analytics count sessions.
const SESSION_GAP_MS: i64 = 30 * 60 * 1000;

async fn ensure_row(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
) -> Result<(), sqlx::Error> {
    let customer = person_id.strip_prefix("customer:");
    sqlx::query(
        "INSERT INTO profiles (shop_id, person_id, customer_id, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, person_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(person_id)
    .bind(customer)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one new event for its person; returns the traits it changed.
pub async fn count_event(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
    kind: EventKind,
    occurred_at_ms: i64,
) -> Result<BTreeSet<&'static str>, sqlx::Error> {
    ensure_row(conn, shop_id, person_id).await?;
    let last_seen = sqlx::query_scalar::<_, Option<i64>>(
        "SELECT last_seen_at FROM profiles WHERE shop_id = $1 AND person_id = $2",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let storefront = kind.is_storefront();
    let new_session =
        storefront && last_seen.is_none_or(|seen| occurred_at_ms - seen > SESSION_GAP_MS);
    let views = i64::from(kind == EventKind::ProductView);
    let adds = i64::from(kind == EventKind::AddToCart);
    let seen_later = kind.is_buyer_activity() && last_seen.is_none_or(|seen| seen < occurred_at_ms);
    if views == 0 && adds == 0 && !new_session && !seen_later {
        // Nothing a segment could read moved: no new profile version.
        return Ok(BTreeSet::new());
    }
    sqlx::query(
        "UPDATE profiles SET product_views = product_views + $1, add_to_carts = add_to_carts + $2, sessions = sessions + $3, \
         last_seen_at = CASE WHEN $4 = 1 AND (last_seen_at IS NULL OR last_seen_at < $5) THEN $5 ELSE last_seen_at END, \
         version = version + 1, updated_at = $6 WHERE shop_id = $7 AND person_id = $8",
    )
    .bind(views)
    .bind(adds)
    .bind(i64::from(new_session))
    .bind(i64::from(seen_later))
    .bind(occurred_at_ms)
    .bind(now_ms())
    .bind(shop_id)
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    let mut changed = BTreeSet::new();
    if views > 0 {
        changed.insert("product_views");
    }
    if adds > 0 {
        changed.insert("add_to_carts");
    }
    if new_session {
        changed.insert("sessions");
    }
    if seen_later {
        changed.insert("last_seen_at");
    }
    Ok(changed)
}

/// Protected data we hold for a customer: only its presence (and the country code) is a trait.
/// Returns the traits that changed, so only the segments reading them are re-evaluated.
pub async fn note_person(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
    has_email: bool,
    has_phone: bool,
    country: Option<&str>,
) -> Result<BTreeSet<&'static str>, sqlx::Error> {
    ensure_row(conn, shop_id, person_id).await?;
    let (had_email, had_phone, had_country): (i64, i64, Option<String>) = sqlx::query_as(
        "SELECT has_email, has_phone, country FROM profiles WHERE shop_id = $1 AND person_id = $2",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut changed = BTreeSet::new();
    if has_email && had_email == 0 {
        changed.insert("has_email");
    }
    if has_phone && had_phone == 0 {
        changed.insert("has_phone");
    }
    if country.is_some() && country != had_country.as_deref() {
        changed.insert("country");
    }
    if changed.is_empty() {
        return Ok(changed);
    }
    sqlx::query(
        "UPDATE profiles SET has_email = CASE WHEN $1 = 1 THEN 1 ELSE has_email END, \
         has_phone = CASE WHEN $2 = 1 THEN 1 ELSE has_phone END, country = COALESCE($3, country), \
         version = version + 1, updated_at = $4 WHERE shop_id = $5 AND person_id = $6",
    )
    .bind(i64::from(has_email))
    .bind(i64::from(has_phone))
    .bind(country)
    .bind(now_ms())
    .bind(shop_id)
    .bind(person_id)
    .execute(conn)
    .await?;
    Ok(changed)
}

/// The identity graph joined `from` into `to`: counts add up, the later sighting stays, and
/// `from`'s profile goes. Customer traits of `to` are recomputed by the caller when it is a
/// customer.
pub async fn merge_into(
    conn: &mut AnyConnection,
    shop_id: &str,
    from: &str,
    to: &str,
) -> Result<(), sqlx::Error> {
    let row = sqlx::query_as::<_, (i64, i64, i64, Option<i64>, i64, i64, Option<String>)>(
        "SELECT product_views, add_to_carts, sessions, last_seen_at, has_email, has_phone, country FROM profiles \
         WHERE shop_id = $1 AND person_id = $2",
    )
    .bind(shop_id)
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((views, adds, sessions, last_seen, has_email, has_phone, country)) = row else {
        return Ok(());
    };
    ensure_row(conn, shop_id, to).await?;
    sqlx::query(
        "UPDATE profiles SET product_views = product_views + $1, add_to_carts = add_to_carts + $2, sessions = sessions + $3, \
         last_seen_at = CASE WHEN $4 IS NOT NULL AND (last_seen_at IS NULL OR last_seen_at < $4) THEN $4 ELSE last_seen_at END, \
         has_email = CASE WHEN $5 = 1 THEN 1 ELSE has_email END, has_phone = CASE WHEN $6 = 1 THEN 1 ELSE has_phone END, \
         country = COALESCE(country, $7), version = version + 1, updated_at = $8 WHERE shop_id = $9 AND person_id = $10",
    )
    .bind(views)
    .bind(adds)
    .bind(sessions)
    .bind(last_seen)
    .bind(has_email)
    .bind(has_phone)
    .bind(country)
    .bind(now_ms())
    .bind(shop_id)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM profiles WHERE shop_id = $1 AND person_id = $2")
        .bind(shop_id)
        .bind(from)
        .execute(conn)
        .await?;
    Ok(())
}
