//! Why a segment operation failed.

use crate::segments::{NotNative, ParseError, RuleError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the segment needs a name")]
    EmptyName,
    #[error("the rule does not parse at column {}: {}", .0.column, .0.message)]
    Parse(ParseError),
    #[error("the rule is not valid: {0}")]
    Rule(#[from] RuleError),
    #[error("no such segment in this shop")]
    NotFound,
    /// Native mode asked for a rule Shopify's segment language cannot express.
    #[error(transparent)]
    NotNative(#[from] NotNative),
    #[error("a bulk push of this segment is running; change its push mode once it has finished")]
    PushRunning,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}
