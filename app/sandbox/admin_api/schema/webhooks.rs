//! Object and input types for webhook subscriptions: endpoints, connections, payloads, user errors.

use async_graphql::{Enum, ID, InputObject, SimpleObject, Union};

use super::shop::api_version;
use super::*;
use crate::sandbox::state::{Subscription, gid};
use crate::sandbox::webhooks::topics::WebhookSubscriptionTopic;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "WebhookSubscriptionFormat")]
pub enum WebhookSubscriptionFormat {
    #[graphql(name = "JSON")]
    Json,
    #[graphql(name = "XML")]
    Xml,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "WebhookSubscriptionSortKeys")]
pub enum WebhookSubscriptionSortKeys {
    #[graphql(name = "CREATED_AT")]
    CreatedAt,
    #[graphql(name = "ID")]
    Id,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookHttpEndpoint")]
pub struct WebhookHttpEndpoint {
    pub(super) callback_url: Url,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookEventBridgeEndpoint")]
pub struct WebhookEventBridgeEndpoint {
    pub(super) arn: Arn,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookPubSubEndpoint")]
pub struct WebhookPubSubEndpoint {
    pub(super) pub_sub_project: String,
    pub(super) pub_sub_topic: String,
}

#[derive(Union, Clone)]
#[graphql(name = "WebhookSubscriptionEndpoint")]
#[allow(clippy::enum_variant_names)] // GraphQL union members keep Shopify's type names.
pub enum WebhookSubscriptionEndpoint {
    WebhookEventBridgeEndpoint(WebhookEventBridgeEndpoint),
    WebhookHttpEndpoint(WebhookHttpEndpoint),
    WebhookPubSubEndpoint(WebhookPubSubEndpoint),
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookSubscription")]
pub struct WebhookSubscription {
    pub(super) api_version: ApiVersion,
    #[graphql(deprecation = "Use `uri` instead.")]
    pub(super) callback_url: Url,
    pub(super) created_at: DateTime,
    #[graphql(deprecation = "Use `uri` instead.")]
    pub(super) endpoint: WebhookSubscriptionEndpoint,
    pub(super) filter: Option<String>,
    pub(super) format: WebhookSubscriptionFormat,
    pub(super) id: ID,
    pub(super) include_fields: Vec<String>,
    pub(super) legacy_resource_id: UnsignedInt64,
    pub(super) metafield_namespaces: Vec<String>,
    pub(super) name: Option<String>,
    pub(super) topic: WebhookSubscriptionTopic,
    pub(super) updated_at: DateTime,
    pub(super) uri: String,
}

impl From<&Subscription> for WebhookSubscription {
    fn from(s: &Subscription) -> Self {
        let endpoint = if let Some(rest) = s.uri.strip_prefix("pubsub://") {
            let (project, topic) = rest.split_once(':').unwrap_or((rest, ""));
            WebhookSubscriptionEndpoint::WebhookPubSubEndpoint(WebhookPubSubEndpoint {
                pub_sub_project: project.to_string(),
                pub_sub_topic: topic.to_string(),
            })
        } else if s.uri.starts_with("arn:") {
            WebhookSubscriptionEndpoint::WebhookEventBridgeEndpoint(WebhookEventBridgeEndpoint {
                arn: Arn(s.uri.clone()),
            })
        } else {
            WebhookSubscriptionEndpoint::WebhookHttpEndpoint(WebhookHttpEndpoint {
                callback_url: Url(s.uri.clone()),
            })
        };
        Self {
            api_version: api_version(&s.api_version),
            callback_url: Url(s.uri.clone()),
            created_at: DateTime(utc(s.created_at)),
            endpoint,
            filter: s.filter.clone(),
            format: if s.format == "XML" {
                WebhookSubscriptionFormat::Xml
            } else {
                WebhookSubscriptionFormat::Json
            },
            id: ID(gid("WebhookSubscription", s.id)),
            include_fields: s.include_fields.clone(),
            legacy_resource_id: UnsignedInt64(s.id.to_string()),
            metafield_namespaces: s.metafield_namespaces.clone(),
            name: s.name.clone(),
            topic: s.topic,
            updated_at: DateTime(utc(s.updated_at)),
            uri: s.uri.clone(),
        }
    }
}

/// GraphQL `DateTime`s are UTC with a `Z`, e.g. `2026-05-06T00:26:05Z`.
pub(super) fn utc(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[derive(SimpleObject)]
#[graphql(name = "PageInfo")]
pub struct PageInfo {
    pub(super) end_cursor: Option<String>,
    pub(super) has_next_page: bool,
    pub(super) has_previous_page: bool,
    pub(super) start_cursor: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionEdge")]
pub struct WebhookSubscriptionEdge {
    pub(super) cursor: String,
    pub(super) node: WebhookSubscription,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionConnection")]
pub struct WebhookSubscriptionConnection {
    pub(super) edges: Vec<WebhookSubscriptionEdge>,
    pub(super) nodes: Vec<WebhookSubscription>,
    pub(super) page_info: PageInfo,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "UserError")]
pub struct UserError {
    pub field: Option<Vec<String>>,
    pub message: String,
}

#[derive(InputObject)]
#[graphql(name = "WebhookSubscriptionInput")]
pub struct WebhookSubscriptionInput {
    pub format: Option<WebhookSubscriptionFormat>,
    pub include_fields: Option<Vec<String>>,
    pub filter: Option<String>,
    pub metafield_namespaces: Option<Vec<String>>,
    pub name: Option<String>,
    #[graphql(deprecation = "Use `uri` instead.")]
    pub callback_url: Option<Url>,
    pub uri: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionCreatePayload")]
pub struct WebhookSubscriptionCreatePayload {
    pub user_errors: Vec<UserError>,
    pub webhook_subscription: Option<WebhookSubscription>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionUpdatePayload")]
pub struct WebhookSubscriptionUpdatePayload {
    pub user_errors: Vec<UserError>,
    pub webhook_subscription: Option<WebhookSubscription>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionDeletePayload")]
pub struct WebhookSubscriptionDeletePayload {
    pub deleted_webhook_subscription_id: Option<ID>,
    pub user_errors: Vec<UserError>,
}
