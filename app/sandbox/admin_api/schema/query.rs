//! `QueryRoot`: the read side (shop, installation, webhook subscriptions, counts) and its cursors.

use async_graphql::{Context, ID, Object, Result};
use base64::Engine;

use super::*;
use crate::sandbox::state::{Subscription, gid};
use crate::sandbox::webhooks::topics::WebhookSubscriptionTopic;

fn cursor(id: u64) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(format!("{{\"last_id\":{id},\"last_value\":\"{id}\"}}"))
}

pub(super) fn cursor_id(cursor: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&raw).ok()?;
    v.get("last_id")?.as_u64()
}

#[derive(Default)]
pub struct CoreQuery;

#[Object]
impl CoreQuery {
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
