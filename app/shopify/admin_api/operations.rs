//! The GraphQL documents the app sends, typed by graphql_client against `schema.graphql`.

use graphql_client::GraphQLQuery;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/shop.graphql",
    response_derives = "Debug, Clone"
)]
pub struct ShopInfo;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/access_scopes.graphql",
    response_derives = "Debug, Clone"
)]
pub struct AccessScopes;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/webhook_subscriptions.graphql",
    response_derives = "Debug, Clone"
)]
pub struct WebhookSubscriptions;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/webhook_subscription_create.graphql",
    response_derives = "Debug, Clone"
)]
pub struct WebhookSubscriptionCreate;

/// Every field, argument-less type and enum value of `ours` that Shopify's `full` schema lacks
/// or types differently.
#[cfg(test)]
pub(super) fn schema_mismatches(ours: &str, full: &str) -> Vec<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    use std::collections::HashMap;

    fn index(sdl: &str) -> HashMap<String, HashMap<String, String>> {
        let doc = async_graphql::parser::parse_schema(sdl).expect("schema parses");
        let mut types = HashMap::new();
        for def in doc.definitions {
            let TypeSystemDefinition::Type(def) = def else {
                continue;
            };
            let def = def.node;
            let members: HashMap<String, String> = match def.kind {
                TypeKind::Object(o) => o
                    .fields
                    .into_iter()
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node.to_string()))
                    .collect(),
                TypeKind::InputObject(i) => i
                    .fields
                    .into_iter()
                    .map(|f| (f.node.name.node.to_string(), f.node.ty.node.to_string()))
                    .collect(),
                TypeKind::Enum(e) => e
                    .values
                    .into_iter()
                    .map(|v| (v.node.value.node.to_string(), String::new()))
                    .collect(),
                _ => HashMap::new(),
            };
            // `extend type` blocks add to the type they extend.
            types
                .entry(def.name.node.to_string())
                .or_insert_with(HashMap::new)
                .extend(members);
        }
        types
    }

    let (ours, full) = (index(ours), index(full));
    let mut problems = Vec::new();
    for (type_name, members) in &ours {
        let Some(theirs) = full.get(type_name) else {
            problems.push(format!("type {type_name} does not exist"));
            continue;
        };
        for (member, ty) in members {
            match theirs.get(member) {
                None => problems.push(format!("{type_name}.{member} does not exist")),
                Some(their_ty) if their_ty != ty => problems.push(format!(
                    "{type_name}.{member}: ours {ty}, Shopify's {their_ty}"
                )),
                _ => {}
            }
        }
    }
    problems.sort();
    problems
}
