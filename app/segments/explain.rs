//! "Why is this customer a member": each clause of the rule with whether it held and the
//! profile's actual value, for the admin.

use serde::Serialize;

use super::DAY_MS;
use super::ast::{EventCondition, Rule, Trait, TraitKind};
use super::compile::node;
use super::error::RuleError;
use super::eval::{self, eval};
use super::profile::{Profile, TagPool};

/// One clause of a rule, as evaluated for one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The clause in the text form.
    pub clause: String,
    pub held: bool,
    /// What the profile has for a condition (`742.10`, `not set`, `3 matching events`);
    /// `None` for `all`/`any`/`not`, whose children say it.
    pub actual: Option<String>,
    pub children: Vec<Explanation>,
}

/// Explains every clause (no short-circuit, so the admin sees each one).
pub fn explain(rule: &Rule, profile: &Profile, now_ms: i64) -> Result<Explanation, RuleError> {
    rule.validate()?;
    Ok(walk(rule, profile, now_ms, &mut TagPool::default()))
}

fn walk(rule: &Rule, p: &Profile, now_ms: i64, tags: &mut TagPool) -> Explanation {
    let group = |children: &[Rule], tags: &mut TagPool| -> Vec<Explanation> {
        children.iter().map(|c| walk(c, p, now_ms, tags)).collect()
    };
    let (held, actual, children) = match rule {
        Rule::All(rules) => {
            let children = group(rules, tags);
            (children.iter().all(|c| c.held), None, children)
        }
        Rule::Any(rules) => {
            let children = group(rules, tags);
            (children.iter().any(|c| c.held), None, children)
        }
        Rule::Not(inner) => {
            let child = walk(inner, p, now_ms, tags);
            (!child.held, None, vec![child])
        }
        leaf => (
            eval(&node(leaf, tags), p, now_ms),
            Some(actual(leaf, p, now_ms)),
            Vec::new(),
        ),
    };
    Explanation {
        clause: rule.to_string(),
        held,
        actual,
        children,
    }
}

fn actual(rule: &Rule, p: &Profile, now_ms: i64) -> String {
    match rule {
        Rule::Compare { field, .. }
        | Rule::Within { field, .. }
        | Rule::OlderThan { field, .. }
        | Rule::IsSet(field)
        | Rule::In { field, .. } => trait_value(*field, p, now_ms),
        Rule::HasTag(_) => trait_value(Trait::Tags, p, now_ms),
        Rule::Event(e) => {
            let seen = count_matching(e, p, now_ms);
            format!(
                "{seen} matching {} event{} in the last {} days",
                e.kind,
                if seen == 1 { "" } else { "s" },
                e.days
            )
        }
        Rule::All(_) | Rule::Any(_) | Rule::Not(_) => String::new(),
    }
}

/// Counts every event the condition matches (evaluation stops early; the admin wants the count).
fn count_matching(e: &EventCondition, p: &Profile, now_ms: i64) -> u32 {
    let from = now_ms.saturating_sub(i64::from(e.days) * DAY_MS);
    p.events
        .between(from, i64::MAX)
        .filter(|event| {
            event.kind == e.kind
                && ((e.products.is_empty() && e.collections.is_empty())
                    || event.products.iter().any(|id| e.products.contains(id))
                    || event
                        .collections
                        .iter()
                        .any(|id| e.collections.contains(id)))
        })
        .count() as u32
}

fn trait_value(field: Trait, p: &Profile, now_ms: i64) -> String {
    let unset = || "not set".to_owned();
    match field.kind() {
        TraitKind::Decimal => eval::decimal(p, field).to_string(),
        TraitKind::Integer => eval::integer(p, field).to_string(),
        TraitKind::Bool => eval::boolean(p, field).to_string(),
        TraitKind::Text => eval::text(p, field).map_or_else(unset, |t| format!("{t:?}")),
        TraitKind::Country => p
            .country
            .map_or_else(unset, |c| format!("{:?}", c.as_str())),
        TraitKind::Tags if p.tags.is_empty() => "no tags".into(),
        TraitKind::Tags => p
            .tags
            .iter()
            .map(|t| format!("{:?}", t.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        TraitKind::Date => eval::date(p, field).map_or_else(unset, |at| date(at, now_ms)),
        TraitKind::Enum(_) => enum_name(field, p).to_owned(),
    }
}

fn enum_name(field: Trait, p: &Profile) -> &'static str {
    match field {
        Trait::State => p.state.as_str(),
        Trait::EmailConsent => p.email_consent.as_str(),
        Trait::SmsConsent => p.sms_consent.as_str(),
        Trait::EmailOptIn => p.email_opt_in.as_str(),
        _ => p.sms_opt_in.as_str(),
    }
}

/// `2026-03-01 (12 days ago)`, in UTC.
fn date(at_ms: i64, now_ms: i64) -> String {
    let day = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000)
        .map(|t| t.date().to_string())
        .unwrap_or_else(|_| format!("{at_ms} ms"));
    let ago = (now_ms - at_ms).div_euclid(DAY_MS);
    match ago {
        0 => format!("{day} (today)"),
        1 => format!("{day} (1 day ago)"),
        n if n > 0 => format!("{day} ({n} days ago)"),
        _ => format!("{day} (in the future)"),
    }
}
