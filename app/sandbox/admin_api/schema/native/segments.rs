//! Customer segments: `segmentCreate/Update/Delete`, `segment` and `segments`, with the
//! validations and messages live Shopify gives (blank/too long, query errors with positions,
//! duplicate names counted up with a `(n)` suffix, the 6000-segment cap).

use async_graphql::{Context, ID, Object, Result};
use base64::Engine;
use time::OffsetDateTime;

use super::super::{PageInfo, UserError, api};
use super::segment_members::metafield_kinds;
use super::segment_types::*;
use super::{allowed, gid_id, not_found, null_with, require};
use crate::sandbox::segment_query;
use crate::sandbox::state::{Shop, gid};
use crate::sandbox::store::native::SegmentRecord;

const MAX_NAME: usize = 255;
const MAX_QUERY: usize = 5000;
const MAX_SEGMENTS: usize = 6000;

fn error(field: Option<&str>, message: impl Into<String>) -> UserError {
    UserError {
        field: field.map(|f| vec![f.to_string()]),
        message: message.into(),
    }
}

fn check_name(name: &str, errors: &mut Vec<UserError>) {
    if name.trim().is_empty() {
        errors.push(error(Some("name"), "Name can't be blank"));
    } else if name.chars().count() > MAX_NAME {
        errors.push(error(
            Some("name"),
            format!("Name is too long (maximum is {MAX_NAME} characters)"),
        ));
    }
}

fn check_query(shop: &Shop, query: &str, errors: &mut Vec<UserError>) {
    if query.trim().is_empty() {
        errors.push(error(Some("query"), "Query can't be blank"));
        return;
    }
    if query.chars().count() > MAX_QUERY {
        errors.push(error(
            Some("query"),
            format!("Query is too long (maximum is {MAX_QUERY} characters)"),
        ));
        return;
    }
    let kinds = metafield_kinds(shop);
    if let Err(problems) = segment_query::parse(query, &|ns, key| {
        kinds.get(&(ns.into(), key.into())).copied()
    }) {
        errors.extend(
            problems
                .iter()
                .map(|p| error(Some("query"), format!("Query {p}"))),
        );
    }
}

/// A name no other segment of the shop has: a taken name ending in ` (n)` counts n up, any other
/// taken name gets ` (1)`.
fn free_name(shop: &Shop, wanted: &str, except: Option<u64>) -> String {
    let taken = |n: &str| {
        shop.native
            .segments
            .values()
            .any(|s| s.name == n && Some(s.id) != except)
    };
    let mut name = wanted.to_string();
    while taken(&name) {
        name = match counter(&name) {
            Some((base, n)) => format!("{base} ({})", n + 1),
            None => format!("{name} (1)"),
        };
    }
    name
}

fn counter(name: &str) -> Option<(&str, u64)> {
    let (base, rest) = name.strip_suffix(')')?.rsplit_once(" (")?;
    Some((base, rest.parse().ok()?))
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

/// `name:'x'` / `name:"x"` / `name:x` in a `segments(query:)` search; other terms are ignored.
fn name_filter(query: &str) -> Option<String> {
    let rest = query.trim().strip_prefix("name:")?;
    let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return Some(rest.to_string());
    };
    let mut out = String::new();
    let mut chars = rest[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c if c == quote => break,
            c => out.push(c),
        }
    }
    Some(out)
}

#[derive(Default)]
pub struct SegmentQuery;

#[Object]
impl SegmentQuery {
    async fn segment(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Segment>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "segment", "read_customers") {
            return Ok(None);
        }
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        Ok(
            match gid_id(&id.0, "Segment").and_then(|n| s.native.segments.get(&n)) {
                Some(seg) => Some(Segment::from(seg)),
                None => null_with(ctx, not_found("Segment does not exist")),
            },
        )
    }

    #[allow(clippy::too_many_arguments)]
    async fn segments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = false)] reverse: bool,
        #[graphql(default_with = "SegmentSortKeys::CreationDate")] sort_key: SegmentSortKeys,
        query: Option<String>,
    ) -> Result<SegmentConnection> {
        let api = api(ctx)?;
        require(api, "segments", "read_customers")?;
        if last.is_some() || before.is_some() {
            return Err(
                "Only forward pagination (first/after) is supported by this sandbox".into(),
            );
        }
        let page = match first {
            Some(n) if (0..=250).contains(&n) => n as usize,
            Some(_) => return Err("The maximum page size is 250".into()),
            None => return Err("you must provide one of first or last".into()),
        };
        let world = api.state.world();
        let s = world.shops.get(&api.shop).ok_or("Shop not found")?;
        let wanted = query.as_deref().and_then(name_filter);
        let mut all: Vec<&SegmentRecord> = s
            .native
            .segments
            .values()
            .filter(|x| wanted.as_ref().is_none_or(|n| *n == x.name))
            .collect();
        if sort_key == SegmentSortKeys::LastEditDate {
            all.sort_by_key(|x| (x.updated_at, x.id));
        }
        if reverse {
            all.reverse();
        }
        let start = after
            .as_deref()
            .and_then(cursor_id)
            .and_then(|id| all.iter().position(|x| x.id == id))
            .map_or(0, |p| p + 1);
        let slice = &all[start.min(all.len())..(start + page).min(all.len())];
        let nodes: Vec<Segment> = slice.iter().map(|x| Segment::from(*x)).collect();
        Ok(SegmentConnection {
            edges: slice
                .iter()
                .map(|x| SegmentEdge {
                    cursor: cursor(x.id),
                    node: Segment::from(*x),
                })
                .collect(),
            nodes,
            page_info: PageInfo {
                start_cursor: slice.first().map(|x| cursor(x.id)),
                end_cursor: slice.last().map(|x| cursor(x.id)),
                has_next_page: start + slice.len() < all.len(),
                has_previous_page: start > 0,
            },
        })
    }
}

#[derive(Default)]
pub struct SegmentMutation;

#[Object]
impl SegmentMutation {
    async fn segment_create(
        &self,
        ctx: &Context<'_>,
        name: String,
        query: String,
    ) -> Result<Option<SegmentCreatePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "segmentCreate", "write_customers") {
            return Ok(None);
        }
        let id = api.state.next_id();
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let mut errors = Vec::new();
        check_name(&name, &mut errors);
        check_query(s, &query, &mut errors);
        if errors.is_empty() && s.native.segments.len() >= MAX_SEGMENTS {
            errors.push(error(
                None,
                "Segment limit reached. Delete an existing segment to create more.",
            ));
        }
        if !errors.is_empty() {
            return Ok(Some(SegmentCreatePayload {
                segment: None,
                user_errors: errors,
            }));
        }
        let now = OffsetDateTime::now_utc();
        let record = SegmentRecord {
            id,
            name: free_name(s, name.trim(), None),
            query,
            created_at: now,
            updated_at: now,
        };
        let out = Segment::from(&record);
        s.native.segments.insert(id, record);
        Ok(Some(SegmentCreatePayload {
            segment: Some(out),
            user_errors: Vec::new(),
        }))
    }

    async fn segment_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        query: Option<String>,
    ) -> Result<Option<SegmentUpdatePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "segmentUpdate", "write_customers") {
            return Ok(None);
        }
        let fail = |errors| {
            Ok(Some(SegmentUpdatePayload {
                segment: None,
                user_errors: errors,
            }))
        };
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let Some(seg_id) = gid_id(&id.0, "Segment").filter(|n| s.native.segments.contains_key(n))
        else {
            return fail(vec![error(Some("id"), "Segment does not exist")]);
        };
        if name.is_none() && query.is_none() {
            return fail(vec![error(
                None,
                "At least one attribute to change must be present",
            )]);
        }
        let mut errors = Vec::new();
        if let Some(n) = &name {
            check_name(n, &mut errors);
        }
        if let Some(q) = &query {
            check_query(s, q, &mut errors);
        }
        if !errors.is_empty() {
            return fail(errors);
        }
        let new_name = name.map(|n| free_name(s, n.trim(), Some(seg_id)));
        let Some(seg) = s.native.segments.get_mut(&seg_id) else {
            return fail(vec![error(Some("id"), "Segment does not exist")]);
        };
        if let Some(n) = new_name {
            seg.name = n;
        }
        if let Some(q) = query {
            seg.query = q;
        }
        seg.updated_at = OffsetDateTime::now_utc();
        Ok(Some(SegmentUpdatePayload {
            segment: Some(Segment::from(&*seg)),
            user_errors: Vec::new(),
        }))
    }

    async fn segment_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<SegmentDeletePayload>> {
        let api = api(ctx)?;
        if !allowed(ctx, api, "segmentDelete", "write_customers") {
            return Ok(None);
        }
        let mut world = api.state.world();
        let s = world.shops.get_mut(&api.shop).ok_or("Shop not found")?;
        let removed = gid_id(&id.0, "Segment").and_then(|n| s.native.segments.remove(&n));
        Ok(Some(match removed {
            Some(seg) => SegmentDeletePayload {
                deleted_segment_id: Some(ID(gid("Segment", seg.id))),
                user_errors: Vec::new(),
            },
            None => SegmentDeletePayload {
                deleted_segment_id: None,
                user_errors: vec![error(Some("id"), "Segment does not exist")],
            },
        }))
    }
}
