//! Making a shop's webhook subscriptions match what SegOps captures: list what exists (all
//! pages), create only what is missing, and report in our own terms.

use super::admin_api::{
    AdminApiError, ShopClient, WebhookSubscriptionCreate, WebhookSubscriptions,
    webhook_subscription_create, webhook_subscriptions,
};
use super::topics;

#[derive(Debug, Default, Clone)]
pub struct SubscriptionReport {
    pub expected: usize,
    pub present: usize,
    pub created: usize,
    /// Topics Shopify refused, with its reason.
    pub refused: Vec<(String, String)>,
}

pub async fn ensure(
    client: &ShopClient,
    callback_url: &str,
) -> Result<SubscriptionReport, AdminApiError> {
    let existing = list(client).await?;
    let mut report = SubscriptionReport {
        expected: topics::SUBSCRIBED.len(),
        ..Default::default()
    };
    for topic in topics::SUBSCRIBED {
        let enum_name = topics::to_graphql_enum(topic);
        if existing
            .iter()
            .any(|(t, uri)| *t == enum_name && uri == callback_url)
        {
            report.present += 1;
            continue;
        }
        let variables = webhook_subscription_create::Variables {
            topic: topic_enum(&enum_name),
            uri: callback_url.to_owned(),
        };
        let data = client.run::<WebhookSubscriptionCreate>(variables).await?;
        let payload = data.webhook_subscription_create;
        match payload {
            Some(p) if p.webhook_subscription.is_some() => {
                report.present += 1;
                report.created += 1;
            }
            Some(p) => {
                let reason = p
                    .user_errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                // A concurrent sync may have created it between our listing and this call.
                if reason.contains("already been taken") {
                    report.present += 1;
                } else {
                    report.refused.push((topic.to_string(), reason));
                }
            }
            None => report
                .refused
                .push((topic.to_string(), "no payload returned".into())),
        }
    }
    Ok(report)
}

/// `(TOPIC_ENUM, uri)` of every subscription the app has on the shop.
pub async fn list(client: &ShopClient) -> Result<Vec<(String, String)>, AdminApiError> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let data = client
            .run::<WebhookSubscriptions>(webhook_subscriptions::Variables {
                first: 100,
                after: after.take(),
            })
            .await?;
        let page = data.webhook_subscriptions;
        all.extend(page.nodes.into_iter().map(|n| (enum_name(&n.topic), n.uri)));
        if !page.page_info.has_next_page {
            return Ok(all);
        }
        after = page.page_info.end_cursor;
        if after.is_none() {
            return Ok(all);
        }
    }
}

fn topic_enum(name: &str) -> webhook_subscription_create::WebhookSubscriptionTopic {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .unwrap_or(webhook_subscription_create::WebhookSubscriptionTopic::Other(name.to_owned()))
}

fn enum_name(topic: &webhook_subscriptions::WebhookSubscriptionTopic) -> String {
    serde_json::to_value(topic)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
