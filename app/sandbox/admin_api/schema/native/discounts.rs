//! The app's discount Function (`shopifyFunctions`) and the automatic discounts that run it:
//! `discountAutomaticAppCreate/Update` with configuration metafields, and `discountNode`.

use async_graphql::{Context, ID, Object, Result};
use time::OffsetDateTime;

use super::super::webhooks::utc;
use super::super::{DateTime, PageInfo, api};
use super::discount_input::{apply, check_input, store_metafields};
use super::discount_types::*;
use super::{ApiContext, allowed, app_hash, gid_id};
use crate::sandbox::state::gid;
use crate::sandbox::store::native::{CombinesWith, DiscountRecord};

/// The one Function the sandbox knows the app to have deployed (extensions/segops-discount).
pub const FUNCTION_HANDLE: &str = "segops-discount";
pub(super) const FUNCTION_TITLE: &str = "SegOps segment discounts";
const FUNCTION_API_TYPE: &str = "discount";
const FUNCTION_API_VERSION: &str = "2025-07";

/// The Function's id: UUID-shaped, derived from the app's API key so it is stable across runs.
pub fn function_id(api: &ApiContext) -> String {
    let h = hex::encode(&app_hash(api, FUNCTION_HANDLE)[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn the_function(api: &ApiContext) -> ShopifyFunction {
    ShopifyFunction {
        api_type: FUNCTION_API_TYPE.into(),
        api_version: FUNCTION_API_VERSION.into(),
        app_key: api.state.config.api_key.clone(),
        description: Some("Discounts for members of SegOps customer segments".into()),
        handle: FUNCTION_HANDLE.into(),
        id: function_id(api),
        input_query: None,
        title: FUNCTION_TITLE.into(),
        use_creation_ui: true,
    }
}

fn view(api: &ApiContext, d: &DiscountRecord) -> DiscountAutomaticApp {
    let now = OffsetDateTime::now_utc();
    let status = if d.starts_at > now {
        DiscountStatus::Scheduled
    } else if d.ends_at.is_some_and(|e| e <= now) {
        DiscountStatus::Expired
    } else {
        DiscountStatus::Active
    };
    let classes: Vec<DiscountClass> = d
        .discount_classes
        .iter()
        .map(|c| DiscountClass::from_wire(c))
        .collect();
    DiscountAutomaticApp {
        app_discount_type: AppDiscountType {
            app_key: api.state.config.api_key.clone(),
            description: None,
            discount_classes: classes.clone(),
            function_id: d.function_id.clone(),
            title: FUNCTION_TITLE.into(),
        },
        applies_on_one_time_purchase: true,
        applies_on_subscription: true,
        async_usage_count: 0,
        combines_with: DiscountCombinesWith {
            order_discounts: d.combines_with.order_discounts,
            product_discounts: d.combines_with.product_discounts,
            shipping_discounts: d.combines_with.shipping_discounts,
        },
        created_at: DateTime(utc(d.created_at)),
        discount_classes: classes,
        discount_id: ID(gid("DiscountAutomaticNode", d.id)),
        ends_at: d.ends_at.map(|t| DateTime(utc(t))),
        recurring_cycle_limit: 1,
        starts_at: DateTime(utc(d.starts_at)),
        status,
        tags: Vec::new(),
        title: d.title.clone(),
        updated_at: DateTime(utc(d.updated_at)),
    }
}

#[derive(Default)]
pub struct DiscountQuery;

#[Object]
impl DiscountQuery {
    #[allow(clippy::too_many_arguments)]
    async fn shopify_functions(
        &self,
        ctx: &Context<'_>,
        api_type: Option<String>,
        use_creation_ui: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
    ) -> Result<ShopifyFunctionConnection> {
        let _ = (last, before, reverse);
        let api = api(ctx)?;
        if first.is_none() && last.is_none() {
            return Err("you must provide one of first or last".into());
        }
        let f = the_function(api);
        let wanted = api_type.as_ref().is_none_or(|t| *t == f.api_type)
            && use_creation_ui.is_none_or(|u| u == f.use_creation_ui)
            && after.is_none()
            && first.is_none_or(|n| n > 0);
        let cursor =
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, f.id.as_bytes());
        let (edges, nodes, cursors) = if wanted {
            let edge = ShopifyFunctionEdge {
                cursor: cursor.clone(),
                node: the_function(api),
            };
            (vec![edge], vec![f], Some(cursor))
        } else {
            (Vec::new(), Vec::new(), None)
        };
        Ok(ShopifyFunctionConnection {
            edges,
            nodes,
            page_info: PageInfo {
                start_cursor: cursors.clone(),
                end_cursor: cursors,
                has_next_page: false,
                has_previous_page: false,
            },
        })
    }

    async fn discount_node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<DiscountNode>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "discountNode", "read_discounts") {
            return Ok(None);
        }
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        Ok(gid_id(&id.0, "DiscountAutomaticNode")
            .and_then(|n| s.native.discounts.get(&n))
            .map(|d| DiscountNode {
                discount: Discount::DiscountAutomaticApp(view(api, d)),
                id: ID(gid("DiscountAutomaticNode", d.id)),
                owner: gid("DiscountAutomaticNode", d.id),
            }))
    }
}

#[derive(Default)]
pub struct DiscountMutation;

#[Object]
impl DiscountMutation {
    async fn discount_automatic_app_create(
        &self,
        ctx: &Context<'_>,
        automatic_app_discount: DiscountAutomaticAppInput,
    ) -> Result<Option<DiscountAutomaticAppCreatePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "discountAutomaticAppCreate", "write_discounts") {
            return Ok(None);
        }
        let changes = match check_input(api, &automatic_app_discount, true) {
            Ok(c) => c,
            Err(e) => {
                return Ok(Some(DiscountAutomaticAppCreatePayload {
                    automatic_app_discount: None,
                    user_errors: vec![e],
                }));
            }
        };
        let id = api.state.next_id();
        let now = OffsetDateTime::now_utc();
        let mut record = DiscountRecord {
            id,
            title: String::new(),
            function_id: String::new(),
            starts_at: now,
            ends_at: None,
            combines_with: CombinesWith::default(),
            discount_classes: vec!["PRODUCT".into()],
            created_at: now,
            updated_at: now,
        };
        apply(&mut record, &automatic_app_discount, &changes);
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        store_metafields(
            api,
            &gid("DiscountAutomaticNode", id),
            changes.metafields,
            &mut s.native.metafields,
        );
        let out = view(api, &record);
        s.native.discounts.insert(id, record);
        Ok(Some(DiscountAutomaticAppCreatePayload {
            automatic_app_discount: Some(out),
            user_errors: Vec::new(),
        }))
    }

    async fn discount_automatic_app_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        automatic_app_discount: DiscountAutomaticAppInput,
    ) -> Result<Option<DiscountAutomaticAppUpdatePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "discountAutomaticAppUpdate", "write_discounts") {
            return Ok(None);
        }
        let fail = |e| {
            Ok(Some(DiscountAutomaticAppUpdatePayload {
                automatic_app_discount: None,
                user_errors: vec![e],
            }))
        };
        let changes = match check_input(api, &automatic_app_discount, false) {
            Ok(c) => c,
            Err(e) => return fail(e),
        };
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let Some(n) =
            gid_id(&id.0, "DiscountAutomaticNode").filter(|n| s.native.discounts.contains_key(n))
        else {
            return fail(DiscountUserError {
                code: Some(DiscountErrorCode::Invalid),
                extra_info: None,
                field: Some(vec!["id".into()]),
                message: "Discount does not exist".into(),
            });
        };
        store_metafields(
            api,
            &gid("DiscountAutomaticNode", n),
            changes.metafields.clone(),
            &mut s.native.metafields,
        );
        let Some(d) = s.native.discounts.get_mut(&n) else {
            return Err("Discount vanished".into());
        };
        apply(d, &automatic_app_discount, &changes);
        Ok(Some(DiscountAutomaticAppUpdatePayload {
            automatic_app_discount: Some(view(api, d)),
            user_errors: Vec::new(),
        }))
    }
}
