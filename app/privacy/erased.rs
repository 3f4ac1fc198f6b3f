//! Customers that `customers/redact` erased stay erased: whatever arrives about them later (a
//! delayed or retried webhook, a history import that Shopify wrote before the erasure) is
//! dropped before anything of it is stored. The check runs inside the ingest's write transaction,
//! which excludes the erasure's own (SQLite's single writer; the shop's advisory lock on
//! PostgreSQL, which the erasure takes too), so a change is either seen as erased here or
//! stored before the erasure and then deleted by it.

use std::collections::{BTreeSet, HashMap, HashSet};

use sqlx::AnyConnection;

use crate::events::{EntityChange, Mapped};
use crate::pii::Vault;
use crate::store::{Backend, packed};

/// Every customer id a change names.
fn named(mapped: &Mapped) -> BTreeSet<&str> {
    let events = mapped
        .events
        .iter()
        .filter_map(|e| e.customer_id.as_deref());
    let people = mapped.people.iter().map(|p| p.customer_id.as_str());
    let entities = mapped.entities.iter().flat_map(|e| -> Vec<&str> {
        match e {
            EntityChange::Order { customer_id, .. }
            | EntityChange::Checkout { customer_id, .. } => {
                customer_id.as_deref().into_iter().collect()
            }
            EntityChange::Customer { id, .. } => vec![id.as_str()],
            EntityChange::Consent { customer_id, .. }
            | EntityChange::CustomerTags { customer_id, .. } => vec![customer_id.as_str()],
            EntityChange::CustomerMerge { kept, merged } => std::iter::once(kept.as_str())
                .chain(merged.iter().map(String::as_str))
                .collect(),
            EntityChange::Product { .. } => Vec::new(),
        }
    });
    events.chain(people).chain(entities).collect()
}

/// The customers among those `mapped` names that were erased, in one query however many it
/// names (an import batch names hundreds).
pub async fn erased_in(
    conn: &mut AnyConnection,
    vault: &Vault,
    shop_id: &str,
    mapped: &Mapped,
) -> Result<HashSet<String>, sqlx::Error> {
    let by_hash: HashMap<String, &str> = named(mapped)
        .into_iter()
        .map(|customer| (vault.customer_hash(customer), customer))
        .collect();
    if by_hash.is_empty() {
        return Ok(HashSet::new());
    }
    let hashes: Vec<&str> = by_hash.keys().map(String::as_str).collect();
    let found: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT customer_hash FROM redacted_customers WHERE shop_id = $1 AND customer_hash IN ({})",
        packed::list_rows(Backend::of(conn), 2)
    )))
    .bind(shop_id)
    .bind(packed::json_list(&hashes))
    .fetch_all(&mut *conn)
    .await?;
    Ok(found
        .iter()
        .filter_map(|hash| by_hash.get(hash).map(|c| (*c).to_owned()))
        .collect())
}

/// `mapped` without anything about the `erased` customers: their events, orders, checkouts,
/// customer records, consent and protected data. A merge into an erased customer goes whole;
/// an erased customer merged into another is left out of it.
pub fn without(mut mapped: Mapped, erased: &HashSet<String>) -> Mapped {
    if erased.is_empty() {
        return mapped;
    }
    let is_erased = |id: Option<&String>| id.is_some_and(|id| erased.contains(id));
    mapped.events.retain(|e| !is_erased(e.customer_id.as_ref()));
    mapped.people.retain(|p| !erased.contains(&p.customer_id));
    mapped.entities.retain_mut(|e| match e {
        EntityChange::Order { customer_id, .. } | EntityChange::Checkout { customer_id, .. } => {
            !is_erased(customer_id.as_ref())
        }
        EntityChange::Customer { id, .. } => !erased.contains(id),
        EntityChange::Consent { customer_id, .. }
        | EntityChange::CustomerTags { customer_id, .. } => !erased.contains(customer_id),
        EntityChange::CustomerMerge { kept, merged } => {
            merged.retain(|m| !erased.contains(m));
            !erased.contains(kept) && !merged.is_empty()
        }
        EntityChange::Product { .. } => true,
    });
    mapped
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::events::PersonData;

    fn order(id: &str, customer: Option<&str>) -> EntityChange {
        EntityChange::Order {
            id: id.to_owned(),
            updated_at_ms: 1,
            customer_id: customer.map(str::to_owned),
            financial_status: None,
            fulfillment_status: None,
            cancelled: false,
            total: Decimal::ONE,
            currency: "CAD".to_owned(),
            checkout_token: None,
            cart_token: None,
            placed_at_ms: None,
        }
    }

    fn person(id: &str) -> PersonData {
        PersonData {
            customer_id: id.to_owned(),
            email: Some(format!("{id}@example.net")),
            ..PersonData::default()
        }
    }

    #[test]
    fn only_what_names_an_erased_customer_is_left_out() {
        let mapped = Mapped {
            events: Vec::new(),
            entities: vec![
                order("1", Some("7")),
                order("2", Some("8")),
                order("3", None),
                EntityChange::Consent {
                    customer_id: "7".to_owned(),
                    channel: "email".to_owned(),
                    state: None,
                    opt_in_level: None,
                    updated_at_ms: 1,
                },
                EntityChange::CustomerMerge {
                    kept: "8".to_owned(),
                    merged: vec!["7".to_owned(), "9".to_owned()],
                },
                EntityChange::CustomerMerge {
                    kept: "7".to_owned(),
                    merged: vec!["8".to_owned()],
                },
            ],
            people: vec![person("7"), person("8")],
        };
        assert_eq!(
            named(&mapped).into_iter().collect::<Vec<_>>(),
            ["7", "8", "9"]
        );
        let erased: HashSet<String> = ["7".to_owned()].into();
        let kept = without(mapped, &erased);
        assert_eq!(kept.people, vec![person("8")]);
        assert_eq!(
            kept.entities,
            vec![
                order("2", Some("8")),
                order("3", None),
                EntityChange::CustomerMerge {
                    kept: "8".to_owned(),
                    merged: vec!["9".to_owned()],
                },
            ]
        );
    }
}
