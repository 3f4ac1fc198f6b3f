//! Translation to Shopify's customer segment query language, clause by clause, so a segment
//! can be pushed as a native Shopify segment instead of `segops:<slug>` tags.
//!
//! NOT is pushed down to the clauses (De Morgan, negated operators, `NOT CONTAINS`, `IS NULL`)
//! because the segment language documents negated operators rather than a general NOT. Known
//! differences, accepted: Shopify compares dates in whole days in the shop's time zone where
//! SegOps uses rolling 24-hour windows; `customer_countries` holds every address's country
//! where SegOps reads the default address's.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use thiserror::Error;

use super::ast::{CmpOp, Rule, Trait, TraitKind, Value};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeQuery {
    /// The query for `segmentCreate(query:)`.
    pub query: String,
    /// Clauses translated through a `segops` customer metafield instead of a Shopify filter:
    /// the metafield must hold every customer's count that is not zero for the answers to agree
    /// (a missing metafield counts zero).
    pub via_metafields: Vec<MetafieldUse>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetafieldUse {
    pub clause: String,
    pub attribute: String,
}

/// A clause Shopify's language cannot express, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub clause: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("not expressible as a Shopify segment: {}", .refusals.iter().map(|r| format!("`{}` ({})", r.clause, r.reason)).collect::<Vec<_>>().join("; "))]
pub struct NotNative {
    pub refusals: Vec<Refusal>,
}

/// Translates the whole rule, or lists every clause that cannot be translated. `metafields`
/// maps traits SegOps writes to customer metafields to their key (`metafields.segops.<key>`).
pub fn to_shopify_query(
    rule: &Rule,
    metafields: &BTreeMap<Trait, String>,
) -> Result<NativeQuery, NotNative> {
    let mut t = Translator {
        metafields,
        refusals: Vec::new(),
        via: Vec::new(),
    };
    let query = t.rule(rule, false);
    match query {
        Some(q) if t.refusals.is_empty() => Ok(NativeQuery {
            query: q.text,
            via_metafields: t.via,
        }),
        _ => Err(NotNative {
            refusals: t.refusals,
        }),
    }
}

const AND: &str = " AND ";
const OR: &str = " OR ";

/// A translated piece, with the operator joining its top level (if any): inside a piece joined
/// by the other operator it needs parentheses.
struct Piece {
    text: String,
    joiner: Option<&'static str>,
}

impl Piece {
    fn clause(text: String) -> Piece {
        Piece { text, joiner: None }
    }

    fn joined(mut pieces: Vec<Piece>, joiner: &'static str) -> Piece {
        if pieces.len() == 1 {
            return pieces.remove(0);
        }
        let text = pieces
            .iter()
            .map(|p| match p.joiner {
                Some(inner) if inner != joiner => format!("({})", p.text),
                _ => p.text.clone(),
            })
            .collect::<Vec<_>>()
            .join(joiner);
        Piece {
            text,
            joiner: Some(joiner),
        }
    }
}

struct Translator<'a> {
    metafields: &'a BTreeMap<Trait, String>,
    refusals: Vec<Refusal>,
    via: Vec<MetafieldUse>,
}

impl Translator<'_> {
    /// `negated`: an odd number of NOTs surround this rule.
    fn rule(&mut self, rule: &Rule, negated: bool) -> Option<Piece> {
        match rule {
            Rule::All(children) | Rule::Any(children) => {
                // De Morgan: under NOT, AND and OR swap.
                let and = matches!(rule, Rule::All(_)) != negated;
                let pieces: Vec<Option<Piece>> =
                    children.iter().map(|c| self.rule(c, negated)).collect();
                let pieces: Option<Vec<Piece>> = pieces.into_iter().collect();
                Some(Piece::joined(pieces?, if and { AND } else { OR }))
            }
            Rule::Not(child) => self.rule(child, !negated),
            leaf => {
                let translated = self.leaf(leaf, negated);
                match translated {
                    Ok(piece) => Some(piece),
                    Err(reason) => {
                        self.refusals.push(Refusal {
                            clause: leaf.to_string(),
                            reason: reason.to_owned(),
                        });
                        None
                    }
                }
            }
        }
    }

    fn leaf(&mut self, rule: &Rule, negated: bool) -> Result<Piece, &'static str> {
        let field = match rule {
            Rule::Compare { field, .. }
            | Rule::Within { field, .. }
            | Rule::OlderThan { field, .. }
            | Rule::IsSet(field)
            | Rule::In { field, .. } => *field,
            Rule::HasTag(_) => Trait::Tags,
            Rule::Event(_) => {
                return Err("Shopify segments cannot count SegOps events over a day window");
            }
            Rule::All(_) | Rule::Any(_) | Rule::Not(_) => return Err(GROUP),
        };
        let native = native_attribute(field);
        let attribute = match (native, self.metafields.get(&field)) {
            (Some(attribute), _) => attribute.to_owned(),
            (None, Some(key)) if valid_key(key) => {
                let attribute = format!("metafields.segops.{key}");
                self.via.push(MetafieldUse {
                    clause: rule.to_string(),
                    attribute: attribute.clone(),
                });
                attribute
            }
            (None, Some(_)) => return Err("the metafield key is not a valid Shopify key"),
            (None, None) => return Err(refusal_reason(field)),
        };
        let piece = match rule {
            Rule::Compare { op, value, .. } => {
                let op = if negated { op.negated() } else { *op };
                let piece = compare(&attribute, field, op, value)?;
                match value {
                    Value::Int(n) if native.is_none() => {
                        missing_counts_zero(piece, &attribute, op, *n)
                    }
                    _ => piece,
                }
            }
            Rule::Within { days, .. } => window(&attribute, field, *days, true, negated),
            Rule::OlderThan { days, .. } => window(&attribute, field, *days, false, negated),
            Rule::IsSet(_) => {
                if field == Trait::Tags {
                    return Err("Shopify segments cannot test whether a customer has any tag");
                }
                let not = if negated { "" } else { " NOT" };
                Piece::clause(format!("{attribute} IS{not} NULL"))
            }
            Rule::In { values, .. } => {
                let op = if negated { CmpOp::Ne } else { CmpOp::Eq };
                let pieces = values
                    .iter()
                    .map(|v| compare(&attribute, field, op, &Value::Text(v.clone())))
                    .collect::<Result<Vec<_>, _>>()?;
                Piece::joined(pieces, if negated { AND } else { OR })
            }
            Rule::HasTag(tag) => {
                let not = if negated { "NOT " } else { "" };
                Piece::clause(format!("{attribute} {not}CONTAINS {}", quote(tag)))
            }
            Rule::Event(_) | Rule::All(_) | Rule::Any(_) | Rule::Not(_) => return Err(GROUP),
        };
        Ok(piece)
    }
}

/// `Translator::rule` handles groups itself and never hands one to `leaf`.
const GROUP: &str = "a group is not a single clause";

fn compare(attribute: &str, field: Trait, op: CmpOp, value: &Value) -> Result<Piece, &'static str> {
    let text = match (field.kind(), value) {
        (TraitKind::Country, Value::Text(code)) => {
            let not = if op == CmpOp::Ne { "NOT " } else { "" };
            format!("{attribute} {not}CONTAINS {}", quote(code))
        }
        (_, Value::Text(text)) => format!("{attribute} {} {}", op.as_str(), quote(text)),
        (_, Value::Int(n)) => format!("{attribute} {} {n}", op.as_str()),
        (_, Value::Decimal(d)) => format!("{attribute} {} {d}", op.as_str()),
        (_, Value::Bool(b)) => format!("{attribute} {} {b}", op.as_str()),
    };
    Ok(Piece::clause(text))
}

/// SegOps writes a count's metafield once it is not zero, so a customer without one counts
/// zero. Shopify's comparisons fail on a missing metafield, except `!=`, which holds for it: the
/// clause is widened or narrowed so a missing value answers as zero does.
fn missing_counts_zero(piece: Piece, attribute: &str, op: CmpOp, n: i64) -> Piece {
    let zero_holds = op.holds(&0, &n);
    match (op == CmpOp::Ne, zero_holds) {
        (false, true) => Piece {
            text: format!("{} OR {attribute} IS NULL", piece.text),
            joiner: Some(OR),
        },
        (true, false) => Piece {
            text: format!("{} AND {attribute} IS NOT NULL", piece.text),
            joiner: Some(AND),
        },
        _ => piece,
    }
}

/// "in the last `days` days" (`within`) or "more than `days` days ago", possibly negated.
/// SegOps' negations include customers without the date, which fail both of Shopify's date
/// comparisons, so a negated window on a date that can be missing adds `OR … IS NULL`.
fn window(attribute: &str, field: Trait, days: u32, within: bool, negated: bool) -> Piece {
    let op = if within != negated { ">=" } else { "<" };
    let clause = format!("{attribute} {op} -{days}d");
    // Every Shopify customer has an added date.
    if negated && field != Trait::CreatedAt {
        Piece {
            text: format!("{clause} OR {attribute} IS NULL"),
            joiner: Some(OR),
        }
    } else {
        Piece::clause(clause)
    }
}

/// Shopify's own filter for a trait, when it has one.
fn native_attribute(field: Trait) -> Option<&'static str> {
    Some(match field {
        Trait::LifetimeValue => "amount_spent",
        Trait::OrderCount => "number_of_orders",
        Trait::Country => "customer_countries",
        Trait::Tags => "customer_tags",
        Trait::EmailConsent => "email_subscription_status",
        Trait::SmsConsent => "sms_subscription_status",
        Trait::State => "customer_account_status",
        Trait::LastOrderAt => "last_order_date",
        Trait::CreatedAt => "customer_added_date",
        _ => return None,
    })
}

fn refusal_reason(field: Trait) -> &'static str {
    match field {
        Trait::ProductViews | Trait::AddToCarts | Trait::Sessions => {
            "storefront behaviour is counted by SegOps, not Shopify (back the trait with a metafield to push it natively)"
        }
        Trait::AverageOrderValue => "Shopify segments have no average order value filter",
        Trait::FirstOrderAt => "Shopify segments have no first order date filter",
        Trait::LastSeenAt => "Shopify does not know when SegOps last saw the customer",
        Trait::HasEmail | Trait::HasPhone | Trait::VerifiedEmail => {
            "Shopify segments cannot filter on whether contact details exist or are verified"
        }
        Trait::FirstName | Trait::LastName => "Shopify segments cannot filter on names",
        Trait::EmailOptIn | Trait::SmsOptIn => "Shopify segments cannot filter on the opt-in level",
        _ => "Shopify segments have no filter for this trait",
    }
}

/// Metafield keys: 2 to 64 of letters, digits, `_` and `-` (Shopify's rule).
fn valid_key(key: &str) -> bool {
    (2..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A single-quoted value with `'` and `\` escaped.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        let _ = out.write_char(c);
    }
    out.push('\'');
    out
}
