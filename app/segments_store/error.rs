//! Why a segment operation failed.

use crate::segments::{ParseError, RuleError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the segment needs a name")]
    EmptyName,
    #[error("the rule does not parse at column {}: {}", .0.column, .0.message)]
    Parse(ParseError),
    #[error("the rule is not valid: {0}")]
    Rule(#[from] RuleError),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}
