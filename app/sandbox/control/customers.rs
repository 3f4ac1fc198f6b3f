//! Customers: create, update, delete, and email/SMS marketing consent changes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::common::{Reply, found, publish, publish_deleted, shop_mut, shop_ref};
use super::parse_id;
use crate::sandbox::errors::{ControlError, parse_body};
use crate::sandbox::state::{SharedState, Shop};
use crate::sandbox::store::{Address, Consent, Customer};
use crate::sandbox::webhooks::payloads;

#[derive(Deserialize, Default)]
pub struct AddressInput {
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub zip: Option<String>,
    pub company: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ConsentInput {
    State(String),
    Full {
        state: String,
        opt_in_level: Option<String>,
    },
}

#[derive(Deserialize, Default)]
struct CustomerInput {
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    tags: Option<Vec<String>>,
    note: Option<String>,
    state: Option<String>,
    verified_email: Option<bool>,
    email_marketing_consent: Option<ConsentInput>,
    sms_marketing_consent: Option<ConsentInput>,
    address: Option<AddressInput>,
}

const CONSENT_STATES: [&str; 6] = [
    "subscribed",
    "not_subscribed",
    "unsubscribed",
    "pending",
    "redacted",
    "invalid",
];

fn consent(input: ConsentInput, now: OffsetDateTime) -> Result<Consent, ControlError> {
    let (state, level) = match input {
        ConsentInput::State(s) => (s, None),
        ConsentInput::Full {
            state,
            opt_in_level,
        } => (state, opt_in_level),
    };
    if !CONSENT_STATES.contains(&state.as_str()) {
        return Err(ControlError::Invalid(format!(
            "consent state must be one of {}",
            CONSENT_STATES.join(", ")
        )));
    }
    Ok(Consent {
        opt_in_level: Some(level.unwrap_or_else(|| "single_opt_in".into())),
        state: Some(state),
        updated_at: Some(now),
    })
}

fn address(
    input: AddressInput,
    id: u64,
    first: &str,
    last: &str,
    phone: Option<String>,
) -> Address {
    Address {
        id,
        first_name: first.to_string(),
        last_name: last.to_string(),
        company: input.company,
        address1: input
            .address1
            .unwrap_or_else(|| "151 O'Connor Street".into()),
        address2: input.address2,
        city: input.city.unwrap_or_else(|| "Ottawa".into()),
        province: input.province.unwrap_or_else(|| "Ontario".into()),
        province_code: input.province_code.unwrap_or_else(|| "ON".into()),
        country: input.country.unwrap_or_else(|| "Canada".into()),
        country_code: input.country_code.unwrap_or_else(|| "CA".into()),
        zip: input.zip.unwrap_or_else(|| "K2P 2L8".into()),
        phone,
    }
}

fn check_unique(
    shop: &Shop,
    id: u64,
    email: &Option<String>,
    phone: &Option<String>,
) -> Result<(), ControlError> {
    for other in shop.customers.values().filter(|c| c.id != id) {
        if email.is_some()
            && other.email.as_ref().map(|e| e.to_lowercase())
                == email.as_ref().map(|e| e.to_lowercase())
        {
            return Err(ControlError::Invalid("Email has already been taken".into()));
        }
        if phone.is_some() && other.phone == *phone {
            return Err(ControlError::Invalid("Phone has already been taken".into()));
        }
    }
    Ok(())
}

fn check_email(email: &Option<String>) -> Result<(), ControlError> {
    match email {
        Some(e) if !e.contains('@') || e.starts_with('@') || e.ends_with('@') => {
            Err(ControlError::Invalid("Email is invalid".into()))
        }
        _ => Ok(()),
    }
}

/// The control API's view of a customer: the webhook shape plus what Shopify keeps elsewhere.
pub fn customer_view(shop: &Shop, c: &Customer) -> Value {
    let mut v = payloads::customer(shop, c);
    v["tags"] = json!(c.tags.join(", "));
    v["email_marketing_consent"] = payloads::email_consent(c)["email_marketing_consent"].clone();
    v["sms_marketing_consent"] = payloads::sms_consent(c)["sms_marketing_consent"].clone();
    v
}

/// `POST /_sandbox/shops/{shop}/customers` → customers/create
pub async fn create(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: CustomerInput = parse_body(&body)?;
    check_email(&input.email)?;
    if input.email.is_none()
        && input.phone.is_none()
        && input.first_name.is_none()
        && input.last_name.is_none()
    {
        return Err(ControlError::Invalid(
            "Customer must have a name, phone number or email address".into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let id = state.next_id();
    let address_id = state.next_id();
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    check_unique(s, id, &input.email, &input.phone)?;
    let first = input.first_name.clone().unwrap_or_default();
    let last = input.last_name.clone().unwrap_or_default();
    let customer = Customer {
        id,
        address: input
            .address
            .map(|a| address(a, address_id, &first, &last, input.phone.clone())),
        first_name: input.first_name,
        last_name: input.last_name,
        email: input.email,
        phone: input.phone,
        tags: input.tags.unwrap_or_default(),
        note: input.note,
        state: input.state.unwrap_or_else(|| "disabled".into()),
        verified_email: input.verified_email.unwrap_or(true),
        created_at: now,
        updated_at: now,
        email_consent: match input.email_marketing_consent {
            Some(c) => consent(c, now)?,
            None => Consent {
                state: Some("not_subscribed".into()),
                opt_in_level: Some("single_opt_in".into()),
                updated_at: None,
            },
        },
        sms_consent: match input.sms_marketing_consent {
            Some(c) => consent(c, now)?,
            None => Consent {
                state: None,
                opt_in_level: None,
                updated_at: None,
            },
        },
    };
    let mut events = vec![("customers/create", payloads::customer(s, &customer))];
    events.extend(payloads::tag_changes(&customer, &[], now));
    let view = customer_view(s, &customer);
    s.customers.insert(id, customer);
    publish(&state, s, events, StatusCode::CREATED, view)
}

/// `GET /_sandbox/shops/{shop}/customers/{id}`
pub async fn show(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let c = found(s.customers.get(&id), "customer", id)?;
    Ok((StatusCode::OK, Json(customer_view(s, c))))
}

/// `PUT /_sandbox/shops/{shop}/customers/{id}` → customers/update
pub async fn update(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    let id = parse_id(&id)?;
    let input: CustomerInput = parse_body(&body)?;
    check_email(&input.email)?;
    let now = OffsetDateTime::now_utc();
    let address_id = state.next_id();
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    found(s.customers.get(&id), "customer", id)?;
    check_unique(s, id, &input.email, &input.phone)?;
    let mut events = Vec::new();
    let c = found(s.customers.get_mut(&id), "customer", id)?;
    if input.first_name.is_some() {
        c.first_name = input.first_name;
    }
    if input.last_name.is_some() {
        c.last_name = input.last_name;
    }
    if input.email.is_some() {
        c.email = input.email;
    }
    if input.phone.is_some() {
        c.phone = input.phone;
    }
    let tags_before = c.tags.clone();
    if let Some(tags) = input.tags {
        c.tags = tags;
    }
    if input.note.is_some() {
        c.note = input.note;
    }
    if let Some(state) = input.state {
        c.state = state;
    }
    if let Some(a) = input.address {
        let (first, last) = (
            c.first_name.clone().unwrap_or_default(),
            c.last_name.clone().unwrap_or_default(),
        );
        c.address = Some(address(a, address_id, &first, &last, c.phone.clone()));
    }
    let mut email_changed = false;
    if let Some(ec) = input.email_marketing_consent {
        c.email_consent = consent(ec, now)?;
        email_changed = true;
    }
    let mut sms_changed = false;
    if let Some(sc) = input.sms_marketing_consent {
        c.sms_consent = consent(sc, now)?;
        sms_changed = true;
    }
    c.updated_at = now;
    let c = c.clone();
    events.push(("customers/update", payloads::customer(s, &c)));
    events.extend(payloads::tag_changes(&c, &tags_before, now));
    if email_changed {
        events.push((
            "customers_email_marketing_consent/update",
            payloads::email_consent(&c),
        ));
    }
    if sms_changed {
        events.push((
            "customers_marketing_consent/update",
            payloads::sms_consent(&c),
        ));
    }
    let view = customer_view(s, &c);
    publish(&state, s, events, StatusCode::OK, view)
}

/// `DELETE /_sandbox/shops/{shop}/customers/{id}` → customers/delete
pub async fn delete(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
) -> Reply {
    let id = parse_id(&id)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    if s.orders.values().any(|o| o.customer_id == Some(id)) {
        return Err(ControlError::Invalid(
            "Error deleting customer: customer has orders".into(),
        ));
    }
    found(s.customers.remove(&id), "customer", id)?;
    publish_deleted(
        &state,
        s,
        "customers/delete",
        payloads::customer_deleted(id),
        id,
    )
}

async fn change_consent(
    state: SharedState,
    shop: String,
    id: String,
    body: Bytes,
    sms: bool,
) -> Reply {
    let id = parse_id(&id)?;
    let input: ConsentInput = parse_body(&body)?;
    let now = OffsetDateTime::now_utc();
    let new = consent(input, now)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    let c = found(s.customers.get_mut(&id), "customer", id)?;
    if sms && c.phone.is_none() {
        return Err(ControlError::Invalid(
            "SMS consent needs a phone number".into(),
        ));
    }
    if !sms && c.email.is_none() {
        return Err(ControlError::Invalid(
            "Email consent needs an email address".into(),
        ));
    }
    if sms {
        c.sms_consent = new;
    } else {
        c.email_consent = new;
    }
    c.updated_at = now;
    let c = c.clone();
    let consent_event = if sms {
        (
            "customers_marketing_consent/update",
            payloads::sms_consent(&c),
        )
    } else {
        (
            "customers_email_marketing_consent/update",
            payloads::email_consent(&c),
        )
    };
    let events = vec![
        consent_event,
        ("customers/update", payloads::customer(s, &c)),
    ];
    let view = customer_view(s, &c);
    publish(&state, s, events, StatusCode::OK, view)
}

/// `POST …/customers/{id}/email_consent {state, opt_in_level?}`
pub async fn email_consent(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    change_consent(state, shop, id, body, false).await
}

/// `POST …/customers/{id}/sms_consent {state, opt_in_level?}`
pub async fn sms_consent(
    State(state): State<SharedState>,
    Path((shop, id)): Path<(String, String)>,
    body: Bytes,
) -> Reply {
    change_consent(state, shop, id, body, true).await
}
