//! Customers as embedded in orders and checkouts, their addresses, and the protected data
//! (`Person`) we lift out of them for the PII vault.

use serde::{Deserialize, Serialize};

use super::lines::non_empty;
use super::wire::{Id, Tags, Timestamp};
use crate::events::commerce::{Consent, Person};

// No `Debug`: it holds protected customer data.
#[derive(Deserialize)]
pub struct CustomerBody {
    pub id: Option<Id>,
    pub admin_graphql_api_id: Option<Id>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub state: Option<String>,
    pub tags: Option<Tags>,
    pub verified_email: Option<bool>,
    pub currency: Option<String>,
    pub default_address: Option<AddressBody>,
    pub email_marketing_consent: Option<ConsentBody>,
    pub sms_marketing_consent: Option<ConsentBody>,
}

impl CustomerBody {
    pub fn id(&self) -> Option<String> {
        self.id
            .as_ref()
            .or(self.admin_graphql_api_id.as_ref())
            .map(|id| id.0.clone())
    }

    /// The customer's protected data; `fallback_email`/`fallback_phone` come from the order or
    /// checkout when the embedded customer lacks them.
    pub fn person(
        &self,
        fallback_email: &Option<String>,
        fallback_phone: &Option<String>,
    ) -> Option<Person> {
        Some(Person {
            customer_id: self.id()?,
            email: non_empty(&self.email).or_else(|| non_empty(fallback_email)),
            phone: non_empty(&self.phone).or_else(|| non_empty(fallback_phone)),
            first_name: non_empty(&self.first_name),
            last_name: non_empty(&self.last_name),
            address: self.default_address.as_ref().and_then(AddressBody::compact),
        })
    }
}

/// The address fields we keep, in a fixed order, so the same address always yields the same JSON.
#[derive(Deserialize, Serialize)]
pub struct AddressBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub province_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl AddressBody {
    /// Compact JSON, or None for an address with no field set.
    pub fn compact(&self) -> Option<String> {
        let json = serde_json::to_string(self).ok()?;
        (json != "{}").then_some(json)
    }
}

#[derive(Debug, Deserialize)]
pub struct ConsentBody {
    pub state: Option<String>,
    pub opt_in_level: Option<String>,
    pub consent_updated_at: Option<Timestamp>,
    pub consent_collected_from: Option<String>,
}

impl ConsentBody {
    pub fn to_consent(&self) -> Consent {
        Consent {
            state: non_empty(&self.state),
            opt_in_level: non_empty(&self.opt_in_level),
            updated_at_ms: self.consent_updated_at.map(|t| t.0),
            collected_from: non_empty(&self.consent_collected_from),
        }
    }
}
