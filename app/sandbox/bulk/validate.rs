//! The checks Shopify makes before it accepts a bulk query, with its messages (taken from live
//! captures): only queries, no top-level `node`, at least one and at most five connections,
//! nesting at most two deep, `edges > node` rather than `nodes`, an unaliased `id` on every
//! node with nested connections, and no connection inside a list field.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::Registry;

const MAX_CONNECTIONS: usize = 5;
const MAX_DEPTH: usize = 2;

#[derive(Default)]
struct Findings {
    connections: usize,
    too_deep: bool,
    in_list: bool,
    via_nodes: Vec<String>,
    without_id: Vec<String>,
}

/// Shopify's user-error messages for `query`, in the order Shopify lists them; empty if valid.
pub fn bulk_query(registry: &Registry, query: &str) -> Vec<String> {
    let doc = match async_graphql::parser::parse_query(query) {
        Ok(doc) => doc,
        Err(e) => {
            let what = if query.trim().is_empty() || e.to_string().contains("EOI") {
                "unexpected end of file"
            } else {
                "unexpected token"
            };
            return vec![format!("Invalid bulk query: syntax error, {what}")];
        }
    };
    let op = match &doc.operations {
        DocumentOperations::Single(op) => &op.node,
        DocumentOperations::Multiple(ops) => match ops.values().next() {
            Some(op) if ops.len() == 1 => &op.node,
            _ => return vec!["Bulk queries must contain exactly one operation.".into()],
        },
    };
    if op.ty != OperationType::Query {
        return vec!["Invalid operation type. Only `query` operations are supported.".into()];
    }
    let mut problems = Vec::new();
    let mut found = Findings::default();
    let mut roots = 0;
    for (name, _, set) in fields(&doc, &op.selection_set.node) {
        if name == "node" {
            problems.push("Bulk queries cannot contain a top level `node` field.".to_string());
        }
        roots += 1;
        walk_field(registry, &doc, "QueryRoot", name, set, 0, false, &mut found);
    }
    if roots > 1 {
        problems.push("Bulk queries must contain exactly one top-level field.".into());
    }
    if found.connections == 0 {
        problems.push("Bulk queries must contain at least one connection.".into());
    }
    if found.connections > MAX_CONNECTIONS {
        problems.push(format!(
            "Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
        ));
    }
    if found.too_deep {
        problems.push(format!(
            "Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
        ));
    }
    if found.in_list {
        problems.push(
            "Queries that contain a connection field within a list field are not currently supported."
                .into(),
        );
    }
    if let Some(first) = found.via_nodes.first() {
        problems.push(format!(
            "All connection fields in a bulk query must select their contents using 'edges' > 'node', \
             e.g: '{first} {{ edges {{ node {{'. Selecting via 'nodes' is not supported. \
             Invalid connection fields: {}.",
            quoted(&found.via_nodes)
        ));
    }
    if !found.without_id.is_empty() {
        problems.push(format!(
            "The parent 'node' field for a nested connection must select the 'id' field without an \
             alias and must be of 'ID' return type. Connection fields without 'id': {}.",
            found.without_id.join(", ")
        ));
    }
    problems
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(field name, alias-or-name, selection set)` of every field in `set`, fragments expanded.
fn fields<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
) -> Vec<(&'a str, &'a str, &'a SelectionSet)> {
    let mut out = Vec::new();
    for sel in &set.items {
        match &sel.node {
            Selection::Field(f) => out.push((
                f.node.name.node.as_str(),
                f.node.response_key().node.as_str(),
                &f.node.selection_set.node,
            )),
            Selection::InlineFragment(frag) => {
                out.extend(fields(doc, &frag.node.selection_set.node))
            }
            Selection::FragmentSpread(spread) => {
                if let Some(def) = doc.fragments.get(&spread.node.fragment_name.node) {
                    out.extend(fields(doc, &def.node.selection_set.node));
                }
            }
        }
    }
    out
}

/// `(base type name, is a list)` of `parent.field` in the schema.
fn field_type(registry: &Registry, parent: &str, field: &str) -> Option<(String, bool)> {
    let ty = &registry.types.get(parent)?.field_by_name(field)?.ty;
    let base = ty.trim_matches(|c| c == '[' || c == ']' || c == '!');
    Some((base.to_string(), ty.starts_with('[')))
}

#[allow(clippy::too_many_arguments)]
fn walk_field(
    registry: &Registry,
    doc: &ExecutableDocument,
    parent: &str,
    name: &str,
    set: &SelectionSet,
    depth: usize,
    in_list: bool,
    found: &mut Findings,
) {
    let Some((ty, is_list)) = field_type(registry, parent, name) else {
        return;
    };
    if !ty.ends_with("Connection") {
        for (child, _, child_set) in fields(doc, set) {
            walk_field(
                registry,
                doc,
                &ty,
                child,
                child_set,
                depth,
                in_list || is_list,
                found,
            );
        }
        return;
    }
    found.connections += 1;
    found.in_list |= in_list;
    found.too_deep |= depth + 1 > MAX_DEPTH;
    let inner = fields(doc, set);
    if inner.iter().any(|(n, _, _)| *n == "nodes") {
        found.via_nodes.push(name.to_string());
    }
    let Some((edge_ty, _)) = field_type(registry, &ty, "edges") else {
        return;
    };
    let Some((node_ty, _)) = field_type(registry, &edge_ty, "node") else {
        return;
    };
    for (_, _, edge_set) in inner.iter().filter(|(n, _, _)| *n == "edges") {
        for (_, _, node_set) in fields(doc, edge_set)
            .into_iter()
            .filter(|(n, _, _)| *n == "node")
        {
            let node_fields = fields(doc, node_set);
            let has_id = node_fields.iter().any(|(n, k, _)| *n == "id" && *k == "id");
            let before = found.connections;
            for (child, _, child_set) in node_fields {
                walk_field(
                    registry,
                    doc,
                    &node_ty,
                    child,
                    child_set,
                    depth + 1,
                    false,
                    found,
                );
            }
            if found.connections > before && !has_id {
                found.without_id.push(name.to_string());
            }
        }
    }
}
