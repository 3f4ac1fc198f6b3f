//! The SegOps Web Pixel on a shop: created at install with its settings, updated from the admin.
//! `ensure` is idempotent: it creates the app's one pixel, or updates it when it already exists.

use std::collections::BTreeMap;

use graphql_client::GraphQLQuery;

use super::admin_api::{AdminApiError, ShopClient};

// graphql_client names the custom scalar by its schema name.
#[allow(clippy::upper_case_acronyms)]
type JSON = serde_json::Value;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/web_pixel_create.graphql",
    response_derives = "Debug, Clone"
)]
pub struct WebPixelCreate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/web_pixel_update.graphql",
    response_derives = "Debug, Clone"
)]
pub struct WebPixelUpdate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/web_pixel.graphql",
    response_derives = "Debug, Clone"
)]
pub struct WebPixel;

#[derive(Debug, thiserror::Error)]
pub enum WebPixelError {
    #[error(transparent)]
    Api(#[from] AdminApiError),
    #[error("Shopify refused the web pixel settings: {0}")]
    Rejected(String),
    #[error("Shopify returned no web pixel and no reason")]
    Missing,
}

/// The pixel's settings: names and values exactly as the extension's settings definition declares
/// them (Shopify takes string values only, so that is all this type can hold).
pub type PixelSettings = BTreeMap<String, String>;

/// Creates the app's pixel with `settings`, or updates the existing one; returns its GID.
pub async fn ensure(
    client: &ShopClient,
    settings: &PixelSettings,
) -> Result<String, WebPixelError> {
    // Shopify takes the settings as a JSON-encoded string.
    let encoded = JSON::String(
        serde_json::to_string(settings)
            .map_err(|e| WebPixelError::Rejected(format!("settings could not be encoded: {e}")))?,
    );
    let created = client
        .run::<WebPixelCreate>(web_pixel_create::Variables {
            settings: encoded.clone(),
        })
        .await?
        .web_pixel_create
        .ok_or(WebPixelError::Missing)?;
    if let Some(pixel) = created.web_pixel {
        return Ok(pixel.id);
    }
    let taken = created.user_errors.iter().any(|e| {
        matches!(
            e.code,
            Some(web_pixel_create::ErrorsWebPixelUserErrorCode::TAKEN)
        )
    });
    if !taken {
        return Err(rejected(
            created.user_errors.iter().map(|e| e.message.as_str()),
        ));
    }
    let id = client
        .run::<WebPixel>(web_pixel::Variables)
        .await?
        .web_pixel
        .ok_or(WebPixelError::Missing)?
        .id;
    let updated = client
        .run::<WebPixelUpdate>(web_pixel_update::Variables {
            id,
            settings: encoded,
        })
        .await?
        .web_pixel_update
        .ok_or(WebPixelError::Missing)?;
    match updated.web_pixel {
        Some(pixel) => Ok(pixel.id),
        None => Err(rejected(
            updated.user_errors.iter().map(|e| e.message.as_str()),
        )),
    }
}

fn rejected<'a>(messages: impl Iterator<Item = &'a str>) -> WebPixelError {
    let text = messages.collect::<Vec<_>>().join("; ");
    if text.is_empty() {
        WebPixelError::Missing
    } else {
        WebPixelError::Rejected(text)
    }
}
