//! The slice of Admin GraphQL (2026-04) the app uses, with Shopify's type, field, enum and argument names.

use async_graphql::{
    Context, EmptySubscription, Enum, ID, InputObject, Object, Result, SimpleObject, Union,
};
use base64::Engine;
use serde::{Deserialize, Serialize};

use super::subscriptions;
use crate::sandbox::state::{SharedState, Subscription, gid};
use crate::sandbox::webhooks::topics::WebhookSubscriptionTopic;

/// What a request runs as: one shop, one access token's scopes, one API version.
pub struct ApiContext {
    pub state: SharedState,
    pub shop: String,
    pub scopes: Vec<String>,
    pub api_version: String,
}

#[derive(Serialize, Deserialize, Clone)]
#[serde(transparent)]
pub struct Url(pub String);
async_graphql::scalar!(Url, "URL");

#[derive(Serialize, Deserialize, Clone)]
#[serde(transparent)]
pub struct DateTime(pub String);
async_graphql::scalar!(DateTime, "DateTime");

#[derive(Serialize, Deserialize, Clone)]
#[serde(transparent)]
pub struct UnsignedInt64(pub String);
async_graphql::scalar!(UnsignedInt64, "UnsignedInt64");

#[derive(Serialize, Deserialize, Clone)]
#[serde(transparent)]
pub struct Arn(pub String);
async_graphql::scalar!(Arn, "ARN");

pub type AdminSchema = async_graphql::Schema<QueryRoot, Mutation, EmptySubscription>;

pub fn build() -> AdminSchema {
    async_graphql::Schema::build(QueryRoot, Mutation, EmptySubscription).finish()
}

pub(super) fn api<'a>(ctx: &Context<'a>) -> Result<&'a ApiContext> {
    ctx.data::<ApiContext>()
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CurrencyCode")]
pub enum CurrencyCode {
    #[graphql(name = "USD")]
    Usd,
    #[graphql(name = "CAD")]
    Cad,
    #[graphql(name = "EUR")]
    Eur,
    #[graphql(name = "GBP")]
    Gbp,
    #[graphql(name = "AUD")]
    Aud,
    #[graphql(name = "JPY")]
    Jpy,
    #[graphql(name = "CHF")]
    Chf,
    #[graphql(name = "SEK")]
    Sek,
    #[graphql(name = "NZD")]
    Nzd,
    #[graphql(name = "DKK")]
    Dkk,
}

impl CurrencyCode {
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "USD" => Self::Usd,
            "CAD" => Self::Cad,
            "EUR" => Self::Eur,
            "GBP" => Self::Gbp,
            "AUD" => Self::Aud,
            "JPY" => Self::Jpy,
            "CHF" => Self::Chf,
            "SEK" => Self::Sek,
            "NZD" => Self::Nzd,
            "DKK" => Self::Dkk,
            _ => return None,
        })
    }
}

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

#[derive(SimpleObject)]
#[graphql(name = "ShopPlan")]
pub struct ShopPlan {
    #[graphql(deprecation = "Use `publicDisplayName` instead.")]
    display_name: String,
    partner_development: bool,
    public_display_name: String,
    shopify_plus: bool,
}

#[derive(SimpleObject)]
#[graphql(name = "Domain")]
pub struct Domain {
    host: String,
    id: ID,
    ssl_enabled: bool,
    url: Url,
}

#[derive(SimpleObject)]
#[graphql(name = "Shop")]
pub struct Shop {
    id: ID,
    name: String,
    email: String,
    contact_email: String,
    myshopify_domain: String,
    currency_code: CurrencyCode,
    iana_timezone: String,
    timezone_abbreviation: String,
    plan: ShopPlan,
    primary_domain: Domain,
    url: Url,
}

#[derive(SimpleObject)]
#[graphql(name = "AccessScope")]
pub struct AccessScope {
    description: String,
    handle: String,
}

#[derive(SimpleObject)]
#[graphql(name = "AppInstallation")]
pub struct AppInstallation {
    access_scopes: Vec<AccessScope>,
    id: ID,
    launch_url: Url,
    uninstall_url: Option<Url>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ApiVersion")]
pub struct ApiVersion {
    display_name: String,
    handle: String,
    supported: bool,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookHttpEndpoint")]
pub struct WebhookHttpEndpoint {
    callback_url: Url,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookEventBridgeEndpoint")]
pub struct WebhookEventBridgeEndpoint {
    arn: Arn,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "WebhookPubSubEndpoint")]
pub struct WebhookPubSubEndpoint {
    pub_sub_project: String,
    pub_sub_topic: String,
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
    api_version: ApiVersion,
    #[graphql(deprecation = "Use `uri` instead.")]
    callback_url: Url,
    created_at: DateTime,
    #[graphql(deprecation = "Use `uri` instead.")]
    endpoint: WebhookSubscriptionEndpoint,
    filter: Option<String>,
    format: WebhookSubscriptionFormat,
    id: ID,
    include_fields: Vec<String>,
    legacy_resource_id: UnsignedInt64,
    metafield_namespaces: Vec<String>,
    name: Option<String>,
    topic: WebhookSubscriptionTopic,
    updated_at: DateTime,
    uri: String,
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
fn utc(t: time::OffsetDateTime) -> String {
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

fn api_version(handle: &str) -> ApiVersion {
    let display_name = if handle == "unstable" {
        "unstable".to_string()
    } else {
        format!("{handle} (Latest)")
    };
    ApiVersion {
        display_name,
        handle: handle.to_string(),
        supported: handle != "unstable",
    }
}

#[derive(SimpleObject)]
#[graphql(name = "PageInfo")]
pub struct PageInfo {
    end_cursor: Option<String>,
    has_next_page: bool,
    has_previous_page: bool,
    start_cursor: Option<String>,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionEdge")]
pub struct WebhookSubscriptionEdge {
    cursor: String,
    node: WebhookSubscription,
}

#[derive(SimpleObject)]
#[graphql(name = "WebhookSubscriptionConnection")]
pub struct WebhookSubscriptionConnection {
    edges: Vec<WebhookSubscriptionEdge>,
    nodes: Vec<WebhookSubscription>,
    page_info: PageInfo,
}

#[derive(SimpleObject)]
#[graphql(name = "Count")]
pub struct Count {
    count: i32,
    precision: CountPrecision,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CountPrecision")]
pub enum CountPrecision {
    #[graphql(name = "EXACT")]
    Exact,
    #[graphql(name = "AT_LEAST")]
    AtLeast,
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

fn cursor(id: u64) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"last_id\":{id},\"last_value\":\"{id}\"}}"))
}

fn cursor_id(cursor: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&raw).ok()?;
    v.get("last_id")?.as_u64()
}

pub struct QueryRoot;

#[Object(name = "QueryRoot")]
impl QueryRoot {
    /// The shop the access token belongs to.
    async fn shop(&self, ctx: &Context<'_>) -> Result<Shop> {
        let api = api(ctx)?;
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let url = format!("https://{}", s.domain);
        Ok(Shop {
            id: ID(gid("Shop", s.numeric_id)),
            name: s.name.clone(),
            email: s.email.clone(),
            contact_email: s.email.clone(),
            myshopify_domain: s.domain.clone(),
            currency_code: CurrencyCode::parse(&s.currency).unwrap_or(CurrencyCode::Usd),
            iana_timezone: s.iana_timezone.clone(),
            timezone_abbreviation: "COT".to_string(),
            plan: ShopPlan {
                display_name: s.plan.clone(),
                partner_development: matches!(s.plan.as_str(), "Development" | "Developer Preview"),
                public_display_name: s.plan.clone(),
                shopify_plus: matches!(s.plan.as_str(), "Plus" | "Shopify Plus"),
            },
            primary_domain: Domain {
                host: s.domain.clone(),
                id: ID(gid("Domain", s.numeric_id + 3)),
                ssl_enabled: true,
                url: Url(url.clone()),
            },
            url: Url(url),
        })
    }

    /// The app's installation on this shop, as seen through the calling token.
    async fn current_app_installation(&self, ctx: &Context<'_>) -> Result<AppInstallation> {
        let api = api(ctx)?;
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let installation = s.installation.as_ref().ok_or("App is not installed")?;
        Ok(AppInstallation {
            access_scopes: api
                .scopes
                .iter()
                .map(|h| AccessScope {
                    description: format!("Access to {h}"),
                    handle: h.clone(),
                })
                .collect(),
            id: ID(gid("AppInstallation", installation.id)),
            launch_url: Url(format!(
                "{}/store/{}/admin/apps/{}",
                api.state.base_url, s.domain, api.state.config.api_key
            )),
            uninstall_url: None,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn webhook_subscriptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
        #[graphql(default_with = "WebhookSubscriptionSortKeys::CreatedAt")]
        sort_key: WebhookSubscriptionSortKeys,
        query: Option<String>,
        #[graphql(deprecation = "Use `uri` instead.")] callback_url: Option<Url>,
        uri: Option<String>,
        format: Option<WebhookSubscriptionFormat>,
        topics: Option<Vec<WebhookSubscriptionTopic>>,
    ) -> Result<WebhookSubscriptionConnection> {
        let _ = (query, sort_key);
        let api = api(ctx)?;
        let page = match (first, last) {
            (Some(n), None) | (None, Some(n)) if (0..=250).contains(&n) => n as usize,
            (Some(_), Some(_)) => {
                return Err("providing both first and last is not supported".into());
            }
            (None, None) => return Err("you must provide one of first or last".into()),
            _ => return Err("The maximum page size is 250".into()),
        };
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let wanted_uri = uri.or(callback_url.map(|u| u.0));
        let mut all: Vec<&Subscription> = s
            .subscriptions
            .iter()
            .filter(|x| topics.as_ref().is_none_or(|t| t.contains(&x.topic)))
            .filter(|x| wanted_uri.as_ref().is_none_or(|u| *u == x.uri))
            .filter(|x| {
                format.is_none_or(|f| (f == WebhookSubscriptionFormat::Xml) == (x.format == "XML"))
            })
            .collect();
        if reverse {
            all.reverse();
        }
        let after_pos = after
            .as_deref()
            .and_then(cursor_id)
            .and_then(|id| all.iter().position(|x| x.id == id));
        let before_pos = before
            .as_deref()
            .and_then(cursor_id)
            .and_then(|id| all.iter().position(|x| x.id == id));
        let start = after_pos.map_or(0, |p| p + 1);
        let end = before_pos.unwrap_or(all.len()).max(start);
        let window = &all[start..end];
        let (slice, has_next, has_prev) = if last.is_some() {
            let from = window.len().saturating_sub(page);
            (&window[from..], end < all.len(), start + from > 0)
        } else {
            let to = page.min(window.len());
            (&window[..to], start + to < all.len(), start > 0)
        };
        let nodes: Vec<WebhookSubscription> = slice
            .iter()
            .map(|x| WebhookSubscription::from(*x))
            .collect();
        let edges = slice
            .iter()
            .map(|x| WebhookSubscriptionEdge {
                cursor: cursor(x.id),
                node: WebhookSubscription::from(*x),
            })
            .collect();
        Ok(WebhookSubscriptionConnection {
            edges,
            nodes,
            page_info: PageInfo {
                start_cursor: slice.first().map(|x| cursor(x.id)),
                end_cursor: slice.last().map(|x| cursor(x.id)),
                has_next_page: has_next,
                has_previous_page: has_prev,
            },
        })
    }

    async fn webhook_subscriptions_count(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        limit: Option<i32>,
    ) -> Result<Count> {
        let _ = (query, limit);
        let api = api(ctx)?;
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        Ok(Count {
            count: s.subscriptions.len() as i32,
            precision: CountPrecision::Exact,
        })
    }

    async fn webhook_subscription(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<WebhookSubscription>> {
        let api = api(ctx)?;
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        Ok(s.subscriptions
            .iter()
            .find(|x| gid("WebhookSubscription", x.id) == id.0)
            .map(WebhookSubscription::from))
    }
}

pub struct Mutation;

#[Object(name = "Mutation")]
impl Mutation {
    async fn webhook_subscription_create(
        &self,
        ctx: &Context<'_>,
        topic: WebhookSubscriptionTopic,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> Result<Option<WebhookSubscriptionCreatePayload>> {
        let api = api(ctx)?;
        Ok(Some(subscriptions::create(
            api,
            topic,
            webhook_subscription,
        )))
    }

    async fn webhook_subscription_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> Result<Option<WebhookSubscriptionUpdatePayload>> {
        let api = api(ctx)?;
        Ok(Some(subscriptions::update(
            api,
            &id.0,
            webhook_subscription,
        )))
    }

    async fn webhook_subscription_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<WebhookSubscriptionDeletePayload>> {
        let api = api(ctx)?;
        Ok(Some(subscriptions::delete(api, &id.0)))
    }
}
