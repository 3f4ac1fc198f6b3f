//! What makes a rule acceptable: values fit their trait, windows and lists are bounded, and the
//! tree is small enough that a stored rule cannot blow up evaluation.

use rust_decimal::Decimal;

use super::ast::{CmpOp, Rule, Trait, TraitKind, Value};
use super::error::RuleError;
use super::profile::CountryCode;

/// Deepest nesting of `all`/`any`/`not` (the root counts as one level).
pub const MAX_DEPTH: usize = 8;
/// Most nodes in one rule.
pub const MAX_NODES: usize = 100;
/// Most values in one list (countries, enum values, product or collection ids).
pub const MAX_LIST: usize = 250;
/// Longest window, about ten years.
pub const MAX_DAYS: u32 = 3660;
/// Largest event count a rule may ask for.
pub const MAX_COUNT: u32 = 100_000;

impl Rule {
    /// Checks the whole rule: limits first (so a huge rule is refused cheaply), then each node.
    pub fn validate(&self) -> Result<(), RuleError> {
        let (mut nodes, mut depth) = (0usize, 0usize);
        self.walk(&mut |_, d| {
            nodes += 1;
            depth = depth.max(d);
        });
        if depth > MAX_DEPTH {
            return Err(RuleError::TooDeep {
                depth,
                max: MAX_DEPTH,
            });
        }
        if nodes > MAX_NODES {
            return Err(RuleError::TooLarge {
                nodes,
                max: MAX_NODES,
            });
        }
        let mut result = Ok(());
        self.walk(&mut |node, _| {
            if result.is_ok() {
                result = check_node(node);
            }
        });
        result
    }
}

/// Checks one node on its own (children are checked when the walk reaches them).
pub(crate) fn check_node(rule: &Rule) -> Result<(), RuleError> {
    match rule {
        Rule::All(children) if children.is_empty() => Err(RuleError::EmptyGroup("all")),
        Rule::Any(children) if children.is_empty() => Err(RuleError::EmptyGroup("any")),
        Rule::All(_) | Rule::Any(_) | Rule::Not(_) => Ok(()),
        Rule::Compare { field, op, value } => check_compare(*field, *op, value),
        Rule::Within { field, days } | Rule::OlderThan { field, days } => {
            if field.kind() != TraitKind::Date {
                return Err(RuleError::OpNotAllowed {
                    field: field.as_str(),
                    op: "a day window".into(),
                    hint: "only date traits (first_order_at, last_order_at, created_at, last_seen_at) have windows",
                });
            }
            check_days(i64::from(*days))
        }
        Rule::IsSet(field) => match field.kind() {
            TraitKind::Date | TraitKind::Text | TraitKind::Country | TraitKind::Tags => Ok(()),
            _ => Err(RuleError::OpNotAllowed {
                field: field.as_str(),
                op: "IS SET".into(),
                hint: "this trait always has a value; compare it instead",
            }),
        },
        Rule::In { field, values } => {
            if !matches!(field.kind(), TraitKind::Country | TraitKind::Enum(_)) {
                return Err(RuleError::OpNotAllowed {
                    field: field.as_str(),
                    op: "IN".into(),
                    hint: "IN lists countries or state names",
                });
            }
            if values.is_empty() {
                return Err(RuleError::EmptyList("IN"));
            }
            check_list_len(values.len())?;
            values
                .iter()
                .try_for_each(|v| check_text_value(*field, v).map(|_| ()))
        }
        Rule::HasTag(tag) => check_tag(tag),
        Rule::Event(event) => {
            check_days(i64::from(event.days))?;
            if event.count > MAX_COUNT {
                return Err(RuleError::CountOutOfRange {
                    count: i64::from(event.count),
                    max: MAX_COUNT,
                });
            }
            check_list_len(event.products.len())?;
            check_list_len(event.collections.len())
        }
    }
}

fn check_compare(field: Trait, op: CmpOp, value: &Value) -> Result<(), RuleError> {
    check_op(field, op)?;
    match (field.kind(), value) {
        (TraitKind::Decimal, Value::Decimal(_))
        | (TraitKind::Integer, Value::Int(_))
        | (TraitKind::Bool, Value::Bool(_)) => Ok(()),
        (TraitKind::Text, Value::Text(_)) => Ok(()),
        (TraitKind::Country | TraitKind::Enum(_), Value::Text(text)) => {
            check_text_value(field, text).map(|_| ())
        }
        (_, other) => Err(wrong_value(field, other)),
    }
}

/// Whether the trait can be compared with `op` at all (dates use windows, tags CONTAINS).
pub(crate) fn check_op(field: Trait, op: CmpOp) -> Result<(), RuleError> {
    let kind = field.kind();
    let hint = match kind {
        TraitKind::Date => Some("use `in last N days` or `more than N days ago`"),
        TraitKind::Tags => Some("use `tags CONTAINS \"…\"`"),
        TraitKind::Bool | TraitKind::Text | TraitKind::Country | TraitKind::Enum(_)
            if !op.is_equality() =>
        {
            Some("only `=` and `!=` apply")
        }
        _ => None,
    };
    match hint {
        Some(hint) => Err(RuleError::OpNotAllowed {
            field: field.as_str(),
            op: op.as_str().into(),
            hint,
        }),
        None => Ok(()),
    }
}

fn wrong_value(field: Trait, found: &Value) -> RuleError {
    RuleError::WrongValue {
        field: field.as_str(),
        expected: field.kind().describe(),
        found: found.to_string(),
    }
}

/// The canonical spelling of a country or enum value (upper case), or why it is not one.
pub(crate) fn check_text_value(field: Trait, text: &str) -> Result<String, RuleError> {
    match field.kind() {
        TraitKind::Country => CountryCode::parse(text)
            .filter(|c| c.as_str() == text)
            .map(|c| c.as_str().to_owned())
            .ok_or_else(|| RuleError::WrongValue {
                field: field.as_str(),
                expected: "a two-letter upper-case country code such as \"US\"",
                found: format!("{text:?}"),
            }),
        TraitKind::Enum(names) => names
            .iter()
            .find(|n| **n == text)
            .map(|n| (*n).to_owned())
            .ok_or_else(|| RuleError::UnknownValue {
                field: field.as_str(),
                value: text.to_owned(),
                allowed: names.join(", "),
            }),
        _ => Ok(text.to_owned()),
    }
}

/// Brings a country or enum value given in any case to its canonical spelling.
pub(crate) fn canonical_text(field: Trait, text: &str) -> String {
    match field.kind() {
        TraitKind::Country | TraitKind::Enum(_) => text.to_ascii_uppercase(),
        _ => text.to_owned(),
    }
}

/// Turns a literal as written (JSON or text) into the trait's value type.
pub(crate) fn typed_value(field: Trait, literal: Literal) -> Result<Value, RuleError> {
    let kind = field.kind();
    let value = match (kind, literal) {
        (TraitKind::Decimal, Literal::Number(text) | Literal::Text(text)) => text
            .parse::<Decimal>()
            .map(Value::Decimal)
            .map_err(|_| RuleError::WrongValue {
                field: field.as_str(),
                expected: kind.describe(),
                found: format!("{text:?}"),
            })?,
        (TraitKind::Integer, Literal::Number(text)) => text
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| RuleError::WrongValue {
                field: field.as_str(),
                expected: kind.describe(),
                found: text,
            })?,
        (TraitKind::Bool, Literal::Bool(b)) => Value::Bool(b),
        (TraitKind::Text | TraitKind::Country | TraitKind::Enum(_), Literal::Text(text)) => {
            Value::Text(canonical_text(field, &text))
        }
        (_, literal) => {
            return Err(RuleError::WrongValue {
                field: field.as_str(),
                expected: kind.describe(),
                found: literal.describe(),
            });
        }
    };
    Ok(value)
}

/// A value as written, before the trait decides its type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    /// The number's text exactly as written, so decimals never pass through a float.
    Number(String),
    Text(String),
    Bool(bool),
    Other(String),
}

impl Literal {
    fn describe(&self) -> String {
        match self {
            Literal::Number(n) => n.clone(),
            Literal::Text(t) => format!("{t:?}"),
            Literal::Bool(b) => b.to_string(),
            Literal::Other(o) => o.clone(),
        }
    }
}

pub(crate) fn check_days(days: i64) -> Result<(), RuleError> {
    if (1..=i64::from(MAX_DAYS)).contains(&days) {
        Ok(())
    } else {
        Err(RuleError::DaysOutOfRange {
            days,
            max: MAX_DAYS,
        })
    }
}

pub(crate) fn check_count(count: i64) -> Result<u32, RuleError> {
    u32::try_from(count)
        .ok()
        .filter(|c| *c <= MAX_COUNT)
        .ok_or(RuleError::CountOutOfRange {
            count,
            max: MAX_COUNT,
        })
}

fn check_list_len(len: usize) -> Result<(), RuleError> {
    if len > MAX_LIST {
        return Err(RuleError::ListTooLong { len, max: MAX_LIST });
    }
    Ok(())
}

/// Shopify's limits on a customer tag: at most 255 characters, and a comma separates tags.
pub(crate) fn check_tag(tag: &str) -> Result<(), RuleError> {
    let len = tag.chars().count();
    if len == 0 || len > 255 || tag.contains(',') || tag.trim() != tag {
        return Err(RuleError::BadTag(tag.to_owned()));
    }
    Ok(())
}

/// A Shopify numeric id, from its decimal text.
pub(crate) fn parse_id(text: &str) -> Result<u64, RuleError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RuleError::BadId(text.to_owned()));
    }
    text.parse().map_err(|_| RuleError::BadId(text.to_owned()))
}
