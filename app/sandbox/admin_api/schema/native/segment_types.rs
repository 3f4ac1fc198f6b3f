//! The object and enum types of customer segments and their mutations' payloads.

use async_graphql::{Enum, ID, SimpleObject};

use super::super::webhooks::utc;
use super::super::{DateTime, PageInfo, UserError};
use crate::sandbox::state::gid;
use crate::sandbox::store::native::SegmentRecord;

#[derive(SimpleObject, Clone)]
#[graphql(name = "Segment")]
pub struct Segment {
    pub(super) creation_date: DateTime,
    pub(super) id: ID,
    pub(super) last_edit_date: DateTime,
    pub(super) name: String,
    pub(super) query: String,
}

impl From<&SegmentRecord> for Segment {
    fn from(s: &SegmentRecord) -> Self {
        Self {
            creation_date: DateTime(utc(s.created_at)),
            id: ID(gid("Segment", s.id)),
            last_edit_date: DateTime(utc(s.updated_at)),
            name: s.name.clone(),
            query: s.query.clone(),
        }
    }
}

#[derive(SimpleObject)]
#[graphql(name = "SegmentEdge")]
pub struct SegmentEdge {
    pub(super) cursor: String,
    pub(super) node: Segment,
}

#[derive(SimpleObject)]
#[graphql(name = "SegmentConnection")]
pub struct SegmentConnection {
    pub(super) edges: Vec<SegmentEdge>,
    pub(super) nodes: Vec<Segment>,
    pub(super) page_info: PageInfo,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "SegmentSortKeys")]
pub enum SegmentSortKeys {
    #[graphql(name = "CREATION_DATE")]
    CreationDate,
    #[graphql(name = "ID")]
    Id,
    #[graphql(name = "LAST_EDIT_DATE")]
    LastEditDate,
    #[graphql(name = "RELEVANCE")]
    Relevance,
}

#[derive(SimpleObject)]
#[graphql(name = "SegmentCreatePayload")]
pub struct SegmentCreatePayload {
    pub(super) segment: Option<Segment>,
    pub(super) user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
#[graphql(name = "SegmentUpdatePayload")]
pub struct SegmentUpdatePayload {
    pub(super) segment: Option<Segment>,
    pub(super) user_errors: Vec<UserError>,
}

#[derive(SimpleObject)]
#[graphql(name = "SegmentDeletePayload")]
pub struct SegmentDeletePayload {
    pub(super) deleted_segment_id: Option<ID>,
    pub(super) user_errors: Vec<UserError>,
}
