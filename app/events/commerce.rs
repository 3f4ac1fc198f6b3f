//! Our commerce types: what a Shopify webhook tells us, in our own terms. The Shopify boundary
//! (`crate::shopify::payloads`) builds these; the event mapping reads them. Ids are normalised
//! decimal strings, times are Unix milliseconds, money is exact `Decimal` in the shop currency.

use rust_decimal::Decimal;

/// Amounts of an order or checkout, in the shop currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub currency: String,
    /// What the buyer pays: subtotal + shipping + tax (Shopify's `total_price`).
    pub total: Decimal,
    /// After discounts, before shipping and tax (Shopify's `subtotal_price`).
    pub subtotal: Decimal,
    pub tax: Decimal,
    pub shipping: Decimal,
    pub discount: Decimal,
}

/// The same total in the buyer's currency, when Shopify gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentment {
    pub currency: String,
    pub total: Option<Decimal>,
}

/// One line of an order, checkout, cart, refund or fulfillment.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub product_id: Option<String>,
    pub variant_id: Option<String>,
    pub sku: Option<String>,
    /// The product's title.
    pub name: Option<String>,
    /// The variant's title (`"Pink"`).
    pub variant: Option<String>,
    /// The vendor.
    pub brand: Option<String>,
    /// Unit price in the shop currency.
    pub price: Decimal,
    pub quantity: u64,
}

/// Protected customer data found in a payload: one type from the payload to the PII vault.
pub use super::model::PersonData as Person;

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub id: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub processed_at_ms: Option<i64>,
    pub cancelled_at_ms: Option<i64>,
    pub cancel_reason: Option<String>,
    pub customer_id: Option<String>,
    pub checkout_id: Option<String>,
    pub checkout_token: Option<String>,
    pub cart_token: Option<String>,
    pub financial_status: Option<String>,
    pub fulfillment_status: Option<String>,
    pub source_name: Option<String>,
    pub test: bool,
    pub totals: Totals,
    /// Shopify's `current_total_price`: the total after edits and refunds.
    pub current_total: Decimal,
    pub presentment: Option<Presentment>,
    pub coupons: Vec<String>,
    pub lines: Vec<Line>,
    pub person: Option<Person>,
}

/// `orders/edited`: which lines an edit added or removed.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderEdit {
    pub id: String,
    pub order_id: String,
    pub occurred_at_ms: i64,
    pub added: Vec<LineDelta>,
    pub removed: Vec<LineDelta>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineDelta {
    pub line_item_id: String,
    pub delta: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Refund {
    pub id: String,
    pub order_id: String,
    pub occurred_at_ms: i64,
    pub currency: Option<String>,
    /// Money returned to the buyer, in the shop currency (positive).
    pub amount: Decimal,
    /// Refunded merchandise after discounts (the refund lines' subtotals).
    pub merchandise: Decimal,
    pub tax: Decimal,
    pub shipping: Decimal,
    /// The refunded lines, with the refunded quantity.
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Checkout {
    pub token: String,
    pub cart_token: Option<String>,
    pub customer_id: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub completed_at_ms: Option<i64>,
    pub totals: Totals,
    pub presentment: Option<Presentment>,
    pub coupons: Vec<String>,
    pub lines: Vec<Line>,
    pub recovery_url: Option<String>,
    pub person: Option<Person>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cart {
    pub token: String,
    pub created_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub currency: Option<String>,
    /// Sum of the lines' discounted line prices.
    pub value: Decimal,
    pub lines: Vec<Line>,
}

/// A marketing consent as Shopify reports it (`subscribed`, `not_subscribed`, …).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Consent {
    pub state: Option<String>,
    pub opt_in_level: Option<String>,
    pub updated_at_ms: Option<i64>,
    pub collected_from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentChannel {
    Email,
    Sms,
}

impl ConsentChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentChannel::Email => "email",
            ConsentChannel::Sms => "sms",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Customer {
    pub id: String,
    pub created_at_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub state: Option<String>,
    /// `None` when the payload does not carry tags (Shopify's customer webhooks stopped
    /// sending them in 2026-04): unknown, not "no tags", so the stored ones are kept.
    pub tags: Option<Vec<String>>,
    pub verified_email: Option<bool>,
    pub currency: Option<String>,
    pub email_marketing: Option<Consent>,
    pub sms_marketing: Option<Consent>,
    pub person: Person,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConsentUpdate {
    pub customer_id: String,
    pub channel: ConsentChannel,
    pub consent: Consent,
    /// The email address or phone number the consent is about.
    pub person: Person,
}

/// Tags added to or removed from one customer, at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct TagsChange {
    pub customer_id: String,
    pub tags: Vec<String>,
    /// `true`: added; `false`: removed.
    pub added: bool,
    pub occurred_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerMerge {
    pub kept: String,
    pub merged: Vec<String>,
    /// Shopify's merge request status; only `completed` merges changed anything.
    pub status: Option<String>,
}

impl CustomerMerge {
    pub fn completed(&self) -> bool {
        self.status.as_deref() == Some("completed")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fulfillment {
    pub id: String,
    pub order_id: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub status: Option<String>,
    pub shipment_status: Option<String>,
    pub tracking_company: Option<String>,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub id: Option<String>,
    pub sku: Option<String>,
    pub title: Option<String>,
    pub price: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: String,
    pub created_at_ms: Option<i64>,
    pub updated_at_ms: Option<i64>,
    pub title: Option<String>,
    pub vendor: Option<String>,
    pub product_type: Option<String>,
    pub status: Option<String>,
    pub handle: Option<String>,
    pub tags: Vec<String>,
    pub variants: Vec<Variant>,
}

/// `customers/delete`, `products/delete`: only the id survives.
#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    pub id: String,
}
