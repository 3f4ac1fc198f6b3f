//! Order and customer traits of one customer, recomputed from that customer's entity rows (the
//! newest state of each order and of the customer, whatever order webhooks came in), so a
//! duplicate or late delivery cannot count anything twice. A recompute that changes nothing
//! writes nothing: no new profile version.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use sqlx::AnyConnection;

use crate::clock::now_ms;
use crate::identity::{self, IdKind, Identifier};

/// The customer-derived traits, as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerTraits {
    pub lifetime_value: Decimal,
    pub order_count: i64,
    pub first_order_at: Option<i64>,
    pub last_order_at: Option<i64>,
    pub currency: Option<String>,
    pub tags: String,
    pub state: Option<String>,
    pub verified_email: Option<i64>,
    pub email_consent: Option<String>,
    pub email_opt_in: Option<String>,
    pub sms_consent: Option<String>,
    pub sms_opt_in: Option<String>,
    pub customer_created_at: Option<i64>,
}

impl CustomerTraits {
    /// Names of the traits that differ, for re-evaluating only the segments that read them.
    pub fn changed(&self, other: &CustomerTraits) -> BTreeSet<&'static str> {
        let mut changed = BTreeSet::new();
        let mut check = |name, differs: bool| {
            if differs {
                changed.insert(name);
            }
        };
        check(
            "lifetime_value",
            self.lifetime_value != other.lifetime_value,
        );
        check(
            "average_order_value",
            self.lifetime_value != other.lifetime_value || self.order_count != other.order_count,
        );
        check("order_count", self.order_count != other.order_count);
        check(
            "first_order_at",
            self.first_order_at != other.first_order_at,
        );
        check("last_order_at", self.last_order_at != other.last_order_at);
        check("currency", self.currency != other.currency);
        check("tags", self.tags != other.tags);
        check("state", self.state != other.state);
        check(
            "verified_email",
            self.verified_email != other.verified_email,
        );
        check("email_consent", self.email_consent != other.email_consent);
        check("email_opt_in", self.email_opt_in != other.email_opt_in);
        check("sms_consent", self.sms_consent != other.sms_consent);
        check("sms_opt_in", self.sms_opt_in != other.sms_opt_in);
        check(
            "created_at",
            self.customer_created_at != other.customer_created_at,
        );
        changed
    }
}

/// Every trait `CustomerTraits::changed` can name.
pub const CUSTOMER_TRAITS: [&str; 14] = [
    "lifetime_value",
    "average_order_value",
    "order_count",
    "first_order_at",
    "last_order_at",
    "currency",
    "tags",
    "state",
    "verified_email",
    "email_consent",
    "email_opt_in",
    "sms_consent",
    "sms_opt_in",
    "created_at",
];

/// What a refresh changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Refreshed {
    pub person_id: String,
    pub changed: BTreeSet<&'static str>,
}

type CustomerRow = (
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Recomputes one customer's traits from their rows; `None` when nothing changed.
pub async fn refresh_customer(
    conn: &mut AnyConnection,
    shop_id: &str,
    customer_id: &str,
) -> Result<Option<Refreshed>, sqlx::Error> {
    let id = Identifier::new(IdKind::Customer, customer_id);
    let person_id = match identity::person_of(conn, shop_id, &id).await? {
        Some(person) => person,
        None => identity::link(conn, shop_id, std::slice::from_ref(&id), now_ms())
            .await?
            .person_id
            .unwrap_or_else(|| id.person_id()),
    };
    let mut traits = CustomerTraits::default();
    let customer = sqlx::query_as::<_, CustomerRow>(
        "SELECT state, tags, email_marketing, email_opt_in, sms_marketing, sms_opt_in, verified_email, customer_created_at \
         FROM customers WHERE shop_id = $1 AND customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((state, tags, email, email_opt_in, sms, sms_opt_in, verified, created)) = customer {
        traits.state = state;
        traits.tags = tags;
        traits.email_consent = email;
        traits.email_opt_in = email_opt_in;
        traits.sms_consent = sms;
        traits.sms_opt_in = sms_opt_in;
        traits.verified_email = verified;
        traits.customer_created_at = created;
    }
    // Cancelled orders neither count nor add value; `total` is already net of refunds and edits.
    let orders = sqlx::query_as::<_, (String, i64, Option<i64>, String)>(
        "SELECT total, CAST(CASE WHEN cancelled THEN 1 ELSE 0 END AS BIGINT), placed_at, currency \
         FROM orders WHERE shop_id = $1 AND customer_id = $2",
    )
    .bind(shop_id)
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    for (total, cancelled, placed_at, currency) in orders {
        if cancelled == 1 {
            continue;
        }
        traits.lifetime_value += total.parse::<Decimal>().unwrap_or_default();
        traits.order_count += 1;
        if let Some(at) = placed_at {
            traits.first_order_at = Some(traits.first_order_at.map_or(at, |f| f.min(at)));
            traits.last_order_at = Some(traits.last_order_at.map_or(at, |l| l.max(at)));
        }
        if traits.currency.is_none() && !currency.is_empty() {
            traits.currency = Some(currency);
        }
    }
    traits.lifetime_value = traits.lifetime_value.normalize();

    let stored = load(conn, shop_id, &person_id).await?;
    let changed = match &stored {
        Some(old) => traits.changed(old),
        // A new profile: every segment reading customer traits must look at it.
        None => CUSTOMER_TRAITS.iter().copied().collect(),
    };
    if stored.is_some() && changed.is_empty() {
        return Ok(None);
    }
    sqlx::query(
        "INSERT INTO profiles (shop_id, person_id, customer_id, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, person_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(&person_id)
    .bind(customer_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE profiles SET customer_id = $1, lifetime_value = $2, order_count = $3, first_order_at = $4, last_order_at = $5, \
         currency = $6, tags = $7, state = $8, verified_email = $9, email_consent = $10, email_opt_in = $11, sms_consent = $12, \
         sms_opt_in = $13, customer_created_at = $14, version = version + 1, updated_at = $15 WHERE shop_id = $16 AND person_id = $17",
    )
    .bind(customer_id)
    .bind(traits.lifetime_value.to_string())
    .bind(traits.order_count)
    .bind(traits.first_order_at)
    .bind(traits.last_order_at)
    .bind(traits.currency.as_deref())
    .bind(&traits.tags)
    .bind(traits.state.as_deref())
    .bind(traits.verified_email)
    .bind(traits.email_consent.as_deref())
    .bind(traits.email_opt_in.as_deref())
    .bind(traits.sms_consent.as_deref())
    .bind(traits.sms_opt_in.as_deref())
    .bind(traits.customer_created_at)
    .bind(now_ms())
    .bind(shop_id)
    .bind(&person_id)
    .execute(&mut *conn)
    .await?;
    Ok(Some(Refreshed { person_id, changed }))
}

type TraitRow = (
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

async fn load(
    conn: &mut AnyConnection,
    shop_id: &str,
    person_id: &str,
) -> Result<Option<CustomerTraits>, sqlx::Error> {
    let row = sqlx::query_as::<_, TraitRow>(
        "SELECT lifetime_value, order_count, first_order_at, last_order_at, currency, tags, state, verified_email, \
         email_consent, email_opt_in, sms_consent, sms_opt_in, customer_created_at FROM profiles WHERE shop_id = $1 AND person_id = $2",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| CustomerTraits {
        lifetime_value: r.0.parse().unwrap_or_default(),
        order_count: r.1,
        first_order_at: r.2,
        last_order_at: r.3,
        currency: r.4,
        tags: r.5,
        state: r.6,
        verified_email: r.7,
        email_consent: r.8,
        email_opt_in: r.9,
        sms_consent: r.10,
        sms_opt_in: r.11,
        customer_created_at: r.12,
    }))
}
