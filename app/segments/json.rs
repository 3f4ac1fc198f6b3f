//! The stored JSON form (`{"version": 1, "rule": …}`): a plain serde mirror of the rule, turned
//! into a typed, validated [`Rule`] on the way in.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::ast::{CmpOp, CountOp, EventCondition, Rule, Trait, Value};
use super::error::RuleError;
use super::validate::{self, Literal};
use crate::events::EventKind;

/// The version this code writes and reads.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    rule: Json,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawRule {
    All(Vec<RawRule>),
    Any(Vec<RawRule>),
    Not(Box<RawRule>),
    Compare(RawCompare),
    Within(RawWindow),
    OlderThan(RawWindow),
    IsSet(String),
    In(RawIn),
    HasTag(String),
    Event(RawEvent),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCompare {
    #[serde(rename = "trait")]
    field: String,
    op: String,
    value: Json,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    #[serde(rename = "trait")]
    field: String,
    days: i64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIn {
    #[serde(rename = "trait")]
    field: String,
    values: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    kind: String,
    op: String,
    count: i64,
    days: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    products: Vec<RawId>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    collections: Vec<RawId>,
}

/// Ids are written as strings (JavaScript loses digits beyond 2^53); numbers are accepted.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum RawId {
    Text(String),
    Number(u64),
}

impl Rule {
    /// Reads a stored rule: the versioned document, typed and validated.
    pub fn from_json(text: &str) -> Result<Rule, RuleError> {
        let document: Document = parse(text)?;
        if document.version != VERSION {
            return Err(RuleError::UnsupportedVersion(document.version));
        }
        let raw: RawRule = serde_path_to_error::deserialize(document.rule).map_err(|err| {
            // The path of an error at the rule itself prints as ".".
            let path = err.path().to_string();
            RuleError::Json {
                path: match path.as_str() {
                    "." => "rule".into(),
                    _ => format!("rule.{path}"),
                },
                message: err.inner().to_string(),
            }
        })?;
        let rule = typed(raw)?;
        rule.validate()?;
        Ok(rule)
    }

    /// The stored form, `{"version":1,"rule":…}`.
    pub fn to_json(&self) -> String {
        let document = Document {
            version: VERSION,
            rule: serde_json::to_value(raw(self)).unwrap_or(Json::Null),
        };
        serde_json::to_string(&document).unwrap_or_default()
    }
}

fn parse(text: &str) -> Result<Document, RuleError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|err| RuleError::Json {
        path: err.path().to_string(),
        message: err.inner().to_string(),
    })
}

pub(crate) fn parse_trait(name: &str) -> Result<Trait, RuleError> {
    Trait::parse(name).ok_or_else(|| RuleError::UnknownTrait {
        name: name.to_owned(),
        known: Trait::names(),
    })
}

pub(crate) fn parse_event(name: &str) -> Result<EventKind, RuleError> {
    EventKind::parse(name).ok_or_else(|| RuleError::UnknownEvent(name.to_owned()))
}

fn typed(raw: RawRule) -> Result<Rule, RuleError> {
    let group = |children: Vec<RawRule>| -> Result<Vec<Rule>, RuleError> {
        children.into_iter().map(typed).collect()
    };
    Ok(match raw {
        RawRule::All(children) => Rule::All(group(children)?),
        RawRule::Any(children) => Rule::Any(group(children)?),
        RawRule::Not(child) => Rule::not(typed(*child)?),
        RawRule::Compare(c) => {
            let field = parse_trait(&c.field)?;
            let op = CmpOp::parse(&c.op).ok_or_else(|| RuleError::OpNotAllowed {
                field: field.as_str(),
                op: c.op.clone(),
                hint: "comparisons are =, !=, <, <=, >, >=",
            })?;
            validate::check_op(field, op)?;
            Rule::Compare {
                field,
                op,
                value: validate::typed_value(field, literal(c.value))?,
            }
        }
        RawRule::Within(w) => Rule::Within {
            field: parse_trait(&w.field)?,
            days: days(w.days)?,
        },
        RawRule::OlderThan(w) => Rule::OlderThan {
            field: parse_trait(&w.field)?,
            days: days(w.days)?,
        },
        RawRule::IsSet(name) => Rule::IsSet(parse_trait(&name)?),
        RawRule::In(i) => {
            let field = parse_trait(&i.field)?;
            let values = i
                .values
                .iter()
                .map(|v| validate::canonical_text(field, v))
                .collect();
            Rule::In { field, values }
        }
        RawRule::HasTag(tag) => Rule::HasTag(tag),
        RawRule::Event(e) => Rule::Event(EventCondition {
            kind: parse_event(&e.kind)?,
            op: CountOp::parse(&e.op).ok_or_else(|| RuleError::OpNotAllowed {
                field: "event count",
                op: e.op.clone(),
                hint: "event counts use >= (at least), <= (at most) or = (exactly)",
            })?,
            count: validate::check_count(e.count)?,
            days: days(e.days)?,
            products: ids(e.products)?,
            collections: ids(e.collections)?,
        }),
    })
}

fn days(days: i64) -> Result<u32, RuleError> {
    validate::check_days(days)?;
    u32::try_from(days).map_err(|_| RuleError::DaysOutOfRange {
        days,
        max: validate::MAX_DAYS,
    })
}

fn ids(raw: Vec<RawId>) -> Result<Vec<u64>, RuleError> {
    raw.into_iter()
        .map(|id| match id {
            RawId::Text(text) => validate::parse_id(&text),
            RawId::Number(n) => Ok(n),
        })
        .collect()
}

fn literal(json: Json) -> Literal {
    match json {
        Json::Number(n) => Literal::Number(n.to_string()),
        Json::String(s) => Literal::Text(s),
        Json::Bool(b) => Literal::Bool(b),
        Json::Null => Literal::Other("null".into()),
        Json::Array(_) => Literal::Other("a list".into()),
        Json::Object(_) => Literal::Other("an object".into()),
    }
}

fn raw(rule: &Rule) -> RawRule {
    let group = |children: &[Rule]| children.iter().map(raw).collect();
    match rule {
        Rule::All(children) => RawRule::All(group(children)),
        Rule::Any(children) => RawRule::Any(group(children)),
        Rule::Not(child) => RawRule::Not(Box::new(raw(child))),
        Rule::Compare { field, op, value } => RawRule::Compare(RawCompare {
            field: field.as_str().into(),
            op: op.as_str().into(),
            value: match value {
                Value::Int(n) => Json::from(*n),
                Value::Decimal(d) => Json::String(d.to_string()),
                Value::Bool(b) => Json::Bool(*b),
                Value::Text(s) => Json::String(s.clone()),
            },
        }),
        Rule::Within { field, days } => RawRule::Within(RawWindow {
            field: field.as_str().into(),
            days: i64::from(*days),
        }),
        Rule::OlderThan { field, days } => RawRule::OlderThan(RawWindow {
            field: field.as_str().into(),
            days: i64::from(*days),
        }),
        Rule::IsSet(field) => RawRule::IsSet(field.as_str().into()),
        Rule::In { field, values } => RawRule::In(RawIn {
            field: field.as_str().into(),
            values: values.clone(),
        }),
        Rule::HasTag(tag) => RawRule::HasTag(tag.clone()),
        Rule::Event(e) => RawRule::Event(RawEvent {
            kind: e.kind.as_str().into(),
            op: e.op.as_str().into(),
            count: i64::from(e.count),
            days: i64::from(e.days),
            products: e
                .products
                .iter()
                .map(|id| RawId::Text(id.to_string()))
                .collect(),
            collections: e
                .collections
                .iter()
                .map(|id| RawId::Text(id.to_string()))
                .collect(),
        }),
    }
}
