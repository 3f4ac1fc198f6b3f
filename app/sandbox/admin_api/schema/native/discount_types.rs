//! The object, input and enum types of the app's Function and its automatic discounts.

use async_graphql::{Context, Enum, ID, InputObject, Result, SimpleObject, Union};

use super::super::{DateTime, PageInfo, api};
use super::metafield_types::Metafield;
use super::resolve_namespace;

#[derive(SimpleObject)]
#[graphql(name = "ShopifyFunction")]
pub struct ShopifyFunction {
    pub(super) api_type: String,
    pub(super) api_version: String,
    pub(super) app_key: String,
    pub(super) description: Option<String>,
    pub(super) handle: String,
    pub(super) id: String,
    pub(super) input_query: Option<String>,
    pub(super) title: String,
    pub(super) use_creation_ui: bool,
}

#[derive(SimpleObject)]
#[graphql(name = "ShopifyFunctionEdge")]
pub struct ShopifyFunctionEdge {
    pub(super) cursor: String,
    pub(super) node: ShopifyFunction,
}

#[derive(SimpleObject)]
#[graphql(name = "ShopifyFunctionConnection")]
pub struct ShopifyFunctionConnection {
    pub(super) edges: Vec<ShopifyFunctionEdge>,
    pub(super) nodes: Vec<ShopifyFunction>,
    pub(super) page_info: PageInfo,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "DiscountClass")]
pub enum DiscountClass {
    #[graphql(name = "PRODUCT")]
    Product,
    #[graphql(name = "ORDER")]
    Order,
    #[graphql(name = "SHIPPING")]
    Shipping,
}

impl DiscountClass {
    pub(super) fn wire(self) -> &'static str {
        match self {
            Self::Product => "PRODUCT",
            Self::Order => "ORDER",
            Self::Shipping => "SHIPPING",
        }
    }
    pub(super) fn from_wire(s: &str) -> Self {
        match s {
            "ORDER" => Self::Order,
            "SHIPPING" => Self::Shipping,
            _ => Self::Product,
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "DiscountStatus")]
pub enum DiscountStatus {
    #[graphql(name = "ACTIVE")]
    Active,
    #[graphql(name = "EXPIRED")]
    Expired,
    #[graphql(name = "SCHEDULED")]
    Scheduled,
}

#[derive(SimpleObject)]
#[graphql(name = "DiscountCombinesWith")]
pub struct DiscountCombinesWith {
    pub(super) order_discounts: bool,
    pub(super) product_discounts: bool,
    pub(super) shipping_discounts: bool,
}

#[derive(SimpleObject)]
#[graphql(name = "AppDiscountType")]
pub struct AppDiscountType {
    pub(super) app_key: String,
    pub(super) description: Option<String>,
    pub(super) discount_classes: Vec<DiscountClass>,
    pub(super) function_id: String,
    pub(super) title: String,
}

#[derive(SimpleObject)]
#[graphql(name = "DiscountAutomaticApp")]
pub struct DiscountAutomaticApp {
    pub(super) app_discount_type: AppDiscountType,
    pub(super) applies_on_one_time_purchase: bool,
    pub(super) applies_on_subscription: bool,
    pub(super) async_usage_count: i32,
    pub(super) combines_with: DiscountCombinesWith,
    pub(super) created_at: DateTime,
    pub(super) discount_classes: Vec<DiscountClass>,
    pub(super) discount_id: ID,
    pub(super) ends_at: Option<DateTime>,
    pub(super) recurring_cycle_limit: i32,
    pub(super) starts_at: DateTime,
    pub(super) status: DiscountStatus,
    pub(super) tags: Vec<String>,
    pub(super) title: String,
    pub(super) updated_at: DateTime,
}

#[derive(Union)]
#[graphql(name = "Discount")]
pub enum Discount {
    DiscountAutomaticApp(DiscountAutomaticApp),
}

#[derive(SimpleObject)]
#[graphql(name = "DiscountNode", complex)]
pub struct DiscountNode {
    pub(super) discount: Discount,
    pub(super) id: ID,
    #[graphql(skip)]
    pub(super) owner: String,
}

#[async_graphql::ComplexObject]
impl DiscountNode {
    async fn metafield(
        &self,
        ctx: &Context<'_>,
        namespace: Option<String>,
        key: String,
    ) -> Result<Option<Metafield>> {
        let api = api(ctx)?;
        let namespace = resolve_namespace(api, namespace.as_deref().unwrap_or("$app"));
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        Ok(s.native
            .metafields
            .get(&(self.owner.clone(), namespace, key))
            .map(Metafield::from))
    }
}

#[derive(InputObject)]
#[graphql(name = "DiscountCombinesWithInput")]
pub struct DiscountCombinesWithInput {
    #[graphql(default = false)]
    pub(super) product_discounts: bool,
    #[graphql(default = false)]
    pub(super) order_discounts: bool,
    #[graphql(default = false)]
    pub(super) shipping_discounts: bool,
}

#[derive(InputObject)]
#[graphql(name = "MetafieldInput")]
pub struct MetafieldInput {
    pub(super) id: Option<ID>,
    pub(super) namespace: Option<String>,
    pub(super) key: Option<String>,
    pub(super) value: Option<String>,
    #[graphql(name = "type")]
    pub(super) type_name: Option<String>,
}

#[derive(InputObject)]
#[graphql(name = "DiscountAutomaticAppInput")]
pub struct DiscountAutomaticAppInput {
    pub(super) combines_with: Option<DiscountCombinesWithInput>,
    pub(super) discount_classes: Option<Vec<DiscountClass>>,
    pub(super) title: Option<String>,
    pub(super) starts_at: Option<DateTime>,
    pub(super) ends_at: Option<DateTime>,
    pub(super) tags: Option<Vec<String>>,
    #[graphql(deprecation = "Use `functionHandle` instead.")]
    pub(super) function_id: Option<String>,
    pub(super) function_handle: Option<String>,
    #[graphql(default)]
    pub(super) metafields: Vec<MetafieldInput>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "DiscountErrorCode")]
pub enum DiscountErrorCode {
    #[graphql(name = "BLANK")]
    Blank,
    #[graphql(name = "INVALID")]
    Invalid,
    #[graphql(name = "TOO_LONG")]
    TooLong,
    #[graphql(name = "END_DATE_BEFORE_START_DATE")]
    EndDateBeforeStartDate,
    #[graphql(name = "MISSING_FUNCTION_IDENTIFIER")]
    MissingFunctionIdentifier,
    #[graphql(name = "MULTIPLE_FUNCTION_IDENTIFIERS")]
    MultipleFunctionIdentifiers,
}

#[derive(SimpleObject)]
#[graphql(name = "DiscountUserError")]
pub struct DiscountUserError {
    pub(super) code: Option<DiscountErrorCode>,
    pub(super) extra_info: Option<String>,
    pub(super) field: Option<Vec<String>>,
    pub(super) message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "DiscountAutomaticAppCreatePayload")]
pub struct DiscountAutomaticAppCreatePayload {
    pub(super) automatic_app_discount: Option<DiscountAutomaticApp>,
    pub(super) user_errors: Vec<DiscountUserError>,
}

#[derive(SimpleObject)]
#[graphql(name = "DiscountAutomaticAppUpdatePayload")]
pub struct DiscountAutomaticAppUpdatePayload {
    pub(super) automatic_app_discount: Option<DiscountAutomaticApp>,
    pub(super) user_errors: Vec<DiscountUserError>,
}
