//! The parsed form of a segment query and the filters the sandbox knows.

use rust_decimal::Decimal;
use time::Date;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cond(Condition),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub filter: Filter,
    pub test: Test,
}

/// The type a metafield definition gives its values, as segment filters compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaKind {
    Integer,
    Decimal,
    Boolean,
    Text,
    DateTime,
}

impl MetaKind {
    /// The definition types segments can filter on.
    pub fn from_type(type_name: &str) -> Option<Self> {
        Some(match type_name {
            "number_integer" => Self::Integer,
            "number_decimal" => Self::Decimal,
            "boolean" => Self::Boolean,
            "single_line_text_field" => Self::Text,
            "date_time" | "date" => Self::DateTime,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    AmountSpent,
    NumberOfOrders,
    CustomerCountries,
    CustomerTags,
    EmailSubscriptionStatus,
    SmsSubscriptionStatus,
    LastOrderDate,
    CustomerAddedDate,
    Metafield {
        namespace: String,
        key: String,
        kind: MetaKind,
    },
    /// Reported as an error; kept so parsing can go on and find later problems too.
    Unknown,
}

/// What values and operators a filter takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Number,
    Set,
    Status,
    Date,
    Boolean,
    Text,
    Any,
}

impl Filter {
    pub fn named(name: &str) -> Option<Filter> {
        Some(match name {
            "amount_spent" => Filter::AmountSpent,
            "number_of_orders" => Filter::NumberOfOrders,
            "customer_countries" => Filter::CustomerCountries,
            "customer_tags" => Filter::CustomerTags,
            "email_subscription_status" => Filter::EmailSubscriptionStatus,
            "sms_subscription_status" => Filter::SmsSubscriptionStatus,
            "last_order_date" => Filter::LastOrderDate,
            "customer_added_date" => Filter::CustomerAddedDate,
            _ => return None,
        })
    }

    pub fn kind(&self) -> ValueKind {
        match self {
            Filter::AmountSpent | Filter::NumberOfOrders => ValueKind::Number,
            Filter::CustomerCountries | Filter::CustomerTags => ValueKind::Set,
            Filter::EmailSubscriptionStatus | Filter::SmsSubscriptionStatus => ValueKind::Status,
            Filter::LastOrderDate | Filter::CustomerAddedDate => ValueKind::Date,
            Filter::Metafield { kind, .. } => match kind {
                MetaKind::Integer | MetaKind::Decimal => ValueKind::Number,
                MetaKind::Boolean => ValueKind::Boolean,
                MetaKind::Text => ValueKind::Text,
                MetaKind::DateTime => ValueKind::Date,
            },
            Filter::Unknown => ValueKind::Any,
        }
    }
}

/// The subscription states Shopify's `*_subscription_status` filters take.
pub const SUBSCRIPTION_STATUSES: [&str; 6] = [
    "SUBSCRIBED",
    "NOT_SUBSCRIBED",
    "PENDING",
    "UNSUBSCRIBED",
    "REDACTED",
    "INVALID",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Cmp {
    pub fn parse(op: &str) -> Option<Cmp> {
        Some(match op {
            "=" => Cmp::Eq,
            "!=" => Cmp::Ne,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            _ => return None,
        })
    }

    pub fn holds<T: PartialOrd>(self, left: &T, right: &T) -> bool {
        match self {
            Cmp::Eq => left == right,
            Cmp::Ne => left != right,
            Cmp::Gt => left > right,
            Cmp::Ge => left >= right,
            Cmp::Lt => left < right,
            Cmp::Le => left <= right,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Decimal),
    Text(String),
    /// A calendar day, or so many days before today.
    Date(DateSpec),
    Boolean(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSpec {
    On(Date),
    DaysAgo(i64),
}

impl DateSpec {
    pub fn resolve(self, today: Date) -> Date {
        match self {
            DateSpec::On(d) => d,
            DateSpec::DaysAgo(n) => today - time::Duration::days(n),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Compare(Cmp, Value),
    Contains(String),
    NotContains(String),
    Between(Value, Value),
    IsNull,
    IsNotNull,
}
