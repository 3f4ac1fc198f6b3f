//! Adding and removing one customer's tags (`tagsAdd`/`tagsRemove`), for small segment pushes;
//! a refusal says which customer and why.

use super::admin_api::bulk_documents::{TagsAdd, TagsRemove, tags_add, tags_remove};
use super::admin_api::{AdminApiError, ShopClient};

#[derive(Debug, thiserror::Error)]
pub enum CustomerTagsError {
    #[error(transparent)]
    Api(#[from] AdminApiError),
    #[error("Shopify refused to change the tags of {customer}: {reason}")]
    Refused { customer: String, reason: String },
}

fn refused(customer: &str, reasons: Vec<String>) -> Result<(), CustomerTagsError> {
    if reasons.is_empty() {
        return Ok(());
    }
    Err(CustomerTagsError::Refused {
        customer: customer.to_owned(),
        reason: reasons.join("; "),
    })
}

/// Adds `tags` to the customer with GID `customer`.
pub async fn tags_add(
    client: &ShopClient,
    customer: &str,
    tags: &[String],
) -> Result<(), CustomerTagsError> {
    let data = client
        .run::<TagsAdd>(tags_add::Variables {
            id: customer.to_owned(),
            tags: tags.to_vec(),
        })
        .await?;
    let Some(payload) = data.tags_add else {
        return refused(customer, vec!["no payload returned".into()]);
    };
    refused(
        customer,
        payload.user_errors.into_iter().map(|e| e.message).collect(),
    )
}

/// Removes `tags` from the customer with GID `customer`.
pub async fn tags_remove(
    client: &ShopClient,
    customer: &str,
    tags: &[String],
) -> Result<(), CustomerTagsError> {
    let data = client
        .run::<TagsRemove>(tags_remove::Variables {
            id: customer.to_owned(),
            tags: tags.to_vec(),
        })
        .await?;
    let Some(payload) = data.tags_remove else {
        return refused(customer, vec!["no payload returned".into()]);
    };
    refused(
        customer,
        payload.user_errors.into_iter().map(|e| e.message).collect(),
    )
}
