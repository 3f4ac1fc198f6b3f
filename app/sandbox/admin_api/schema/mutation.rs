//! `Mutation`: creating, updating and deleting webhook subscriptions.

use async_graphql::{Context, ID, Object, Result};

use super::*;
use crate::sandbox::admin_api::subscriptions;
use crate::sandbox::webhooks::topics::WebhookSubscriptionTopic;

#[derive(Default)]
pub struct CoreMutation;

#[Object]
impl CoreMutation {
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
