//! `webhookSubscriptionCreate/Update/Delete`: the rules Shopify applies to an app's subscriptions.

use time::OffsetDateTime;

use super::schema::{
    ApiContext, UserError, WebhookSubscription, WebhookSubscriptionCreatePayload,
    WebhookSubscriptionDeletePayload, WebhookSubscriptionFormat, WebhookSubscriptionInput,
    WebhookSubscriptionUpdatePayload,
};
use crate::sandbox::state::{Subscription, gid};
use crate::sandbox::webhooks::topics::WebhookSubscriptionTopic;

const URI_FIELD: [&str; 2] = ["webhookSubscription", "callbackUrl"];

fn user_error(field: Option<&[&str]>, message: impl Into<String>) -> UserError {
    UserError {
        field: field.map(|f| f.iter().map(|s| s.to_string()).collect()),
        message: message.into(),
    }
}

/// The read scope a topic needs (a `write_` scope implies its `read_`).
fn required_scope(topic: WebhookSubscriptionTopic) -> Option<&'static str> {
    let rest = topic.rest_name();
    let family = rest.split(['/', '.']).next().unwrap_or_default();
    Some(match family {
        "orders" | "refunds" | "fulfillments" | "checkouts" | "carts" | "order_transactions" => {
            "read_orders"
        }
        "customers"
        | "customer"
        | "customers_email_marketing_consent"
        | "customers_marketing_consent" => "read_customers",
        "products" | "product_listings" | "variants" => "read_products",
        "segments" => "read_customers",
        _ => return None,
    })
}

fn has_scope(scopes: &[String], needed: &str) -> bool {
    let write = needed.replacen("read_", "write_", 1);
    scopes.iter().any(|s| s == needed || *s == write)
}

/// Checks an endpoint: HTTPS, Pub/Sub or EventBridge; plain HTTP only on loopback hosts (the sandbox's
/// one allowance so apps can run locally).
fn check_uri(uri: &str) -> Result<(), String> {
    if uri.trim().is_empty() {
        return Err("Address can't be blank".into());
    }
    if uri.starts_with("pubsub://") || uri.starts_with("arn:aws:events:") {
        return Ok(());
    }
    let parsed = url::Url::parse(uri).map_err(|_| "Address is invalid".to_string())?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" if parsed.host_str().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err("Address protocol http:// is not supported".into()),
        _ => Err("Address is invalid".into()),
    }
}

fn input_uri(input: &WebhookSubscriptionInput) -> Option<String> {
    input
        .uri
        .clone()
        .or_else(|| input.callback_url.as_ref().map(|u| u.0.clone()))
}

pub fn create(
    api: &ApiContext,
    topic: WebhookSubscriptionTopic,
    input: WebhookSubscriptionInput,
) -> WebhookSubscriptionCreatePayload {
    let fail = |e: UserError| WebhookSubscriptionCreatePayload {
        user_errors: vec![e],
        webhook_subscription: None,
    };
    let Some(uri) = input_uri(&input) else {
        return fail(user_error(Some(&URI_FIELD), "Address can't be blank"));
    };
    if let Err(message) = check_uri(&uri) {
        return fail(user_error(Some(&URI_FIELD), message));
    }
    if let Some(scope) = required_scope(topic)
        && !has_scope(&api.scopes, scope)
    {
        return fail(user_error(
            Some(&["topic"]),
            format!(
                "You do not have permission to create or update webhooks with {} topic. This topic requires the {scope} access scope.",
                topic.rest_name()
            ),
        ));
    }
    let id = api.state.next_id();
    let mut world = api.state.world();
    let Some(shop) = world.shops.get_mut(&api.shop) else {
        return fail(user_error(None, "Shop not found"));
    };
    if shop
        .subscriptions
        .iter()
        .any(|s| s.topic == topic && s.uri == uri)
    {
        return fail(user_error(
            Some(&URI_FIELD),
            "Address for this topic has already been taken",
        ));
    }
    let now = OffsetDateTime::now_utc();
    let sub = Subscription {
        id,
        topic,
        uri,
        format: if input.format == Some(WebhookSubscriptionFormat::Xml) {
            "XML"
        } else {
            "JSON"
        }
        .to_string(),
        include_fields: input.include_fields.unwrap_or_default(),
        metafield_namespaces: input.metafield_namespaces.unwrap_or_default(),
        filter: input.filter,
        name: input.name,
        api_version: api.api_version.clone(),
        created_at: now,
        updated_at: now,
    };
    let out = WebhookSubscription::from(&sub);
    shop.subscriptions.push(sub);
    WebhookSubscriptionCreatePayload {
        user_errors: Vec::new(),
        webhook_subscription: Some(out),
    }
}

pub fn update(
    api: &ApiContext,
    id: &str,
    input: WebhookSubscriptionInput,
) -> WebhookSubscriptionUpdatePayload {
    let fail = |e: UserError| WebhookSubscriptionUpdatePayload {
        user_errors: vec![e],
        webhook_subscription: None,
    };
    let new_uri = input_uri(&input);
    if let Some(uri) = &new_uri
        && let Err(message) = check_uri(uri)
    {
        return fail(user_error(Some(&URI_FIELD), message));
    }
    let mut world = api.state.world();
    let Some(shop) = world.shops.get_mut(&api.shop) else {
        return fail(user_error(None, "Shop not found"));
    };
    let Some(pos) = shop
        .subscriptions
        .iter()
        .position(|s| gid("WebhookSubscription", s.id) == id)
    else {
        return fail(user_error(
            Some(&["id"]),
            "Webhook subscription does not exist",
        ));
    };
    let topic = shop.subscriptions[pos].topic;
    if let Some(uri) = &new_uri
        && shop
            .subscriptions
            .iter()
            .enumerate()
            .any(|(i, s)| i != pos && s.topic == topic && s.uri == *uri)
    {
        return fail(user_error(
            Some(&URI_FIELD),
            "Address for this topic has already been taken",
        ));
    }
    let sub = &mut shop.subscriptions[pos];
    if let Some(uri) = new_uri {
        sub.uri = uri;
    }
    if let Some(f) = input.include_fields {
        sub.include_fields = f;
    }
    if let Some(f) = input.metafield_namespaces {
        sub.metafield_namespaces = f;
    }
    if input.filter.is_some() {
        sub.filter = input.filter;
    }
    if input.name.is_some() {
        sub.name = input.name;
    }
    if let Some(f) = input.format {
        sub.format = if f == WebhookSubscriptionFormat::Xml {
            "XML"
        } else {
            "JSON"
        }
        .to_string();
    }
    sub.updated_at = OffsetDateTime::now_utc();
    WebhookSubscriptionUpdatePayload {
        user_errors: Vec::new(),
        webhook_subscription: Some(WebhookSubscription::from(&*sub)),
    }
}

pub fn delete(api: &ApiContext, id: &str) -> WebhookSubscriptionDeletePayload {
    let mut world = api.state.world();
    let removed = world.shops.get_mut(&api.shop).and_then(|shop| {
        let pos = shop
            .subscriptions
            .iter()
            .position(|s| gid("WebhookSubscription", s.id) == id)?;
        Some(shop.subscriptions.remove(pos))
    });
    match removed {
        Some(s) => WebhookSubscriptionDeletePayload {
            deleted_webhook_subscription_id: Some(async_graphql::ID(gid(
                "WebhookSubscription",
                s.id,
            ))),
            user_errors: Vec::new(),
        },
        None => WebhookSubscriptionDeletePayload {
            deleted_webhook_subscription_id: None,
            user_errors: vec![user_error(
                Some(&["id"]),
                "Webhook subscription does not exist",
            )],
        },
    }
}
