//! One delivery's changes in one transaction.

use sqlx::AnyConnection;

use std::collections::BTreeSet;

use super::changes::Changes;
use super::{entities, purchases};
use crate::clock::now_ms;
use crate::events::{CanonicalEvent, EntityChange, EventKind, Mapped};
use crate::health::{self, Metric};
use crate::identity::{self, IdKind, Identifier};
use crate::jobs::{AbandonCheckout, JobError, NewJob, pending_evaluations, queue};
use crate::pii::{CustomerPii, Vault};
use crate::privacy;
use crate::profiles;
use crate::state::App;

#[allow(clippy::too_many_arguments)]
pub async fn apply(
    app: &App,
    vault: &Vault,
    shop_id: &str,
    delivery_id: Option<i64>,
    source: &str,
    mapped: Mapped,
    version_us: i64,
) -> Result<(), JobError> {
    let window_ms =
        sqlx::query_scalar::<_, i64>("SELECT abandonment_window_secs FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_optional(app.db.pool())
            .await?
            .unwrap_or(3600)
            * 1000;

    let mut conn = app.db.begin_write().await?;
    let outcome = apply_in_tx(
        &mut conn,
        vault,
        shop_id,
        delivery_id,
        source,
        &mapped,
        Pii::Replace,
        window_ms,
        version_us,
    )
    .await;
    match outcome {
        Ok(changes) => {
            conn.commit().await?;
            tracing::debug!(shop_id, people = changes.people.len(), "profiles changed");
            Ok(())
        }
        Err(err) => {
            let _ = conn.rollback().await;
            Err(err)
        }
    }
}

/// How a change's protected data meets what the vault holds.
#[derive(Debug, Clone, Copy)]
pub(super) enum Pii {
    /// A webhook's snapshot: its fields replace the stored ones.
    Replace,
    /// A bulk row, which holds some fields only: see [`Vault::merge_in`].
    Merge,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn apply_in_tx(
    conn: &mut AnyConnection,
    vault: &Vault,
    shop_id: &str,
    delivery_id: Option<i64>,
    source: &str,
    mapped: &Mapped,
    pii: Pii,
    window_ms: i64,
    version_us: i64,
) -> Result<Changes, JobError> {
    let mut changes = Changes::default();
    if mapped.events.is_empty() && mapped.entities.is_empty() && mapped.people.is_empty() {
        return Ok(changes);
    }
    identity::lock_shop(conn, shop_id).await?;
    let erased = privacy::erased_in(conn, vault, shop_id, mapped).await?;
    let kept;
    let mapped = if erased.is_empty() {
        mapped
    } else {
        kept = privacy::without(mapped.clone(), &erased);
        drop_erased(conn, shop_id, delivery_id, erased.len()).await?;
        &kept
    };
    // Protected data in the same transaction as the rest, so it is never stored for a customer
    // the check above found erased, nor without the changes it came with.
    for person in &mapped.people {
        let fields = CustomerPii {
            email: person.email.clone(),
            phone: person.phone.clone(),
            first_name: person.first_name.clone(),
            last_name: person.last_name.clone(),
            address: person.address.clone(),
        };
        let written = match pii {
            Pii::Replace => vault.put_in(conn, &person.customer_id, &fields).await,
            Pii::Merge => vault.merge_in(conn, &person.customer_id, &fields).await,
        };
        written.map_err(|e| JobError::Retry(e.to_string()))?;
    }
    let now = now_ms();
    let mut customers: BTreeSet<String> = BTreeSet::new();
    for entity in &mapped.entities {
        entities::upsert(conn, vault, shop_id, entity, version_us).await?;
        match entity {
            EntityChange::Order {
                customer_id: Some(c),
                ..
            } => {
                customers.insert(c.clone());
            }
            EntityChange::Customer { id, .. } => {
                customers.insert(id.clone());
            }
            EntityChange::Consent { customer_id, .. }
            | EntityChange::CustomerTags { customer_id, .. } => {
                customers.insert(customer_id.clone());
            }
            EntityChange::CustomerMerge { kept, merged } => {
                for old in merged {
                    identity::merge_customers(conn, shop_id, kept, old, now).await?;
                }
                customers.insert(kept.clone());
            }
            _ => {}
        }
    }
    for person in &mapped.people {
        let mut ids = vec![Identifier::new(IdKind::Customer, &person.customer_id)];
        if let Some(hash) = person.email.as_deref().and_then(|e| vault.email_hash(e)) {
            ids.push(Identifier::new(IdKind::EmailHash, hash));
        }
        let linked = identity::link(conn, shop_id, &ids, now).await?;
        if !linked.merged.is_empty() {
            changes.add_merge(linked.person_id.iter().chain(&linked.merged));
        }
        if let Some(person_id) = linked.person_id {
            let country = person.address.as_deref().and_then(country_code);
            let changed = profiles::note_person(
                conn,
                shop_id,
                &person_id,
                person.email.is_some(),
                person.phone.is_some(),
                country.as_deref(),
            )
            .await?;
            changes.add(&person_id, changed);
        }
        customers.insert(person.customer_id.clone());
    }
    for event in &mapped.events {
        let problems = crate::events::spec_problems(event);
        if !problems.is_empty() {
            let detail = format!(
                "{}: {}",
                event.segment_name.unwrap_or(event.kind.as_str()),
                problems.join("; ")
            );
            tracing::warn!(shop_id, event = event.kind.as_str(), problems = %detail, "event fails the Segment spec");
            health::bump_by(conn, shop_id, Metric::SpecInvalid, 1, Some(&detail)).await?;
        }
        let event = purchases::reconcile(conn, shop_id, event).await?;
        let linked = identity::link(conn, shop_id, &identity::ids::of_event(&event), now).await?;
        if let Some(customer) = &event.customer_id {
            customers.insert(customer.clone());
        }
        if let Some(person) = linked.person_id.as_deref()
            && let Some(customer) = person.strip_prefix("customer:")
            && !linked.merged.is_empty()
        {
            customers.insert(customer.to_owned());
        }
        if event.kind == EventKind::Purchase
            && let Some(anonymous) = &event.anonymous_id
        {
            identity::record_attempt(
                conn,
                shop_id,
                anonymous,
                event.checkout_token.as_deref(),
                event.occurred_at_ms,
            )
            .await?;
        }
        let inserted = insert_event_for(
            conn,
            shop_id,
            delivery_id,
            source,
            &event,
            linked.person_id.as_deref(),
        )
        .await?;
        if !inserted && source == "webhook" && event.kind == EventKind::Purchase {
            purchases::prefer_server_copy(conn, shop_id, &event).await?;
        }
        if !linked.merged.is_empty() {
            changes.add_merge(linked.person_id.iter().chain(&linked.merged));
        }
        if inserted && let Some(person) = &linked.person_id {
            let changed =
                profiles::count_event(conn, shop_id, person, event.kind, event.occurred_at_ms)
                    .await?;
            changes.add(person, changed);
            changes.add_event(person, event.kind);
        }
        match (event.kind, event.checkout_token.as_deref()) {
            // A purchase processed before its checkout (deliveries arrive in any order) has
            // completed it already: no timer then. Pixel checkouts have no server snapshot to
            // abandon, so only webhooks start timers.
            (EventKind::CheckoutStart, Some(token))
                if source == "webhook"
                    && !entities::checkout_completed(conn, shop_id, token).await? =>
            {
                let job = NewJob {
                    shop_id: Some(shop_id.to_owned()),
                    kind: AbandonCheckout::KIND,
                    unique_key: Some(AbandonCheckout::key(shop_id, token)),
                    payload: serde_json::to_string(&AbandonCheckout {
                        shop_id: shop_id.to_owned(),
                        token: token.to_owned(),
                    })
                    .unwrap_or_default(),
                    run_at: event.occurred_at_ms + window_ms,
                };
                queue::enqueue(conn, &job).await?;
            }
            (EventKind::Purchase, Some(token)) => {
                entities::mark_checkout_completed(conn, shop_id, token).await?;
                queue::cancel(conn, &AbandonCheckout::key(shop_id, token)).await?;
            }
            _ => {}
        }
    }
    for customer in &customers {
        if let Some(refreshed) = profiles::refresh_customer(conn, shop_id, customer).await? {
            changes.add(&refreshed.person_id, refreshed.changed);
        }
    }
    if let Some(delivery_id) = delivery_id {
        let customer = mapped
            .events
            .iter()
            .find_map(|e| e.customer_id.clone())
            .or_else(|| mapped.people.first().map(|p| p.customer_id.clone()));
        mark_processed_in(conn, delivery_id, customer.as_deref()).await?;
    }
    if !changes.people.is_empty() {
        // Marked with the profile writes, so a committed change is always evaluated; workers
        // take these marks in batches (`jobs::pending_evaluations`).
        let people: Vec<String> = changes.people.keys().cloned().collect();
        pending_evaluations::mark(conn, shop_id, &people, changes.changed().as_ref()).await?;
    }
    Ok(changes)
}

/// Counts what was dropped as being about erased customers, and forgets the delivery's body,
/// which names them.
async fn drop_erased(
    conn: &mut AnyConnection,
    shop_id: &str,
    delivery_id: Option<i64>,
    customers: usize,
) -> Result<(), sqlx::Error> {
    tracing::info!(shop_id, customers, "changes about erased customers dropped");
    health::bump_by(conn, shop_id, Metric::ErasedDropped, 1, None).await?;
    if let Some(delivery_id) = delivery_id {
        sqlx::query("UPDATE webhook_deliveries SET body_enc = NULL WHERE shop_id = $1 AND id = $2")
            .bind(shop_id)
            .bind(delivery_id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The country code of a default address kept as JSON.
fn country_code(address: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(address).ok()?;
    value
        .get("country_code")
        .or_else(|| value.get("countryCode"))
        .and_then(|c| c.as_str())
        .filter(|c| c.len() == 2)
        .map(str::to_ascii_uppercase)
}

pub async fn insert_event(
    conn: &mut AnyConnection,
    shop_id: &str,
    delivery_id: Option<i64>,
    source: &str,
    event: &CanonicalEvent,
) -> Result<bool, sqlx::Error> {
    let person = match &event.customer_id {
        Some(customer) => {
            identity::person_of(conn, shop_id, &Identifier::new(IdKind::Customer, customer)).await?
        }
        None => None,
    };
    insert_event_for(conn, shop_id, delivery_id, source, event, person.as_deref()).await
}

async fn insert_event_for(
    conn: &mut AnyConnection,
    shop_id: &str,
    delivery_id: Option<i64>,
    source: &str,
    event: &CanonicalEvent,
    person_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO events (shop_id, kind, segment_name, dedupe_key, occurred_at, customer_id, order_id, checkout_token, cart_token, \
         properties, source, delivery_id, created_at, anonymous_id, person_id, consent, message_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) \
         ON CONFLICT (shop_id, dedupe_key) DO NOTHING",
    )
    .bind(shop_id)
    .bind(event.kind.as_str())
    .bind(event.segment_name)
    .bind(&event.dedupe_key)
    .bind(event.occurred_at_ms)
    .bind(event.customer_id.as_deref())
    .bind(event.order_id.as_deref())
    .bind(event.checkout_token.as_deref())
    .bind(event.cart_token.as_deref())
    .bind(serde_json::Value::Object(event.properties.clone()).to_string())
    .bind(source)
    .bind(delivery_id)
    .bind(now_ms())
    .bind(event.anonymous_id.as_deref())
    .bind(person_id)
    .bind(event.consent.map(|c| c.segment_object().to_string()))
    .bind(event.message_id.as_deref())
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

async fn mark_processed_in(
    conn: &mut AnyConnection,
    delivery_id: i64,
    customer_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET status = 'processed', processed_at = $1, customer_id = COALESCE($2, customer_id) WHERE id = $3",
    )
    .bind(now_ms())
    .bind(customer_id)
    .bind(delivery_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn mark_processed(
    db: &crate::store::Db,
    delivery_id: i64,
    customer_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let _turn = db.write_turn().await?;
    let mut conn = db.pool().acquire().await?;
    mark_processed_in(&mut conn, delivery_id, customer_id).await
}
