//! Saving a rule: validate it against the shop's segments and active rules, store it, then
//! create or update the shop's automatic app discount with the new configuration.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::configuration::{CONFIG_KEY, CONFIG_NAMESPACE, FUNCTION_HANDLE, configuration};
use super::rules::{Rule, RuleInput, ValidationError, validate};
use super::store;
use crate::shopify::app_discounts::{self, AppDiscount, CombinesWith, DiscountClassName};
use crate::state::App;
use crate::tenants::ShopRecord;

/// The automatic discount's title in the Shopify admin.
const TITLE: &str = "SegOps segment discounts";

#[derive(Debug, thiserror::Error)]
pub enum DiscountError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("discount rule {0} not found")]
    NotFound(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The outcome of a save: the rule is stored whatever Shopify answered; `pushed` says whether
/// Shopify holds the new configuration, `error` why not.
#[derive(Debug, Serialize)]
pub struct Saved {
    pub rule: Rule,
    pub warning: Option<String>,
    pub pushed: bool,
    pub discount_id: Option<String>,
    pub error: Option<String>,
}

/// Creates (`id` None) or updates a rule of `shop`, then pushes the configuration.
pub async fn save(
    app: &App,
    shop: &ShopRecord,
    id: Option<&str>,
    input: RuleInput,
) -> Result<Saved, DiscountError> {
    let segments = store::segments(&app.db, &shop.id).await?;
    let rules = store::list_rules(&app.db, &shop.id).await?;
    let base = match id {
        Some(id) => Some(
            rules
                .iter()
                .find(|r| r.id == id)
                .ok_or_else(|| DiscountError::NotFound(id.to_owned()))?,
        ),
        None => None,
    };
    let rule_id = id
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let other_active = rules.iter().filter(|r| r.active && r.id != rule_id).count();
    let rule = validate(
        rule_id,
        base,
        input,
        |segment| segments.iter().any(|s| s.id == segment),
        other_active,
    )?;
    store::put_rule(&app.db, &shop.id, &rule).await?;
    let warning = segments
        .iter()
        .find(|s| s.id == rule.segment_id)
        .and_then(|s| s.warning());
    let pushed = push(app, shop, &segments).await?;
    Ok(Saved {
        rule,
        warning,
        pushed: pushed.is_ok(),
        discount_id: pushed.as_ref().ok().cloned(),
        error: pushed.err(),
    })
}

/// Sends every active rule to Shopify; the outer error is the database, the inner one Shopify's
/// answer (recorded for the page).
async fn push(
    app: &App,
    shop: &ShopRecord,
    segments: &[store::SegmentChoice],
) -> Result<Result<String, String>, sqlx::Error> {
    let outcome = push_to_shopify(app, shop, segments).await;
    match &outcome {
        Ok(id) => store::record_push(&app.db, &shop.id, Ok(id)).await?,
        Err(reason) => store::record_push(&app.db, &shop.id, Err(reason)).await?,
    }
    Ok(outcome)
}

async fn push_to_shopify(
    app: &App,
    shop: &ShopRecord,
    segments: &[store::SegmentChoice],
) -> Result<String, String> {
    let client = match app.shop_client(shop) {
        Ok(Some(client)) => client,
        Ok(None) => return Err("the shop is not connected (no access token)".into()),
        Err(err) => return Err(format!("the shop's access token cannot be opened: {err}")),
    };
    let rules = store::list_rules(&app.db, &shop.id)
        .await
        .map_err(|e| format!("the rules could not be read: {e}"))?;
    let existing = store::shop_discount(&app.db, &shop.id)
        .await
        .map_err(|e| format!("the discount record could not be read: {e}"))?;
    let function_id = app_discounts::function_id(&client, FUNCTION_HANDLE)
        .await
        .map_err(|e| e.to_string())?;
    let starts = existing
        .created_at
        .and_then(|ms| OffsetDateTime::from_unix_timestamp(ms / 1000).ok())
        .unwrap_or_else(OffsetDateTime::now_utc);
    let discount = AppDiscount {
        title: TITLE.into(),
        function_id,
        starts_at: starts.format(&Rfc3339).map_err(|e| e.to_string())?,
        ends_at: None,
        combines_with: CombinesWith {
            shipping_discounts: true,
            ..CombinesWith::default()
        },
        // Rules may discount the order or its lines; the class set stays fixed so that an update
        // never depends on which rules happen to be active.
        classes: vec![DiscountClassName::Order, DiscountClassName::Product],
        config_namespace: CONFIG_NAMESPACE.into(),
        config_key: CONFIG_KEY.into(),
        configuration: configuration(&rules, |segment| {
            segments
                .iter()
                .find(|s| s.id == segment)
                .map(|s| s.slug.clone())
        }),
    };
    app_discounts::ensure(&client, existing.discount_id.as_deref(), &discount)
        .await
        .map_err(|e| e.to_string())
}
