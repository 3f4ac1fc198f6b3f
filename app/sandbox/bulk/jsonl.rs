//! Shopify's JSONL layout for bulk query results: every node of every connection on its own line;
//! nested connections' nodes follow their parent with `__parentId`; other nested objects inline.

use async_graphql::indexmap::IndexMap;
use async_graphql::{Name, Value};

/// The nodes of a connection value (`{edges: [{node}]}`), or None when `v` is not one.
fn connection_nodes(v: &Value) -> Option<Vec<&Value>> {
    let Value::Object(map) = v else {
        return None;
    };
    let Value::List(edges) = map.get("edges")? else {
        return None;
    };
    if map
        .keys()
        .any(|k| k.as_str() != "edges" && k.as_str() != "pageInfo")
    {
        return None;
    }
    Some(
        edges
            .iter()
            .filter_map(|e| match e {
                Value::Object(edge) => edge.get("node"),
                _ => None,
            })
            .collect(),
    )
}

/// Appends the lines of one result page to `out`; returns `(objects, root objects)` written.
pub fn write_page(data: &Value, out: &mut Vec<u8>) -> (u64, u64) {
    let Value::Object(fields) = data else {
        return (0, 0);
    };
    let (mut objects, mut roots) = (0, 0);
    for root in fields.values() {
        for node in connection_nodes(root).unwrap_or_default() {
            roots += 1;
            objects += write_node(node, None, out);
        }
    }
    (objects, roots)
}

fn write_node(node: &Value, parent: Option<&Value>, out: &mut Vec<u8>) -> u64 {
    let Value::Object(map) = node else {
        return 0;
    };
    let mut line: IndexMap<Name, Value> = IndexMap::new();
    let mut children = Vec::new();
    for (key, value) in map {
        match connection_nodes(value) {
            Some(nodes) => children.push(nodes),
            None => {
                line.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(parent) = parent {
        line.insert(Name::new("__parentId"), parent.clone());
    }
    let text = serde_json::to_string(&Value::Object(line)).unwrap_or_default();
    // Shopify's writer escapes every slash (`gid:\/\/shopify\/Order\/1`); `/` only occurs in strings.
    out.extend_from_slice(text.replace('/', "\\/").as_bytes());
    out.push(b'\n');
    let id = map.get("id");
    let mut count = 1;
    for nodes in children {
        for child in nodes {
            count += write_node(child, id, out);
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_connection_nodes_follow_their_parent_with_its_id() {
        let data: Value = async_graphql::value!({
            "orders": { "edges": [
                { "node": { "id": "gid://shopify/Order/1", "name": "#1001",
                    "customer": { "id": "gid://shopify/Customer/7" },
                    "lineItems": { "edges": [
                        { "node": { "id": "gid://shopify/LineItem/2", "quantity": 1 } },
                        { "node": { "id": "gid://shopify/LineItem/3", "quantity": 2 } }
                    ] } } },
                { "node": { "id": "gid://shopify/Order/4", "name": "#1002",
                    "customer": null, "lineItems": { "edges": [] } } }
            ] }
        });
        let mut out = Vec::new();
        assert_eq!(write_page(&data, &mut out), (4, 2));
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            r##"{"id":"gid:\/\/shopify\/Order\/1","name":"#1001","customer":{"id":"gid:\/\/shopify\/Customer\/7"}}"##
        );
        assert_eq!(
            lines[2],
            r##"{"id":"gid:\/\/shopify\/LineItem\/3","quantity":2,"__parentId":"gid:\/\/shopify\/Order\/1"}"##
        );
        assert!(lines[3].starts_with(r##"{"id":"gid:\/\/shopify\/Order\/4""##));
    }
}
