//! `BulkOperation` and the calls around it: `bulkOperationRunQuery`, `stagedUploadsCreate`,
//! `bulkOperationRunMutation`, `bulkOperationCancel`, `currentBulkOperation`, `bulkOperation`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use time::OffsetDateTime;

use super::customers::numeric_id;
use super::money::datetime;
use super::{AdminSchema, DateTime, UnsignedInt64, Url, UserError, api};
use crate::sandbox::bulk::{self, ErrorCode, Kind, Operation, RunAs, Status, files, validate};
use crate::sandbox::state::gid;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "BulkOperationStatus", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BulkOperationStatus {
    Canceled,
    Canceling,
    Completed,
    Created,
    Expired,
    Failed,
    Running,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "BulkOperationErrorCode", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BulkOperationErrorCode {
    AccessDenied,
    InternalServerError,
    Timeout,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "BulkOperationType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BulkOperationType {
    Query,
    Mutation,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "BulkOperationUserErrorCode",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum BulkOperationUserErrorCode {
    OperationInProgress,
    Invalid,
    LimitReached,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "BulkMutationErrorCode", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BulkMutationErrorCode {
    OperationInProgress,
    InvalidMutation,
    InvalidStagedUploadFile,
    NoSuchFile,
    InternalFileServerError,
    LimitReached,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "StagedUploadTargetGenerateUploadResource",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum StagedUploadTargetGenerateUploadResource {
    CollectionImage,
    File,
    Image,
    #[graphql(name = "MODEL_3D")]
    Model3d,
    ProductImage,
    ShopImage,
    Video,
    BulkMutationVariables,
    ReturnLabel,
    UrlRedirectImport,
    DisputeFileUpload,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "StagedUploadHttpMethodType",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum StagedUploadHttpMethodType {
    Post,
    Put,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "BulkOperation")]
pub struct BulkOperationNode {
    pub id: ID,
    status: BulkOperationStatus,
    error_code: Option<BulkOperationErrorCode>,
    object_count: UnsignedInt64,
    root_object_count: UnsignedInt64,
    file_size: Option<UnsignedInt64>,
    url: Option<Url>,
    partial_data_url: Option<Url>,
    created_at: DateTime,
    completed_at: Option<DateTime>,
    query: String,
    #[graphql(name = "type")]
    kind: BulkOperationType,
}

pub fn bulk_operation_node(op: &Operation) -> BulkOperationNode {
    BulkOperationNode {
        id: ID(gid("BulkOperation", op.id)),
        status: match op.status {
            Status::Created => BulkOperationStatus::Created,
            Status::Running => BulkOperationStatus::Running,
            Status::Canceling => BulkOperationStatus::Canceling,
            Status::Canceled => BulkOperationStatus::Canceled,
            Status::Completed => BulkOperationStatus::Completed,
            Status::Failed => BulkOperationStatus::Failed,
        },
        error_code: op.error_code.map(|c| match c {
            ErrorCode::AccessDenied => BulkOperationErrorCode::AccessDenied,
            ErrorCode::InternalServerError => BulkOperationErrorCode::InternalServerError,
            ErrorCode::Timeout => BulkOperationErrorCode::Timeout,
        }),
        object_count: UnsignedInt64(op.object_count.to_string()),
        root_object_count: UnsignedInt64(op.root_object_count.to_string()),
        file_size: op.file_size.map(|n| UnsignedInt64(n.to_string())),
        url: op.url.clone().map(Url),
        partial_data_url: op.partial_data_url.clone().map(Url),
        created_at: datetime(op.created_at),
        completed_at: op.completed_at.map(datetime),
        query: op.query.clone(),
        kind: match op.kind {
            Kind::Query => BulkOperationType::Query,
            Kind::Mutation => BulkOperationType::Mutation,
        },
    }
}

#[derive(SimpleObject)]
#[graphql(name = "BulkOperationUserError")]
pub struct BulkOperationUserError {
    code: Option<BulkOperationUserErrorCode>,
    field: Option<Vec<String>>,
    message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "BulkMutationUserError")]
pub struct BulkMutationUserError {
    code: Option<BulkMutationErrorCode>,
    field: Option<Vec<String>>,
    message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "BulkOperationRunQueryPayload")]
pub struct BulkOperationRunQueryPayload {
    bulk_operation: Option<BulkOperationNode>,
    user_errors: Vec<BulkOperationUserError>,
}

#[derive(SimpleObject)]
#[graphql(name = "BulkOperationRunMutationPayload")]
pub struct BulkOperationRunMutationPayload {
    bulk_operation: Option<BulkOperationNode>,
    user_errors: Vec<BulkMutationUserError>,
}

#[derive(SimpleObject)]
#[graphql(name = "BulkOperationCancelPayload")]
pub struct BulkOperationCancelPayload {
    bulk_operation: Option<BulkOperationNode>,
    user_errors: Vec<UserError>,
}

#[derive(InputObject)]
#[graphql(name = "StagedUploadInput")]
pub struct StagedUploadInput {
    resource: StagedUploadTargetGenerateUploadResource,
    filename: String,
    mime_type: String,
    #[graphql(default_with = "Some(StagedUploadHttpMethodType::Put)")]
    http_method: Option<StagedUploadHttpMethodType>,
    file_size: Option<UnsignedInt64>,
}

#[derive(SimpleObject)]
#[graphql(name = "StagedUploadParameter")]
pub struct StagedUploadParameter {
    name: String,
    value: String,
}

#[derive(SimpleObject)]
#[graphql(name = "StagedMediaUploadTarget")]
pub struct StagedMediaUploadTarget {
    parameters: Vec<StagedUploadParameter>,
    resource_url: Option<Url>,
    url: Option<Url>,
}

#[derive(SimpleObject)]
#[graphql(name = "StagedUploadsCreatePayload")]
pub struct StagedUploadsCreatePayload {
    staged_targets: Option<Vec<StagedMediaUploadTarget>>,
    user_errors: Vec<UserError>,
}

/// Mutations a bulk mutation may run in the sandbox (Shopify allows a longer list).
const BULK_MUTATIONS: [&str; 2] = ["tagsAdd", "tagsRemove"];

fn new_operation(ctx: &Context<'_>, kind: Kind, query: String) -> Result<Operation> {
    let api = api(ctx)?;
    Ok(Operation {
        id: api.state.next_id(),
        shop: api.shop.clone(),
        kind,
        status: Status::Created,
        error_code: None,
        object_count: 0,
        root_object_count: 0,
        file_size: None,
        url: None,
        partial_data_url: None,
        created_at: OffsetDateTime::now_utc(),
        completed_at: None,
        query,
        staged_upload_path: None,
        doomed: None,
    })
}

fn launch(ctx: &Context<'_>, op: Operation) -> Result<()> {
    let api = api(ctx)?;
    let schema = ctx.data::<AdminSchema>()?.clone();
    let run_as = RunAs {
        shop: api.shop.clone(),
        scopes: api.scopes.clone(),
        api_version: api.api_version.clone(),
    };
    bulk::spawn(api.state.clone(), schema, op, run_as);
    Ok(())
}

fn in_progress(kind: &str, running: u64) -> String {
    format!(
        "A bulk {kind} operation for this app and shop is already in progress: {}.",
        gid("BulkOperation", running)
    )
}

#[derive(Default)]
pub struct BulkQuery;

#[Object]
impl BulkQuery {
    async fn current_bulk_operation(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "BulkOperationType::Query")] r#type: BulkOperationType,
    ) -> Result<Option<BulkOperationNode>> {
        let api = api(ctx)?;
        let kind = match r#type {
            BulkOperationType::Query => Kind::Query,
            BulkOperationType::Mutation => Kind::Mutation,
        };
        Ok(api
            .state
            .bulk
            .current(&api.shop, kind)
            .map(|op| bulk_operation_node(&op)))
    }

    async fn bulk_operation(&self, ctx: &Context<'_>, id: ID) -> Result<Option<BulkOperationNode>> {
        let api = api(ctx)?;
        Ok(numeric_id(&id.0, "BulkOperation")
            .and_then(|n| api.state.bulk.get(&api.shop, n))
            .map(|op| bulk_operation_node(&op)))
    }
}

#[derive(Default)]
pub struct BulkMutation;

#[Object]
impl BulkMutation {
    async fn bulk_operation_run_query(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default = false)] group_objects: bool,
    ) -> Result<Option<BulkOperationRunQueryPayload>> {
        let _ = group_objects;
        let problems = validate::bulk_query(&ctx.schema_env.registry, &query);
        let invalid = |messages: Vec<String>| BulkOperationRunQueryPayload {
            bulk_operation: None,
            user_errors: messages
                .into_iter()
                .map(|message| BulkOperationUserError {
                    code: Some(BulkOperationUserErrorCode::Invalid),
                    field: Some(vec!["query".into()]),
                    message,
                })
                .collect(),
        };
        if !problems.is_empty() {
            return Ok(Some(invalid(problems)));
        }
        let schema_errors = dry_run(ctx, &query).await?;
        if !schema_errors.is_empty() {
            return Ok(Some(invalid(schema_errors)));
        }
        let op = new_operation(ctx, Kind::Query, query)?;
        match api(ctx)?.state.bulk.start(op) {
            Ok(op) => {
                launch(ctx, op.clone())?;
                Ok(Some(BulkOperationRunQueryPayload {
                    bulk_operation: Some(bulk_operation_node(&op)),
                    user_errors: Vec::new(),
                }))
            }
            Err(running) => Ok(Some(BulkOperationRunQueryPayload {
                bulk_operation: None,
                user_errors: vec![BulkOperationUserError {
                    code: Some(BulkOperationUserErrorCode::OperationInProgress),
                    field: None,
                    message: in_progress("query", running),
                }],
            })),
        }
    }

    async fn bulk_operation_run_mutation(
        &self,
        ctx: &Context<'_>,
        mutation: String,
        staged_upload_path: String,
        #[graphql(
            default = true,
            deprecation = "This argument has no effect on output order."
        )]
        group_objects: bool,
        client_identifier: Option<String>,
    ) -> Result<Option<BulkOperationRunMutationPayload>> {
        let _ = (group_objects, client_identifier);
        let api = api(ctx)?;
        let refuse = |code, field: Option<&str>, message: String| {
            Ok(Some(BulkOperationRunMutationPayload {
                bulk_operation: None,
                user_errors: vec![BulkMutationUserError {
                    code: Some(code),
                    field: field.map(|f| vec![f.to_string()]),
                    message,
                }],
            }))
        };
        if let Some(problem) = mutation_problem(&mutation) {
            return refuse(
                BulkMutationErrorCode::InvalidMutation,
                Some("mutation"),
                problem,
            );
        }
        if !api.state.bulk.has_upload(&staged_upload_path) {
            return refuse(
                BulkMutationErrorCode::NoSuchFile,
                None,
                "The JSONL file could not be found. Try uploading the file again, and check that \
                 you've entered the URL correctly for the stagedUploadPath mutation argument."
                    .into(),
            );
        }
        let mut op = new_operation(ctx, Kind::Mutation, mutation)?;
        op.staged_upload_path = Some(staged_upload_path);
        match api.state.bulk.start(op) {
            Ok(op) => {
                launch(ctx, op.clone())?;
                Ok(Some(BulkOperationRunMutationPayload {
                    bulk_operation: Some(bulk_operation_node(&op)),
                    user_errors: Vec::new(),
                }))
            }
            Err(running) => refuse(
                BulkMutationErrorCode::OperationInProgress,
                None,
                in_progress("mutation", running),
            ),
        }
    }

    async fn bulk_operation_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<BulkOperationCancelPayload>> {
        let api = api(ctx)?;
        let Some(op) =
            numeric_id(&id.0, "BulkOperation").and_then(|n| api.state.bulk.get(&api.shop, n))
        else {
            return Ok(Some(BulkOperationCancelPayload {
                bulk_operation: None,
                user_errors: vec![UserError {
                    field: Some(vec!["id".into()]),
                    message: "Bulk operation does not exist".into(),
                }],
            }));
        };
        if op.status.finished() {
            let state = format!("{:?}", op.status).to_lowercase();
            return Ok(Some(BulkOperationCancelPayload {
                bulk_operation: Some(bulk_operation_node(&op)),
                user_errors: vec![UserError {
                    field: None,
                    message: format!("A bulk operation cannot be canceled when it is {state}"),
                }],
            }));
        }
        let op = api
            .state
            .bulk
            .update(op.id, |o| o.status = Status::Canceling)
            .unwrap_or(op);
        Ok(Some(BulkOperationCancelPayload {
            bulk_operation: Some(bulk_operation_node(&op)),
            user_errors: Vec::new(),
        }))
    }

    async fn staged_uploads_create(
        &self,
        ctx: &Context<'_>,
        input: Vec<StagedUploadInput>,
    ) -> Result<Option<StagedUploadsCreatePayload>> {
        let api = api(ctx)?;
        let shop_id = api
            .state
            .world()
            .shops
            .get(&api.shop)
            .map(|s| s.numeric_id)
            .unwrap_or_default();
        let mut targets = Vec::new();
        for (i, item) in input.iter().enumerate() {
            let _ = &item.file_size;
            if item.resource != StagedUploadTargetGenerateUploadResource::BulkMutationVariables
                || item.http_method != Some(StagedUploadHttpMethodType::Post)
            {
                return Ok(Some(StagedUploadsCreatePayload {
                    staged_targets: None,
                    user_errors: vec![UserError {
                        field: Some(vec!["input".into(), i.to_string(), "resource".into()]),
                        message: "The sandbox stages only BULK_MUTATION_VARIABLES uploads sent with httpMethod POST".into(),
                    }],
                }));
            }
            let target = files::staged_target(&api.state, shop_id, &item.filename, &item.mime_type);
            targets.push(StagedMediaUploadTarget {
                url: Some(Url(target.url)),
                resource_url: None,
                parameters: target
                    .parameters
                    .into_iter()
                    .map(|(name, value)| StagedUploadParameter { name, value })
                    .collect(),
            });
        }
        Ok(Some(StagedUploadsCreatePayload {
            staged_targets: Some(targets),
            user_errors: Vec::new(),
        }))
    }
}

/// Validates `query` against the schema by running it over an empty page.
async fn dry_run(ctx: &Context<'_>, query: &str) -> Result<Vec<String>> {
    let api = api(ctx)?;
    let schema = ctx.data::<AdminSchema>()?;
    let scan = bulk::BulkScan::empty();
    let request = async_graphql::Request::new(query.to_string())
        .data(super::ApiContext {
            state: api.state.clone(),
            shop: api.shop.clone(),
            scopes: api.scopes.clone(),
            api_version: api.api_version.clone(),
        })
        .data(scan);
    let response = schema.execute(request).await;
    Ok(response
        .errors
        .into_iter()
        .map(|e| format!("Invalid bulk query: {}", e.message))
        .collect())
}

/// Why `mutation` cannot run as a bulk mutation, if it cannot.
fn mutation_problem(mutation: &str) -> Option<String> {
    use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
    let Ok(doc) = async_graphql::parser::parse_query(mutation) else {
        return Some("Failed to parse the mutation - syntax error.".into());
    };
    let op = match &doc.operations {
        DocumentOperations::Single(op) => &op.node,
        DocumentOperations::Multiple(ops) if ops.len() == 1 => &ops.values().next()?.node,
        DocumentOperations::Multiple(_) => {
            return Some("Bulk mutations must contain exactly one operation.".into());
        }
    };
    if op.ty != OperationType::Mutation {
        return Some("Invalid operation type. Only `mutation` operations are supported.".into());
    }
    let names: Vec<&str> = op
        .selection_set
        .node
        .items
        .iter()
        .filter_map(|s| match &s.node {
            Selection::Field(f) => Some(f.node.name.node.as_str()),
            _ => None,
        })
        .collect();
    match names.as_slice() {
        [one] if BULK_MUTATIONS.contains(one) => None,
        [one] => Some(format!(
            "You must use an allowed mutation name. The sandbox allows: {}. Got: {one}.",
            BULK_MUTATIONS.join(", ")
        )),
        _ => Some("Bulk mutations must contain exactly one top-level mutation field.".into()),
    }
}
