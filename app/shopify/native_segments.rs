//! SegOps segments as native Shopify customer segments: create or update one by name and query,
//! delete it, and read how many customers Shopify counts in it.
//! Shopify does not refuse a taken segment name (it appends ` (1)`), so `ensure` looks the name
//! up first and updates that segment instead of creating a twin.

use graphql_client::GraphQLQuery;

use super::admin_api::{AdminApiError, ShopClient};

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/segment_create.graphql",
    response_derives = "Debug, Clone"
)]
pub struct SegmentCreate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/segment_update.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct SegmentUpdate;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/segment_delete.graphql",
    response_derives = "Debug, Clone"
)]
pub struct SegmentDelete;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/segments_named.graphql",
    response_derives = "Debug, Clone",
    skip_serializing_none
)]
pub struct SegmentsNamed;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "app/shopify/admin_api/schema.graphql",
    query_path = "app/shopify/admin_api/documents/segment_member_count.graphql",
    response_derives = "Debug, Clone"
)]
pub struct SegmentMemberCount;

#[derive(Debug, thiserror::Error)]
pub enum NativeSegmentError {
    #[error(transparent)]
    Api(#[from] AdminApiError),
    /// Shopify's userErrors, e.g. `Query Line 1 Column 6: 'valid' is unexpected.`
    #[error("Shopify refused the segment: {}", .0.join("; "))]
    Rejected(Vec<String>),
    #[error("Shopify returned no segment and no reason")]
    Missing,
}

/// A segment as it stands in Shopify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativeSegment {
    pub id: String,
    pub name: String,
}

type Result<T> = std::result::Result<T, NativeSegmentError>;

fn rejected(errors: Vec<(Option<Vec<String>>, String)>) -> NativeSegmentError {
    if errors.is_empty() {
        NativeSegmentError::Missing
    } else {
        NativeSegmentError::Rejected(errors.into_iter().map(|(_, m)| m).collect())
    }
}

/// The segment named exactly `name`, if the shop has one.
pub async fn find_by_name(client: &ShopClient, name: &str) -> Result<Option<NativeSegment>> {
    let search = format!(
        "name:\"{}\"",
        name.replace('\\', "\\\\").replace('"', "\\\"")
    );
    let mut after = None;
    loop {
        let page = client
            .run::<SegmentsNamed>(segments_named::Variables {
                search: search.clone(),
                after: after.take(),
            })
            .await?
            .segments;
        // Shopify's search matches loosely; only an exact name is ours.
        if let Some(found) = page.nodes.into_iter().find(|s| s.name == name) {
            return Ok(Some(NativeSegment {
                id: found.id,
                name: found.name,
            }));
        }
        match page.page_info.end_cursor {
            Some(cursor) if page.page_info.has_next_page => after = Some(cursor),
            _ => return Ok(None),
        }
    }
}

/// Creates the segment `name` with `query`, or updates the query of the one already so named.
pub async fn ensure(client: &ShopClient, name: &str, query: &str) -> Result<NativeSegment> {
    match find_by_name(client, name).await? {
        Some(existing) => update(client, &existing.id, None, Some(query)).await,
        None => create(client, name, query).await,
    }
}

pub async fn create(client: &ShopClient, name: &str, query: &str) -> Result<NativeSegment> {
    let payload = client
        .run::<SegmentCreate>(segment_create::Variables {
            name: name.to_owned(),
            query: query.to_owned(),
        })
        .await?
        .segment_create
        .ok_or(NativeSegmentError::Missing)?;
    match payload.segment {
        Some(s) => Ok(NativeSegment {
            id: s.id,
            name: s.name,
        }),
        None => Err(rejected(
            payload
                .user_errors
                .into_iter()
                .map(|e| (e.field, e.message))
                .collect(),
        )),
    }
}

/// Changes the name and/or query of segment `id`.
pub async fn update(
    client: &ShopClient,
    id: &str,
    name: Option<&str>,
    query: Option<&str>,
) -> Result<NativeSegment> {
    let payload = client
        .run::<SegmentUpdate>(segment_update::Variables {
            id: id.to_owned(),
            name: name.map(str::to_owned),
            query: query.map(str::to_owned),
        })
        .await?
        .segment_update
        .ok_or(NativeSegmentError::Missing)?;
    match payload.segment {
        Some(s) => Ok(NativeSegment {
            id: s.id,
            name: s.name,
        }),
        None => Err(rejected(
            payload
                .user_errors
                .into_iter()
                .map(|e| (e.field, e.message))
                .collect(),
        )),
    }
}

/// Deletes segment `id`; returns the deleted segment's id.
pub async fn delete(client: &ShopClient, id: &str) -> Result<String> {
    let payload = client
        .run::<SegmentDelete>(segment_delete::Variables { id: id.to_owned() })
        .await?
        .segment_delete
        .ok_or(NativeSegmentError::Missing)?;
    match payload.deleted_segment_id {
        Some(deleted) => Ok(deleted),
        None => Err(rejected(
            payload
                .user_errors
                .into_iter()
                .map(|e| (e.field, e.message))
                .collect(),
        )),
    }
}

/// How many customers Shopify counts in segment `id`.
pub async fn member_count(client: &ShopClient, id: &str) -> Result<u64> {
    let total = client
        .run::<SegmentMemberCount>(segment_member_count::Variables {
            segment_id: id.to_owned(),
        })
        .await?
        .customer_segment_members
        .total_count;
    Ok(u64::try_from(total).unwrap_or(0))
}
