//! Reading the values inside a clause: comparisons, literals, counts, days, quoted strings,
//! ids and lists.

use super::lexer::Token;
use super::parser::Parser;
use crate::segments::ast::{CmpOp, Trait, TraitKind};
use crate::segments::error::ParseError;
use crate::segments::validate::{self, Literal};

impl Parser {
    pub(super) fn op(&mut self) -> Result<CmpOp, ParseError> {
        match self.peek().token {
            Token::Op(op) => {
                self.next();
                CmpOp::parse(op).ok_or_else(|| self.unexpected("a comparison"))
            }
            _ => Err(self.unexpected(
                "a comparison (=, !=, <, <=, >, >=), `IN`, `IS SET`, `in last N days` or `more than N days ago`",
            )),
        }
    }

    pub(super) fn literal(&mut self, field: Trait) -> Result<Literal, ParseError> {
        let token = self.next();
        Ok(match token.token {
            Token::Number(n) => Literal::Number(n),
            Token::Str(s) => Literal::Text(s),
            Token::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Token::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            _ => {
                self.at -= 1;
                let expected = match field.kind() {
                    TraitKind::Text | TraitKind::Country | TraitKind::Enum(_) => {
                        "a quoted value such as \"SUBSCRIBED\""
                    }
                    TraitKind::Bool => "true or false",
                    _ => "a number",
                };
                return Err(self.unexpected(expected));
            }
        })
    }

    pub(super) fn number(&mut self) -> Result<i64, ParseError> {
        let token = self.next();
        match &token.token {
            Token::Number(n) => n.parse().map_err(|_| ParseError {
                column: token.column,
                message: format!("expected a whole number, found `{n}`"),
            }),
            _ => {
                self.at -= 1;
                Err(self.unexpected("a whole number"))
            }
        }
    }

    pub(super) fn days(&mut self) -> Result<u32, ParseError> {
        let column = self.peek().column;
        let days = self.number()?;
        validate::check_days(days).map_err(|err| ParseError {
            column,
            message: err.to_string(),
        })?;
        self.expect_word(&["days", "day"])?;
        // Checked just above to lie within 1..=MAX_DAYS.
        Ok(days as u32)
    }

    pub(super) fn string(&mut self) -> Result<String, ParseError> {
        match self.next().token {
            Token::Str(s) => Ok(s),
            _ => {
                self.at -= 1;
                Err(self.unexpected("a quoted value"))
            }
        }
    }

    pub(super) fn id(&mut self) -> Result<u64, ParseError> {
        let token = self.next();
        let text = match &token.token {
            Token::Number(n) | Token::Str(n) => n.clone(),
            _ => {
                self.at -= 1;
                return Err(self.unexpected("a product or collection id"));
            }
        };
        validate::parse_id(&text).map_err(|err| ParseError {
            column: token.column,
            message: err.to_string(),
        })
    }

    /// `[item, item, …]`, possibly empty.
    pub(super) fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Parser) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        if self.peek().token != Token::OpenList {
            return Err(self.unexpected("`[`"));
        }
        self.next();
        let mut items = Vec::new();
        if self.peek().token == Token::CloseList {
            self.next();
            return Ok(items);
        }
        loop {
            items.push(item(self)?);
            if items.len() > validate::MAX_LIST {
                return Err(ParseError {
                    column: self.peek().column,
                    message: format!("a list holds at most {} values", validate::MAX_LIST),
                });
            }
            match self.next().token {
                Token::Comma => continue,
                Token::CloseList => return Ok(items),
                _ => {
                    self.at -= 1;
                    return Err(self.unexpected("`,` or `]`"));
                }
            }
        }
    }
}
