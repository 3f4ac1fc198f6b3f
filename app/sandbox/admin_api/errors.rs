//! GraphQL errors in Shopify's words: parse errors, validation errors and bad variables,
//! reshaped from async-graphql's messages into the codes and texts the live API returns.

use serde_json::{Value, json};

fn quoted(s: &str) -> Vec<&str> {
    s.split('"').skip(1).step_by(2).collect()
}

/// A syntax error: `syntax error, … at [line, column]` with code `PARSE_ERROR`.
pub fn parse_error(err: &async_graphql::parser::Error, query: &str) -> Value {
    let pos = err.positions().next();
    let (line, column) = pos.map_or((1, 1), |p| (p.line, p.column));
    let at_end = pos.is_some_and(|p| {
        let lines: Vec<&str> = query.lines().collect();
        p.line >= lines.len() && p.column > lines.last().map_or(0, |l| l.trim_end().len())
    });
    let what = if at_end {
        "unexpected end of file".to_string()
    } else {
        "unexpected token".to_string()
    };
    json!({
        "message": format!("syntax error, {what} at [{line}, {column}]"),
        "locations": [{ "line": line, "column": column }],
        "extensions": { "code": "PARSE_ERROR" },
    })
}

/// Rewrites one validation error; `op_label` is e.g. `query ShopName`.
pub fn validation_error(err: &async_graphql::ServerError, op_label: &str) -> Value {
    let m = err.message.as_str();
    let q = quoted(m);
    let locations: Vec<Value> = err
        .locations
        .iter()
        .map(|p| json!({ "line": p.line, "column": p.column }))
        .collect();
    let (message, path, extensions) = if m.starts_with("Unknown field") && q.len() >= 2 {
        (
            format!("Field '{}' doesn't exist on type '{}'", q[0], q[1]),
            Some(json!([op_label, q[0]])),
            json!({ "code": "undefinedField", "typeName": q[1], "fieldName": q[0] }),
        )
    } else if m.contains("must have a selection of subfields") && q.len() >= 2 {
        (
            format!(
                "Field must have selections (field '{f}' returns {t} but has no selections. Did you mean '{f} {{ ... }}'?)",
                f = q[0],
                t = q[1]
            ),
            Some(json!([op_label, q[0]])),
            json!({ "code": "selectionMismatch", "nodeName": format!("field '{}'", q[0]), "typeName": q[1] }),
        )
    } else if m.contains("must not have a selection") && q.len() >= 2 {
        (
            format!(
                "Selections can't be made on scalars (field '{}' returns {} but has selections)",
                q[0], q[1]
            ),
            Some(json!([op_label, q[0]])),
            json!({ "code": "selectionMismatch", "nodeName": format!("field '{}'", q[0]), "typeName": q[1] }),
        )
    } else if m.contains("is required but not provided") && m.starts_with("Field") && q.len() >= 2 {
        (
            format!("Field '{}' is missing required arguments: {}", q[0], q[1]),
            Some(json!([op_label, q[0]])),
            json!({ "code": "missingRequiredArguments", "className": "Field", "name": q[0], "arguments": q[1] }),
        )
    } else if m.starts_with("Unknown argument") && q.len() >= 2 {
        (
            format!("Field '{}' doesn't accept argument '{}'", q[1], q[0]),
            Some(json!([op_label, q[1], q[0]])),
            json!({ "code": "argumentNotAccepted", "name": q[1], "typeName": "Field", "argumentName": q[0] }),
        )
    } else if m.starts_with("Invalid value for argument") {
        (
            m.to_string(),
            None,
            json!({ "code": "argumentLiteralsIncompatible", "typeName": "Field" }),
        )
    } else {
        (m.to_string(), None, json!({ "code": "validationFailed" }))
    };
    let mut out = json!({ "message": message, "locations": locations });
    if let Some(path) = path {
        out["path"] = path;
    }
    out["extensions"] = extensions;
    out
}

/// `Variable $topic of type WebhookSubscriptionTopic! was provided invalid value` (code `INVALID_VARIABLE`).
pub fn invalid_variable(
    name: &str,
    ty: &str,
    value: &Value,
    explanation: String,
    line: usize,
    column: usize,
) -> Value {
    json!({
        "message": format!("Variable ${name} of type {ty} was provided invalid value"),
        "locations": [{ "line": line, "column": column }],
        "extensions": {
            "code": "INVALID_VARIABLE",
            "value": value,
            "problems": [{ "path": [], "explanation": explanation }],
        }
    })
}

/// A resolver error keeps its message, locations and path.
pub fn resolver_error(err: &async_graphql::ServerError) -> Value {
    let mut out = json!({ "message": err.message });
    if !err.locations.is_empty() {
        out["locations"] = err
            .locations
            .iter()
            .map(|p| json!({ "line": p.line, "column": p.column }))
            .collect();
    }
    if !err.path.is_empty() {
        out["path"] = serde_json::to_value(&err.path).unwrap_or(Value::Null);
    }
    if let Some(extensions) = &err.extensions {
        out["extensions"] = serde_json::to_value(extensions).unwrap_or(Value::Null);
    }
    out
}
