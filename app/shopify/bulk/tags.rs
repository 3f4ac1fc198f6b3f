//! Tag changes for many customers as one bulk mutation: the variables go up as a JSONL staged
//! upload (one `{id, tags}` per line), then `bulkOperationRunMutation` runs `tagsAdd` or
//! `tagsRemove` once per line; the result file says, per line, what failed.

use serde_json::{Value, json};

use super::BulkError;
use crate::shopify::admin_api::ShopClient;
use crate::shopify::admin_api::bulk_documents::{
    BulkOperationRunMutation, StagedUploadsCreate, bulk_operation_run_mutation,
    staged_uploads_create,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagChange {
    Add,
    Remove,
}

impl TagChange {
    fn mutation(self) -> &'static str {
        match self {
            Self::Add => {
                "mutation TagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }"
            }
            Self::Remove => {
                "mutation TagsRemove($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }"
            }
        }
    }

    fn field(self) -> &'static str {
        match self {
            Self::Add => "tagsAdd",
            Self::Remove => "tagsRemove",
        }
    }
}

/// What went wrong on one input line (0-based, as Shopify numbers them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u64,
    pub messages: Vec<String>,
}

/// Uploads the changes and starts the bulk mutation; returns the operation's GID.
pub async fn start_tag_mutation(
    client: &ShopClient,
    change: TagChange,
    items: impl IntoIterator<Item = (String, Vec<String>)>,
) -> Result<String, BulkError> {
    let mut file = Vec::new();
    for (id, tags) in items {
        file.extend_from_slice(json!({ "id": id, "tags": tags }).to_string().as_bytes());
        file.push(b'\n');
    }
    let path = stage(client, file).await?;
    let data = client
        .run::<BulkOperationRunMutation>(bulk_operation_run_mutation::Variables {
            mutation: change.mutation().to_owned(),
            staged_upload_path: path,
        })
        .await?;
    let payload = data
        .bulk_operation_run_mutation
        .ok_or_else(|| BulkError::Refused("no payload returned".into()))?;
    if let Some(op) = payload.bulk_operation {
        return Ok(op.id);
    }
    let in_progress = payload.user_errors.iter().any(|e| {
        matches!(
            e.code,
            Some(bulk_operation_run_mutation::BulkMutationErrorCode::OPERATION_IN_PROGRESS)
        )
    });
    let reason = payload
        .user_errors
        .into_iter()
        .map(|e| e.message)
        .collect::<Vec<_>>()
        .join("; ");
    Err(if in_progress {
        BulkError::InProgress(reason)
    } else {
        BulkError::Refused(reason)
    })
}

/// Asks for a staged target and uploads `file` to it; returns the `stagedUploadPath`.
async fn stage(client: &ShopClient, file: Vec<u8>) -> Result<String, BulkError> {
    use staged_uploads_create::{
        StagedUploadHttpMethodType, StagedUploadInput, StagedUploadTargetGenerateUploadResource,
    };
    let data = client
        .run::<StagedUploadsCreate>(staged_uploads_create::Variables {
            input: vec![StagedUploadInput {
                resource: StagedUploadTargetGenerateUploadResource::BULK_MUTATION_VARIABLES,
                filename: "segops-tags.jsonl".into(),
                mime_type: "text/jsonl".into(),
                http_method: Some(StagedUploadHttpMethodType::POST),
            }],
        })
        .await?;
    let payload = data
        .staged_uploads_create
        .ok_or_else(|| BulkError::Upload("no payload returned".into()))?;
    if !payload.user_errors.is_empty() {
        let reason = payload
            .user_errors
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(BulkError::Upload(reason));
    }
    let target = payload
        .staged_targets
        .and_then(|t| t.into_iter().next())
        .ok_or_else(|| BulkError::Upload("no staged target returned".into()))?;
    let url = target
        .url
        .ok_or_else(|| BulkError::Upload("the staged target has no URL".into()))?;
    let key = target
        .parameters
        .iter()
        .find(|p| p.name == "key")
        .map(|p| p.value.clone())
        .ok_or_else(|| BulkError::Upload("the staged target has no key".into()))?;
    // The storage form wants every parameter before the file.
    let mut form = reqwest::multipart::Form::new();
    for p in target.parameters {
        form = form.text(p.name, p.value);
    }
    let part = reqwest::multipart::Part::bytes(file)
        .file_name("segops-tags.jsonl")
        .mime_str("text/jsonl")
        .map_err(|e| BulkError::Upload(e.to_string()))?;
    form = form.part("file", part);
    let response = client
        .http()
        .post(&url)
        .multipart(form)
        .send()
        .await
        .map_err(|e| BulkError::Upload(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(BulkError::Upload(format!(
            "storage answered HTTP {}",
            response.status().as_u16()
        )));
    }
    Ok(key)
}

/// Reads a finished tag mutation's result file and returns the lines that failed.
pub async fn line_errors(
    client: &ShopClient,
    url: &str,
    change: TagChange,
) -> Result<Vec<LineError>, BulkError> {
    let mut stream = super::open_result(client, url, &[]).await?;
    let mut failed = Vec::new();
    while let Some(line) = stream.next().await? {
        let mut messages: Vec<String> = messages_of(&line["errors"]);
        messages.extend(messages_of(&line["data"][change.field()]["userErrors"]));
        if !messages.is_empty() {
            failed.push(LineError {
                line: line["__lineNumber"].as_u64().unwrap_or_default(),
                messages,
            });
        }
    }
    Ok(failed)
}

/// Every line a tag mutation's result file reports: those that went through and those that
/// failed with Shopify's messages. A failed or canceled operation's partial file lists only
/// the lines it ran; a line in neither list was not run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineResults {
    pub succeeded: Vec<u64>,
    pub failed: Vec<LineError>,
}

/// Reads a tag mutation's result (or partial) file, line by line without holding it whole.
pub async fn line_results(
    client: &ShopClient,
    url: &str,
    change: TagChange,
) -> Result<LineResults, BulkError> {
    let mut stream = super::open_result(client, url, &[]).await?;
    let mut results = LineResults::default();
    while let Some(line) = stream.next().await? {
        let Some(number) = line["__lineNumber"].as_u64() else {
            continue;
        };
        let mut messages: Vec<String> = messages_of(&line["errors"]);
        messages.extend(messages_of(&line["data"][change.field()]["userErrors"]));
        if messages.is_empty() && line["data"][change.field()].is_object() {
            results.succeeded.push(number);
        } else {
            if messages.is_empty() {
                messages.push("Shopify returned no result for this line".into());
            }
            results.failed.push(LineError {
                line: number,
                messages,
            });
        }
    }
    Ok(results)
}

fn messages_of(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|e| e["message"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
