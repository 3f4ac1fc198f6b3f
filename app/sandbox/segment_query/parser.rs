//! A recursive-descent parser for segment queries. Like Shopify it stops at the first syntax
//! error but keeps going past unknown filters and bad values, so it can report every one of them
//! (syntax errors first, as Shopify lists them).

use rust_decimal::Decimal;
use time::Date;
use time::macros::format_description;

use super::QueryError;
use super::ast::{
    Cmp, Condition, DateSpec, Expr, Filter, MetaKind, SUBSCRIPTION_STATUSES, Test, Value, ValueKind,
};
use super::lexer::{Tok, Token};

const KEYWORDS: [&str; 7] = ["AND", "OR", "NOT", "CONTAINS", "BETWEEN", "IS", "NULL"];

pub struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    /// Where the query ends, for "ends too early" errors.
    end: (usize, usize),
    metafield: &'a dyn Fn(&str, &str) -> Option<MetaKind>,
    pub problems: Vec<QueryError>,
}

type Parsed<T> = Result<T, QueryError>;

impl<'a> Parser<'a> {
    pub fn new(
        tokens: Vec<Token>,
        end: (usize, usize),
        metafield: &'a dyn Fn(&str, &str) -> Option<MetaKind>,
    ) -> Self {
        Self {
            tokens,
            at: 0,
            end,
            metafield,
            problems: Vec::new(),
        }
    }

    /// The whole query; trailing tokens are a syntax error.
    pub fn query(&mut self) -> Parsed<Expr> {
        let expr = self.or()?;
        match self.peek() {
            None => Ok(expr),
            Some(t) => Err(unexpected(t)),
        }
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Parsed<Token> {
        let token = self.tokens.get(self.at).cloned().ok_or_else(|| {
            QueryError::new(
                self.end.0,
                self.end.1,
                "The query ends before the condition is complete.",
            )
        })?;
        self.at += 1;
        Ok(token)
    }

    fn keyword_ahead(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| is_keyword(t, word))
    }

    fn or(&mut self) -> Parsed<Expr> {
        let mut left = self.and()?;
        while self.keyword_ahead("OR") {
            self.at += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Parsed<Expr> {
        let mut left = self.unary()?;
        while self.keyword_ahead("AND") {
            self.at += 1;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Parsed<Expr> {
        if self.keyword_ahead("NOT") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek().is_some_and(|t| t.tok == Tok::Open) {
            self.at += 1;
            let inner = self.or()?;
            let close = self.next()?;
            if close.tok != Tok::Close {
                return Err(unexpected(&close));
            }
            return Ok(inner);
        }
        self.condition().map(Expr::Cond)
    }

    fn condition(&mut self) -> Parsed<Condition> {
        let name = self.next()?;
        let filter = match &name.tok {
            Tok::Word(w) if !KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) => {
                self.filter(w, &name)
            }
            _ => return Err(unexpected(&name)),
        };
        let kind = filter.kind();
        let op = self.next()?;
        let test = match &op.tok {
            Tok::Op(o) if allows_compare(kind) => {
                let cmp = Cmp::parse(o).ok_or_else(|| unexpected(&op))?;
                if !matches!(cmp, Cmp::Eq | Cmp::Ne) && !ordered(kind) {
                    return Err(unexpected(&op));
                }
                Test::Compare(cmp, self.value(&filter, kind)?)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("CONTAINS") && set_like(kind) => {
                Test::Contains(self.text(&filter)?)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("NOT") && set_like(kind) => {
                let contains = self.next()?;
                if !is_keyword(&contains, "CONTAINS") {
                    return Err(unexpected(&contains));
                }
                Test::NotContains(self.text(&filter)?)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("BETWEEN") && ordered(kind) => {
                let low = self.value(&filter, kind)?;
                let and = self.next()?;
                if !is_keyword(&and, "AND") {
                    return Err(unexpected(&and));
                }
                Test::Between(low, self.value(&filter, kind)?)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("IS") => {
                let mut word = self.next()?;
                let negated = is_keyword(&word, "NOT");
                if negated {
                    word = self.next()?;
                }
                if !is_keyword(&word, "NULL") {
                    return Err(unexpected(&word));
                }
                if negated {
                    Test::IsNotNull
                } else {
                    Test::IsNull
                }
            }
            _ => return Err(unexpected(&op)),
        };
        Ok(Condition { filter, test })
    }

    fn filter(&mut self, name: &str, at: &Token) -> Filter {
        if let Some(f) = Filter::named(name) {
            return f;
        }
        let meta = name
            .strip_prefix("metafields.")
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(ns, key)| Some((ns, key, (self.metafield)(ns, key)?)));
        if let Some((namespace, key, kind)) = meta {
            return Filter::Metafield {
                namespace: namespace.to_string(),
                key: key.to_string(),
                kind,
            };
        }
        self.problems.push(QueryError::new(
            at.line,
            at.column,
            format!("'{name}' filter cannot be found."),
        ));
        Filter::Unknown
    }

    /// A quoted value for CONTAINS.
    fn text(&mut self, filter: &Filter) -> Parsed<String> {
        let token = self.next()?;
        match token.tok {
            Tok::Text(s) => Ok(s),
            Tok::Number(_) | Tok::Date(_) | Tok::Relative(_) | Tok::Word(_) => {
                self.bad_value(&token, filter);
                Ok(token.text)
            }
            _ => Err(unexpected(&token)),
        }
    }

    fn value(&mut self, filter: &Filter, kind: ValueKind) -> Parsed<Value> {
        let token = self.next()?;
        let parsed = match (&token.tok, kind) {
            (Tok::Open | Tok::Close | Tok::Op(_) | Tok::Stray(_), _) => {
                return Err(unexpected(&token));
            }
            (Tok::Word(w), _) if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) => {
                return Err(unexpected(&token));
            }
            (Tok::Number(n), ValueKind::Number | ValueKind::Any) => {
                n.parse::<Decimal>().ok().map(Value::Number)
            }
            (Tok::Date(d), ValueKind::Date | ValueKind::Any) => {
                Date::parse(d, format_description!("[year]-[month]-[day]"))
                    .ok()
                    .map(|d| Value::Date(DateSpec::On(d)))
            }
            (Tok::Relative(r), ValueKind::Date | ValueKind::Any) => {
                relative_days(r).map(|n| Value::Date(DateSpec::DaysAgo(n)))
            }
            (Tok::Text(s), ValueKind::Status) => SUBSCRIPTION_STATUSES
                .contains(&s.as_str())
                .then(|| Value::Text(s.clone())),
            (Tok::Text(s), ValueKind::Text | ValueKind::Any) => Some(Value::Text(s.clone())),
            (Tok::Word(w), ValueKind::Boolean | ValueKind::Any) => {
                match w.to_ascii_lowercase().as_str() {
                    "true" => Some(Value::Boolean(true)),
                    "false" => Some(Value::Boolean(false)),
                    _ => None,
                }
            }
            _ => None,
        };
        Ok(parsed.unwrap_or_else(|| {
            self.bad_value(&token, filter);
            Value::Text(token.text.clone())
        }))
    }

    fn bad_value(&mut self, token: &Token, filter: &Filter) {
        if *filter == Filter::Unknown {
            return;
        }
        self.problems.push(QueryError::new(
            token.line,
            token.column,
            format!("'{}' is not a valid value for this filter.", shown(token)),
        ));
    }
}

fn is_keyword(t: &Token, word: &str) -> bool {
    matches!(&t.tok, Tok::Word(w) if w.eq_ignore_ascii_case(word))
}

/// A value as the merchant typed it, without the quotes around text.
fn shown(t: &Token) -> &str {
    match &t.tok {
        Tok::Text(s) => s,
        _ => &t.text,
    }
}

fn unexpected(t: &Token) -> QueryError {
    QueryError::new(t.line, t.column, format!("'{}' is unexpected.", t.text))
}

fn allows_compare(kind: ValueKind) -> bool {
    kind != ValueKind::Set
}

fn ordered(kind: ValueKind) -> bool {
    matches!(kind, ValueKind::Number | ValueKind::Date | ValueKind::Any)
}

fn set_like(kind: ValueKind) -> bool {
    matches!(kind, ValueKind::Set | ValueKind::Any)
}

/// `-30d` → 30, `-2w` → 14, `-3m` → 90, `-1y` → 365.
fn relative_days(r: &str) -> Option<i64> {
    let body = r.strip_prefix('-')?;
    let (n, unit) = body.split_at(body.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let per = match unit {
        "d" => 1,
        "w" => 7,
        "m" => 30,
        "y" => 365,
        _ => return None,
    };
    n.checked_mul(per)
}
