//! The Admin GraphQL endpoint `/store/{shop}/admin/api/{version}/graphql.json`: token check,
//! version routing, query cost, the leaky-bucket throttle, and Shopify-shaped errors.

mod cost;
mod errors;
pub mod schema;
mod subscriptions;
mod throttle;

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use self::cost::{Costing, TypeMap, base_name, pick_operation};
use self::schema::{AdminSchema, ApiContext};
use super::state::SharedState;

pub use self::schema::CurrencyCode;

/// The most a single query may cost.
const MAX_QUERY_COST: u64 = 1000;
const INVALID_TOKEN: &str =
    "[API] Invalid API key or access token (unrecognized login or wrong password)";

pub struct AdminApi {
    schema: AdminSchema,
    types: TypeMap,
}

impl AdminApi {
    pub fn new() -> anyhow::Result<Self> {
        let schema = schema::build();
        let types = TypeMap::from_sdl(&schema.sdl())?;
        Ok(Self { schema, types })
    }
}

#[derive(Clone)]
pub struct AdminState {
    pub state: SharedState,
    pub api: Arc<AdminApi>,
}

/// `YYYY-01|04|07|10` or `unstable`.
fn valid_version(v: &str) -> bool {
    if v == "unstable" {
        return true;
    }
    let Some((year, month)) = v.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && matches!(month, "01" | "04" | "07" | "10")
}

/// A call refused before it reached the bucket still counts as a failed call.
fn count_refused(state: &SharedState, shop: &str) {
    if let Some(s) = state.world().shops.get_mut(shop) {
        s.api_calls.total += 1;
        s.api_calls.errors += 1;
    }
}

fn errors_only(status: StatusCode, errors: Value) -> Response {
    (status, Json(json!({ "errors": errors }))).into_response()
}

struct GraphqlBody {
    query: String,
    variables: Value,
    operation_name: Option<String>,
}

fn read_body(headers: &HeaderMap, body: &[u8]) -> Option<GraphqlBody> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/graphql") {
        return Some(GraphqlBody {
            query: String::from_utf8(body.to_vec()).ok()?,
            variables: json!({}),
            operation_name: None,
        });
    }
    let v: Value = serde_json::from_slice(body).ok()?;
    Some(GraphqlBody {
        query: v.get("query")?.as_str()?.to_string(),
        variables: match v.get("variables") {
            Some(Value::Object(o)) => Value::Object(o.clone()),
            _ => json!({}),
        },
        operation_name: v
            .get("operationName")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// `POST /store/{shop}/admin/api/{version}/graphql.json`
pub async fn graphql(
    State(admin): State<AdminState>,
    Path((shop, version)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !valid_version(&version) {
        return errors_only(StatusCode::NOT_FOUND, json!("Not Found"));
    }
    let state = &admin.state;
    let scopes = {
        let world = state.world();
        if !world.shops.contains_key(&shop) {
            return errors_only(StatusCode::NOT_FOUND, json!("Not Found"));
        }
        let token = headers
            .get("x-shopify-access-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match world.tokens.get(token) {
            Some(t) if t.shop == shop && t.expires_at.is_none_or(|at| at > Instant::now()) => {
                t.scopes.clone()
            }
            _ => return errors_only(StatusCode::UNAUTHORIZED, json!(INVALID_TOKEN)),
        }
    };
    let Some(request) = read_body(&headers, &body) else {
        return errors_only(
            StatusCode::BAD_REQUEST,
            json!({ "query": "Required parameter missing or invalid" }),
        );
    };
    let doc = match async_graphql::parser::parse_query(&request.query) {
        Ok(doc) => doc,
        Err(e) => {
            return errors_only(
                StatusCode::OK,
                json!([errors::parse_error(&e, &request.query)]),
            );
        }
    };
    let picked = pick_operation(&doc, request.operation_name.as_deref());
    let op_label = match picked {
        Some((name, op)) => {
            let kind = if op.ty == async_graphql::parser::types::OperationType::Mutation {
                "mutation"
            } else {
                "query"
            };
            match name {
                Some(n) => format!("{kind} {n}"),
                None => kind.to_string(),
            }
        }
        None => "query".to_string(),
    };
    if let Some((_, op)) = picked
        && let Some(error) = check_variables(&admin.api.types, op, &request.variables)
    {
        count_refused(state, &shop);
        return errors_only(StatusCode::OK, json!([error]));
    }
    let costing = Costing {
        types: &admin.api.types,
        doc: &doc,
        variables: &request.variables,
    };
    let requested = picked.map_or(0, |(_, op)| costing.operation(op, None));
    if requested > MAX_QUERY_COST {
        count_refused(state, &shop);
        return errors_only(StatusCode::OK, json!([max_cost_exceeded(requested)]));
    }
    {
        let mut world = state.world();
        let Some(s) = world.shops.get_mut(&shop) else {
            return errors_only(StatusCode::NOT_FOUND, json!("Not Found"));
        };
        s.api_calls.total += 1;
        if throttle::take(s, requested).is_err() {
            s.api_calls.throttled += 1;
            let status = StatusCode::from_u16(s.throttle.http_status).unwrap_or(StatusCode::OK);
            let body = json!({
                "errors": [{
                    "message": "Throttled",
                    "extensions": { "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" }
                }],
                "extensions": { "cost": {
                    "requestedQueryCost": requested,
                    "actualQueryCost": null,
                    "throttleStatus": throttle::throttle_status(s),
                }}
            });
            let mut response = (status, Json(body)).into_response();
            if status == StatusCode::TOO_MANY_REQUESTS
                && let Ok(v) =
                    HeaderValue::from_str(&throttle::wait_seconds(s, requested).max(1).to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
    }
    let mut gql = async_graphql::Request::new(request.query.clone())
        .variables(async_graphql::Variables::from_json(
            request.variables.clone(),
        ))
        .data(ApiContext {
            state: state.clone(),
            shop: shop.clone(),
            scopes,
            api_version: version.clone(),
        })
        // Bulk operations re-enter the schema from their background task.
        .data(admin.api.schema.clone());
    if let Some(name) = &request.operation_name {
        gql = gql.operation_name(name.clone());
    }
    let response = admin.api.schema.execute(gql).await;
    let data = response.data.into_json().unwrap_or(Value::Null);
    if data.is_null() && !response.errors.is_empty() {
        // Rejected before execution: nothing was spent.
        if let Some(s) = state.world().shops.get_mut(&shop) {
            throttle::refund(s, requested);
            s.api_calls.errors += 1;
        }
        let shaped: Vec<Value> = response
            .errors
            .iter()
            .map(|e| errors::validation_error(e, &op_label))
            .collect();
        return errors_only(StatusCode::OK, Value::Array(shaped));
    }
    let actual = picked
        .map_or(0, |(_, op)| costing.operation(op, Some(&data)))
        .min(requested);
    let throttle_status = {
        let mut world = state.world();
        match world.shops.get_mut(&shop) {
            Some(s) => {
                throttle::refund(s, requested - actual);
                if !response.errors.is_empty() {
                    s.api_calls.errors += 1;
                }
                throttle::throttle_status(s)
            }
            None => Value::Null,
        }
    };
    let mut out = serde_json::Map::new();
    if !response.errors.is_empty() {
        out.insert(
            "errors".into(),
            response.errors.iter().map(errors::resolver_error).collect(),
        );
    }
    out.insert("data".into(), data);
    out.insert(
        "extensions".into(),
        json!({ "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": throttle_status,
        }}),
    );
    (StatusCode::OK, Json(Value::Object(out))).into_response()
}

fn max_cost_exceeded(cost: u64) -> Value {
    json!({
        "message": format!(
            "Query cost is {cost}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n\
             See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n\
             cost of a query is calculated.\n\n\
             To query larger amounts of data with fewer limits, bulk operations should be used instead.\n\
             See https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"
        ),
        "extensions": {
            "code": "MAX_COST_EXCEEDED",
            "cost": cost,
            "maxCost": MAX_QUERY_COST,
            "documentation": "https://shopify.dev/api/usage/rate-limits",
        }
    })
}

/// Checks enum-typed and required variables before anything runs, as Shopify does.
fn check_variables(
    types: &TypeMap,
    op: &async_graphql::parser::types::OperationDefinition,
    vars: &Value,
) -> Option<Value> {
    for def in &op.variable_definitions {
        let name = def.node.name.node.as_str();
        let ty = &def.node.var_type.node;
        let value = vars.get(name).cloned().unwrap_or(Value::Null);
        let pos = def.pos;
        if value.is_null() && !ty.nullable && def.node.default_value.is_none() {
            return Some(errors::invalid_variable(
                name,
                &ty.to_string(),
                &Value::Null,
                "Expected value to not be null".into(),
                pos.line,
                pos.column,
            ));
        }
        let Some(allowed) = types.enums.get(base_name(ty)) else {
            continue;
        };
        let values: Vec<&Value> = match &value {
            Value::Array(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        for v in values {
            let ok = v.as_str().is_some_and(|s| allowed.contains(s));
            if !ok {
                let mut options: Vec<&String> = allowed.iter().collect();
                options.sort();
                let list = options
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let shown = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                return Some(errors::invalid_variable(
                    name,
                    &ty.to_string(),
                    &value,
                    format!("Expected \"{shown}\" to be one of: {list}"),
                    pos.line,
                    pos.column,
                ));
            }
        }
    }
    None
}
