//! Customers, marketing consent and merges → canonical events.

use serde_json::Value;

use super::commerce::{ConsentUpdate, Customer, CustomerMerge, Deleted, TagsChange};
use super::model::{CanonicalEvent, EntityChange, EventKind, Mapped, PersonData};
use super::segment::Props;

fn consent_state(consent: &Option<super::commerce::Consent>) -> Option<String> {
    consent.as_ref().and_then(|c| c.state.clone())
}

/// `customers/create|update`: traits that are not protected data go in the properties; names,
/// email, phone and address go to `people`.
pub fn customer(kind: EventKind, c: &Customer) -> Mapped {
    let (key, at) = if kind == EventKind::CustomerCreated {
        (
            format!("customer_created:customer:{}", c.id),
            c.created_at_ms.unwrap_or(c.updated_at_ms),
        )
    } else {
        (
            format!("customer_updated:customer:{}:{}", c.id, c.updated_at_ms),
            c.updated_at_ms,
        )
    };
    let email_marketing = consent_state(&c.email_marketing);
    let sms_marketing = consent_state(&c.sms_marketing);
    let mut props = Props::default();
    props
        .text("customer_id", Some(&c.id))
        .text("state", c.state.as_deref());
    if let Some(tags) = &c.tags {
        props.value(
            "tags",
            Value::Array(tags.iter().cloned().map(Value::String).collect()),
        );
    }
    props
        .text("currency", c.currency.as_deref())
        .text("email_marketing", email_marketing.as_deref())
        .text("sms_marketing", sms_marketing.as_deref());
    if let Some(verified) = c.verified_email {
        props.value("verified_email", Value::Bool(verified));
    }
    let mut event = CanonicalEvent::new(kind, key, at);
    event.customer_id = Some(c.id.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        entities: vec![EntityChange::Customer {
            id: c.id.clone(),
            updated_at_ms: c.updated_at_ms,
            state: c.state.clone(),
            tags: c.tags.clone(),
            email_marketing,
            sms_marketing,
            deleted: false,
            created_at_ms: c.created_at_ms,
            verified_email: c.verified_email,
            email_opt_in_level: c
                .email_marketing
                .as_ref()
                .and_then(|m| m.opt_in_level.clone()),
            sms_opt_in_level: c
                .sms_marketing
                .as_ref()
                .and_then(|m| m.opt_in_level.clone()),
            email_consent_at_ms: c.email_marketing.as_ref().and_then(|m| m.updated_at_ms),
            sms_consent_at_ms: c.sms_marketing.as_ref().and_then(|m| m.updated_at_ms),
        }],
        people: PersonData::list(Some(c.person.clone())),
    }
}

/// `customers/delete`: the payload has no time, so `triggered_at_ms` stands in.
pub fn customer_deleted(d: &Deleted, triggered_at_ms: i64) -> Mapped {
    let mut props = Props::default();
    props.text("customer_id", Some(&d.id));
    let mut event = CanonicalEvent::new(
        EventKind::CustomerDeleted,
        format!("customer_deleted:customer:{}", d.id),
        triggered_at_ms,
    );
    event.customer_id = Some(d.id.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        entities: vec![EntityChange::Customer {
            id: d.id.clone(),
            updated_at_ms: i64::MAX,
            state: None,
            tags: None,
            email_marketing: None,
            sms_marketing: None,
            deleted: true,
            created_at_ms: None,
            verified_email: None,
            email_opt_in_level: None,
            sms_opt_in_level: None,
            email_consent_at_ms: None,
            sms_consent_at_ms: None,
        }],
        people: Vec::new(),
    }
}

/// `customers/merge`: only a completed merge changed anything; a failed or pending one maps to
/// nothing.
pub fn customers_merge(m: &CustomerMerge, triggered_at_ms: i64) -> Mapped {
    if !m.completed() || m.merged.is_empty() {
        return Mapped::default();
    }
    let mut props = Props::default();
    props.text("customer_id", Some(&m.kept)).value(
        "merged_customer_ids",
        Value::Array(m.merged.iter().cloned().map(Value::String).collect()),
    );
    let mut event = CanonicalEvent::new(
        EventKind::CustomersMerged,
        format!(
            "customers_merged:customer:{}:{}",
            m.kept,
            m.merged.join(",")
        ),
        triggered_at_ms,
    );
    event.customer_id = Some(m.kept.clone());
    event.properties = props.build();
    Mapped {
        events: vec![event],
        entities: vec![EntityChange::CustomerMerge {
            kept: m.kept.clone(),
            merged: m.merged.clone(),
        }],
        people: Vec::new(),
    }
}

/// `customer.tags_added` / `customer.tags_removed`: no event (Segment's spec has none, and the
/// timeline gains nothing from SegOps' own tag pushes echoing back), only the tags' new state.
pub fn tags(t: &TagsChange) -> Mapped {
    if t.tags.is_empty() {
        return Mapped::default();
    }
    Mapped {
        events: Vec::new(),
        entities: vec![EntityChange::CustomerTags {
            customer_id: t.customer_id.clone(),
            tags: t.tags.clone(),
            added: t.added,
            at_ms: t.occurred_at_ms,
        }],
        people: Vec::new(),
    }
}

/// Both consent topics. The change is identified by Shopify's `consent_updated_at`; when that
/// is null, by the new state, so a redelivery still dedupes.
pub fn consent(update: &ConsentUpdate, triggered_at_ms: i64) -> Mapped {
    let c = &update.consent;
    let channel = update.channel.as_str();
    let version = match c.updated_at_ms {
        Some(at) => at.to_string(),
        None => format!(
            "state={}:level={}",
            c.state.as_deref().unwrap_or("none"),
            c.opt_in_level.as_deref().unwrap_or("none")
        ),
    };
    let mut props = Props::default();
    props
        .text("customer_id", Some(&update.customer_id))
        .text("channel", Some(channel))
        .text("state", c.state.as_deref())
        .text("opt_in_level", c.opt_in_level.as_deref())
        .text("collected_from", c.collected_from.as_deref());
    if let Some(at) = c.updated_at_ms {
        props.value("consent_updated_at_ms", Value::from(at));
    }
    let mut event = CanonicalEvent::new(
        EventKind::ConsentChange,
        format!(
            "consent_change:customer:{}:{channel}:{version}",
            update.customer_id
        ),
        c.updated_at_ms.unwrap_or(triggered_at_ms),
    );
    event.customer_id = Some(update.customer_id.clone());
    event.properties = props.build();
    let entity = EntityChange::Consent {
        customer_id: update.customer_id.clone(),
        channel: channel.to_owned(),
        state: c.state.clone(),
        opt_in_level: c.opt_in_level.clone(),
        updated_at_ms: event.occurred_at_ms,
    };
    Mapped {
        events: vec![event],
        entities: vec![entity],
        people: PersonData::list(Some(update.person.clone())),
    }
}
