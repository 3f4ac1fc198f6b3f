//! `Customer` as the Admin API shows it to profiles (identity, consent, spend), the
//! `customers` connection and `customer(id)`.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use rust_decimal::Decimal;

use super::money::{MoneyV2, datetime, money};
use super::paging::{Window, page};
use super::{CurrencyCode, DateTime, PageInfo, UnsignedInt64, api, search};
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::{Consent, Customer};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CustomerState", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CustomerState {
    Declined,
    Disabled,
    Enabled,
    Invited,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "CustomerEmailMarketingState",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum CustomerEmailMarketingState {
    NotSubscribed,
    Pending,
    Subscribed,
    Unsubscribed,
    Redacted,
    Invalid,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "CustomerSmsMarketingState",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum CustomerSmsMarketingState {
    NotSubscribed,
    Pending,
    Subscribed,
    Unsubscribed,
    Redacted,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(
    name = "CustomerMarketingOptInLevel",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum CustomerMarketingOptInLevel {
    SingleOptIn,
    ConfirmedOptIn,
    Unknown,
}

/// The countries sandbox addresses use; Shopify's enum lists every ISO 3166 code.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CountryCode")]
pub enum CountryCode {
    AU,
    CA,
    DE,
    FR,
    GB,
    JP,
    NZ,
    US,
}

fn country(code: &str) -> Option<CountryCode> {
    use CountryCode::*;
    Some(match code {
        "AU" => AU,
        "CA" => CA,
        "DE" => DE,
        "FR" => FR,
        "GB" => GB,
        "JP" => JP,
        "NZ" => NZ,
        "US" => US,
        _ => return None,
    })
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "MailingAddress")]
pub struct MailingAddress {
    pub id: ID,
    pub country_code_v2: Option<CountryCode>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "CustomerEmailMarketingConsentState")]
pub struct CustomerEmailMarketingConsentState {
    pub marketing_state: CustomerEmailMarketingState,
    pub marketing_opt_in_level: Option<CustomerMarketingOptInLevel>,
    pub consent_updated_at: Option<DateTime>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "CustomerSmsMarketingConsentState")]
pub struct CustomerSmsMarketingConsentState {
    pub marketing_state: CustomerSmsMarketingState,
    pub marketing_opt_in_level: CustomerMarketingOptInLevel,
    pub consent_updated_at: Option<DateTime>,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "Customer")]
pub struct CustomerNode {
    pub id: ID,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub state: CustomerState,
    pub tags: Vec<String>,
    pub verified_email: bool,
    pub created_at: DateTime,
    pub updated_at: DateTime,
    pub default_address: Option<MailingAddress>,
    pub email_marketing_consent: Option<CustomerEmailMarketingConsentState>,
    pub sms_marketing_consent: Option<CustomerSmsMarketingConsentState>,
    pub amount_spent: MoneyV2,
    pub number_of_orders: UnsignedInt64,
}

/// Orders placed and money spent (net of refunds, cancelled orders excluded), per customer id.
pub fn spend_by_customer(shop: &Shop) -> HashMap<u64, (u64, Decimal)> {
    let mut out: HashMap<u64, (u64, Decimal)> = HashMap::new();
    for o in shop.orders.values() {
        if let Some(id) = o.customer_id {
            let entry = out.entry(id).or_default();
            entry.0 += 1;
            if o.cancelled_at.is_none() {
                entry.1 += (o.total() - o.refunded()).max(Decimal::ZERO);
            }
        }
    }
    out
}

fn opt_in(level: Option<&str>) -> Option<CustomerMarketingOptInLevel> {
    match level? {
        "single_opt_in" => Some(CustomerMarketingOptInLevel::SingleOptIn),
        "confirmed_opt_in" => Some(CustomerMarketingOptInLevel::ConfirmedOptIn),
        _ => Some(CustomerMarketingOptInLevel::Unknown),
    }
}

fn email_consent(c: &Consent) -> CustomerEmailMarketingConsentState {
    use CustomerEmailMarketingState as S;
    CustomerEmailMarketingConsentState {
        marketing_state: match c.state.as_deref() {
            Some("subscribed") => S::Subscribed,
            Some("pending") => S::Pending,
            Some("unsubscribed") => S::Unsubscribed,
            Some("redacted") => S::Redacted,
            Some("invalid") => S::Invalid,
            _ => S::NotSubscribed,
        },
        marketing_opt_in_level: opt_in(c.opt_in_level.as_deref()),
        consent_updated_at: c.updated_at.map(datetime),
    }
}

fn sms_consent(c: &Consent) -> CustomerSmsMarketingConsentState {
    use CustomerSmsMarketingState as S;
    CustomerSmsMarketingConsentState {
        marketing_state: match c.state.as_deref() {
            Some("subscribed") => S::Subscribed,
            Some("pending") => S::Pending,
            Some("unsubscribed") => S::Unsubscribed,
            Some("redacted") => S::Redacted,
            _ => S::NotSubscribed,
        },
        marketing_opt_in_level: opt_in(c.opt_in_level.as_deref())
            .unwrap_or(CustomerMarketingOptInLevel::SingleOptIn),
        consent_updated_at: c.updated_at.map(datetime),
    }
}

/// The Admin API's view of one sandbox customer; `stats` is `(orders, spent)`.
pub fn customer_node(shop: &Shop, c: &Customer, stats: (u64, Decimal)) -> CustomerNode {
    let currency = CurrencyCode::parse(&shop.currency).unwrap_or(CurrencyCode::Usd);
    CustomerNode {
        id: ID(gid("Customer", c.id)),
        email: c.email.clone(),
        phone: c.phone.clone(),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        state: match c.state.as_str() {
            "enabled" => CustomerState::Enabled,
            "invited" => CustomerState::Invited,
            "declined" => CustomerState::Declined,
            _ => CustomerState::Disabled,
        },
        tags: c.tags.clone(),
        verified_email: c.verified_email,
        created_at: datetime(c.created_at),
        updated_at: datetime(c.updated_at),
        default_address: c.address.as_ref().map(|a| MailingAddress {
            id: ID(format!(
                "gid://shopify/MailingAddress/{}?model_name=CustomerAddress",
                a.id
            )),
            country_code_v2: country(&a.country_code),
        }),
        email_marketing_consent: c.email.as_ref().map(|_| email_consent(&c.email_consent)),
        sms_marketing_consent: c.phone.as_ref().map(|_| sms_consent(&c.sms_consent)),
        amount_spent: money(stats.1, currency),
        number_of_orders: UnsignedInt64(stats.0.to_string()),
    }
}

#[derive(SimpleObject)]
#[graphql(name = "CustomerEdge")]
pub struct CustomerEdge {
    cursor: String,
    node: CustomerNode,
}

#[derive(SimpleObject)]
#[graphql(name = "CustomerConnection")]
pub struct CustomerConnection {
    edges: Vec<CustomerEdge>,
    nodes: Vec<CustomerNode>,
    page_info: PageInfo,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "CustomerSortKeys", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CustomerSortKeys {
    CreatedAt,
    Id,
    UpdatedAt,
}

#[derive(Default)]
pub struct CustomersQuery;

#[Object]
impl CustomersQuery {
    #[allow(clippy::too_many_arguments)]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
        #[graphql(default_with = "CustomerSortKeys::Id")] sort_key: CustomerSortKeys,
        query: Option<String>,
    ) -> Result<CustomerConnection> {
        let api = api(ctx)?;
        let terms = search::parse(query.as_deref());
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let stats = spend_by_customer(s);
        let mut all: Vec<&Customer> = s
            .customers
            .values()
            .filter(|c| {
                terms.iter().all(|t| match t.field.as_str() {
                    "created_at" | "customer_date" => t.time_matches(c.created_at),
                    "updated_at" => t.time_matches(c.updated_at),
                    "id" => t.id_matches(c.id),
                    _ => true,
                })
            })
            .collect();
        match sort_key {
            CustomerSortKeys::CreatedAt => all.sort_by_key(|c| (c.created_at, c.id)),
            CustomerSortKeys::UpdatedAt => all.sort_by_key(|c| (c.updated_at, c.id)),
            CustomerSortKeys::Id => {}
        }
        let all = all.into_iter().map(|c| (c.id, c)).collect();
        let window = Window {
            first,
            after,
            last,
            before,
            reverse,
        };
        let (items, page_info) = page(ctx, all, window, true)?;
        let nodes: Vec<CustomerNode> = items
            .iter()
            .map(|(_, c)| customer_node(s, c, stats.get(&c.id).copied().unwrap_or_default()))
            .collect();
        let edges = items
            .iter()
            .zip(nodes.iter())
            .map(|((cursor, _), node)| CustomerEdge {
                cursor: cursor.clone(),
                node: node.clone(),
            })
            .collect();
        Ok(CustomerConnection {
            edges,
            nodes,
            page_info,
        })
    }

    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Result<Option<CustomerNode>> {
        let api = api(ctx)?;
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let Some(c) = numeric_id(&id.0, "Customer").and_then(|n| s.customers.get(&n)) else {
            return Ok(None);
        };
        let stats = spend_by_customer(s);
        Ok(Some(customer_node(
            s,
            c,
            stats.get(&c.id).copied().unwrap_or_default(),
        )))
    }
}

/// The number in `gid://shopify/{kind}/{n}`, if the GID is of that kind.
pub fn numeric_id(gid: &str, kind: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/")?
        .strip_prefix(kind)?
        .strip_prefix('/')?
        .parse()
        .ok()
}
