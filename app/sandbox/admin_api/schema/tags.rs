//! `tagsAdd` and `tagsRemove` on customers, with Shopify's tag rules: comma-separated values are
//! split and trimmed, matching ignores case (the stored spelling wins), tags stay sorted; each
//! change is a `customers/update` webhook and a `customer.tags_added` / `customer.tags_removed`.

use async_graphql::{Context, ErrorExtensions, ID, Object, Result, SimpleObject};
use time::OffsetDateTime;

use super::customers::{customer_node, numeric_id, spend_by_customer};
use super::node::Node;
use super::{UserError, api};
use crate::sandbox::webhooks::{emit, payloads};

#[derive(SimpleObject)]
#[graphql(name = "TagsAddPayload")]
pub struct TagsAddPayload {
    node: Option<Node>,
    user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
#[graphql(name = "TagsRemovePayload")]
pub struct TagsRemovePayload {
    node: Option<Node>,
    user_errors: Vec<UserError>,
}

/// Splits `"a, b"` entries and drops blanks.
fn normalize(tags: &[String]) -> Vec<String> {
    tags.iter()
        .flat_map(|t| t.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Changes one customer's tags; `Ok(None)` with a user error when the GID names no customer.
fn change(
    ctx: &Context<'_>,
    id: &str,
    tags: &[String],
    add: bool,
) -> Result<(Option<Node>, Vec<UserError>)> {
    let api = api(ctx)?;
    let Some(numeric) = numeric_id(id, "Customer") else {
        return Err(async_graphql::Error::new("invalid id")
            .extend_with(|_, e| e.set("code", "RESOURCE_NOT_FOUND")));
    };
    if tags.iter().any(|t| t.len() > 255) {
        return Ok((
            None,
            vec![UserError {
                field: Some(vec!["tags".into()]),
                message: "Tags is too long (maximum is 255 characters)".into(),
            }],
        ));
    }
    if !api.scopes.iter().any(|s| s == "write_customers") {
        return Err(async_graphql::Error::new(
            "Access denied for tagsAdd field. Required access: `write_customers` access scope.",
        )
        .extend_with(|_, e| e.set("code", "ACCESS_DENIED")));
    }
    let wanted = normalize(tags);
    let mut world = api.state.world();
    let Some(s) = world.shops.get_mut(&api.shop) else {
        return Err("Shop not found".into());
    };
    let Some(c) = s.customers.get_mut(&numeric) else {
        return Ok((
            None,
            vec![UserError {
                field: Some(vec!["id".into()]),
                message: "Customer does not exist".into(),
            }],
        ));
    };
    let before = c.tags.clone();
    if add {
        for t in wanted {
            if !c.tags.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                c.tags.push(t);
            }
        }
    } else {
        c.tags
            .retain(|x| !wanted.iter().any(|t| t.eq_ignore_ascii_case(x)));
    }
    c.tags.sort_by_key(|t| t.to_lowercase());
    let changed = c.tags != before;
    if changed {
        c.updated_at = OffsetDateTime::now_utc();
    }
    let c = c.clone();
    let s = &*s;
    if changed {
        let mut events = vec![("customers/update", payloads::customer(s, &c))];
        events.extend(payloads::tag_changes(&c, &before, c.updated_at));
        emit(&api.state, s, events);
    }
    let stats = spend_by_customer(s);
    let node = customer_node(s, &c, stats.get(&c.id).copied().unwrap_or_default());
    Ok((Some(Node::Customer(node)), Vec::new()))
}

#[derive(Default)]
pub struct TagsMutation;

#[Object]
impl TagsMutation {
    async fn tags_add(
        &self,
        ctx: &Context<'_>,
        id: ID,
        tags: Vec<String>,
    ) -> Result<Option<TagsAddPayload>> {
        let (node, user_errors) = change(ctx, &id.0, &tags, true)?;
        Ok(Some(TagsAddPayload { node, user_errors }))
    }

    async fn tags_remove(
        &self,
        ctx: &Context<'_>,
        id: ID,
        tags: Vec<String>,
    ) -> Result<Option<TagsRemovePayload>> {
        let (node, user_errors) = change(ctx, &id.0, &tags, false)?;
        Ok(Some(TagsRemovePayload { node, user_errors }))
    }
}
