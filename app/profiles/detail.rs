//! One profile as the admin shows it: every trait, the protected fields from the vault, and the
//! identifiers joined into the person (their events are in `timeline`).

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;

use super::QueryError;
use super::directory::{full_name, money_text};
use crate::pii::Vault;
use crate::store::Db;

#[derive(Debug, Clone, Serialize)]
pub struct Traits {
    pub lifetime_value: String,
    pub currency: Option<String>,
    pub order_count: i64,
    pub first_order_at: Option<i64>,
    pub last_order_at: Option<i64>,
    /// Lifetime value over orders, two places; `None` before a first order.
    pub average_order_value: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub country: Option<String>,
    /// The default address on one line, from the vault.
    pub default_address: Option<String>,
    pub tags: Vec<String>,
    pub state: Option<String>,
    pub verified_email: Option<bool>,
    pub email_consent: Option<String>,
    pub email_opt_in: Option<String>,
    pub sms_consent: Option<String>,
    pub sms_opt_in: Option<String>,
    pub created_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub product_views: i64,
    pub add_to_carts: i64,
    pub sessions: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    /// `customer`, `email_hash`, `anonymous`, `checkout`, `cart` or `order`.
    pub kind: String,
    pub value: String,
    /// When the identifier was first linked to a person.
    pub linked_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub person_id: String,
    pub customer_id: Option<String>,
    pub name: Option<String>,
    pub traits: Traits,
    pub identities: Vec<Identity>,
}

/// The shop's profile `person_id`, or `None` when this shop has none by that id (another
/// shop's id included) or it belongs to a redacted customer.
pub async fn load(
    db: &Db,
    vault: &Vault,
    shop_id: &str,
    person_id: &str,
    shop_currency: Option<&str>,
) -> Result<Option<Profile>, QueryError> {
    if person_id.starts_with("redacted") {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT customer_id, lifetime_value, order_count, first_order_at, last_order_at, currency, country, tags, state, \
         verified_email, email_consent, email_opt_in, sms_consent, sms_opt_in, customer_created_at, last_seen_at, \
         product_views, add_to_carts, sessions FROM profiles WHERE shop_id = $1 AND person_id = $2",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let customer_id: Option<String> = row.try_get(0)?;
    if customer_id
        .as_deref()
        .is_some_and(|c| c.starts_with("redacted-"))
    {
        return Ok(None);
    }
    let stored_ltv: String = row.try_get(1)?;
    let order_count: i64 = row.try_get(2)?;
    let tags: String = row.try_get(7)?;
    let verified: Option<i64> = row.try_get(9)?;
    let currency: Option<String> = row.try_get(5)?;
    let pii = match &customer_id {
        Some(customer) => vault.get(db, customer).await?.unwrap_or_default(),
        None => Default::default(),
    };
    let ltv = stored_ltv.parse::<Decimal>().unwrap_or_default();
    let average_order_value = (order_count > 0).then(|| {
        let mut aov = (ltv / Decimal::from(order_count)).round_dp(2);
        aov.rescale(2);
        aov.to_string()
    });
    let traits = Traits {
        lifetime_value: money_text(&stored_ltv),
        currency: currency.or_else(|| shop_currency.map(str::to_owned)),
        order_count,
        first_order_at: row.try_get(3)?,
        last_order_at: row.try_get(4)?,
        average_order_value,
        email: pii.email,
        phone: pii.phone,
        first_name: pii.first_name.clone(),
        last_name: pii.last_name.clone(),
        country: row.try_get(6)?,
        default_address: pii.address.as_deref().and_then(one_line),
        tags: tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        state: shopify_enum(row.try_get(8)?),
        verified_email: verified.map(|v| v != 0),
        email_consent: shopify_enum(row.try_get(10)?),
        email_opt_in: shopify_enum(row.try_get(11)?),
        sms_consent: shopify_enum(row.try_get(12)?),
        sms_opt_in: shopify_enum(row.try_get(13)?),
        created_at: row.try_get(14)?,
        last_seen_at: row.try_get(15)?,
        product_views: row.try_get(16)?,
        add_to_carts: row.try_get(17)?,
        sessions: row.try_get(18)?,
    };
    let identities: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, value, first_seen_at FROM identities WHERE shop_id = $1 AND person_id = $2 \
         ORDER BY first_seen_at, kind, value",
    )
    .bind(shop_id)
    .bind(person_id)
    .fetch_all(db.pool())
    .await?;
    Ok(Some(Profile {
        person_id: person_id.to_owned(),
        customer_id,
        name: full_name(pii.first_name, pii.last_name),
        traits,
        identities: identities
            .into_iter()
            .map(|(kind, value, linked_at)| Identity {
                kind,
                value,
                linked_at,
            })
            .collect(),
    }))
}

/// A Shopify address (REST or GraphQL field names) as one line: street, city, region, postal
/// code, country; `None` when it holds none of them.
fn one_line(address: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(address).ok()?;
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| value.get(*n).and_then(|v| v.as_str()))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let parts: Vec<&str> = [
        field(&["address1"]),
        field(&["address2"]),
        field(&["city"]),
        field(&["province_code", "provinceCode", "province"]),
        field(&["zip"]),
        field(&["country", "country_code", "countryCodeV2", "countryCode"]),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Shopify's enum spelling (`SUBSCRIBED`, `SINGLE_OPT_IN`, `DISABLED`) whichever API the value
/// came from: webhooks (REST) send it in lower case.
fn shopify_enum(stored: Option<String>) -> Option<String> {
    stored.map(|s| s.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn an_address_reads_on_one_line_from_whatever_fields_it_has() {
        let rest = r#"{"address1":"151 O'Connor Street","address2":null,"city":"Ottawa","province":"Ontario","province_code":"ON","zip":"K2P 2L8","country":"Canada","country_code":"CA"}"#;
        assert_eq!(
            one_line(rest).as_deref(),
            Some("151 O'Connor Street, Ottawa, ON, K2P 2L8, Canada")
        );
        assert_eq!(one_line(r#"{"country_code":"FR"}"#).as_deref(), Some("FR"));
        assert_eq!(one_line(r#"{"address2":"  "}"#), None);
        assert_eq!(one_line("not json"), None);
    }
}
