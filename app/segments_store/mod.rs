//! Stored segments: creating and listing them per shop, loading profile snapshots, keeping
//! `memberships` in step with the rules, and pushing membership to Shopify as customer tags.

mod error;
mod evaluate;
mod event_ids;
mod full;
mod load;
mod mode;
mod page;
mod push;
mod repo;
mod write;
#[cfg(test)]
mod write_tests;

pub use error::StoreError;
pub use evaluate::{
    EVENT_DAYS, Evaluated, evaluate_changed_in, evaluate_people, reevaluate_segment,
};
pub use full::{FullEvaluation, FullOptions, evaluate_segments};
pub use load::{EventNeeds, load_profile};
pub use mode::{set_mode, update_rule};
pub use page::scan_profiles;
pub use push::{
    BULK_THRESHOLD, POLL_INTERVAL_MS, PushError, PushOutcome, native_name, push_native, push_tags,
};
pub use repo::{
    NewSegment, PushMode, SegmentRow, create, get, list, preview_count, time_dependent,
};
