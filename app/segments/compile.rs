//! A validated rule turned into the form evaluation runs: tags as shared strings, countries as
//! two bytes, enum conditions as bit masks, windows in milliseconds and id filters sorted.

use rust_decimal::Decimal;

use super::DAY_MS;
use super::ast::{CmpOp, CountOp, Rule, Trait, Value};
use super::deps::Deps;
use super::error::RuleError;
use super::profile::{CountryCode, CustomerState, MarketingState, OptInLevel, Tag, TagPool};
use crate::events::EventKind;

/// A rule ready to evaluate many times (see `eval.rs`), with what it reads.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub(crate) root: Node,
    deps: Deps,
}

#[derive(Debug, Clone)]
pub(crate) enum Node {
    All(Box<[Node]>),
    Any(Box<[Node]>),
    Not(Box<Node>),
    Decimal {
        field: Trait,
        op: CmpOp,
        value: Decimal,
    },
    Int {
        field: Trait,
        op: CmpOp,
        value: i64,
    },
    /// The boolean trait equals `value` (`!=` is folded into `value`).
    Bool {
        field: Trait,
        value: bool,
    },
    Text {
        field: Trait,
        op: CmpOp,
        value: Box<str>,
    },
    /// Country in the list (`!=` and NOT IN become `Not` around it).
    Country(Box<[CountryCode]>),
    /// Enum trait's value index is a bit of `mask`.
    Enum {
        field: Trait,
        mask: u8,
    },
    Within {
        field: Trait,
        window_ms: i64,
    },
    OlderThan {
        field: Trait,
        window_ms: i64,
    },
    IsSet(Trait),
    HasTag(Tag),
    Event {
        kind: EventKind,
        op: CountOp,
        count: u32,
        window_ms: i64,
        products: Box<[u64]>,
        collections: Box<[u64]>,
    },
}

impl CompiledRule {
    /// Validates and compiles. Tags get their own strings; see [`CompiledRule::compile_in`].
    pub fn compile(rule: &Rule) -> Result<CompiledRule, RuleError> {
        CompiledRule::compile_in(rule, &mut TagPool::default())
    }

    /// Compiles with tags taken from the shop's pool, so matching a profile's tag from the same
    /// pool is a pointer comparison.
    pub fn compile_in(rule: &Rule, tags: &mut TagPool) -> Result<CompiledRule, RuleError> {
        rule.validate()?;
        Ok(CompiledRule {
            root: node(rule, tags),
            deps: Deps::of(rule),
        })
    }

    pub fn deps(&self) -> Deps {
        self.deps
    }
}

/// Compiles one validated node; validation guarantees each value fits its trait.
pub(crate) fn node(rule: &Rule, tags: &mut TagPool) -> Node {
    let children = |rules: &[Rule], tags: &mut TagPool| -> Box<[Node]> {
        rules.iter().map(|r| node(r, tags)).collect()
    };
    match rule {
        Rule::All(rules) => Node::All(children(rules, tags)),
        Rule::Any(rules) => Node::Any(children(rules, tags)),
        Rule::Not(inner) => Node::Not(Box::new(node(inner, tags))),
        Rule::Compare { field, op, value } => compare(*field, *op, value),
        Rule::Within { field, days } => Node::Within {
            field: *field,
            window_ms: i64::from(*days) * DAY_MS,
        },
        Rule::OlderThan { field, days } => Node::OlderThan {
            field: *field,
            window_ms: i64::from(*days) * DAY_MS,
        },
        Rule::IsSet(field) => Node::IsSet(*field),
        Rule::In { field, values } => match field {
            Trait::Country => Node::Country(
                values
                    .iter()
                    .filter_map(|v| CountryCode::parse(v))
                    .collect(),
            ),
            _ => Node::Enum {
                field: *field,
                mask: values.iter().fold(0, |mask, v| mask | enum_bit(*field, v)),
            },
        },
        Rule::HasTag(tag) => Node::HasTag(tags.intern(tag)),
        Rule::Event(e) => {
            let sorted = |ids: &[u64]| {
                let mut ids = ids.to_vec();
                ids.sort_unstable();
                ids.dedup();
                ids.into_boxed_slice()
            };
            Node::Event {
                kind: e.kind,
                op: e.op,
                count: e.count,
                window_ms: i64::from(e.days) * DAY_MS,
                products: sorted(&e.products),
                collections: sorted(&e.collections),
            }
        }
    }
}

fn compare(field: Trait, op: CmpOp, value: &Value) -> Node {
    let negate = |node: Node| {
        if op == CmpOp::Ne {
            Node::Not(Box::new(node))
        } else {
            node
        }
    };
    match value {
        Value::Decimal(d) => Node::Decimal {
            field,
            op,
            value: *d,
        },
        Value::Int(n) => Node::Int {
            field,
            op,
            value: *n,
        },
        Value::Bool(b) => Node::Bool {
            field,
            value: if op == CmpOp::Ne { !b } else { *b },
        },
        Value::Text(text) => match field {
            Trait::Country => negate(Node::Country(
                CountryCode::parse(text).into_iter().collect(),
            )),
            Trait::FirstName | Trait::LastName => Node::Text {
                field,
                op,
                value: text.as_str().into(),
            },
            _ => negate(Node::Enum {
                field,
                mask: enum_bit(field, text),
            }),
        },
    }
}

/// The bit of an enum value: its position in Shopify's list.
fn enum_bit(field: Trait, text: &str) -> u8 {
    let index = match field {
        Trait::State => CustomerState::ALL.iter().position(|s| s.as_str() == text),
        Trait::EmailConsent | Trait::SmsConsent => {
            MarketingState::ALL.iter().position(|s| s.as_str() == text)
        }
        Trait::EmailOptIn | Trait::SmsOptIn => {
            OptInLevel::ALL.iter().position(|s| s.as_str() == text)
        }
        _ => None,
    };
    index.map_or(0, |i| 1 << i)
}
