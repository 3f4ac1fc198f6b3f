//! `metafieldDefinitionCreate` and `metafieldsSet` (at most 25 per call, all or nothing), stored
//! per owner so segment queries and discounts can read them, and the `Metafield` object.

use async_graphql::{
    Context, Enum, ErrorExtensions, ID, InputObject, Json, Object, Result, SimpleObject,
};
use serde_json::Value;
use sha2::Digest;
use time::OffsetDateTime;

use super::super::webhooks::utc;
use super::super::{DateTime, api};
use super::metafield_values::{Problem, SUPPORTED_TYPES, check_key, check_namespace, check_value};
use super::{allowed, null_with, resolve_namespace};
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::native::{MetafieldDefinitionRecord, MetafieldRecord};

const MAX_PER_CALL: usize = 25;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MetafieldOwnerType")]
pub enum MetafieldOwnerType {
    #[graphql(name = "CUSTOMER")]
    Customer,
    #[graphql(name = "PRODUCT")]
    Product,
    #[graphql(name = "DISCOUNT")]
    Discount,
    #[graphql(name = "SHOP")]
    Shop,
}

impl MetafieldOwnerType {
    fn wire(self) -> &'static str {
        match self {
            Self::Customer => "CUSTOMER",
            Self::Product => "PRODUCT",
            Self::Discount => "DISCOUNT",
            Self::Shop => "SHOP",
        }
    }

    fn from_wire(s: &str) -> Self {
        match s {
            "PRODUCT" => Self::Product,
            "DISCOUNT" => Self::Discount,
            "SHOP" => Self::Shop,
            _ => Self::Customer,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "Metafield")]
pub struct Metafield {
    compare_digest: String,
    created_at: DateTime,
    id: ID,
    json_value: Json<Value>,
    key: String,
    namespace: String,
    owner_type: MetafieldOwnerType,
    #[graphql(name = "type")]
    type_name: String,
    updated_at: DateTime,
    value: String,
}

impl From<&MetafieldRecord> for Metafield {
    fn from(m: &MetafieldRecord) -> Self {
        let json_value = match m.type_name.as_str() {
            "number_integer" => m.value.parse::<i64>().map(Value::from).ok(),
            "boolean" => Some(Value::Bool(m.value == "true")),
            "json" => serde_json::from_str(&m.value).ok(),
            _ => None,
        }
        .unwrap_or_else(|| Value::String(m.value.clone()));
        Self {
            compare_digest: hex::encode(sha2::Sha256::digest(m.value.as_bytes())),
            created_at: DateTime(utc(m.created_at)),
            id: ID(gid("Metafield", m.id)),
            json_value: Json(json_value),
            key: m.key.clone(),
            namespace: m.namespace.clone(),
            owner_type: MetafieldOwnerType::from_wire(&m.owner_type),
            type_name: m.type_name.clone(),
            updated_at: DateTime(utc(m.updated_at)),
            value: m.value.clone(),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldDefinitionType")]
pub struct MetafieldDefinitionType {
    category: String,
    name: String,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldDefinition")]
pub struct MetafieldDefinition {
    description: Option<String>,
    id: ID,
    key: String,
    name: String,
    namespace: String,
    owner_type: MetafieldOwnerType,
    #[graphql(name = "type")]
    type_info: MetafieldDefinitionType,
}

impl From<&MetafieldDefinitionRecord> for MetafieldDefinition {
    fn from(d: &MetafieldDefinitionRecord) -> Self {
        let category = match d.type_name.as_str() {
            "number_integer" | "number_decimal" => "NUMBER",
            "boolean" => "TRUE_FALSE",
            "date_time" => "DATE_TIME",
            "json" => "JSON",
            _ => "TEXT",
        };
        Self {
            description: d.description.clone(),
            id: ID(gid("MetafieldDefinition", d.id)),
            key: d.key.clone(),
            name: d.name.clone(),
            namespace: d.namespace.clone(),
            owner_type: MetafieldOwnerType::from_wire(&d.owner_type),
            type_info: MetafieldDefinitionType {
                category: category.into(),
                name: d.type_name.clone(),
            },
        }
    }
}

#[derive(InputObject)]
#[graphql(name = "MetafieldDefinitionInput")]
pub struct MetafieldDefinitionInput {
    namespace: Option<String>,
    key: String,
    name: String,
    description: Option<String>,
    owner_type: MetafieldOwnerType,
    #[graphql(name = "type")]
    type_name: String,
    #[graphql(default = false)]
    pin: bool,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MetafieldDefinitionCreateUserErrorCode")]
pub enum MetafieldDefinitionCreateUserErrorCode {
    #[graphql(name = "INVALID")]
    Invalid,
    #[graphql(name = "INCLUSION")]
    Inclusion,
    #[graphql(name = "TAKEN")]
    Taken,
    #[graphql(name = "TOO_LONG")]
    TooLong,
    #[graphql(name = "TOO_SHORT")]
    TooShort,
    #[graphql(name = "BLANK")]
    Blank,
    #[graphql(name = "RESERVED_NAMESPACE_KEY")]
    ReservedNamespaceKey,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldDefinitionCreateUserError")]
pub struct MetafieldDefinitionCreateUserError {
    code: Option<MetafieldDefinitionCreateUserErrorCode>,
    field: Option<Vec<String>>,
    message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldDefinitionCreatePayload")]
pub struct MetafieldDefinitionCreatePayload {
    created_definition: Option<MetafieldDefinition>,
    user_errors: Vec<MetafieldDefinitionCreateUserError>,
}

#[derive(InputObject)]
#[graphql(name = "MetafieldsSetInput")]
pub struct MetafieldsSetInput {
    owner_id: ID,
    namespace: Option<String>,
    key: String,
    value: String,
    compare_digest: Option<String>,
    #[graphql(name = "type")]
    type_name: Option<String>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MetafieldsSetUserErrorCode")]
pub enum MetafieldsSetUserErrorCode {
    #[graphql(name = "INVALID_TYPE")]
    InvalidType,
    #[graphql(name = "INVALID_VALUE")]
    InvalidValue,
    #[graphql(name = "APP_NOT_AUTHORIZED")]
    AppNotAuthorized,
    #[graphql(name = "BLANK")]
    Blank,
    #[graphql(name = "TOO_LONG")]
    TooLong,
    #[graphql(name = "TOO_SHORT")]
    TooShort,
    #[graphql(name = "INVALID")]
    Invalid,
    #[graphql(name = "STALE_OBJECT")]
    StaleObject,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldsSetUserError")]
pub struct MetafieldsSetUserError {
    code: Option<MetafieldsSetUserErrorCode>,
    element_index: Option<i32>,
    field: Option<Vec<String>>,
    message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldsSetPayload")]
pub struct MetafieldsSetPayload {
    metafields: Option<Vec<Metafield>>,
    user_errors: Vec<MetafieldsSetUserError>,
}

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
