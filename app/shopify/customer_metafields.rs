//! Behavioural traits written to Shopify as customer metafields: a definition per trait (so
//! segments can filter on `metafields.<namespace>.<key>`) and values for many customers, sent in
//! batches of 25, the most one `metafieldsSet` call takes.

use graphql_client::GraphQLQuery;

use super::admin_api::{AdminApiError, ShopClient};

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/metafield_definition_create.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct MetafieldDefinitionCreate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/metafields_set.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct MetafieldsSet;

/// Shopify's limit per `metafieldsSet` call.
pub const BATCH: usize = 25;

#[derive(Debug, thiserror::Error)]
pub enum CustomerMetafieldError {
    #[error(transparent)]
    Api(#[from] AdminApiError),
    #[error("Shopify refused the metafield definition: {0}")]
    DefinitionRejected(String),
    /// Shopify's userErrors for one batch; nothing in that batch was written (the call is atomic).
    #[error("Shopify refused {} metafield value(s) after {written} were written: {}", .errors.len(), .errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    ValuesRejected {
        written: usize,
        errors: Vec<RejectedValue>,
    },
    #[error("Shopify returned no result and no reason")]
    Missing,
}

/// One refused value: which customer, and Shopify's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedValue {
    pub customer_id: Option<String>,
    pub message: String,
}

impl std::fmt::Display for RejectedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.customer_id {
            Some(id) => write!(f, "{id}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A customer metafield definition, in Shopify's type names (`number_integer`, `boolean`, …).
#[derive(Debug, Clone)]
pub struct TraitDefinition {
    pub namespace: String,
    pub key: String,
    pub name: String,
    pub type_name: String,
    pub description: Option<String>,
}

/// One value to write: the customer's GID and the value as Shopify's string form.
#[derive(Debug, Clone)]
pub struct TraitValue {
    pub customer_id: String,
    pub value: String,
}

/// Creates the definition, or does nothing when Shopify already has it (code `TAKEN`).
/// Returns whether it was created now.
pub async fn ensure_definition(
    client: &ShopClient,
    definition: &TraitDefinition,
) -> Result<bool, CustomerMetafieldError> {
    use metafield_definition_create as op;
    let payload = client
        .run::<MetafieldDefinitionCreate>(op::Variables {
            definition: op::MetafieldDefinitionInput {
                namespace: Some(definition.namespace.clone()),
                key: definition.key.clone(),
                name: definition.name.clone(),
                description: definition.description.clone(),
                owner_type: op::MetafieldOwnerType::CUSTOMER,
                type_: definition.type_name.clone(),
            },
        })
        .await?
        .metafield_definition_create
        .ok_or(CustomerMetafieldError::Missing)?;
    if payload.created_definition.is_some() {
        return Ok(true);
    }
    if payload.user_errors.iter().any(|e| {
        matches!(
            e.code,
            Some(op::MetafieldDefinitionCreateUserErrorCode::TAKEN)
        )
    }) {
        return Ok(false);
    }
    let reason = payload
        .user_errors
        .into_iter()
        .map(|e| e.message)
        .collect::<Vec<_>>()
        .join("; ");
    Err(if reason.is_empty() {
        CustomerMetafieldError::Missing
    } else {
        CustomerMetafieldError::DefinitionRejected(reason)
    })
}

/// Writes `namespace.key` (of `type_name`) for every customer in `values`, 25 per call, in order.
/// Returns how many were written; stops at the first batch Shopify refuses.
pub async fn set_values(
    client: &ShopClient,
    namespace: &str,
    key: &str,
    type_name: &str,
    values: &[TraitValue],
) -> Result<usize, CustomerMetafieldError> {
    use metafields_set as op;
    let mut written = 0;
    for batch in values.chunks(BATCH) {
        let inputs = batch
            .iter()
            .map(|v| op::MetafieldsSetInput {
                owner_id: v.customer_id.clone(),
                namespace: Some(namespace.to_owned()),
                key: key.to_owned(),
                value: v.value.clone(),
                type_: Some(type_name.to_owned()),
            })
            .collect();
        let payload = client
            .run::<MetafieldsSet>(op::Variables { metafields: inputs })
            .await?
            .metafields_set
            .ok_or(CustomerMetafieldError::Missing)?;
        if !payload.user_errors.is_empty() {
            let errors = payload
                .user_errors
                .into_iter()
                .map(|e| RejectedValue {
                    customer_id: batch_index(e.field.as_deref())
                        .and_then(|i| batch.get(i))
                        .map(|v| v.customer_id.clone()),
                    message: e.message,
                })
                .collect();
            return Err(CustomerMetafieldError::ValuesRejected { written, errors });
        }
        written += batch.len();
    }
    Ok(written)
}

/// The input index in a userError's field path (`["metafields", "3", "value"]`).
fn batch_index(field: Option<&[String]>) -> Option<usize> {
    field?.get(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_errors_field_path_names_the_input_it_is_about() {
        let path = ["metafields".to_string(), "3".into(), "value".into()];
        assert_eq!(batch_index(Some(&path)), Some(3));
        assert_eq!(batch_index(None), None);
        assert_eq!(batch_index(Some(&["metafields".to_string()])), None);
    }
}
