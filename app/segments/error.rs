//! Why a rule was rejected: each message names the clause or position and what is expected.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    #[error("the rule is not valid JSON for a segment at `{path}`: {message}")]
    Json { path: String, message: String },
    #[error("rule version {0} is not supported (this SegOps reads version 1)")]
    UnsupportedVersion(u32),
    #[error("unknown trait `{name}`; known traits: {known}")]
    UnknownTrait { name: String, known: String },
    #[error("unknown event kind `{0}`")]
    UnknownEvent(String),
    #[error("`{field}` takes {expected}, not {found}")]
    WrongValue {
        field: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("`{field}` does not support `{op}`: {hint}")]
    OpNotAllowed {
        field: &'static str,
        op: String,
        hint: &'static str,
    },
    #[error("`{value}` is not a value of `{field}`; allowed: {allowed}")]
    UnknownValue {
        field: &'static str,
        value: String,
        allowed: String,
    },
    #[error("days must be between 1 and {max}, got {days}")]
    DaysOutOfRange { days: i64, max: u32 },
    #[error("an event count must be between 0 and {max}, got {count}")]
    CountOutOfRange { count: i64, max: u32 },
    #[error("`{0}` needs at least one condition")]
    EmptyGroup(&'static str),
    #[error("`{0}` needs at least one value")]
    EmptyList(&'static str),
    #[error("a list holds at most {max} values, this one holds {len}")]
    ListTooLong { len: usize, max: usize },
    #[error("a tag must be 1 to 255 characters, without commas or surrounding spaces, got {0:?}")]
    BadTag(String),
    #[error("`{0}` is not a Shopify id (digits only)")]
    BadId(String),
    #[error("the rule nests {depth} levels deep; at most {max} are allowed")]
    TooDeep { depth: usize, max: usize },
    #[error("the rule has {nodes} conditions; at most {max} are allowed")]
    TooLarge { nodes: usize, max: usize },
}

/// A text rule that does not parse, with the 1-based character column where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// The rule text with a caret under the column, for the admin's editor.
    pub fn pointer(&self, text: &str) -> String {
        format!(
            "{text}\n{}^ {}",
            " ".repeat(self.column.saturating_sub(1)),
            self.message
        )
    }
}
