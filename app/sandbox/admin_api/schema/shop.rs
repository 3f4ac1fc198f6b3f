//! Object types about the shop and the app installed on it: `Shop`, its plan and domain, scopes, API versions, counts.

use async_graphql::{Enum, ID, SimpleObject};

use super::*;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CurrencyCode")]
pub enum CurrencyCode {
    #[graphql(name = "USD")]
    Usd,
    #[graphql(name = "CAD")]
    Cad,
    #[graphql(name = "EUR")]
    Eur,
    #[graphql(name = "GBP")]
    Gbp,
    #[graphql(name = "AUD")]
    Aud,
    #[graphql(name = "JPY")]
    Jpy,
    #[graphql(name = "CHF")]
    Chf,
    #[graphql(name = "SEK")]
    Sek,
    #[graphql(name = "NZD")]
    Nzd,
    #[graphql(name = "DKK")]
    Dkk,
}

impl CurrencyCode {
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "USD" => Self::Usd,
            "CAD" => Self::Cad,
            "EUR" => Self::Eur,
            "GBP" => Self::Gbp,
            "AUD" => Self::Aud,
            "JPY" => Self::Jpy,
            "CHF" => Self::Chf,
            "SEK" => Self::Sek,
            "NZD" => Self::Nzd,
            "DKK" => Self::Dkk,
            _ => return None,
        })
    }
}

#[derive(SimpleObject)]
#[graphql(name = "ShopPlan")]
pub struct ShopPlan {
    #[graphql(deprecation = "Use `publicDisplayName` instead.")]
    pub(super) display_name: String,
    pub(super) partner_development: bool,
    pub(super) public_display_name: String,
    pub(super) shopify_plus: bool,
}

#[derive(SimpleObject)]
#[graphql(name = "Domain")]
pub struct Domain {
    pub(super) host: String,
    pub(super) id: ID,
    pub(super) ssl_enabled: bool,
    pub(super) url: Url,
}

#[derive(SimpleObject)]
#[graphql(name = "Shop")]
pub struct Shop {
    pub(super) id: ID,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) contact_email: String,
    pub(super) myshopify_domain: String,
    pub(super) currency_code: CurrencyCode,
    pub(super) iana_timezone: String,
    pub(super) timezone_abbreviation: String,
    pub(super) plan: ShopPlan,
    pub(super) primary_domain: Domain,
    pub(super) url: Url,
}

#[derive(SimpleObject)]
#[graphql(name = "AccessScope")]
pub struct AccessScope {
    pub(super) description: String,
    pub(super) handle: String,
}

#[derive(SimpleObject)]
#[graphql(name = "AppInstallation")]
pub struct AppInstallation {
    pub(super) access_scopes: Vec<AccessScope>,
    pub(super) id: ID,
    pub(super) launch_url: Url,
    pub(super) uninstall_url: Option<Url>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "ApiVersion")]
pub struct ApiVersion {
    pub(super) display_name: String,
    pub(super) handle: String,
    pub(super) supported: bool,
}

pub(super) fn api_version(handle: &str) -> ApiVersion {
    let display_name = if handle == "unstable" {
        "unstable".to_string()
    } else {
        format!("{handle} (Latest)")
    };
    ApiVersion {
        display_name,
        handle: handle.to_string(),
        supported: handle != "unstable",
    }
}

#[derive(SimpleObject)]
#[graphql(name = "Count")]
pub struct Count {
    pub(super) count: i32,
    pub(super) precision: CountPrecision,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CountPrecision")]
pub enum CountPrecision {
    #[graphql(name = "EXACT")]
    Exact,
    #[graphql(name = "AT_LEAST")]
    AtLeast,
}
