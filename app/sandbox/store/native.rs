//! What a shop holds for the app's native integrations: its web pixel, customer segments,
//! metafield definitions and values, and automatic app discounts.

use std::collections::BTreeMap;

use serde_json::Value;
use time::OffsetDateTime;

#[derive(Debug, Clone, Default)]
pub struct NativeData {
    /// Shopify allows one web pixel per app per shop.
    pub web_pixel: Option<WebPixelRecord>,
    pub segments: BTreeMap<u64, SegmentRecord>,
    pub metafield_definitions: Vec<MetafieldDefinitionRecord>,
    /// Keyed by (owner GID, namespace, key).
    pub metafields: BTreeMap<(String, String, String), MetafieldRecord>,
    pub discounts: BTreeMap<u64, DiscountRecord>,
}

#[derive(Debug, Clone)]
pub struct WebPixelRecord {
    pub id: u64,
    /// Always a JSON object whose values are strings.
    pub settings: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct SegmentRecord {
    pub id: u64,
    pub name: String,
    pub query: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct MetafieldDefinitionRecord {
    pub id: u64,
    pub name: String,
    pub namespace: String,
    pub key: String,
    pub type_name: String,
    /// e.g. `CUSTOMER`.
    pub owner_type: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MetafieldRecord {
    pub id: u64,
    pub owner_id: String,
    pub owner_type: String,
    pub namespace: String,
    pub key: String,
    pub type_name: String,
    pub value: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CombinesWith {
    pub order_discounts: bool,
    pub product_discounts: bool,
    pub shipping_discounts: bool,
}

#[derive(Debug, Clone)]
pub struct DiscountRecord {
    pub id: u64,
    pub title: String,
    pub function_id: String,
    pub starts_at: OffsetDateTime,
    pub ends_at: Option<OffsetDateTime>,
    pub combines_with: CombinesWith,
    /// `PRODUCT`, `ORDER`, `SHIPPING`.
    pub discount_classes: Vec<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}
