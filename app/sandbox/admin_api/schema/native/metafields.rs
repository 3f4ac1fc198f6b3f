//! `metafieldDefinitionCreate` and `metafieldsSet` (at most 25 per call, all or nothing), stored
//! per owner so segment queries and discounts can read them, and the `Metafield` object.

use async_graphql::{Context, ErrorExtensions, Object, Result};
use time::OffsetDateTime;

use super::super::api;
use super::metafield_types::*;
use super::metafield_values::{Problem, SUPPORTED_TYPES, check_key, check_namespace, check_value};
use super::{allowed, null_with, resolve_namespace};
use crate::sandbox::state::Shop;
use crate::sandbox::store::native::{MetafieldDefinitionRecord, MetafieldRecord};

const MAX_PER_CALL: usize = 25;

fn set_code(code: &str) -> Option<MetafieldsSetUserErrorCode> {
    Some(match code {
        "INVALID_TYPE" => MetafieldsSetUserErrorCode::InvalidType,
        "INVALID_VALUE" => MetafieldsSetUserErrorCode::InvalidValue,
        "TOO_LONG" => MetafieldsSetUserErrorCode::TooLong,
        "TOO_SHORT" => MetafieldsSetUserErrorCode::TooShort,
        "BLANK" => MetafieldsSetUserErrorCode::Blank,
        "APP_NOT_AUTHORIZED" => MetafieldsSetUserErrorCode::AppNotAuthorized,
        "INVALID" => MetafieldsSetUserErrorCode::Invalid,
        _ => return None,
    })
}

fn definition_code(code: &str) -> Option<MetafieldDefinitionCreateUserErrorCode> {
    Some(match code {
        "TOO_LONG" => MetafieldDefinitionCreateUserErrorCode::TooLong,
        "TOO_SHORT" => MetafieldDefinitionCreateUserErrorCode::TooShort,
        "INCLUSION" => MetafieldDefinitionCreateUserErrorCode::Inclusion,
        _ => MetafieldDefinitionCreateUserErrorCode::ReservedNamespaceKey,
    })
}

/// The owner a GID names, if it exists in the shop: (owner type, scope needed to write it).
fn owner(shop: &Shop, owner_id: &str) -> Option<(&'static str, &'static str)> {
    let rest = owner_id.strip_prefix("gid://shopify/")?;
    let (kind, id) = rest.split_once('/')?;
    let id: u64 = id.parse().ok()?;
    match kind {
        "Customer" if shop.customers.contains_key(&id) => Some(("CUSTOMER", "write_customers")),
        "Product" if shop.products.contains_key(&id) => Some(("PRODUCT", "write_products")),
        "DiscountAutomaticNode" if shop.native.discounts.contains_key(&id) => {
            Some(("DISCOUNT", "write_discounts"))
        }
        _ => None,
    }
}

fn has_scope(scopes: &[String], scope: &str) -> bool {
    scopes.iter().any(|s| s == scope)
}

#[derive(Default)]
pub struct MetafieldMutation;

#[Object]
impl MetafieldMutation {
    async fn metafield_definition_create(
        &self,
        ctx: &Context<'_>,
        definition: MetafieldDefinitionInput,
    ) -> Result<Option<MetafieldDefinitionCreatePayload>> {
        let api = api(ctx)?;
        let scope = match definition.owner_type {
            MetafieldOwnerType::Customer => Some("write_customers"),
            MetafieldOwnerType::Product => Some("write_products"),
            MetafieldOwnerType::Discount => Some("write_discounts"),
            MetafieldOwnerType::Shop => None,
        };
        if let Some(scope) = scope
            && !allowed(ctx, api, "metafieldDefinitionCreate", scope)
        {
            return Ok(None);
        }
        let _ = definition.pin;
        let namespace = resolve_namespace(api, definition.namespace.as_deref().unwrap_or("$app"));
        let fail = |field: &str, code, message: String| {
            Ok(Some(MetafieldDefinitionCreatePayload {
                created_definition: None,
                user_errors: vec![MetafieldDefinitionCreateUserError {
                    code: Some(code),
                    field: Some(vec!["definition".into(), field.into()]),
                    message,
                }],
            }))
        };
        if definition.name.trim().is_empty() {
            return fail(
                "name",
                MetafieldDefinitionCreateUserErrorCode::Blank,
                "Name can't be blank".into(),
            );
        }
        let problem: Option<Problem> =
            check_namespace(&namespace).or_else(|| check_key(&definition.key));
        if let Some((field, code, message)) = problem {
            let code =
                definition_code(code).unwrap_or(MetafieldDefinitionCreateUserErrorCode::Invalid);
            return fail(field, code, message);
        }
        if !SUPPORTED_TYPES.contains(&definition.type_name.as_str()) {
            return fail(
                "type",
                MetafieldDefinitionCreateUserErrorCode::Inclusion,
                format!("Type name {} is not a valid type", definition.type_name),
            );
        }
        let id = api.state.next_id();
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let owner_type = definition.owner_type.wire();
        let taken = s.native.metafield_definitions.iter().any(|d| {
            d.namespace == namespace && d.key == definition.key && d.owner_type == owner_type
        });
        if taken {
            let owner_name = match definition.owner_type {
                MetafieldOwnerType::Customer => "Customer",
                MetafieldOwnerType::Product => "Product",
                MetafieldOwnerType::Discount => "Discount",
                MetafieldOwnerType::Shop => "Shop",
            };
            return fail(
                "key",
                MetafieldDefinitionCreateUserErrorCode::Taken,
                format!(
                    "Key is in use for {owner_name} metafields on the '{namespace}' namespace."
                ),
            );
        }
        let record = MetafieldDefinitionRecord {
            id,
            name: definition.name.trim().to_string(),
            namespace,
            key: definition.key,
            type_name: definition.type_name,
            owner_type: owner_type.to_string(),
            description: definition.description,
        };
        let out = MetafieldDefinition::from(&record);
        s.native.metafield_definitions.push(record);
        Ok(Some(MetafieldDefinitionCreatePayload {
            created_definition: Some(out),
            user_errors: Vec::new(),
        }))
    }

    async fn metafields_set(
        &self,
        ctx: &Context<'_>,
        metafields: Vec<MetafieldsSetInput>,
    ) -> Result<Option<MetafieldsSetPayload>> {
        let api = api(ctx)?;
        if metafields.len() > MAX_PER_CALL {
            let message = format!(
                "The input array size of {} is greater than the maximum allowed of {MAX_PER_CALL}.",
                metafields.len()
            );
            let error = async_graphql::Error::new(message)
                .extend_with(|_, e| e.set("code", "MAX_INPUT_SIZE_EXCEEDED"));
            return Ok(null_with(ctx, error));
        }
        let now = OffsetDateTime::now_utc();
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let mut errors = Vec::new();
        let mut ready = Vec::new();
        for (i, input) in metafields.into_iter().enumerate() {
            let err = |field: &str, code: &str, message: String| MetafieldsSetUserError {
                code: set_code(code),
                element_index: None,
                field: Some(vec!["metafields".into(), i.to_string(), field.into()]),
                message,
            };
            let namespace = resolve_namespace(api, input.namespace.as_deref().unwrap_or("$app"));
            let Some((owner_type, scope)) = owner(s, &input.owner_id.0) else {
                errors.push(err("ownerId", "INVALID", "Owner does not exist.".into()));
                continue;
            };
            if !has_scope(&api.scopes, scope) {
                errors.push(err(
                    "ownerId",
                    "APP_NOT_AUTHORIZED",
                    format!(
                        "Access denied: writing these metafields needs the `{scope}` access scope."
                    ),
                ));
                continue;
            }
            if let Some((field, code, message)) =
                check_namespace(&namespace).or_else(|| check_key(&input.key))
            {
                errors.push(err(field, code, message));
                continue;
            }
            let defined = s.native.metafield_definitions.iter().find(|d| {
                d.namespace == namespace && d.key == input.key && d.owner_type == owner_type
            });
            let type_name = match (&input.type_name, defined) {
                (Some(t), Some(d)) if *t != d.type_name => {
                    errors.push(err(
                        "type",
                        "INVALID_TYPE",
                        format!(
                            "Type must be {} to match the metafield definition.",
                            d.type_name
                        ),
                    ));
                    continue;
                }
                (Some(t), _) => t.clone(),
                (None, Some(d)) => d.type_name.clone(),
                (None, None) => {
                    errors.push(err("type", "BLANK", "Type can't be blank".into()));
                    continue;
                }
            };
            let value = match check_value(&type_name, &input.value) {
                Ok(v) => v,
                Err((field, code, message)) => {
                    errors.push(err(field, code, message));
                    continue;
                }
            };
            let key = (
                input.owner_id.0.clone(),
                namespace.clone(),
                input.key.clone(),
            );
            if let (Some(digest), Some(existing)) =
                (&input.compare_digest, s.native.metafields.get(&key))
                && *digest != Metafield::from(existing).compare_digest
            {
                errors.push(err(
                    "compareDigest",
                    "STALE_OBJECT",
                    "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.".into(),
                ));
                continue;
            }
            ready.push((key, owner_type, type_name, value));
        }
        if !errors.is_empty() {
            return Ok(Some(MetafieldsSetPayload {
                metafields: Some(Vec::new()),
                user_errors: errors,
            }));
        }
        let mut out = Vec::new();
        for (key, owner_type, type_name, value) in ready {
            let id = api.state.next_id();
            let record =
                s.native
                    .metafields
                    .entry(key.clone())
                    .or_insert_with(|| MetafieldRecord {
                        id,
                        owner_id: key.0.clone(),
                        owner_type: owner_type.to_string(),
                        namespace: key.1.clone(),
                        key: key.2.clone(),
                        type_name: type_name.clone(),
                        value: value.clone(),
                        created_at: now,
                        updated_at: now,
                    });
            record.type_name = type_name;
            record.value = value;
            record.updated_at = now;
            out.push(Metafield::from(&*record));
        }
        Ok(Some(MetafieldsSetPayload {
            metafields: Some(out),
            user_errors: Vec::new(),
        }))
    }
}
