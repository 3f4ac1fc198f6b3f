//! Calculated query cost, as Shopify documents it: scalars and enums 0, objects 1,
//! connections 2 + `first`/`last` × the cost of one node, mutations 10.
//! The walk reads our own schema's SDL so it knows each field's type.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
    Selection, SelectionSet, Type, TypeKind,
};
use async_graphql::{Name, Positioned};
use serde_json::Value as Json;

/// Field types and enum values of the schema, by type name.
pub struct TypeMap {
    fields: HashMap<String, HashMap<String, String>>,
    pub enums: HashMap<String, HashSet<String>>,
}

pub fn base_name(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => base_name(inner),
    }
}

impl TypeMap {
    pub fn from_sdl(sdl: &str) -> anyhow::Result<Self> {
        let doc = async_graphql::parser::parse_schema(sdl)?;
        let mut fields = HashMap::new();
        let mut enums = HashMap::new();
        for def in doc.definitions {
            if let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def {
                let name = t.node.name.node.to_string();
                match t.node.kind {
                    TypeKind::Object(o) => {
                        fields.insert(name, field_map(&o.fields));
                    }
                    TypeKind::Interface(i) => {
                        fields.insert(name, field_map(&i.fields));
                    }
                    TypeKind::Enum(e) => {
                        enums.insert(
                            name,
                            e.values
                                .iter()
                                .map(|v| v.node.value.node.to_string())
                                .collect(),
                        );
                    }
                    _ => {}
                }
            }
        }
        Ok(Self { fields, enums })
    }

    fn field_type(&self, parent: &str, field: &str) -> Option<&str> {
        self.fields.get(parent)?.get(field).map(String::as_str)
    }

    fn is_composite(&self, ty: &str) -> bool {
        // Unions have no field map but are objects for costing.
        self.fields.contains_key(ty) || ty.ends_with("Endpoint")
    }
}

fn field_map(
    defs: &[Positioned<async_graphql::parser::types::FieldDefinition>],
) -> HashMap<String, String> {
    defs.iter()
        .map(|f| {
            (
                f.node.name.node.to_string(),
                base_name(&f.node.ty.node).to_string(),
            )
        })
        .collect()
}

/// The operation a request runs.
pub fn pick_operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<&'a Name>, &'a OperationDefinition)> {
    match &doc.operations {
        DocumentOperations::Single(op) => Some((None, &op.node)),
        DocumentOperations::Multiple(ops) => match name {
            Some(n) => ops
                .iter()
                .find(|(k, _)| k.as_str() == n)
                .map(|(k, v)| (Some(k), &v.node)),
            None if ops.len() == 1 => ops.iter().next().map(|(k, v)| (Some(k), &v.node)),
            None => None,
        },
    }
}

pub struct Costing<'a> {
    pub types: &'a TypeMap,
    pub doc: &'a ExecutableDocument,
    pub variables: &'a Json,
}

impl Costing<'_> {
    /// Requested cost (`data` = None) or actual cost (`data` = the response's `data`).
    pub fn operation(&self, op: &OperationDefinition, data: Option<&Json>) -> u64 {
        match op.ty {
            OperationType::Mutation => {
                let mut n = 0;
                self.for_each_field(&op.selection_set.node, &mut |f| {
                    if !f.name.node.starts_with("__") {
                        n += 1;
                    }
                });
                10 * n
            }
            _ => self.selection(&op.selection_set.node, "QueryRoot", data),
        }
    }

    fn for_each_field(
        &self,
        set: &SelectionSet,
        f: &mut dyn FnMut(&async_graphql::parser::types::Field),
    ) {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(field) => f(&field.node),
                Selection::InlineFragment(frag) => {
                    self.for_each_field(&frag.node.selection_set.node, f)
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(def) = self.doc.fragments.get(&spread.node.fragment_name.node) {
                        self.for_each_field(&def.node.selection_set.node, f);
                    }
                }
            }
        }
    }

    fn selection(&self, set: &SelectionSet, parent: &str, data: Option<&Json>) -> u64 {
        let mut total = 0;
        for sel in &set.items {
            total += match &sel.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.response_key().node.as_str();
                    let child_data = data.and_then(|d| d.get(key));
                    self.field(field, parent, child_data)
                }
                Selection::InlineFragment(frag) => {
                    let on = frag
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(parent, |t| t.node.on.node.as_str());
                    self.selection(&frag.node.selection_set.node, on, data)
                }
                Selection::FragmentSpread(spread) => {
                    match self.doc.fragments.get(&spread.node.fragment_name.node) {
                        Some(def) => self.selection(
                            &def.node.selection_set.node,
                            def.node.type_condition.node.on.node.as_str(),
                            data,
                        ),
                        None => 0,
                    }
                }
            };
        }
        total
    }

    fn field(
        &self,
        field: &async_graphql::parser::types::Field,
        parent: &str,
        data: Option<&Json>,
    ) -> u64 {
        let name = field.name.node.as_str();
        if name.starts_with("__") {
            return 0;
        }
        let Some(ty) = self.types.field_type(parent, name) else {
            return 0;
        };
        if !self.types.is_composite(ty) {
            return 0;
        }
        if !ty.ends_with("Connection") {
            if data.is_some_and(Json::is_null) {
                return 1;
            }
            let child = match data {
                Some(Json::Array(items)) => items.first(),
                other => other,
            };
            return 1 + self.selection(&field.selection_set.node, ty, child);
        }
        let page = match data {
            Some(d) => {
                let edges = d.get("edges").and_then(Json::as_array).map_or(0, Vec::len);
                let nodes = d.get("nodes").and_then(Json::as_array).map_or(0, Vec::len);
                edges.max(nodes) as u64
            }
            None => self.page_size(field),
        };
        2 + page * self.per_node(&field.selection_set.node, ty, data)
    }

    /// The cost of one node of a connection: `edges { node { … } }` and `nodes { … }` count, `pageInfo` is free.
    fn per_node(&self, set: &SelectionSet, connection: &str, data: Option<&Json>) -> u64 {
        let mut cost = 0;
        let mut visit = |f: &async_graphql::parser::types::Field| {
            let key = f.response_key().node.as_str();
            let sample = data
                .and_then(|d| d.get(key))
                .and_then(Json::as_array)
                .and_then(|a| a.first());
            match f.name.node.as_str() {
                "edges" => {
                    let edge_ty = self
                        .types
                        .field_type(connection, "edges")
                        .unwrap_or_default()
                        .to_string();
                    self.for_each_field(&f.selection_set.node, &mut |inner| {
                        if inner.name.node == "node" {
                            let node_ty =
                                self.types.field_type(&edge_ty, "node").unwrap_or_default();
                            let node_data =
                                sample.and_then(|e| e.get(inner.response_key().node.as_str()));
                            cost +=
                                1 + self.selection(&inner.selection_set.node, node_ty, node_data);
                        }
                    });
                }
                "nodes" => {
                    let node_ty = self
                        .types
                        .field_type(connection, "nodes")
                        .unwrap_or_default();
                    cost += 1 + self.selection(&f.selection_set.node, node_ty, sample);
                }
                _ => {}
            }
        };
        self.for_each_field(set, &mut visit);
        cost
    }

    fn page_size(&self, field: &async_graphql::parser::types::Field) -> u64 {
        for (name, value) in &field.arguments {
            if name.node == "first" || name.node == "last" {
                let vars = self.variables;
                let resolved = value.node.clone().into_const_with(|name| {
                    let raw = vars.get(name.as_str()).cloned().unwrap_or(Json::Null);
                    Ok::<_, ()>(
                        async_graphql::Value::from_json(raw).unwrap_or(async_graphql::Value::Null),
                    )
                });
                let n = match resolved {
                    Ok(async_graphql::Value::Number(n)) => n.as_u64(),
                    _ => None,
                };
                if let Some(n) = n {
                    return n;
                }
            }
        }
        0
    }
}
