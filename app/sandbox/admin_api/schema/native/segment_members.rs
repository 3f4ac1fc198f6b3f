//! `customerSegmentMembers`: a saved segment's or an ad-hoc query's members among the shop's
//! customers, with `totalCount`, plus the per-customer facts segment filters read.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use base64::Engine;
use rust_decimal::Decimal;

use super::super::{PageInfo, UnsignedInt64, api};
use super::metafield_types::Metafield;
use super::{gid_id, not_found, require, resolve_namespace};
use crate::sandbox::segment_query::{self, CustomerFacts, MetaKind};
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::Customer;

/// The customer metafield definitions segment filters can use, by (namespace, key).
pub(super) fn metafield_kinds(shop: &Shop) -> HashMap<(String, String), MetaKind> {
    shop.native
        .metafield_definitions
        .iter()
        .filter(|d| d.owner_type == "CUSTOMER")
        .filter_map(|d| {
            Some((
                (d.namespace.clone(), d.key.clone()),
                MetaKind::from_type(&d.type_name)?,
            ))
        })
        .collect()
}

fn consent_status(state: &Option<String>) -> String {
    state
        .as_deref()
        .map_or("NOT_SUBSCRIBED".to_string(), str::to_uppercase)
}

/// What segment filters read about one customer: totals over their non-cancelled orders, the
/// countries of their address and orders, consent, and metafields.
pub(super) fn facts(shop: &Shop, c: &Customer) -> CustomerFacts {
    let orders: Vec<_> = shop
        .orders
        .values()
        .filter(|o| o.customer_id == Some(c.id) && o.cancelled_at.is_none())
        .collect();
    let mut countries: Vec<String> = c
        .address
        .iter()
        .map(|a| a.country_code.clone())
        .chain(
            orders
                .iter()
                .filter_map(|o| o.address.as_ref().map(|a| a.country_code.clone())),
        )
        .collect();
    countries.sort();
    countries.dedup();
    let owner = gid("Customer", c.id);
    CustomerFacts {
        amount_spent: orders
            .iter()
            .map(|o| o.total() - o.refunded())
            .sum::<Decimal>(),
        number_of_orders: orders.len() as u64,
        countries,
        tags: c.tags.clone(),
        email_status: consent_status(&c.email_consent.state),
        sms_status: consent_status(&c.sms_consent.state),
        last_order_at: orders.iter().map(|o| o.created_at).max(),
        created_at: c.created_at,
        metafields: shop
            .native
            .metafields
            .values()
            .filter(|m| m.owner_id == owner)
            .map(|m| ((m.namespace.clone(), m.key.clone()), m.value.clone()))
            .collect(),
    }
}

#[derive(SimpleObject)]
#[graphql(name = "CustomerSegmentMember", complex)]
pub struct CustomerSegmentMember {
    display_name: String,
    first_name: Option<String>,
    id: ID,
    last_name: Option<String>,
    last_order_id: Option<ID>,
    note: Option<String>,
    number_of_orders: Option<UnsignedInt64>,
    #[graphql(skip)]
    customer_id: u64,
}

#[async_graphql::ComplexObject]
impl CustomerSegmentMember {
    async fn metafield(
        &self,
        ctx: &Context<'_>,
        namespace: Option<String>,
        key: String,
    ) -> Result<Option<Metafield>> {
        let api = api(ctx)?;
        let namespace = resolve_namespace(api, namespace.as_deref().unwrap_or("$app"));
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        Ok(s.native
            .metafields
            .get(&(gid("Customer", self.customer_id), namespace, key))
            .map(Metafield::from))
    }
}

#[derive(SimpleObject)]
#[graphql(name = "CustomerSegmentMemberEdge")]
pub struct CustomerSegmentMemberEdge {
    cursor: String,
    node: CustomerSegmentMember,
}

#[derive(SimpleObject)]
#[graphql(name = "CustomerSegmentMemberConnection")]
pub struct CustomerSegmentMemberConnection {
    edges: Vec<CustomerSegmentMemberEdge>,
    page_info: PageInfo,
    total_count: i32,
}

fn member(shop: &Shop, c: &Customer) -> CustomerSegmentMember {
    let last_order = shop
        .orders
        .values()
        .filter(|o| o.customer_id == Some(c.id))
        .max_by_key(|o| o.created_at);
    let count = facts(shop, c).number_of_orders;
    let display_name = match (&c.first_name, &c.last_name) {
        (None, None) => c.email.clone().unwrap_or_default(),
        (f, l) => format!(
            "{} {}",
            f.as_deref().unwrap_or_default(),
            l.as_deref().unwrap_or_default()
        )
        .trim()
        .to_string(),
    };
    CustomerSegmentMember {
        display_name,
        first_name: c.first_name.clone(),
        id: ID(gid("CustomerSegmentMember", c.id)),
        last_name: c.last_name.clone(),
        last_order_id: last_order.map(|o| ID(gid("Order", o.id))),
        note: c.note.clone(),
        number_of_orders: Some(UnsignedInt64(count.to_string())),
        customer_id: c.id,
    }
}

fn cursor(id: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{{\"last_id\":{id}}}"))
}

fn cursor_id(cursor: &str) -> Option<u64> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    serde_json::from_slice::<serde_json::Value>(&raw)
        .ok()?
        .get("last_id")?
        .as_u64()
}

#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    #[allow(clippy::too_many_arguments)]
    async fn customer_segment_members(
        &self,
        ctx: &Context<'_>,
        segment_id: Option<ID>,
        query: Option<String>,
        query_id: Option<ID>,
        timezone: Option<String>,
        #[graphql(default = false)] reverse: bool,
        sort_key: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<CustomerSegmentMemberConnection> {
        let _ = (timezone, sort_key);
        let api = api(ctx)?;
        require(api, "customerSegmentMembers", "read_customers")?;
        if query_id.is_some() || last.is_some() || before.is_some() {
            return Err(
                "This sandbox answers customerSegmentMembers for segmentId or query, paged with first/after".into(),
            );
        }
        let page = match first {
            Some(n) if (0..=1000).contains(&n) => n as usize,
            Some(_) => return Err("The maximum page size is 1000".into()),
            None => return Err("you must provide one of first or last".into()),
        };
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let text = match (segment_id, query) {
            (Some(_), Some(_)) => {
                return Err("Providing both segment_id and query is not supported.".into());
            }
            (None, None) => return Err("You must provide one of segment_id or query.".into()),
            (Some(id), None) => gid_id(&id.0, "Segment")
                .and_then(|n| s.native.segments.get(&n))
                .map(|seg| seg.query.clone())
                .ok_or_else(|| not_found("Segment does not exist"))?,
            (None, Some(q)) => q,
        };
        let kinds = metafield_kinds(s);
        let expr = segment_query::parse(&text, &|ns, key| {
            kinds.get(&(ns.into(), key.into())).copied()
        })
        .map_err(|problems| {
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        })?;
        let today = time::OffsetDateTime::now_utc().date();
        let mut all: Vec<&Customer> = s
            .customers
            .values()
            .filter(|c| segment_query::matches(&expr, &facts(s, c), today))
            .collect();
        if reverse {
            all.reverse();
        }
        let start = after
            .as_deref()
            .and_then(cursor_id)
            .and_then(|id| all.iter().position(|c| c.id == id))
            .map_or(0, |p| p + 1);
        let slice = &all[start.min(all.len())..(start + page).min(all.len())];
        Ok(CustomerSegmentMemberConnection {
            edges: slice
                .iter()
                .map(|c| CustomerSegmentMemberEdge {
                    cursor: cursor(c.id),
                    node: member(s, c),
                })
                .collect(),
            page_info: PageInfo {
                start_cursor: slice.first().map(|c| cursor(c.id)),
                end_cursor: slice.last().map(|c| cursor(c.id)),
                has_next_page: start + slice.len() < all.len(),
                has_previous_page: start > 0,
            },
            total_count: all.len() as i32,
        })
    }
}
