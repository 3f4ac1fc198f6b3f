//! Shops: creation, inspection, settings (scopes, throttle, webhook faults), session tokens,
//! uninstalling, arbitrary webhooks, and the delivery log.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::common::{Reply, shop_mut, shop_ref};
use crate::sandbox::admin_api::CurrencyCode;
use crate::sandbox::admin_page::default_user_id;
use crate::sandbox::errors::{ControlError, parse_body, shop_not_found};
use crate::sandbox::session_token;
use crate::sandbox::state::{
    Bucket, DEFAULT_BUCKET_SIZE, DEFAULT_RESTORE_RATE, SharedState, Shop, ThrottleSettings,
    WebhookSettings, gid,
};
use crate::sandbox::webhooks::topics::{COMPLIANCE_TOPICS, WebhookSubscriptionTopic};
use crate::sandbox::webhooks::{emit, payloads};

#[derive(Deserialize)]
struct NewShop {
    domain: String,
    name: Option<String>,
    email: Option<String>,
    currency: Option<String>,
    plan: Option<String>,
    auto_approve: Option<bool>,
}

fn valid_domain(domain: &str) -> bool {
    domain.strip_suffix(".myshopify.com").is_some_and(|handle| {
        !handle.is_empty()
            && !handle.starts_with('-')
            && handle
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    })
}

fn shop_json(s: &Shop) -> Value {
    json!({
        "id": s.numeric_id,
        "admin_graphql_api_id": gid("Shop", s.numeric_id),
        "domain": s.domain,
        "name": s.name,
        "email": s.email,
        "currency": s.currency,
        "plan": s.plan,
        "auto_approve": s.auto_approve,
    })
}

/// `POST /_sandbox/shops`
pub async fn create(State(state): State<SharedState>, body: Bytes) -> Reply {
    let input: NewShop = parse_body(&body)?;
    if !valid_domain(&input.domain) {
        return Err(ControlError::Invalid(format!(
            "domain must be <handle>.myshopify.com, got {}",
            input.domain
        )));
    }
    let currency = input.currency.unwrap_or_else(|| "USD".into());
    if CurrencyCode::parse(&currency).is_none() {
        return Err(ControlError::Invalid(format!(
            "unsupported currency {currency}"
        )));
    }
    let numeric_id = state.next_id() % 100_000_000_000;
    let handle = input.domain.trim_end_matches(".myshopify.com").to_string();
    let shop = Shop {
        numeric_id,
        name: input.name.unwrap_or_else(|| handle.replace('-', " ")),
        email: input
            .email
            .unwrap_or_else(|| format!("owner@{handle}.example")),
        currency,
        plan: input.plan.unwrap_or_else(|| "Development".into()),
        iana_timezone: payloads::SHOP_TIMEZONE.into(),
        auto_approve: input.auto_approve.unwrap_or(true),
        grant_scopes: None,
        throttle: ThrottleSettings {
            maximum_available: DEFAULT_BUCKET_SIZE,
            restore_rate: DEFAULT_RESTORE_RATE,
            http_status: 200,
        },
        bucket: Bucket {
            available: DEFAULT_BUCKET_SIZE,
            updated: Instant::now(),
        },
        webhooks: WebhookSettings::default(),
        installation: None,
        subscriptions: Vec::new(),
        customers: BTreeMap::new(),
        products: BTreeMap::new(),
        orders: BTreeMap::new(),
        checkouts: BTreeMap::new(),
        carts: BTreeMap::new(),
        orders_placed: 0,
        native: Default::default(),
        api_calls: Default::default(),
        created_at: time::OffsetDateTime::now_utc(),
        domain: input.domain.clone(),
    };
    let mut world = state.world();
    if world.shops.contains_key(&input.domain) {
        return Err(ControlError::Conflict(format!(
            "shop {} already exists",
            input.domain
        )));
    }
    let out = shop_json(&shop);
    world.shops.insert(input.domain, shop);
    Ok((StatusCode::CREATED, Json(out)))
}

/// `GET /_sandbox/shops/{shop}`
pub async fn show(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let mut out = shop_json(s);
    let subs: Vec<Value> = s
        .subscriptions
        .iter()
        .map(|x| json!({ "id": gid("WebhookSubscription", x.id), "topic": x.topic.rest_name(), "uri": x.uri, "api_version": x.api_version }))
        .collect();
    out["installed"] = json!(s.installation.is_some());
    out["granted_scopes"] = json!(
        s.installation
            .as_ref()
            .map(|i| i.scopes.clone())
            .unwrap_or_default()
    );
    out["webhook_subscriptions"] = json!(subs);
    out["customers_count"] = json!(s.customers.len());
    out["orders_count"] = json!(s.orders.len());
    out["products_count"] = json!(s.products.len());
    out["api_calls"] = json!({
        "total": s.api_calls.total,
        "throttled": s.api_calls.throttled,
        "errors": s.api_calls.errors,
    });
    Ok((StatusCode::OK, Json(out)))
}

#[derive(Deserialize)]
struct ThrottleInput {
    maximum_available: Option<f64>,
    restore_rate: Option<f64>,
    http_status: Option<u16>,
}

#[derive(Deserialize)]
struct WebhooksInput {
    duplicates: Option<bool>,
    delay_ms: Option<u64>,
    out_of_order: Option<bool>,
    paused: Option<bool>,
}

#[derive(Deserialize)]
struct SettingsInput {
    grant_scopes: Option<Option<Vec<String>>>,
    auto_approve: Option<bool>,
    throttle: Option<ThrottleInput>,
    webhooks: Option<WebhooksInput>,
}

/// `POST /_sandbox/shops/{shop}/settings`. A throttle change refills the bucket to its new size.
pub async fn settings(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: SettingsInput = parse_body(&body)?;
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    if let Some(scopes) = input.grant_scopes {
        s.grant_scopes = scopes;
    }
    if let Some(a) = input.auto_approve {
        s.auto_approve = a;
    }
    if let Some(t) = input.throttle {
        if let Some(m) = t.maximum_available {
            if m <= 0.0 {
                return Err(ControlError::Invalid(
                    "maximum_available must be positive".into(),
                ));
            }
            s.throttle.maximum_available = m;
        }
        if let Some(r) = t.restore_rate {
            if r < 0.0 {
                return Err(ControlError::Invalid(
                    "restore_rate must not be negative".into(),
                ));
            }
            s.throttle.restore_rate = r;
        }
        if let Some(status) = t.http_status {
            if status != 200 && status != 429 {
                return Err(ControlError::Invalid(
                    "http_status must be 200 or 429".into(),
                ));
            }
            s.throttle.http_status = status;
        }
        s.bucket = Bucket {
            available: s.throttle.maximum_available,
            updated: Instant::now(),
        };
    }
    if let Some(w) = input.webhooks {
        let current = &mut s.webhooks;
        current.duplicates = w.duplicates.unwrap_or(current.duplicates);
        current.delay_ms = w.delay_ms.unwrap_or(current.delay_ms);
        current.out_of_order = w.out_of_order.unwrap_or(current.out_of_order);
        current.paused = w.paused.unwrap_or(current.paused);
        state.deliveries.set_settings(&shop, current.clone());
    }
    let out = json!({
        "grant_scopes": s.grant_scopes,
        "auto_approve": s.auto_approve,
        "throttle": {
            "maximum_available": s.throttle.maximum_available,
            "restore_rate": s.throttle.restore_rate,
            "http_status": s.throttle.http_status,
        },
        "webhooks": {
            "duplicates": s.webhooks.duplicates,
            "delay_ms": s.webhooks.delay_ms,
            "out_of_order": s.webhooks.out_of_order,
            "paused": s.webhooks.paused,
        }
    });
    Ok((StatusCode::OK, Json(out)))
}

#[derive(Deserialize)]
struct TokenInput {
    user_id: Option<Value>,
}

/// `POST /_sandbox/shops/{shop}/session_token`: what App Bridge's `idToken()` would return.
pub async fn session_token(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: TokenInput = parse_body(&body)?;
    let numeric_id = state
        .world()
        .shops
        .get(&shop)
        .map(|s| s.numeric_id)
        .ok_or_else(|| shop_not_found(&shop))?;
    let user_id = match input.user_id {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => default_user_id(numeric_id),
    };
    let token = session_token::mint(
        &state.config.api_key,
        &state.config.api_secret,
        &shop,
        &user_id,
    );
    Ok((StatusCode::OK, Json(json!({ "token": token }))))
}

/// `POST /_sandbox/shops/{shop}/uninstall`: the merchant removes the app.
pub async fn uninstall(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    let mut world = state.world();
    let s = shop_mut(&mut world, &shop)?;
    if s.installation.is_none() {
        return Err(ControlError::Invalid(format!(
            "the app is not installed on {shop}"
        )));
    }
    // app/uninstalled goes to the subscription that existed, then every subscription is gone.
    let body = payloads::shop_resource(s);
    emit(&state, s, vec![("app/uninstalled", body)]);
    s.installation = None;
    s.subscriptions.clear();
    world.tokens.retain(|_, t| t.shop != shop);
    world.refresh_tokens.retain(|_, r| r.shop != shop);
    Ok((StatusCode::OK, Json(json!({ "uninstalled": true }))))
}

#[derive(Deserialize)]
struct SendInput {
    topic: String,
    payload: Option<Value>,
}

/// `POST /_sandbox/shops/{shop}/webhooks/send`: delivers any topic (compliance topics included).
pub async fn send_webhook(
    State(state): State<SharedState>,
    Path(shop): Path<String>,
    body: Bytes,
) -> Reply {
    let input: SendInput = parse_body(&body)?;
    let world = state.world();
    let s = shop_ref(&world, &shop)?;
    let topic: String = if COMPLIANCE_TOPICS.contains(&input.topic.as_str()) {
        input.topic.clone()
    } else {
        WebhookSubscriptionTopic::parse(&input.topic)
            .map(|t| t.rest_name().to_string())
            .ok_or_else(|| ControlError::Invalid(format!("unknown topic {}", input.topic)))?
    };
    let payload = match input.payload {
        Some(p) => p,
        None => default_payload(&topic, s).ok_or_else(|| {
            ControlError::Invalid(format!(
                "the sandbox has no default payload for {topic}; pass one"
            ))
        })?,
    };
    emit(&state, s, vec![(topic.as_str(), payload)]);
    Ok((StatusCode::ACCEPTED, Json(json!({ "topic": topic }))))
}

fn default_payload(topic: &str, s: &Shop) -> Option<Value> {
    if let Some(v) = payloads::default_for(topic, s) {
        return Some(v);
    }
    let family = topic.split('/').next().unwrap_or_default();
    match family {
        "orders" => s.orders.values().next_back().map(|o| payloads::order(s, o)),
        "customers" => s
            .customers
            .values()
            .next_back()
            .map(|c| payloads::customer(s, c)),
        "products" => s.products.values().next_back().map(payloads::product),
        _ => None,
    }
}

/// `GET /_sandbox/shops/{shop}/deliveries`
pub async fn deliveries(State(state): State<SharedState>, Path(shop): Path<String>) -> Reply {
    if !state.world().shops.contains_key(&shop) {
        return Err(shop_not_found(&shop));
    }
    Ok((StatusCode::OK, Json(json!(state.deliveries.records(&shop)))))
}

/// `POST /_sandbox/deliveries/flush`: sends everything queued now and waits for those attempts.
pub async fn flush(State(state): State<SharedState>) -> Reply {
    let done = state.deliveries.flush(Duration::from_secs(60)).await;
    Ok((
        StatusCode::OK,
        Json(json!({ "flushed": done, "pending": state.deliveries.pending() })),
    ))
}

/// `GET /_sandbox/deliveries/idle`
pub async fn idle(State(state): State<SharedState>) -> Reply {
    Ok((
        StatusCode::OK,
        Json(json!({ "pending": state.deliveries.pending() })),
    ))
}
