//! The rule tree and the traits it reads. A `Rule` is typed (a decimal trait holds a decimal);
//! the limits and the cross-checks live in `validate.rs`, the stored form in `json.rs`.

use std::fmt;

use rust_decimal::Decimal;

use super::profile::{CustomerState, MarketingState, OptInLevel};
use crate::events::EventKind;

/// One segment rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Not(Box<Rule>),
    Compare {
        field: Trait,
        op: CmpOp,
        value: Value,
    },
    /// The date trait is set and within the last `days` days.
    Within {
        field: Trait,
        days: u32,
    },
    /// The date trait is set and more than `days` days ago.
    OlderThan {
        field: Trait,
        days: u32,
    },
    IsSet(Trait),
    /// A country or enum trait is one of `values` (canonical spelling, checked by validation).
    In {
        field: Trait,
        values: Vec<String>,
    },
    HasTag(String),
    Event(EventCondition),
}

/// "did `kind` `op` `count` times in the last `days` days", optionally only counting events
/// that touch one of `products` or one of `collections` (both lists: either matches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCondition {
    pub kind: EventKind,
    pub op: CountOp,
    pub count: u32,
    pub days: u32,
    pub products: Vec<u64>,
    pub collections: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Decimal(Decimal),
    Bool(bool),
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(s) => super::text::write_string(f, s),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn parse(text: &str) -> Option<CmpOp> {
        CmpOp::ALL.into_iter().find(|op| op.as_str() == text)
    }

    /// The operator that holds exactly when this one does not.
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }

    #[inline]
    pub fn holds<T: PartialOrd>(self, left: &T, right: &T) -> bool {
        match self {
            CmpOp::Eq => left == right,
            CmpOp::Ne => left != right,
            CmpOp::Lt => left < right,
            CmpOp::Le => left <= right,
            CmpOp::Gt => left > right,
            CmpOp::Ge => left >= right,
        }
    }

    pub fn is_equality(self) -> bool {
        matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// How an event count is compared: at least, at most, exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountOp {
    AtLeast,
    AtMost,
    Exactly,
}

impl CountOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CountOp::AtLeast => ">=",
            CountOp::AtMost => "<=",
            CountOp::Exactly => "=",
        }
    }

    pub fn parse(text: &str) -> Option<CountOp> {
        match text {
            ">=" => Some(CountOp::AtLeast),
            "<=" => Some(CountOp::AtMost),
            "=" => Some(CountOp::Exactly),
            _ => None,
        }
    }
}

/// The shape of a trait's values, which decides the conditions it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraitKind {
    Decimal,
    Integer,
    Date,
    Bool,
    Text,
    Country,
    Tags,
    /// One of Shopify's enum names.
    Enum(&'static [&'static str]),
}

impl TraitKind {
    pub fn describe(self) -> &'static str {
        match self {
            TraitKind::Decimal => "a decimal amount",
            TraitKind::Integer => "a whole number",
            TraitKind::Date => "a date",
            TraitKind::Bool => "true or false",
            TraitKind::Text => "text",
            TraitKind::Country => "a two-letter country code",
            TraitKind::Tags => "a list of tags",
            TraitKind::Enum(_) => "one of Shopify's state names",
        }
    }
}

/// SMS marketing states: Shopify's `CustomerSmsMarketingState` has no `INVALID`.
const SMS_STATES: &[&str] = &[
    "NOT_SUBSCRIBED",
    "PENDING",
    "SUBSCRIBED",
    "UNSUBSCRIBED",
    "REDACTED",
];

/// Declares the traits with their stored names and kinds, in one table.
macro_rules! traits {
    ($($variant:ident = $name:literal : $kind:expr),+ $(,)?) => {
        /// A profile field a rule can read. The discriminant is its bit in [`super::Traits`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Trait { $($variant),+ }

        impl Trait {
            pub const ALL: &'static [Trait] = &[$(Trait::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Trait::$variant => $name,)+ }
            }

            pub fn parse(name: &str) -> Option<Trait> {
                match name { $($name => Some(Trait::$variant),)+ _ => None }
            }

            pub fn kind(self) -> TraitKind {
                match self { $(Trait::$variant => $kind,)+ }
            }
        }
    };
}

traits! {
    LifetimeValue = "lifetime_value": TraitKind::Decimal,
    AverageOrderValue = "average_order_value": TraitKind::Decimal,
    OrderCount = "order_count": TraitKind::Integer,
    ProductViews = "product_views": TraitKind::Integer,
    AddToCarts = "add_to_carts": TraitKind::Integer,
    Sessions = "sessions": TraitKind::Integer,
    FirstOrderAt = "first_order_at": TraitKind::Date,
    LastOrderAt = "last_order_at": TraitKind::Date,
    CreatedAt = "created_at": TraitKind::Date,
    LastSeenAt = "last_seen_at": TraitKind::Date,
    HasEmail = "has_email": TraitKind::Bool,
    HasPhone = "has_phone": TraitKind::Bool,
    VerifiedEmail = "verified_email": TraitKind::Bool,
    FirstName = "first_name": TraitKind::Text,
    LastName = "last_name": TraitKind::Text,
    Country = "country": TraitKind::Country,
    Tags = "tags": TraitKind::Tags,
    State = "state": TraitKind::Enum(CustomerState::NAMES),
    EmailConsent = "email_consent": TraitKind::Enum(MarketingState::NAMES),
    EmailOptIn = "email_opt_in": TraitKind::Enum(OptInLevel::NAMES),
    SmsConsent = "sms_consent": TraitKind::Enum(SMS_STATES),
    SmsOptIn = "sms_opt_in": TraitKind::Enum(OptInLevel::NAMES),
}

impl fmt::Display for Trait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Trait {
    /// Every trait name, for error messages.
    pub fn names() -> String {
        Trait::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Rule {
    /// `{"all": [...]}` of the given rules.
    pub fn all(rules: impl IntoIterator<Item = Rule>) -> Rule {
        Rule::All(rules.into_iter().collect())
    }

    pub fn any(rules: impl IntoIterator<Item = Rule>) -> Rule {
        Rule::Any(rules.into_iter().collect())
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(rule: Rule) -> Rule {
        Rule::Not(Box::new(rule))
    }

    pub fn compare(field: Trait, op: CmpOp, value: Value) -> Rule {
        Rule::Compare { field, op, value }
    }

    /// Every node, depth first (the rule itself first).
    pub fn walk(&self, visit: &mut impl FnMut(&Rule, usize)) {
        fn go(rule: &Rule, depth: usize, visit: &mut impl FnMut(&Rule, usize)) {
            visit(rule, depth);
            match rule {
                Rule::All(children) | Rule::Any(children) => {
                    for child in children {
                        go(child, depth + 1, visit);
                    }
                }
                Rule::Not(child) => go(child, depth + 1, visit),
                _ => {}
            }
        }
        go(self, 1, visit);
    }
}
