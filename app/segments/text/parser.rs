//! Recursive descent over the tokens: `OR` binds loosest, then `AND`, then `NOT`; parentheses
//! group. Each clause is typed and checked as it is read, so an error points at its clause.

use super::lexer::{Spanned, Token, tokens};
use crate::segments::ast::{CountOp, EventCondition, Rule, Trait};
use crate::segments::error::{ParseError, RuleError};
use crate::segments::json::{parse_event, parse_trait};
use crate::segments::validate;

/// Parentheses and NOTs nest at most this deep while reading (the rule's own depth limit is
/// checked afterwards); it keeps a hostile text from exhausting the stack.
const MAX_NESTING: usize = 32;

pub(super) fn parse(text: &str) -> Result<Rule, ParseError> {
    let tokens = tokens(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        nesting: 0,
    };
    let rule = parser.or()?;
    let end = parser.peek();
    if end.token != Token::End {
        return Err(parser.unexpected("`AND`, `OR` or the end of the rule"));
    }
    rule.validate().map_err(|err| ParseError {
        column: 1,
        message: err.to_string(),
    })?;
    Ok(rule)
}

pub(super) struct Parser {
    tokens: Vec<Spanned>,
    pub(super) at: usize,
    nesting: usize,
}

impl Parser {
    pub(super) fn peek(&self) -> &Spanned {
        // `tokens` always ends with `End`.
        &self.tokens[self.at.min(self.tokens.len() - 1)]
    }

    /// Moves on even past the end (where `peek` keeps answering `End`), so that stepping back
    /// one token after a mismatch is always exact.
    pub(super) fn next(&mut self) -> Spanned {
        let token = self.peek().clone();
        self.at += 1;
        token
    }

    pub(super) fn is_word(&self, word: &str) -> bool {
        matches!(&self.peek().token, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }

    pub(super) fn eat_word(&mut self, word: &str) -> bool {
        let found = self.is_word(word);
        if found {
            self.next();
        }
        found
    }

    pub(super) fn expect_word(&mut self, words: &[&str]) -> Result<(), ParseError> {
        if words.iter().any(|w| self.is_word(w)) {
            self.next();
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{}`", words[0])))
        }
    }

    pub(super) fn unexpected(&self, expected: &str) -> ParseError {
        let found = self.peek();
        ParseError {
            column: found.column,
            message: format!("expected {expected}, found {}", found.token.describe()),
        }
    }

    fn or(&mut self) -> Result<Rule, ParseError> {
        let mut children = vec![self.and()?];
        while self.eat_word("OR") {
            children.push(self.and()?);
        }
        Ok(single_or(children, Rule::Any))
    }

    fn and(&mut self) -> Result<Rule, ParseError> {
        let mut children = vec![self.unary()?];
        while self.eat_word("AND") {
            children.push(self.unary()?);
        }
        Ok(single_or(children, Rule::All))
    }

    fn unary(&mut self) -> Result<Rule, ParseError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(ParseError {
                column: self.peek().column,
                message: format!("conditions nest more than {MAX_NESTING} deep"),
            });
        }
        let rule = if self.eat_word("NOT") {
            self.unary().map(Rule::not)
        } else if self.peek().token == Token::Open {
            self.next();
            let inner = self.or()?;
            if self.peek().token != Token::Close {
                return Err(self.unexpected("`)`"));
            }
            self.next();
            Ok(inner)
        } else {
            self.clause()
        };
        self.nesting -= 1;
        rule
    }

    fn clause(&mut self) -> Result<Rule, ParseError> {
        let start = self.next();
        let Token::Word(word) = &start.token else {
            self.at -= 1;
            return Err(self.unexpected("a condition (a trait name or `did`)"));
        };
        let at = |err: RuleError| ParseError {
            column: start.column,
            message: err.to_string(),
        };
        if word.eq_ignore_ascii_case("did") {
            return self.event(start.column);
        }
        if ["and", "or"].iter().any(|k| word.eq_ignore_ascii_case(k)) {
            self.at -= 1;
            return Err(self.unexpected("a condition (a trait name or `did`)"));
        }
        let field = parse_trait(word).map_err(at)?;
        if field == Trait::Tags && (self.is_word("CONTAINS") || self.is_word("NOT")) {
            let negated = self.eat_word("NOT");
            self.expect_word(&["CONTAINS"])?;
            let tag = self.string()?;
            validate::check_tag(&tag).map_err(at)?;
            let rule = Rule::HasTag(tag);
            return Ok(if negated { Rule::not(rule) } else { rule });
        }
        if self.eat_word("IS") {
            let negated = self.eat_word("NOT");
            self.expect_word(&["SET"])?;
            let rule = Rule::IsSet(field);
            validate::check_node(&rule).map_err(at)?;
            return Ok(if negated { Rule::not(rule) } else { rule });
        }
        if self.eat_word("IN") {
            if self.eat_word("LAST") {
                let days = self.days()?;
                let rule = Rule::Within { field, days };
                validate::check_node(&rule).map_err(at)?;
                return Ok(rule);
            }
            let values = self
                .list(|p| p.string())?
                .iter()
                .map(|v| validate::canonical_text(field, v))
                .collect();
            let rule = Rule::In { field, values };
            validate::check_node(&rule).map_err(at)?;
            return Ok(rule);
        }
        if self.eat_word("MORE") {
            self.expect_word(&["THAN"])?;
            let days = self.days()?;
            self.expect_word(&["AGO"])?;
            let rule = Rule::OlderThan { field, days };
            validate::check_node(&rule).map_err(at)?;
            return Ok(rule);
        }
        let op = self.op()?;
        validate::check_op(field, op).map_err(at)?;
        let literal = self.literal(field)?;
        let value = validate::typed_value(field, literal).map_err(at)?;
        let rule = Rule::Compare { field, op, value };
        validate::check_node(&rule).map_err(at)?;
        Ok(rule)
    }

    /// `did <kind> <op> <n> times in last <d> days [for products [..]] [for collections [..]]`
    fn event(&mut self, column: usize) -> Result<Rule, ParseError> {
        let at = |err: RuleError| ParseError {
            column,
            message: err.to_string(),
        };
        let kind_token = self.next();
        let Token::Word(kind) = &kind_token.token else {
            self.at -= 1;
            return Err(self.unexpected("an event kind such as `purchase`"));
        };
        let kind = parse_event(kind).map_err(|err| ParseError {
            column: kind_token.column,
            message: err.to_string(),
        })?;
        let op_column = self.peek().column;
        let op = self.op()?;
        let op = CountOp::parse(op.as_str()).ok_or_else(|| ParseError {
            column: op_column,
            message: "event counts use >= (at least), <= (at most) or = (exactly)".into(),
        })?;
        let count = self.number()?;
        let count = validate::check_count(count).map_err(at)?;
        self.expect_word(&["times", "time"])?;
        self.expect_word(&["in"])?;
        self.expect_word(&["last"])?;
        let days = self.days()?;
        let (mut products, mut collections) = (Vec::new(), Vec::new());
        while self.eat_word("for") {
            let target = if self.eat_word("products") {
                &mut products
            } else if self.eat_word("collections") {
                &mut collections
            } else {
                return Err(self.unexpected("`products` or `collections`"));
            };
            let column = self.peek().column;
            let ids = self.list(|p| p.id())?;
            if ids.is_empty() {
                return Err(ParseError {
                    column,
                    message: "list at least one id".into(),
                });
            }
            target.extend(ids);
        }
        let rule = Rule::Event(EventCondition {
            kind,
            op,
            count,
            days,
            products,
            collections,
        });
        validate::check_node(&rule).map_err(at)?;
        Ok(rule)
    }
}

fn single_or(mut children: Vec<Rule>, group: fn(Vec<Rule>) -> Rule) -> Rule {
    if children.len() == 1 {
        children.remove(0)
    } else {
        group(children)
    }
}
