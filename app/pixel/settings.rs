//! A shop's pixel: its storefront key, which events it sends and at what sampling rate, and
//! whether Shopify holds it (`webPixelCreate`/`webPixelUpdate` from the install and the admin).

use rust_decimal::Decimal;
use serde::Serialize;

use super::envelope::TRACKED;
use crate::clock::now_ms;
use crate::crypto;
use crate::store::Db;
use crate::store::ExecuteInTurn;

#[derive(Debug, Clone, Serialize)]
pub struct PixelSettings {
    pub storefront_key: String,
    pub web_pixel_id: Option<String>,
    /// Enabled events; empty means all tracked events.
    pub events: Vec<String>,
    pub sample_rate: Decimal,
    /// `pending` until Shopify holds the pixel, then `installed`, or `failed` with `error`.
    pub status: String,
    pub error: Option<String>,
    pub last_event_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{0:?} is not an event the pixel tracks")]
    UnknownEvent(String),
    #[error("the sampling rate must be a number from 0 to 1, got {0:?}")]
    BadSampleRate(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl PixelSettings {
    /// The settings object Shopify stores on the pixel (every value a string, as pixel
    /// settings are).
    pub fn shopify_settings(&self, endpoint: &str) -> serde_json::Value {
        serde_json::json!({
            "publicKey": self.storefront_key,
            "endpoint": endpoint,
            "events": self.events.join(","),
            "sampleRate": self.sample_rate.normalize().to_string(),
        })
    }
}

/// The shop's storefront key, created on first use.
pub async fn ensure(db: &Db, shop_id: &str) -> Result<PixelSettings, SettingsError> {
    let key = format!("spk_{}", crypto::random_token(18));
    sqlx::query(
        "INSERT INTO pixels (shop_id, storefront_key, updated_at) VALUES ($1, $2, $3) ON CONFLICT (shop_id) DO NOTHING",
    )
    .bind(shop_id)
    .bind(&key)
    .bind(now_ms())
    .execute_in_turn(db)
    .await?;
    load(db, shop_id)
        .await?
        .ok_or_else(|| SettingsError::Database(sqlx::Error::RowNotFound))
}

pub async fn load(db: &Db, shop_id: &str) -> Result<Option<PixelSettings>, SettingsError> {
    let row = sqlx::query_as::<_, (String, Option<String>, String, String, String, Option<String>, Option<i64>)>(
        "SELECT storefront_key, web_pixel_id, events, sample_rate, status, error, last_event_at FROM pixels WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(
        |(storefront_key, web_pixel_id, events, rate, status, error, last_event_at)| {
            PixelSettings {
                storefront_key,
                web_pixel_id,
                events: events
                    .split(',')
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect(),
                sample_rate: rate.parse().unwrap_or(Decimal::ONE),
                status,
                error,
                last_event_at,
            }
        },
    ))
}

/// Validates and stores what the merchant chose; the caller then pushes it to Shopify.
pub async fn choose(
    db: &Db,
    shop_id: &str,
    events: &[String],
    sample_rate: &str,
) -> Result<PixelSettings, SettingsError> {
    if let Some(unknown) = events.iter().find(|e| !TRACKED.contains(&e.as_str())) {
        return Err(SettingsError::UnknownEvent(unknown.clone()));
    }
    let rate: Decimal = sample_rate
        .trim()
        .parse()
        .ok()
        .filter(|r: &Decimal| *r >= Decimal::ZERO && *r <= Decimal::ONE)
        .ok_or_else(|| SettingsError::BadSampleRate(sample_rate.to_owned()))?;
    ensure(db, shop_id).await?;
    sqlx::query(
        "UPDATE pixels SET events = $1, sample_rate = $2, updated_at = $3 WHERE shop_id = $4",
    )
    .bind(events.join(","))
    .bind(rate.normalize().to_string())
    .bind(now_ms())
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    load(db, shop_id)
        .await?
        .ok_or_else(|| SettingsError::Database(sqlx::Error::RowNotFound))
}

/// Records what Shopify answered to the create or update.
pub async fn record_push(
    db: &Db,
    shop_id: &str,
    outcome: Result<&str, &str>,
) -> Result<(), SettingsError> {
    let (id, status, error) = match outcome {
        Ok(id) => (Some(id), "installed", None),
        Err(error) => (None, "failed", Some(error)),
    };
    sqlx::query(
        "UPDATE pixels SET web_pixel_id = COALESCE($1, web_pixel_id), status = $2, error = $3, updated_at = $4 WHERE shop_id = $5",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(now_ms())
    .bind(shop_id)
    .execute_in_turn(db)
    .await?;
    Ok(())
}

pub async fn seen(db: &Db, shop_id: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE pixels SET last_event_at = $1 WHERE shop_id = $2 AND (last_event_at IS NULL OR last_event_at < $1)")
        .bind(at)
        .bind(shop_id)
        .execute_in_turn(db)
        .await?;
    Ok(())
}
