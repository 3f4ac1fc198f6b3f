//! Typed documents for bulk operations, staged uploads and customer tags (graphql_client,
//! against `schema.graphql`).

use graphql_client::GraphQLQuery;

// Shopify's scalars as the wire carries them.
#[allow(
    clippy::upper_case_acronyms,
    reason = "graphql_client looks scalars up by their schema name"
)]
type URL = String;
type UnsignedInt64 = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/bulk_operation_run_query.graphql",
    response_derives = "Debug, Clone"
)]
pub struct BulkOperationRunQuery;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/bulk_operation.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct BulkOperationById;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/bulk_operation_cancel.graphql",
    response_derives = "Debug, Clone"
)]
pub struct BulkOperationCancel;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/staged_uploads_create.graphql",
    response_derives = "Debug, Clone"
)]
pub struct StagedUploadsCreate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/bulk_operation_run_mutation.graphql",
    response_derives = "Debug, Clone"
)]
pub struct BulkOperationRunMutation;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/tags_add.graphql",
    response_derives = "Debug, Clone"
)]
pub struct TagsAdd;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/tags_remove.graphql",
    response_derives = "Debug, Clone"
)]
pub struct TagsRemove;
