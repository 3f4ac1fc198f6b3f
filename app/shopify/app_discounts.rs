//! The checkout discount Function as an automatic app discount: find the Function's id by its
//! handle, then create or update the discount with its JSON configuration metafield.

use graphql_client::GraphQLQuery;

use super::admin_api::{AdminApiError, ShopClient};

type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/shopify_functions.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct ShopifyFunctions;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/discount_automatic_app_create.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct DiscountAutomaticAppCreate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/discount_automatic_app_update.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct DiscountAutomaticAppUpdate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/discount_node.graphql",
    response_derives = "Debug, Clone"
)]
pub struct DiscountNode;

/// The Function API type discount Functions are listed under.
const DISCOUNT_API_TYPE: &str = "discount";

#[derive(Debug, thiserror::Error)]
pub enum AppDiscountError {
    #[error(transparent)]
    Api(#[from] AdminApiError),
    #[error("the discount Function '{0}' is not deployed to this app")]
    FunctionNotDeployed(String),
    #[error("the discount configuration could not be encoded: {0}")]
    Configuration(String),
    /// Shopify's userErrors, verbatim.
    #[error("Shopify refused the discount: {}", .0.join("; "))]
    Rejected(Vec<String>),
    #[error("Shopify returned no discount and no reason")]
    Missing,
}

/// Which other discounts ours may combine with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CombinesWith {
    pub order_discounts: bool,
    pub product_discounts: bool,
    pub shipping_discounts: bool,
}

/// Everything the automatic discount is made of. Times are RFC 3339.
#[derive(Debug, Clone)]
pub struct AppDiscount {
    pub title: String,
    pub function_id: String,
    pub starts_at: String,
    pub ends_at: Option<String>,
    pub combines_with: CombinesWith,
    /// `PRODUCT`, `ORDER`, `SHIPPING`: what the Function discounts.
    pub classes: Vec<DiscountClassName>,
    /// Where the Function reads its configuration (`$app:segops-discount` / `function-configuration`).
    pub config_namespace: String,
    pub config_key: String,
    pub configuration: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountClassName {
    Product,
    Order,
    Shipping,
}

/// The id of the app's Function with `handle`, as `discountAutomaticAppCreate` takes it.
pub async fn function_id(client: &ShopClient, handle: &str) -> Result<String, AppDiscountError> {
    let functions = client
        .run::<ShopifyFunctions>(shopify_functions::Variables {
            api_type: DISCOUNT_API_TYPE.to_owned(),
            after: None,
        })
        .await?
        .shopify_functions
        .nodes;
    functions
        .into_iter()
        .find(|f| f.handle == handle)
        .map(|f| f.id)
        .ok_or_else(|| AppDiscountError::FunctionNotDeployed(handle.to_owned()))
}

/// The input both mutations take (graphql_client generates one type per document).
macro_rules! discount_input {
    ($op:ident, $discount:expr, $value:expr) => {{
        let d: &AppDiscount = $discount;
        $op::DiscountAutomaticAppInput {
            combines_with: Some($op::DiscountCombinesWithInput {
                order_discounts: Some(d.combines_with.order_discounts),
                product_discounts: Some(d.combines_with.product_discounts),
                shipping_discounts: Some(d.combines_with.shipping_discounts),
            }),
            discount_classes: Some(
                d.classes
                    .iter()
                    .map(|c| match c {
                        DiscountClassName::Product => $op::DiscountClass::PRODUCT,
                        DiscountClassName::Order => $op::DiscountClass::ORDER,
                        DiscountClassName::Shipping => $op::DiscountClass::SHIPPING,
                    })
                    .collect(),
            ),
            title: Some(d.title.clone()),
            starts_at: Some(d.starts_at.clone()),
            ends_at: d.ends_at.clone(),
            function_id: Some(d.function_id.clone()),
            metafields: Some(vec![$op::MetafieldInput {
                namespace: Some(d.config_namespace.clone()),
                key: Some(d.config_key.clone()),
                value: Some($value),
                type_: Some("json".to_owned()),
            }]),
        }
    }};
}

fn rejected(messages: Vec<String>) -> AppDiscountError {
    if messages.is_empty() {
        AppDiscountError::Missing
    } else {
        AppDiscountError::Rejected(messages)
    }
}

/// Creates the automatic discount, or updates `existing` (its `DiscountAutomaticNode` GID);
/// returns the discount's GID.
pub async fn ensure(
    client: &ShopClient,
    existing: Option<&str>,
    discount: &AppDiscount,
) -> Result<String, AppDiscountError> {
    let value = serde_json::to_string(&discount.configuration)
        .map_err(|e| AppDiscountError::Configuration(e.to_string()))?;
    let Some(id) = existing else {
        let payload = client
            .run::<DiscountAutomaticAppCreate>(discount_automatic_app_create::Variables {
                discount: discount_input!(discount_automatic_app_create, discount, value),
            })
            .await?
            .discount_automatic_app_create
            .ok_or(AppDiscountError::Missing)?;
        return match payload.automatic_app_discount {
            Some(d) => Ok(d.discount_id),
            None => Err(rejected(
                payload.user_errors.into_iter().map(|e| e.message).collect(),
            )),
        };
    };
    let payload = client
        .run::<DiscountAutomaticAppUpdate>(discount_automatic_app_update::Variables {
            id: id.to_owned(),
            discount: discount_input!(discount_automatic_app_update, discount, value),
        })
        .await?
        .discount_automatic_app_update
        .ok_or(AppDiscountError::Missing)?;
    match payload.automatic_app_discount {
        Some(d) => Ok(d.discount_id),
        None => Err(rejected(
            payload.user_errors.into_iter().map(|e| e.message).collect(),
        )),
    }
}

/// The discount's configuration as Shopify holds it, or None when the discount is gone.
pub async fn configuration(
    client: &ShopClient,
    id: &str,
    namespace: &str,
    key: &str,
) -> Result<Option<serde_json::Value>, AppDiscountError> {
    let node = client
        .run::<DiscountNode>(discount_node::Variables {
            id: id.to_owned(),
            namespace: namespace.to_owned(),
            key: key.to_owned(),
        })
        .await?
        .discount_node;
    let Some(node) = node else {
        return Ok(None);
    };
    Ok(Some(
        node.metafield
            .and_then(|m| serde_json::from_str(&m.value).ok())
            .unwrap_or(serde_json::Value::Null),
    ))
}
