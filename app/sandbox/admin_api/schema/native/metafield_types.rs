//! The object, input and enum types of metafields and metafield definitions.

use async_graphql::{Enum, ID, InputObject, Json, SimpleObject};
use serde_json::Value;
use sha2::Digest;

use super::super::DateTime;
use super::super::webhooks::utc;
use crate::sandbox::state::gid;
use crate::sandbox::store::native::{MetafieldDefinitionRecord, MetafieldRecord};

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
    pub(super) fn wire(self) -> &'static str {
        match self {
            Self::Customer => "CUSTOMER",
            Self::Product => "PRODUCT",
            Self::Discount => "DISCOUNT",
            Self::Shop => "SHOP",
        }
    }

    pub(super) fn from_wire(s: &str) -> Self {
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
    pub(super) compare_digest: String,
    pub(super) created_at: DateTime,
    pub(super) id: ID,
    pub(super) json_value: Json<Value>,
    pub(super) key: String,
    pub(super) namespace: String,
    pub(super) owner_type: MetafieldOwnerType,
    #[graphql(name = "type")]
    pub(super) type_name: String,
    pub(super) updated_at: DateTime,
    pub(super) value: String,
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
    pub(super) category: String,
    pub(super) name: String,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldDefinition")]
pub struct MetafieldDefinition {
    pub(super) description: Option<String>,
    pub(super) id: ID,
    pub(super) key: String,
    pub(super) name: String,
    pub(super) namespace: String,
    pub(super) owner_type: MetafieldOwnerType,
    #[graphql(name = "type")]
    pub(super) type_info: MetafieldDefinitionType,
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
    pub(super) namespace: Option<String>,
    pub(super) key: String,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) owner_type: MetafieldOwnerType,
    #[graphql(name = "type")]
    pub(super) type_name: String,
    #[graphql(default = false)]
    pub(super) pin: bool,
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
    pub(super) code: Option<MetafieldDefinitionCreateUserErrorCode>,
    pub(super) field: Option<Vec<String>>,
    pub(super) message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldDefinitionCreatePayload")]
pub struct MetafieldDefinitionCreatePayload {
    pub(super) created_definition: Option<MetafieldDefinition>,
    pub(super) user_errors: Vec<MetafieldDefinitionCreateUserError>,
}

#[derive(InputObject)]
#[graphql(name = "MetafieldsSetInput")]
pub struct MetafieldsSetInput {
    pub(super) owner_id: ID,
    pub(super) namespace: Option<String>,
    pub(super) key: String,
    pub(super) value: String,
    pub(super) compare_digest: Option<String>,
    #[graphql(name = "type")]
    pub(super) type_name: Option<String>,
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
    pub(super) code: Option<MetafieldsSetUserErrorCode>,
    pub(super) element_index: Option<i32>,
    pub(super) field: Option<Vec<String>>,
    pub(super) message: String,
}

#[derive(SimpleObject)]
#[graphql(name = "MetafieldsSetPayload")]
pub struct MetafieldsSetPayload {
    pub(super) metafields: Option<Vec<Metafield>>,
    pub(super) user_errors: Vec<MetafieldsSetUserError>,
}
