//! Splits a segment query into tokens, each with the line (from 1) and column (from 0) Shopify
//! reports positions in.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A filter name (`amount_spent`, `metafields.segops.score`) or a keyword or a bare word.
    Word(String),
    /// `12`, `100.50`, `-3`.
    Number(String),
    /// `'US'`.
    Text(String),
    /// `2026-01-01`.
    Date(String),
    /// `-30d`, `-2w`, `-3m`, `-1y`.
    Relative(String),
    /// `=`, `!=`, `>`, `>=`, `<`, `<=`.
    Op(String),
    Open,
    Close,
    /// Anything else, kept so the error can quote it.
    Stray(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// The text as written, for error messages.
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// An unterminated string is the only error the lexer itself finds.
#[derive(Debug, Clone, PartialEq)]
pub struct Unterminated {
    pub line: usize,
    pub column: usize,
}

pub fn tokens(input: &str) -> Result<Vec<Token>, Unterminated> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut line_start) = (0usize, 1usize, 0usize);
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
            line_start = i;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (start, column) = (i, i - line_start);
        let tok = if c == '(' {
            i += 1;
            Tok::Open
        } else if c == ')' {
            i += 1;
            Tok::Close
        } else if c == '\'' || c == '"' {
            i += 1;
            let mut value = String::new();
            loop {
                match chars.get(i) {
                    None => return Err(Unterminated { line, column }),
                    Some('\\') if chars.get(i + 1).is_some() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        value.push(other);
                        i += 1;
                    }
                }
            }
            Tok::Text(value)
        } else if matches!(c, '=' | '!' | '<' | '>') {
            i += 1;
            if chars.get(i) == Some(&'=') {
                i += 1;
            }
            let op: String = chars[start..i].iter().collect();
            if op == "!" {
                Tok::Stray(op)
            } else {
                Tok::Op(op)
            }
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            i += 1;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '.' | '-' | ':'))
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            classify_number(word)
        } else if c.is_alphanumeric() || c == '_' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-'))
            {
                i += 1;
            }
            Tok::Word(chars[start..i].iter().collect())
        } else {
            i += 1;
            while i < chars.len() && !chars[i].is_whitespace() && !chars[i].is_alphanumeric() {
                i += 1;
            }
            Tok::Stray(chars[start..i].iter().collect())
        };
        out.push(Token {
            tok,
            text: chars[start..i].iter().collect(),
            line,
            column,
        });
    }
    Ok(out)
}

fn classify_number(word: String) -> Tok {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if let Some(body) = word.strip_prefix('-')
        && let Some(unit) = body.chars().last()
        && matches!(unit, 'd' | 'w' | 'm' | 'y')
        && digits(&body[..body.len() - 1])
    {
        return Tok::Relative(word);
    }
    let parts: Vec<&str> = word.split('-').collect();
    if parts.len() == 3 && parts[0].len() == 4 && parts.iter().all(|p| digits(p)) {
        return Tok::Date(word);
    }
    let unsigned = word.strip_prefix('-').unwrap_or(&word);
    let mut halves = unsigned.splitn(2, '.');
    let whole = halves.next().unwrap_or_default();
    let valid = digits(whole) && halves.next().is_none_or(digits);
    if valid {
        Tok::Number(word)
    } else {
        Tok::Stray(word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(q: &str) -> Vec<Tok> {
        tokens(q).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn values_of_each_kind_are_told_apart() {
        assert_eq!(
            kinds("amount_spent >= 100.50 AND last_order_date > -30d OR x < 2026-01-01"),
            vec![
                Tok::Word("amount_spent".into()),
                Tok::Op(">=".into()),
                Tok::Number("100.50".into()),
                Tok::Word("AND".into()),
                Tok::Word("last_order_date".into()),
                Tok::Op(">".into()),
                Tok::Relative("-30d".into()),
                Tok::Word("OR".into()),
                Tok::Word("x".into()),
                Tok::Op("<".into()),
                Tok::Date("2026-01-01".into()),
            ]
        );
        assert_eq!(
            kinds("customer_tags NOT CONTAINS 'v\\'ip' ???"),
            vec![
                Tok::Word("customer_tags".into()),
                Tok::Word("NOT".into()),
                Tok::Word("CONTAINS".into()),
                Tok::Text("v'ip".into()),
                Tok::Stray("???".into()),
            ]
        );
    }

    #[test]
    fn positions_are_lines_from_one_and_columns_from_zero() {
        let t = tokens("a = 1\n  AND b").unwrap();
        assert_eq!((t[0].line, t[0].column), (1, 0));
        assert_eq!((t[3].line, t[3].column), (2, 2));
        assert_eq!(
            tokens("x = 'open"),
            Err(Unterminated { line: 1, column: 4 })
        );
    }
}
