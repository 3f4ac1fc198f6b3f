//! The canonical event, the entity snapshots and the protected data a webhook yields.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Everything one webhook delivery yields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mapped {
    pub events: Vec<CanonicalEvent>,
    /// Current state of the business objects, for out-of-order resolution: keep the snapshot
    /// with the greatest `updated_at_ms` per object.
    pub entities: Vec<EntityChange>,
    /// Protected customer data found in the payload, for the PII vault. A `None` field means
    /// "not in this payload", never "erased".
    pub people: Vec<PersonData>,
}

/// What happened, in our vocabulary. `as_str()` is the canonical name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Purchase,
    OrderCreated,
    OrderUpdated,
    OrderModified,
    OrderCancelled,
    OrderFulfilled,
    CheckoutStart,
    CheckoutUpdate,
    CheckoutAbandoned,
    CartUpdate,
    CustomerCreated,
    CustomerUpdated,
    CustomerDeleted,
    CustomersMerged,
    ConsentChange,
    Refund,
    FulfillmentCreated,
    FulfillmentUpdated,
    ProductCreated,
    ProductUpdated,
    ProductDeleted,
    // Storefront behaviour, from the Web Pixel.
    PageView,
    ProductView,
    CollectionView,
    Search,
    AddToCart,
    RemoveFromCart,
    CartView,
    CheckoutContactInfo,
    CheckoutShippingInfo,
    PaymentInfo,
}

impl EventKind {
    pub const ALL: [EventKind; 31] = [
        EventKind::Purchase,
        EventKind::OrderCreated,
        EventKind::OrderUpdated,
        EventKind::OrderModified,
        EventKind::OrderCancelled,
        EventKind::OrderFulfilled,
        EventKind::CheckoutStart,
        EventKind::CheckoutUpdate,
        EventKind::CheckoutAbandoned,
        EventKind::CartUpdate,
        EventKind::CustomerCreated,
        EventKind::CustomerUpdated,
        EventKind::CustomerDeleted,
        EventKind::CustomersMerged,
        EventKind::ConsentChange,
        EventKind::Refund,
        EventKind::FulfillmentCreated,
        EventKind::FulfillmentUpdated,
        EventKind::ProductCreated,
        EventKind::ProductUpdated,
        EventKind::ProductDeleted,
        EventKind::PageView,
        EventKind::ProductView,
        EventKind::CollectionView,
        EventKind::Search,
        EventKind::AddToCart,
        EventKind::RemoveFromCart,
        EventKind::CartView,
        EventKind::CheckoutContactInfo,
        EventKind::CheckoutShippingInfo,
        EventKind::PaymentInfo,
    ];

    /// Kinds that happen many times to one object, keyed by its `updated_at`.
    pub fn is_versioned_change(self) -> bool {
        matches!(
            self,
            EventKind::OrderUpdated
                | EventKind::CheckoutUpdate
                | EventKind::CartUpdate
                | EventKind::CustomerUpdated
                | EventKind::FulfillmentUpdated
                | EventKind::ProductUpdated
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Purchase => "purchase",
            EventKind::OrderCreated => "order_created",
            EventKind::OrderUpdated => "order_updated",
            EventKind::OrderModified => "order_modified",
            EventKind::OrderCancelled => "order_cancelled",
            EventKind::OrderFulfilled => "order_fulfilled",
            EventKind::CheckoutStart => "checkout_start",
            EventKind::CheckoutUpdate => "checkout_update",
            EventKind::CheckoutAbandoned => "checkout_abandoned",
            EventKind::CartUpdate => "cart_update",
            EventKind::CustomerCreated => "customer_created",
            EventKind::CustomerUpdated => "customer_updated",
            EventKind::CustomerDeleted => "customer_deleted",
            EventKind::CustomersMerged => "customers_merged",
            EventKind::ConsentChange => "consent_change",
            EventKind::Refund => "refund",
            EventKind::FulfillmentCreated => "fulfillment_created",
            EventKind::FulfillmentUpdated => "fulfillment_updated",
            EventKind::ProductCreated => "product_created",
            EventKind::ProductUpdated => "product_updated",
            EventKind::ProductDeleted => "product_deleted",
            EventKind::PageView => "page_view",
            EventKind::ProductView => "product_view",
            EventKind::CollectionView => "collection_view",
            EventKind::Search => "search",
            EventKind::AddToCart => "add_to_cart",
            EventKind::RemoveFromCart => "remove_from_cart",
            EventKind::CartView => "cart_view",
            EventKind::CheckoutContactInfo => "checkout_contact_info",
            EventKind::CheckoutShippingInfo => "checkout_shipping_info",
            EventKind::PaymentInfo => "payment_info",
        }
    }

    /// Storefront behaviour reported by the Web Pixel (checkout starts and purchases come from
    /// both the pixel and webhooks).
    pub fn is_storefront(self) -> bool {
        matches!(
            self,
            EventKind::PageView
                | EventKind::ProductView
                | EventKind::CollectionView
                | EventKind::Search
                | EventKind::AddToCart
                | EventKind::RemoveFromCart
                | EventKind::CartView
                | EventKind::CheckoutContactInfo
                | EventKind::CheckoutShippingInfo
                | EventKind::PaymentInfo
        )
    }

    /// Something the buyer did (browsing, a cart, a checkout, an order placed), as opposed to
    /// what the merchant or Shopify did to their records: only this moves "last seen".
    pub fn is_buyer_activity(self) -> bool {
        self.is_storefront()
            || matches!(
                self,
                EventKind::Purchase
                    | EventKind::OrderCreated
                    | EventKind::CheckoutStart
                    | EventKind::CheckoutUpdate
                    | EventKind::CartUpdate
            )
    }

    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    /// The Segment Ecommerce v2 event this kind is sent as, or None when the spec has no event
    /// for it (the kind still feeds profiles and segments). "Checkout Abandoned" is the one
    /// name outside the v2 spec: Segment documents no abandonment event, and destinations
    /// (Klaviyo, Braze, Iterable) key their recovery flows on an explicit event.
    pub fn segment_name(self) -> Option<&'static str> {
        Some(match self {
            EventKind::Purchase => "Order Completed",
            EventKind::OrderUpdated => "Order Updated",
            EventKind::OrderCancelled => "Order Cancelled",
            EventKind::CheckoutStart => "Checkout Started",
            EventKind::CheckoutAbandoned => "Checkout Abandoned",
            EventKind::Refund => "Order Refunded",
            EventKind::ProductView => "Product Viewed",
            EventKind::CollectionView => "Product List Viewed",
            EventKind::Search => "Products Searched",
            EventKind::AddToCart => "Product Added",
            EventKind::RemoveFromCart => "Product Removed",
            EventKind::CartView => "Cart Viewed",
            EventKind::CheckoutContactInfo | EventKind::CheckoutShippingInfo => {
                "Checkout Step Completed"
            }
            EventKind::PaymentInfo => "Payment Info Entered",
            // A page view is Segment's Page call, not a Track event.
            _ => return None,
        })
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One business change, with Segment-spec properties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanonicalEvent {
    pub kind: EventKind,
    /// Segment v2 name; always `kind.segment_name()`.
    pub segment_name: Option<&'static str>,
    /// Stable business identity of the change: `<kind>:<object>:<id>[:<version>:<state>]`, e.g.
    /// `purchase:order:820982911946154508` or
    /// `customer_updated:customer:42:1640995200000:<digest of the properties>`.
    /// Redelivery of the same change, under any webhook or event id, yields the same key.
    pub dedupe_key: String,
    /// From Shopify's own timestamps, never the arrival time; 0 when the payload carries no
    /// time and no `triggered_at` was given (see `map_webhook_at`).
    pub occurred_at_ms: i64,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub checkout_token: Option<String>,
    pub cart_token: Option<String>,
    /// The storefront visitor (the Web Pixel's client id); set only for pixel events.
    pub anonymous_id: Option<String>,
    /// The source's own id for the event (the pixel's event id), Segment's `messageId`.
    pub message_id: Option<String>,
    /// The visitor's consent when the event happened; pixel events carry it.
    pub consent: Option<Consent>,
    /// Segment-spec properties; never protected customer data (see `people`).
    pub properties: Map<String, Value>,
}

/// A visitor's consent, by Shopify's customer-privacy categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub analytics: bool,
    pub marketing: bool,
    pub preferences: bool,
    pub sale_of_data: bool,
}

impl Consent {
    /// As Segment's consent object carries it (`context.consent`).
    pub fn segment_object(&self) -> Value {
        serde_json::json!({
            "categoryPreferences": {
                "analytics": self.analytics,
                "marketing": self.marketing,
                "preferences": self.preferences,
                "sale_of_data": self.sale_of_data,
            }
        })
    }
}

impl CanonicalEvent {
    pub(crate) fn new(kind: EventKind, dedupe_key: String, occurred_at_ms: i64) -> Self {
        CanonicalEvent {
            kind,
            segment_name: kind.segment_name(),
            dedupe_key,
            occurred_at_ms,
            customer_id: None,
            order_id: None,
            checkout_token: None,
            cart_token: None,
            anonymous_id: None,
            message_id: None,
            consent: None,
            properties: Map::new(),
        }
    }

    /// Shopify stamps `updated_at` in whole seconds, so two different changes of one object in
    /// the same second share a versioned key: whether they collapsed into one event depended on
    /// where the second boundary fell (the flaky capture test). A digest of what the event
    /// reports tells them apart, while a redelivery of the same change, under any webhook id,
    /// reports the same and still dedupes.
    pub(crate) fn separate_changes_within_a_second(&mut self) {
        use sha2::Digest;
        if !self.kind.is_versioned_change() {
            return;
        }
        // `Map` keeps keys sorted, so the same properties always serialise the same way.
        let state = Value::Object(self.properties.clone()).to_string();
        let digest = sha2::Sha256::digest(state.as_bytes());
        self.dedupe_key = format!("{}:{}", self.dedupe_key, hex::encode(&digest[..8]));
    }

    /// A money property read back as an exact Decimal (`total`, `revenue`, …).
    pub fn decimal(&self, property: &str) -> Option<Decimal> {
        match self.properties.get(property)? {
            Value::Number(number) => crate::shopify::payloads::parse_decimal(&number.to_string()),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for CanonicalEvent {
    /// `segment_name` is derived from `kind`, whatever the stored text says.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            kind: EventKind,
            dedupe_key: String,
            occurred_at_ms: i64,
            customer_id: Option<String>,
            order_id: Option<String>,
            checkout_token: Option<String>,
            cart_token: Option<String>,
            #[serde(default)]
            anonymous_id: Option<String>,
            #[serde(default)]
            message_id: Option<String>,
            #[serde(default)]
            consent: Option<Consent>,
            #[serde(default)]
            properties: Map<String, Value>,
        }
        let s = Stored::deserialize(deserializer)?;
        Ok(CanonicalEvent {
            segment_name: s.kind.segment_name(),
            kind: s.kind,
            dedupe_key: s.dedupe_key,
            occurred_at_ms: s.occurred_at_ms,
            customer_id: s.customer_id,
            order_id: s.order_id,
            checkout_token: s.checkout_token,
            cart_token: s.cart_token,
            anonymous_id: s.anonymous_id,
            message_id: s.message_id,
            consent: s.consent,
            properties: s.properties,
        })
    }
}

/// The current state of a business object. Deletions are terminal, so their `updated_at_ms`
/// is `i64::MAX`: they supersede any snapshot delivered late.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entity", rename_all = "snake_case")]
pub enum EntityChange {
    Order {
        id: String,
        updated_at_ms: i64,
        customer_id: Option<String>,
        financial_status: Option<String>,
        fulfillment_status: Option<String>,
        cancelled: bool,
        /// After edits and refunds (Shopify's `current_total_price`), shop currency.
        total: Decimal,
        currency: String,
        checkout_token: Option<String>,
        cart_token: Option<String>,
        /// When the order was placed (`processed_at`, else `created_at`).
        #[serde(default)]
        placed_at_ms: Option<i64>,
    },
    Customer {
        id: String,
        updated_at_ms: i64,
        state: Option<String>,
        /// `None`: the delivery did not say; the stored tags stand.
        tags: Option<Vec<String>>,
        email_marketing: Option<String>,
        sms_marketing: Option<String>,
        deleted: bool,
        #[serde(default)]
        created_at_ms: Option<i64>,
        #[serde(default)]
        verified_email: Option<bool>,
        #[serde(default)]
        email_opt_in_level: Option<String>,
        #[serde(default)]
        sms_opt_in_level: Option<String>,
        /// Shopify's `consent_updated_at` of each channel, which orders consent changes.
        #[serde(default)]
        email_consent_at_ms: Option<i64>,
        #[serde(default)]
        sms_consent_at_ms: Option<i64>,
    },
    /// A marketing-consent webhook: one channel of one customer.
    Consent {
        customer_id: String,
        /// `email` or `sms`.
        channel: String,
        state: Option<String>,
        opt_in_level: Option<String>,
        updated_at_ms: i64,
    },
    Product {
        id: String,
        updated_at_ms: i64,
        title: Option<String>,
        vendor: Option<String>,
        product_type: Option<String>,
        status: Option<String>,
        deleted: bool,
    },
    Checkout {
        token: String,
        updated_at_ms: i64,
        customer_id: Option<String>,
        completed: bool,
        total: Decimal,
        currency: String,
        recovery_url: Option<String>,
        /// The Segment `products` array.
        line_items: Value,
    },
    CustomerMerge {
        kept: String,
        merged: Vec<String>,
    },
    /// Tags added to or removed from a customer: each tag keeps its latest change.
    CustomerTags {
        customer_id: String,
        tags: Vec<String>,
        added: bool,
        at_ms: i64,
    },
}

/// Protected customer data for the PII vault. `Debug` prints no value.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonData {
    pub customer_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The default address as compact JSON.
    pub address: Option<String>,
}

impl fmt::Debug for PersonData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present = |field: &Option<String>| if field.is_some() { "set" } else { "none" };
        f.debug_struct("PersonData")
            .field("customer_id", &"***")
            .field("email", &present(&self.email))
            .field("phone", &present(&self.phone))
            .field("first_name", &present(&self.first_name))
            .field("last_name", &present(&self.last_name))
            .field("address", &present(&self.address))
            .finish()
    }
}

impl PersonData {
    /// True when the payload carried no protected field for this customer.
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.phone.is_none()
            && self.first_name.is_none()
            && self.last_name.is_none()
            && self.address.is_none()
    }

    /// The people list for a payload: one entry, unless it holds nothing protected.
    pub(crate) fn list(person: Option<PersonData>) -> Vec<PersonData> {
        person.filter(|p| !p.is_empty()).into_iter().collect()
    }
}
