//! Rule-based customer segments: the rule language (JSON and text), evaluation over profile
//! snapshots, explanations, incremental re-evaluation, Shopify-native translation, slugs and the
//! suggested first segment. Pure domain code: storing and pushing segments live elsewhere.
//!
//! # Stored JSON (version 1)
//!
//! A rule is stored as `{"version": 1, "rule": <node>}` ([`Rule::to_json`], [`Rule::from_json`]).
//! A node is an object with exactly one key:
//!
//! | node | meaning | text form |
//! |---|---|---|
//! | `{"all": [node, …]}` | every child holds (non-empty) | `a AND b` |
//! | `{"any": [node, …]}` | at least one child holds (non-empty) | `a OR b` |
//! | `{"not": node}` | the child does not hold | `NOT a` |
//! | `{"compare": {"trait": t, "op": o, "value": v}}` | `o` one of `=` `!=` `<` `<=` `>` `>=` | `lifetime_value >= 500` |
//! | `{"within": {"trait": t, "days": d}}` | date trait set and within the last `d` days | `last_order_at in last 30 days` |
//! | `{"older_than": {"trait": t, "days": d}}` | date trait set and more than `d` days ago | `last_order_at more than 90 days ago` |
//! | `{"is_set": t}` | the trait has a value | `first_name IS SET` |
//! | `{"in": {"trait": t, "values": [s, …]}}` | country or enum trait is one of the values | `country IN ["US", "CA"]` |
//! | `{"has_tag": s}` | the customer carries the tag | `tags CONTAINS "vip"` |
//! | `{"event": {"kind": k, "op": o, "count": n, "days": d, "products": [id, …], "collections": [id, …]}}` | events of kind `k` in the last `d` days, counted `o n` (`>=`, `<=` or `=`), optionally only those touching the products / collections | `did purchase >= 3 times in last 90 days for products ["1"]` |
//!
//! Values are typed by the trait ([`Trait`]): decimals (`lifetime_value`, `average_order_value`)
//! as strings (`"500.50"`) or JSON numbers; whole numbers for counts; `true`/`false` for
//! booleans; Shopify's enum names (`"SUBSCRIBED"`) for states. Product and collection ids are
//! Shopify's numeric ids as strings (they exceed JavaScript's safe integers). `products` and
//! `collections` may be omitted. "did X but not Y" is `{"all": [X, {"not": Y}]}`.
//!
//! Example: `{"version":1,"rule":{"all":[{"compare":{"trait":"lifetime_value","op":">=","value":"500"}},
//! {"any":[{"in":{"trait":"country","values":["US","CA"]}},{"event":{"kind":"purchase","op":">=","count":3,"days":90}}]}]}}`
//! reads `lifetime_value >= 500 AND (country IN ["US", "CA"] OR did purchase >= 3 times in last 90 days)`.
//!
//! Windows are rolling: "in the last `d` days" means at or after `now − d·24h`, and "more than
//! `d` days ago" strictly before it; a missing date satisfies neither.

mod ast;
mod backed;
mod compile;
mod deps;
mod error;
mod eval;
mod explain;
mod json;
mod native;
mod profile;
mod set;
mod slug;
mod suggest;
mod text;
mod validate;

pub use ast::{CmpOp, CountOp, EventCondition, Rule, Trait, TraitKind, Value};
pub use backed::{BACKED_TRAITS, BackedTrait, NAMESPACE, backed_by_attribute, translate};
pub use compile::CompiledRule;
pub use deps::{Changes, Deps, EventKinds, Traits};
pub use error::{ParseError, RuleError};
pub use explain::{Explanation, explain};
pub use native::{MetafieldUse, NativeQuery, NotNative, Refusal, to_shopify_query};
pub use profile::{
    CountryCode, CustomerState, EventHistory, EventView, MarketingState, OptInLevel, Profile, Tag,
    TagPool,
};
pub use set::SegmentSet;
pub use slug::{MAX_SLUG_LEN, Slug, SlugError, slugify, unique_slug};
pub use suggest::{LAPSED_AFTER_DAYS, Suggestion, suggest_first_segment};
pub use validate::{MAX_DAYS, MAX_DEPTH, MAX_LIST, MAX_NODES};

/// Milliseconds in a day: windows are counted in whole 24-hour days.
pub const DAY_MS: i64 = 86_400_000;

#[cfg(test)]
mod tests;
