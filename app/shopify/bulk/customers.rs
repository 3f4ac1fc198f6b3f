//! Customer rows of the backfill's bulk query → our commerce customer, with the protected data
//! the row carries. The row's default address is only its country: it is marked as such so the
//! pipeline merges it into a stored address instead of replacing one.

use serde_json::{Value, json};

use super::BulkError;
use super::rows::{bad, enum_lower, id, text, time_ms};
use crate::events::commerce::{Consent, Customer, Person};

/// Converts one root object of [`super::queries::CUSTOMERS`]'s result.
pub fn customer(row: &Value) -> Result<Customer, BulkError> {
    let customer_id = id(row, "id")?;
    let created_at_ms = time_ms(row, "createdAt");
    let updated_at_ms = time_ms(row, "updatedAt")
        .or(created_at_ms)
        .ok_or_else(|| bad("updatedAt"))?;
    let tags = row["tags"].as_array().map(|list| {
        list.iter()
            .filter_map(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect()
    });
    let address = row["defaultAddress"]["countryCodeV2"]
        .as_str()
        .map(|code| json!({ "country_code": code }).to_string());
    Ok(Customer {
        created_at_ms,
        updated_at_ms,
        state: enum_lower(row, "state"),
        tags,
        verified_email: row["verifiedEmail"].as_bool(),
        currency: row["amountSpent"]["currencyCode"]
            .as_str()
            .map(str::to_owned),
        email_marketing: consent(&row["emailMarketingConsent"]),
        sms_marketing: consent(&row["smsMarketingConsent"]),
        person: Person {
            customer_id: customer_id.clone(),
            email: text(row, "email"),
            phone: text(row, "phone"),
            first_name: text(row, "firstName"),
            last_name: text(row, "lastName"),
            address,
        },
        id: customer_id,
    })
}

fn consent(value: &Value) -> Option<Consent> {
    if !value.is_object() {
        return None;
    }
    Some(Consent {
        state: enum_lower(value, "marketingState"),
        opt_in_level: enum_lower(value, "marketingOptInLevel"),
        updated_at_ms: time_ms(value, "consentUpdatedAt"),
        collected_from: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_row_speaks_the_webhook_spelling() {
        let row = json!({
            "id": "gid://shopify/Customer/9", "email": "ada@example.net", "phone": null,
            "firstName": "Ada", "lastName": "L", "state": "ENABLED", "tags": ["vip", " local "],
            "verifiedEmail": true, "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-02-01T00:00:00Z",
            "defaultAddress": { "countryCodeV2": "CA" },
            "emailMarketingConsent": { "marketingState": "SUBSCRIBED", "marketingOptInLevel": "SINGLE_OPT_IN",
                                       "consentUpdatedAt": "2026-01-02T00:00:00Z" },
            "smsMarketingConsent": null,
            "amountSpent": { "amount": "10.00", "currencyCode": "CAD" }, "numberOfOrders": "1"
        });
        let c = customer(&row).unwrap();
        assert_eq!(c.id, "9");
        assert_eq!(c.state.as_deref(), Some("enabled"));
        assert_eq!(c.tags, Some(vec!["vip".to_owned(), "local".to_owned()]));
        assert_eq!(
            c.email_marketing.as_ref().and_then(|m| m.state.as_deref()),
            Some("subscribed")
        );
        assert!(c.sms_marketing.is_none());
        assert_eq!(
            c.person.address.as_deref(),
            Some(r#"{"country_code":"CA"}"#)
        );
    }
}
