//! The merchant data a sandbox shop holds: customers, products, orders, checkouts and carts.
//! These are the sandbox's own records; `webhooks::payloads` renders them in Shopify's shapes.

pub mod native;
pub mod seed;

use rust_decimal::Decimal;
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct Address {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub province: String,
    pub province_code: String,
    pub country: String,
    pub country_code: String,
    pub zip: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Consent {
    /// `subscribed`, `not_subscribed`, `unsubscribed`, `pending` (or none yet for SMS).
    pub state: Option<String>,
    pub opt_in_level: Option<String>,
    pub updated_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: u64,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub state: String,
    pub verified_email: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub email_consent: Consent,
    pub sms_consent: Consent,
    pub address: Option<Address>,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub id: u64,
    pub product_id: u64,
    pub title: String,
    pub sku: Option<String>,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    pub position: u32,
    pub inventory_quantity: i64,
    pub inventory_item_id: u64,
    pub grams: u64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub title: String,
    pub body_html: String,
    pub vendor: String,
    pub product_type: String,
    pub handle: String,
    pub tags: Vec<String>,
    pub status: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone)]
pub struct LineItem {
    pub id: u64,
    pub product_id: Option<u64>,
    pub variant_id: Option<u64>,
    pub title: String,
    pub variant_title: Option<String>,
    pub sku: Option<String>,
    pub vendor: Option<String>,
    pub price: Decimal,
    pub quantity: u64,
    /// Quantity after refunds and edits.
    pub current_quantity: u64,
    pub fulfilled_quantity: u64,
    pub grams: u64,
    pub total_discount: Decimal,
}

impl LineItem {
    pub fn name(&self) -> String {
        match &self.variant_title {
            Some(v) => format!("{} - {v}", self.title),
            None => self.title.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RefundLineItem {
    pub id: u64,
    pub line_item_id: u64,
    pub quantity: u64,
    pub subtotal: Decimal,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub id: u64,
    pub order_id: u64,
    pub created_at: OffsetDateTime,
    pub note: Option<String>,
    pub line_items: Vec<RefundLineItem>,
    pub shipping: Decimal,
    pub transaction_id: u64,
}

impl Refund {
    pub fn amount(&self) -> Decimal {
        self.line_items.iter().map(|l| l.subtotal).sum::<Decimal>() + self.shipping
    }
}

#[derive(Debug, Clone)]
pub struct Fulfillment {
    pub id: u64,
    pub order_id: u64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub tracking_number: String,
    /// (line item id, quantity)
    pub line_items: Vec<(u64, u64)>,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub number: u64,
    pub token: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub customer_id: Option<u64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub cancelled_at: Option<OffsetDateTime>,
    pub cancel_reason: Option<String>,
    pub closed_at: Option<OffsetDateTime>,
    pub financial_status: String,
    pub line_items: Vec<LineItem>,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub discount: Option<(String, Decimal)>,
    pub checkout_token: Option<String>,
    pub cart_token: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub refunds: Vec<Refund>,
    pub fulfillments: Vec<Fulfillment>,
    pub address: Option<Address>,
    pub buyer_accepts_marketing: bool,
}

impl Order {
    pub fn name(&self) -> String {
        format!("#{}", self.order_number())
    }
    pub fn order_number(&self) -> u64 {
        1000 + self.number
    }
    pub fn line_items_total(&self) -> Decimal {
        self.line_items
            .iter()
            .map(|l| l.price * Decimal::from(l.quantity))
            .sum()
    }
    pub fn discount_amount(&self) -> Decimal {
        self.discount.as_ref().map(|(_, a)| *a).unwrap_or_default()
    }
    pub fn subtotal(&self) -> Decimal {
        self.line_items_total() - self.discount_amount()
    }
    pub fn total(&self) -> Decimal {
        self.subtotal() + self.shipping + self.tax
    }
    pub fn refunded(&self) -> Decimal {
        self.refunds.iter().map(Refund::amount).sum()
    }
    pub fn current_subtotal(&self) -> Decimal {
        let current: Decimal = self
            .line_items
            .iter()
            .map(|l| l.price * Decimal::from(l.current_quantity))
            .sum();
        (current - self.discount_amount()).max(Decimal::ZERO)
    }
    pub fn fulfillment_status(&self) -> Option<&'static str> {
        let wanted: u64 = self.line_items.iter().map(|l| l.current_quantity).sum();
        let done: u64 = self.line_items.iter().map(|l| l.fulfilled_quantity).sum();
        match (done, wanted) {
            (0, _) => None,
            (d, w) if d >= w => Some("fulfilled"),
            _ => Some("partial"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct CartLine {
    pub variant_id: u64,
    pub quantity: u64,
}

#[derive(Debug, Clone)]
pub struct Checkout {
    pub id: u64,
    pub token: String,
    pub cart_token: Option<String>,
    pub email: Option<String>,
    pub customer_id: Option<u64>,
    pub line_items: Vec<CartLine>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Cart {
    pub token: String,
    pub note: Option<String>,
    pub line_items: Vec<CartLine>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}
