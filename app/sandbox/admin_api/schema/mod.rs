//! The slice of Admin GraphQL (2026-04) the app uses, with Shopify's type, field, enum and argument names.
//! This module owns the request context, the custom scalars and the schema's assembly; the roots
//! and object types live in the files below.

mod bulk;
mod customers;
mod money;
mod mutation;
mod native;
mod node;
mod orders;
mod paging;
mod query;
mod search;
mod shop;
mod tags;
mod webhooks;

use async_graphql::{Context, EmptySubscription, MergedObject, Result};
use serde::{Deserialize, Serialize};

pub use self::shop::{
    AccessScope, ApiVersion, AppInstallation, Count, CountPrecision, CurrencyCode, Domain, Shop,
    ShopPlan,
};
pub use self::webhooks::{
    PageInfo, UserError, WebhookSubscription, WebhookSubscriptionConnection,
    WebhookSubscriptionCreatePayload, WebhookSubscriptionDeletePayload, WebhookSubscriptionEdge,
    WebhookSubscriptionFormat, WebhookSubscriptionInput, WebhookSubscriptionSortKeys,
    WebhookSubscriptionUpdatePayload,
};
use crate::sandbox::state::SharedState;

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

/// `QueryRoot`, assembled from one part per area.
#[derive(MergedObject, Default)]
#[graphql(name = "QueryRoot")]
pub struct QueryRoot(
    query::CoreQuery,
    customers::CustomersQuery,
    orders::OrdersQuery,
    bulk::BulkQuery,
    node::NodeQuery,
    native::NativeQuery,
);

/// `Mutation`, assembled from one part per area.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct Mutation(
    mutation::CoreMutation,
    tags::TagsMutation,
    bulk::BulkMutation,
    native::NativeMutation,
);

pub type AdminSchema = async_graphql::Schema<QueryRoot, Mutation, EmptySubscription>;

pub fn build() -> AdminSchema {
    async_graphql::Schema::build(QueryRoot::default(), Mutation::default(), EmptySubscription)
        .finish()
}

pub(super) fn api<'a>(ctx: &Context<'a>) -> Result<&'a ApiContext> {
    ctx.data::<ApiContext>()
}
