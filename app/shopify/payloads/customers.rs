//! `customers/*` bodies, the two marketing-consent topics, `customers/merge` and the two
//! `customer.tags_*` events.

use serde::Deserialize;

use super::lines::non_empty;
use super::people::{ConsentBody, CustomerBody};
use super::wire::{Id, Timestamp};
use super::{PayloadError, decode};
use crate::events::commerce::{
    ConsentChannel, ConsentUpdate, Customer, CustomerMerge, Deleted, Person, TagsChange,
};

/// `customers/create`, `customers/update`.
pub fn customer(body: &[u8]) -> Result<Customer, PayloadError> {
    let c: CustomerBody = decode(body)?;
    let person = c
        .person(&None, &None)
        .ok_or_else(|| PayloadError::missing("id"))?;
    let updated_at_ms = c
        .updated_at
        .or(c.created_at)
        .map(|t| t.0)
        .ok_or_else(|| PayloadError::missing("updated_at"))?;
    Ok(Customer {
        id: person.customer_id.clone(),
        created_at_ms: c.created_at.map(|t| t.0),
        updated_at_ms,
        state: non_empty(&c.state),
        tags: c.tags.clone().map(|t| t.0),
        verified_email: c.verified_email,
        currency: non_empty(&c.currency),
        email_marketing: c
            .email_marketing_consent
            .as_ref()
            .map(ConsentBody::to_consent),
        sms_marketing: c
            .sms_marketing_consent
            .as_ref()
            .map(ConsentBody::to_consent),
        person,
    })
}

#[derive(Debug, Deserialize)]
struct DeletedBody {
    id: Option<Id>,
    admin_graphql_api_id: Option<Id>,
}

/// `customers/delete`.
pub fn customer_deleted(body: &[u8]) -> Result<Deleted, PayloadError> {
    let d: DeletedBody = decode(body)?;
    d.id.or(d.admin_graphql_api_id)
        .map(|id| Deleted { id: id.0 })
        .ok_or_else(|| PayloadError::missing("id"))
}

// No `Debug`: it holds protected customer data.
#[derive(Deserialize)]
struct EmailConsentBody {
    customer_id: Option<Id>,
    email_address: Option<String>,
    email_marketing_consent: Option<ConsentBody>,
}

#[derive(Deserialize)]
struct SmsConsentBody {
    id: Option<Id>,
    phone: Option<String>,
    sms_marketing_consent: Option<ConsentBody>,
}

/// `customers_email_marketing_consent/update` (Email) or `customers_marketing_consent/update`
/// (Sms).
pub fn consent_update(channel: ConsentChannel, body: &[u8]) -> Result<ConsentUpdate, PayloadError> {
    let (customer_id, contact, consent, consent_field) = match channel {
        ConsentChannel::Email => {
            let b: EmailConsentBody = decode(body)?;
            let id = b
                .customer_id
                .ok_or_else(|| PayloadError::missing("customer_id"))?;
            (
                id,
                b.email_address,
                b.email_marketing_consent,
                "email_marketing_consent",
            )
        }
        ConsentChannel::Sms => {
            let b: SmsConsentBody = decode(body)?;
            let id = b.id.ok_or_else(|| PayloadError::missing("id"))?;
            (
                id,
                b.phone,
                b.sms_marketing_consent,
                "sms_marketing_consent",
            )
        }
    };
    let consent = consent.ok_or_else(|| PayloadError::missing(consent_field))?;
    let contact = non_empty(&contact);
    let person = Person {
        customer_id: customer_id.0.clone(),
        email: contact.clone().filter(|_| channel == ConsentChannel::Email),
        phone: contact.filter(|_| channel == ConsentChannel::Sms),
        ..Person::default()
    };
    Ok(ConsentUpdate {
        customer_id: customer_id.0,
        channel,
        consent: consent.to_consent(),
        person,
    })
}

#[derive(Debug, Deserialize)]
struct MergeBody {
    admin_graphql_api_customer_kept_id: Option<Id>,
    admin_graphql_api_customer_deleted_id: Option<Id>,
    status: Option<String>,
}

/// `customers/merge`: the kept customer and the one merged into it (and deleted).
pub fn customers_merge(body: &[u8]) -> Result<CustomerMerge, PayloadError> {
    let m: MergeBody = decode(body)?;
    Ok(CustomerMerge {
        kept: m
            .admin_graphql_api_customer_kept_id
            .ok_or_else(|| PayloadError::missing("admin_graphql_api_customer_kept_id"))?
            .0,
        merged: m
            .admin_graphql_api_customer_deleted_id
            .map(|id| id.0)
            .into_iter()
            .collect(),
        status: non_empty(&m.status),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagsBody {
    customer_id: Option<Id>,
    tags: Option<Vec<String>>,
    occurred_at: Option<Timestamp>,
}

/// `customer.tags_added` / `customer.tags_removed` (`added` says which): the customer's GID, the
/// tags that changed and when. 2026-04 customer webhooks no longer carry tags; these do.
pub fn tags_change(added: bool, body: &[u8]) -> Result<TagsChange, PayloadError> {
    let b: TagsBody = decode(body)?;
    Ok(TagsChange {
        customer_id: b
            .customer_id
            .ok_or_else(|| PayloadError::missing("customerId"))?
            .0,
        tags: b
            .tags
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
        added,
        occurred_at_ms: b
            .occurred_at
            .map(|t| t.0)
            .ok_or_else(|| PayloadError::missing("occurredAt"))?,
    })
}
