//! The readable text form shown in the admin, e.g.
//! `lifetime_value >= 500 AND (country IN ["US", "CA"] OR did purchase >= 3 times in last 90 days)`.
//! Rendering then parsing gives the rule back (a one-condition `all`/`any` reads as its condition).

mod lexer;
mod parser;
mod values;

use std::fmt;

use super::ast::Rule;
use super::error::ParseError;

impl Rule {
    /// Parses the text form; errors carry the column where reading went wrong.
    pub fn parse_text(text: &str) -> Result<Rule, ParseError> {
        parser::parse(text)
    }

    /// `all`/`any` groups with one condition replaced by that condition, as the text form
    /// reads them.
    pub fn normalized(&self) -> Rule {
        match self {
            Rule::All(children) | Rule::Any(children) if children.len() == 1 => {
                children[0].normalized()
            }
            Rule::All(children) => Rule::All(children.iter().map(Rule::normalized).collect()),
            Rule::Any(children) => Rule::Any(children.iter().map(Rule::normalized).collect()),
            Rule::Not(child) => Rule::not(child.normalized()),
            leaf => leaf.clone(),
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_rule(f, self, false)
    }
}

/// `nested`: the rule sits inside a group or a NOT, so a group of two or more needs parentheses.
fn write_rule(f: &mut fmt::Formatter<'_>, rule: &Rule, nested: bool) -> fmt::Result {
    match rule {
        Rule::All(children) | Rule::Any(children) if children.len() == 1 => {
            write_rule(f, &children[0], nested)
        }
        Rule::All(children) | Rule::Any(children) => {
            let joiner = if matches!(rule, Rule::All(_)) {
                " AND "
            } else {
                " OR "
            };
            if nested {
                f.write_str("(")?;
            }
            for (i, child) in children.iter().enumerate() {
                if i > 0 {
                    f.write_str(joiner)?;
                }
                write_rule(f, child, true)?;
            }
            if nested {
                f.write_str(")")?;
            }
            Ok(())
        }
        Rule::Not(child) => match single(child) {
            Rule::IsSet(field) => write!(f, "{field} IS NOT SET"),
            Rule::HasTag(tag) => {
                f.write_str("tags NOT CONTAINS ")?;
                write_string(f, tag)
            }
            other => {
                f.write_str("NOT ")?;
                write_rule(f, other, true)
            }
        },
        Rule::Compare { field, op, value } => write!(f, "{field} {} {value}", op.as_str()),
        Rule::Within { field, days } => {
            write!(f, "{field} in last {days} {}", plural(*days, "day"))
        }
        Rule::OlderThan { field, days } => {
            write!(f, "{field} more than {days} {} ago", plural(*days, "day"))
        }
        Rule::IsSet(field) => write!(f, "{field} IS SET"),
        Rule::In { field, values } => {
            write!(f, "{field} IN [")?;
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_string(f, value)?;
            }
            f.write_str("]")
        }
        Rule::HasTag(tag) => {
            f.write_str("tags CONTAINS ")?;
            write_string(f, tag)
        }
        Rule::Event(e) => {
            write!(
                f,
                "did {} {} {} {} in last {} {}",
                e.kind,
                e.op.as_str(),
                e.count,
                plural(e.count, "time"),
                e.days,
                plural(e.days, "day")
            )?;
            for (label, ids) in [("products", &e.products), ("collections", &e.collections)] {
                if !ids.is_empty() {
                    write!(f, " for {label} [")?;
                    for (i, id) in ids.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{id}")?;
                    }
                    f.write_str("]")?;
                }
            }
            Ok(())
        }
    }
}

/// The rule a chain of one-condition groups stands for.
fn single(rule: &Rule) -> &Rule {
    match rule {
        Rule::All(children) | Rule::Any(children) if children.len() == 1 => single(&children[0]),
        other => other,
    }
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// A double-quoted string with `"` and `\` escaped (the lexer reads the same escapes).
pub(crate) fn write_string(f: &mut impl fmt::Write, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            other => f.write_char(other)?,
        }
    }
    f.write_char('"')
}
