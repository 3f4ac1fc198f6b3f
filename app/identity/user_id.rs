//! A known person's Segment `userId`: the Shopify customer id by default, or per the shop's
//! setting their hashed email or their email.

use serde::{Deserialize, Serialize};

use crate::pii::Vault;
use crate::store::Db;
use crate::store::ExecuteInTurn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserIdMode {
    CustomerId,
    EmailHash,
    Email,
}

impl UserIdMode {
    pub const ALL: [UserIdMode; 3] = [
        UserIdMode::CustomerId,
        UserIdMode::EmailHash,
        UserIdMode::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserIdMode::CustomerId => "customer_id",
            UserIdMode::EmailHash => "email_hash",
            UserIdMode::Email => "email",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserIdMode::CustomerId => "Shopify customer id",
            UserIdMode::EmailHash => "Hashed email (keyed SHA-256)",
            UserIdMode::Email => "Email address",
        }
    }

    pub fn parse(text: &str) -> Option<UserIdMode> {
        UserIdMode::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

pub async fn mode(db: &Db, shop_id: &str) -> Result<UserIdMode, sqlx::Error> {
    let text: Option<String> = sqlx::query_scalar("SELECT user_id_mode FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(text
        .as_deref()
        .and_then(UserIdMode::parse)
        .unwrap_or(UserIdMode::CustomerId))
}

pub async fn set_mode(db: &Db, shop_id: &str, mode: UserIdMode) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE shops SET user_id_mode = $1 WHERE id = $2")
        .bind(mode.as_str())
        .bind(shop_id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}

/// The userId of a person, or `None` for an anonymous one (or when the chosen identifier is not
/// known for them: then the customer id stands in, so a known person always has one).
pub async fn user_id(
    db: &Db,
    vault: &Vault,
    shop_id: &str,
    person_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    let Some(customer) = person_id.strip_prefix("customer:") else {
        return Ok(None);
    };
    let chosen = match mode(db, shop_id).await? {
        UserIdMode::CustomerId => None,
        UserIdMode::EmailHash => {
            sqlx::query_scalar::<_, String>(
                "SELECT value FROM identities WHERE shop_id = $1 AND person_id = $2 AND kind = 'email_hash' ORDER BY value LIMIT 1",
            )
            .bind(shop_id)
            .bind(person_id)
            .fetch_optional(db.pool())
            .await?
        }
        UserIdMode::Email => vault
            .get(db, customer)
            .await
            .ok()
            .flatten()
            .and_then(|pii| pii.email),
    };
    Ok(Some(chosen.unwrap_or_else(|| customer.to_owned())))
}
