//! The sandbox's file storage: staged upload targets for bulk mutation variables (a signed
//! multipart POST form, as Shopify's storage bucket takes it) and the JSONL result files.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use time::OffsetDateTime;

use crate::sandbox::signing::webhook_hmac;
use crate::sandbox::state::SharedState;

/// How long a staged target accepts its upload.
const TARGET_LIFETIME: time::Duration = time::Duration::hours(1);

/// A staged upload target: the form URL and its parameters (sent before the file); the `key`
/// parameter is the `stagedUploadPath` a bulk mutation names.
pub struct Target {
    pub url: String,
    pub parameters: Vec<(String, String)>,
}

pub fn staged_target(state: &SharedState, shop_id: u64, filename: &str, mime: &str) -> Target {
    let key = format!("tmp/{shop_id}/bulk/{}/{filename}", uuid::Uuid::new_v4());
    let expires = (OffsetDateTime::now_utc() + TARGET_LIFETIME).unix_timestamp();
    let policy = base64::engine::general_purpose::STANDARD
        .encode(json!({ "key": key, "expires": expires }).to_string());
    let signature = webhook_hmac(state.bulk.upload_secret(), policy.as_bytes());
    let parameters = vec![
        ("Content-Type".to_string(), mime.to_string()),
        ("success_action_status".to_string(), "201".to_string()),
        ("acl".to_string(), "private".to_string()),
        ("key".to_string(), key.clone()),
        (
            "x-goog-algorithm".to_string(),
            "GOOG4-HMAC-SHA256".to_string(),
        ),
        ("policy".to_string(), policy),
        ("x-goog-signature".to_string(), signature),
    ];
    Target {
        url: format!("{}/staged-uploads/", state.base_url),
        parameters,
    }
}

fn xml_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// `POST /staged-uploads/`: a multipart form with the target's parameters, then `file`.
pub async fn upload(State(state): State<SharedState>, mut form: Multipart) -> Response {
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return xml_error(StatusCode::BAD_REQUEST, "InvalidArgument", &e.body_text()),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            match field.bytes().await {
                Ok(bytes) => file = Some(bytes.to_vec()),
                Err(e) => {
                    return xml_error(StatusCode::BAD_REQUEST, "InvalidArgument", &e.body_text());
                }
            }
            // Storage ignores fields after the file.
            break;
        }
        if let Ok(text) = field.text().await {
            fields.insert(name, text);
        }
    }
    let (Some(policy), Some(signature), Some(key)) = (
        fields.get("policy"),
        fields.get("x-goog-signature"),
        fields.get("key"),
    ) else {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The form must carry key, policy and x-goog-signature before the file.",
        );
    };
    let expected = webhook_hmac(state.bulk.upload_secret(), policy.as_bytes());
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        expected.as_bytes(),
        signature.as_bytes(),
    )) {
        return xml_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(policy)
        .ok()
        .and_then(|raw| serde_json::from_slice::<serde_json::Value>(&raw).ok());
    let Some(decoded) = decoded else {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "InvalidPolicyDocument",
            "Bad policy.",
        );
    };
    if decoded["key"].as_str() != Some(key.as_str()) {
        return xml_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Invalid according to Policy: key does not match.",
        );
    }
    if decoded["expires"]
        .as_i64()
        .is_none_or(|at| at < OffsetDateTime::now_utc().unix_timestamp())
    {
        return xml_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Invalid according to Policy: Policy expired.",
        );
    }
    let Some(file) = file else {
        return xml_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The form has no file field.",
        );
    };
    state.bulk.store_upload(key.clone(), file);
    let body = format!(
        "<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>{base}/staged-uploads/{key}</Location>\
         <Bucket>shopify-staged-uploads</Bucket><Key>{key}</Key></PostResponse>",
        base = state.base_url
    );
    (
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/xml")],
        body,
    )
        .into_response()
}

/// `GET /bulk-operation-outputs/{token}.jsonl`: a finished operation's JSONL.
pub async fn result(State(state): State<SharedState>, Path(file): Path<String>) -> Response {
    let token = file.strip_suffix(".jsonl").unwrap_or(&file);
    match state.bulk.result(token) {
        Some(bytes) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/jsonl")],
            Body::from(bytes.as_ref().clone()),
        )
            .into_response(),
        None => xml_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        ),
    }
}
