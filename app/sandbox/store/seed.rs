//! Deterministic merchant history: customers, a catalog with variants and SKUs, and orders spread
//! over the past N days (90 unless asked) (some refunded), generated from a seeded RNG so every run looks the same.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use time::{Duration, OffsetDateTime};

use super::{
    Address, Consent, Customer, LineItem, Order, Product, Refund, RefundLineItem, Variant,
};

const FIRST: [&str; 24] = [
    "Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Lucas", "Mia", "Ethan", "Chloe",
    "Leo", "Zoe", "Hugo", "Nora", "Iris", "Omar", "Yuki", "Priya", "Kofi", "Elena", "Jonas",
    "Amara", "Diego",
];
const LAST: [&str; 24] = [
    "Smith",
    "Garcia",
    "Chen",
    "Okafor",
    "Müller",
    "Rossi",
    "Nguyen",
    "Kowalski",
    "Dubois",
    "Silva",
    "Tanaka",
    "Patel",
    "Johansson",
    "Murphy",
    "Haddad",
    "Kim",
    "Novak",
    "Ortiz",
    "Levy",
    "Brown",
    "Costa",
    "Ivanova",
    "Walsh",
    "Singh",
];
const CITIES: [(&str, &str, &str, &str, &str, &str); 6] = [
    ("Ottawa", "Ontario", "ON", "Canada", "CA", "K2P 2L8"),
    ("Toronto", "Ontario", "ON", "Canada", "CA", "M5V 2T6"),
    ("Austin", "Texas", "TX", "United States", "US", "78701"),
    ("Portland", "Oregon", "OR", "United States", "US", "97205"),
    ("Brooklyn", "New York", "NY", "United States", "US", "11201"),
    ("Denver", "Colorado", "CO", "United States", "US", "80202"),
];
const ADJECTIVES: [&str; 12] = [
    "Classic", "Organic", "Everyday", "Vintage", "Premium", "Linen", "Merino", "Recycled",
    "Studio", "Trail", "Cozy", "Minimal",
];
const NOUNS: [(&str, &str, u32); 10] = [
    ("T-Shirt", "Shirts", 2500),
    ("Hoodie", "Sweaters", 6500),
    ("Beanie", "Hats", 2200),
    ("Tote Bag", "Bags", 1800),
    ("Mug", "Kitchen", 1600),
    ("Candle", "Home", 2800),
    ("Notebook", "Stationery", 1400),
    ("Sneakers", "Shoes", 11000),
    ("Water Bottle", "Outdoor", 3200),
    ("Scarf", "Accessories", 3900),
];
const VENDORS: [&str; 5] = [
    "Acme",
    "Northwind",
    "Bluebird Goods",
    "Harbor & Co",
    "Fieldnote",
];
const SIZES: [&str; 4] = ["Small", "Medium", "Large", "XL"];
const TAGS: [&str; 6] = [
    "vip",
    "wholesale",
    "newsletter",
    "returning",
    "local",
    "influencer",
];

pub struct SeedCounts {
    pub customers: usize,
    pub products: usize,
    pub orders: usize,
    /// How far back the history reaches.
    pub days: i64,
}

pub struct Seeded {
    pub customers: Vec<Customer>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
}

/// Generates the records; `next_id` hands out ids, `existing_*` let orders reuse earlier data.
pub fn generate(
    counts: &SeedCounts,
    seed: u64,
    now: OffsetDateTime,
    first_order_number: u64,
    existing_customers: &[Customer],
    existing_products: &[Product],
    mut next_id: impl FnMut() -> u64,
) -> Seeded {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = now - Duration::days(counts.days);
    let span = counts.days * 86_400;
    let mut customers = Vec::with_capacity(counts.customers);
    for i in 0..counts.customers {
        let first = FIRST[rng.random_range(0..FIRST.len())];
        let last = LAST[rng.random_range(0..LAST.len())];
        let id = next_id();
        let created = start + Duration::seconds(rng.random_range(0..span));
        let city = CITIES[rng.random_range(0..CITIES.len())];
        let phone = (rng.random_range(0..3) == 0).then(|| format!("+1613555{:04}", i % 10_000));
        let subscribed = rng.random_range(0..10) < 4;
        let email = format!("{}.{}{}@example.com", ascii(first), ascii(last), i).to_lowercase();
        customers.push(Customer {
            id,
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            email: Some(email),
            phone: phone.clone(),
            tags: if rng.random_range(0..4) == 0 {
                vec![TAGS[rng.random_range(0..TAGS.len())].into()]
            } else {
                Vec::new()
            },
            note: None,
            state: if rng.random_range(0..3) == 0 {
                "enabled".into()
            } else {
                "disabled".into()
            },
            verified_email: true,
            created_at: created,
            updated_at: created,
            email_consent: Consent {
                state: Some(
                    if subscribed {
                        "subscribed"
                    } else {
                        "not_subscribed"
                    }
                    .into(),
                ),
                opt_in_level: Some("single_opt_in".into()),
                updated_at: subscribed.then_some(created),
            },
            sms_consent: Consent {
                state: phone.as_ref().map(|_| "not_subscribed".into()),
                opt_in_level: None,
                updated_at: None,
            },
            address: Some(Address {
                id: next_id(),
                first_name: first.into(),
                last_name: last.into(),
                company: None,
                address1: format!(
                    "{} {} Street",
                    rng.random_range(1..999),
                    LAST[rng.random_range(0..LAST.len())]
                ),
                address2: None,
                city: city.0.into(),
                province: city.1.into(),
                province_code: city.2.into(),
                country: city.3.into(),
                country_code: city.4.into(),
                zip: city.5.into(),
                phone,
            }),
        });
    }
    let mut products = Vec::with_capacity(counts.products);
    for i in 0..counts.products {
        let adjective = ADJECTIVES[rng.random_range(0..ADJECTIVES.len())];
        let (noun, kind, cents) = NOUNS[rng.random_range(0..NOUNS.len())];
        let title = format!("{adjective} {noun}");
        let id = next_id();
        let created = start - Duration::days(rng.random_range(1..365));
        let sized = rng.random_range(0..2) == 0;
        let n_variants = if sized { rng.random_range(2..=3) } else { 1 };
        let price = Decimal::new(i64::from(cents) + rng.random_range(0..20) * 100 - 1, 2);
        let sku_base = format!(
            "{}-{:04}",
            noun.chars()
                .filter(char::is_ascii_alphabetic)
                .take(3)
                .collect::<String>()
                .to_uppercase(),
            i
        );
        let variants = (0..n_variants)
            .map(|v| Variant {
                id: next_id(),
                product_id: id,
                title: if sized {
                    SIZES[v].into()
                } else {
                    "Default Title".into()
                },
                sku: Some(if sized {
                    format!("{sku_base}-{}", &SIZES[v][..1])
                } else {
                    sku_base.clone()
                }),
                price,
                compare_at_price: None,
                position: v as u32 + 1,
                inventory_quantity: rng.random_range(0..200),
                inventory_item_id: next_id(),
                grams: rng.random_range(50..1500),
                created_at: created,
                updated_at: created,
            })
            .collect();
        products.push(Product {
            id,
            handle: format!("{}-{i}", title.to_lowercase().replace(' ', "-")),
            title,
            body_html: format!(
                "<p>A {} {} from our {kind} collection.</p>",
                adjective.to_lowercase(),
                noun.to_lowercase()
            ),
            vendor: VENDORS[rng.random_range(0..VENDORS.len())].into(),
            product_type: kind.into(),
            tags: vec![kind.to_lowercase()],
            status: "active".into(),
            created_at: created,
            updated_at: created,
            variants,
        });
    }
    let all_customers: Vec<&Customer> = existing_customers.iter().chain(customers.iter()).collect();
    let all_products: Vec<&Product> = existing_products.iter().chain(products.iter()).collect();
    let mut orders = Vec::with_capacity(counts.orders);
    if !all_products.is_empty() {
        let mut times: Vec<OffsetDateTime> = (0..counts.orders)
            .map(|_| start + Duration::seconds(rng.random_range(0..span)))
            .collect();
        times.sort();
        for (i, created) in times.into_iter().enumerate() {
            let customer = (!all_customers.is_empty() && rng.random_range(0..10) > 0)
                .then(|| all_customers[rng.random_range(0..all_customers.len())]);
            let n_lines = rng.random_range(1..=3);
            let line_items: Vec<LineItem> = (0..n_lines)
                .map(|_| {
                    let p = all_products[rng.random_range(0..all_products.len())];
                    let v = &p.variants[rng.random_range(0..p.variants.len())];
                    let quantity = rng.random_range(1..=3);
                    LineItem {
                        id: next_id(),
                        product_id: Some(p.id),
                        variant_id: Some(v.id),
                        title: p.title.clone(),
                        variant_title: (v.title != "Default Title").then(|| v.title.clone()),
                        sku: v.sku.clone(),
                        vendor: Some(p.vendor.clone()),
                        price: v.price,
                        quantity,
                        current_quantity: quantity,
                        fulfilled_quantity: 0,
                        grams: v.grams,
                        total_discount: Decimal::ZERO,
                    }
                })
                .collect();
            let subtotal: Decimal = line_items
                .iter()
                .map(|l| l.price * Decimal::from(l.quantity))
                .sum();
            let discount = (rng.random_range(0..6) == 0).then(|| {
                (
                    "WELCOME10".to_string(),
                    (subtotal / Decimal::from(10)).round_dp(2),
                )
            });
            let shipping = if subtotal > Decimal::from(75) {
                Decimal::ZERO
            } else {
                Decimal::new(795, 2)
            };
            let tax = ((subtotal - discount.as_ref().map_or(Decimal::ZERO, |d| d.1))
                * Decimal::new(8, 2))
            .round_dp(2);
            let id = next_id();
            let mut order = Order {
                id,
                number: first_order_number + i as u64,
                token: format!("{:032x}", u128::from(id) * 0x9e37_79b9_7f4a_7c15),
                email: customer.and_then(|c| c.email.clone()),
                phone: customer.and_then(|c| c.phone.clone()),
                customer_id: customer.map(|c| c.id),
                created_at: created,
                updated_at: created,
                cancelled_at: None,
                cancel_reason: None,
                closed_at: Some(created + Duration::days(3)),
                financial_status: "paid".into(),
                line_items,
                shipping,
                tax,
                discount,
                checkout_token: None,
                cart_token: None,
                note: None,
                tags: Vec::new(),
                refunds: Vec::new(),
                fulfillments: Vec::new(),
                address: customer.and_then(|c| c.address.clone()),
                buyer_accepts_marketing: customer
                    .is_some_and(|c| c.email_consent.state.as_deref() == Some("subscribed")),
            };
            if rng.random_range(0..100) < 8 {
                let li = &mut order.line_items[0];
                let quantity = 1;
                li.current_quantity -= quantity;
                let refund = Refund {
                    id: next_id(),
                    order_id: id,
                    created_at: created + Duration::days(rng.random_range(1..10)),
                    note: Some("Customer return".into()),
                    line_items: vec![RefundLineItem {
                        id: next_id(),
                        line_item_id: li.id,
                        quantity,
                        subtotal: li.price,
                    }],
                    shipping: Decimal::ZERO,
                    transaction_id: next_id(),
                };
                order.updated_at = refund.created_at;
                order.refunds.push(refund);
                order.financial_status = if order.refunded() >= order.total() {
                    "refunded".into()
                } else {
                    "partially_refunded".into()
                };
            }
            orders.push(order);
        }
    }
    Seeded {
        customers,
        products,
        orders,
    }
}

fn ascii(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}
