//! Splits rule text into tokens, each with the 1-based column it starts at.

use crate::segments::error::ParseError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// A trait, event kind or keyword (keywords are matched without regard to case).
    Word(String),
    /// A number exactly as written.
    Number(String),
    Str(String),
    Op(&'static str),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
    End,
}

impl Token {
    pub(super) fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Number(n) => format!("`{n}`"),
            Token::Str(s) => format!("{s:?}"),
            Token::Op(op) => format!("`{op}`"),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::OpenList => "`[`".into(),
            Token::CloseList => "`]`".into(),
            Token::Comma => "`,`".into(),
            Token::End => "the end of the rule".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Spanned {
    pub token: Token,
    pub column: usize,
}

pub(super) fn tokens(text: &str) -> Result<Vec<Spanned>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let single = |token| Spanned { token, column };
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => out.push(single(Token::Open)),
            ')' => out.push(single(Token::Close)),
            '[' => out.push(single(Token::OpenList)),
            ']' => out.push(single(Token::CloseList)),
            ',' => out.push(single(Token::Comma)),
            '>' | '<' | '!' | '=' => {
                let next = chars.get(i + 1).copied();
                let (op, width) = match (c, next) {
                    ('>', Some('=')) => (">=", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('!', Some('=')) => ("!=", 2),
                    ('>', _) => (">", 1),
                    ('<', _) => ("<", 1),
                    ('=', _) => ("=", 1),
                    _ => {
                        return Err(ParseError {
                            column,
                            message: "`!` must be followed by `=`".into(),
                        });
                    }
                };
                out.push(single(Token::Op(op)));
                i += width;
                continue;
            }
            '"' => {
                let (value, end) = string(&chars, i)?;
                out.push(single(Token::Str(value)));
                i = end;
                continue;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let number: String = chars[start..i].iter().collect();
                if number.matches('.').count() > 1 || number.ends_with('.') {
                    return Err(ParseError {
                        column,
                        message: format!("`{number}` is not a number"),
                    });
                }
                out.push(single(Token::Number(number)));
                continue;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(single(Token::Word(chars[start..i].iter().collect())));
                continue;
            }
            other => {
                return Err(ParseError {
                    column,
                    message: format!("unexpected character `{other}`"),
                });
            }
        }
        i += 1;
    }
    out.push(Spanned {
        token: Token::End,
        column: chars.len() + 1,
    });
    Ok(out)
}

/// Reads a double-quoted string starting at `start`; returns it and the index after it.
fn string(chars: &[char], start: usize) -> Result<(String, usize), ParseError> {
    let mut value = String::new();
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => return Ok((value, i + 1)),
            '\\' => {
                let escaped = match chars.get(i + 1) {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('n') => '\n',
                    Some('t') => '\t',
                    _ => {
                        return Err(ParseError {
                            column: i + 1,
                            message: "unknown escape; use \\\" \\\\ \\n or \\t".into(),
                        });
                    }
                };
                value.push(escaped);
                i += 2;
            }
            other => {
                value.push(other);
                i += 1;
            }
        }
    }
    Err(ParseError {
        column: start + 1,
        message: "this string is never closed (missing `\"`)".into(),
    })
}
