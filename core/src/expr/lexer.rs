//! Splits a rule's source into tokens, each with its 1-based character column.
//!
//! A lexing problem does not abort here: it becomes a [`Tok::Error`] token so that the parser
//! reports problems in reading order (an earlier syntax error wins over a later bad string).

use std::fmt;

/// A token kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A non-negative integer literal; the parser range-checks it, so that `-9223372036854775808`
    /// (whose magnitude does not fit `i64`) still compiles.
    Int(u64),
    /// A quoted text literal, quotes removed and doubled quotes undone.
    Str(String),
    /// `${name}`.
    Field(String),
    /// A function name.
    Ident(String),
    Dot,
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    And,
    Or,
    Not,
    Div,
    Mod,
    True,
    False,
    /// Something that is not a token; the message says why.
    Error(String),
    /// The end of the source.
    End,
}

/// A token and the column where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) col: usize,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Int(n) => write!(f, "number {n}"),
            Tok::Str(s) => write!(f, "text '{}'", s.replace('\'', "''")),
            Tok::Field(name) => write!(f, "field ${{{name}}}"),
            Tok::Ident(name) => write!(f, "`{name}`"),
            Tok::Error(message) => f.write_str(message),
            Tok::End => f.write_str("end of expression"),
            other => write!(f, "`{}`", symbol(other)),
        }
    }
}

/// The spelling of a fixed token.
fn symbol(tok: &Tok) -> &'static str {
    match tok {
        Tok::Dot => ".",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::Comma => ",",
        Tok::Eq => "=",
        Tok::Ne => "!=",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::Gt => ">",
        Tok::Ge => ">=",
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::And => "and",
        Tok::Or => "or",
        Tok::Not => "not",
        Tok::Div => "div",
        Tok::Mod => "mod",
        Tok::True => "true",
        Tok::False => "false",
        _ => "?",
    }
}

/// Tokenizes `src`. The result always ends with exactly one [`Tok::End`] or [`Tok::Error`].
pub(crate) fn tokenize(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        pos: 0,
    };
    let mut out = Vec::new();
    loop {
        lexer.skip_whitespace();
        let col = lexer.pos + 1;
        let tok = lexer.next_token();
        let last = matches!(tok, Tok::End | Tok::Error(_));
        out.push(Token { tok, col });
        if last {
            return out;
        }
    }
}

struct Lexer<'a> {
    chars: &'a [char],
    /// Index of the next character; the column is `pos + 1`.
    pos: usize,
}

impl Lexer<'_> {
    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.peek_at(0).is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// Consumes `n` characters and returns `tok`.
    fn take(&mut self, n: usize, tok: Tok) -> Tok {
        self.pos += n;
        tok
    }

    fn next_token(&mut self) -> Tok {
        let Some(c) = self.peek_at(0) else {
            return Tok::End;
        };
        let next = self.peek_at(1);
        match c {
            '0'..='9' => self.number(),
            '\'' | '"' => self.string(c),
            '$' => self.field(),
            c if c.is_ascii_alphabetic() || c == '_' => self.word(),
            '.' => self.take(1, Tok::Dot),
            '(' => self.take(1, Tok::LParen),
            ')' => self.take(1, Tok::RParen),
            ',' => self.take(1, Tok::Comma),
            '+' => self.take(1, Tok::Plus),
            '-' => self.take(1, Tok::Minus),
            '*' => self.take(1, Tok::Star),
            '=' if next == Some('=') => error("use `=` to compare, not `==`"),
            '=' => self.take(1, Tok::Eq),
            '!' if next == Some('=') => self.take(2, Tok::Ne),
            '!' => error("unexpected `!`: use `not` for negation or `!=` for inequality"),
            '<' if next == Some('=') => self.take(2, Tok::Le),
            '<' if next == Some('>') => error("use `!=` for inequality, not `<>`"),
            '<' => self.take(1, Tok::Lt),
            '>' if next == Some('=') => self.take(2, Tok::Ge),
            '>' => self.take(1, Tok::Gt),
            '/' => error("use `div` for integer division, not `/`"),
            '%' => error("use `mod` for the remainder, not `%`"),
            '&' => error("use `and`, not `&`"),
            '|' => error("use `or`, not `|`"),
            other => error(&format!("unexpected character `{other}`")),
        }
    }

    fn number(&mut self) -> Tok {
        let mut value: Option<u64> = Some(0);
        while let Some(d) = self.peek_at(0).and_then(|c| c.to_digit(10)) {
            value = value.and_then(|v| v.checked_mul(10)?.checked_add(u64::from(d)));
            self.pos += 1;
        }
        match self.peek_at(0) {
            Some('.') if self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => {
                return error("decimal numbers are not supported: use whole numbers");
            }
            Some(c) if c.is_alphanumeric() || c == '_' => {
                return error(&format!("unexpected `{c}` right after a number"));
            }
            _ => {}
        }
        match value {
            Some(v) => Tok::Int(v),
            None => error("integer literal out of range (largest is 9223372036854775807)"),
        }
    }

    fn string(&mut self, quote: char) -> Tok {
        self.pos += 1;
        let mut text = String::new();
        while let Some(c) = self.peek_at(0) {
            self.pos += 1;
            if c != quote {
                text.push(c);
            } else if self.peek_at(0) == Some(quote) {
                // A doubled quote stands for one quote character, as in SQL and XLSForm.
                self.pos += 1;
                text.push(quote);
            } else {
                return Tok::Str(text);
            }
        }
        error(&format!("unclosed text: no closing {quote}"))
    }

    fn field(&mut self) -> Tok {
        if self.peek_at(1) != Some('{') {
            return error("`$` must start a field reference like ${field_id}");
        }
        let start = self.pos + 2;
        let mut end = start;
        while let Some(c) = self.chars.get(end).copied() {
            if c == '}' {
                let name: String = self.chars.get(start..end).unwrap_or(&[]).iter().collect();
                if name.is_empty() {
                    return error("empty field reference `${}`");
                }
                self.pos = end + 1;
                return Tok::Field(name);
            }
            if !(c.is_ascii_alphanumeric() || c == '_') {
                return error(&format!(
                    "unexpected `{c}` in a field reference: field ids use letters, digits and _"
                ));
            }
            end += 1;
        }
        error("unclosed field reference: no closing }")
    }

    fn word(&mut self) -> Tok {
        let start = self.pos;
        while self
            .peek_at(0)
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        let word: String = self
            .chars
            .get(start..self.pos)
            .unwrap_or(&[])
            .iter()
            .collect();
        match word.as_str() {
            "and" => Tok::And,
            "or" => Tok::Or,
            "not" => Tok::Not,
            "div" => Tok::Div,
            "mod" => Tok::Mod,
            "true" => Tok::True,
            "false" => Tok::False,
            _ => Tok::Ident(word),
        }
    }
}

fn error(message: &str) -> Tok {
    Tok::Error(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok> {
        tokenize(src).into_iter().map(|t| t.tok).collect()
    }

    fn cols(src: &str) -> Vec<usize> {
        tokenize(src).into_iter().map(|t| t.col).collect()
    }

    #[test]
    fn operators_and_keywords() {
        assert_eq!(
            kinds("= != < <= > >= + - * div mod and or not true false . , ( )"),
            vec![
                Tok::Eq,
                Tok::Ne,
                Tok::Lt,
                Tok::Le,
                Tok::Gt,
                Tok::Ge,
                Tok::Plus,
                Tok::Minus,
                Tok::Star,
                Tok::Div,
                Tok::Mod,
                Tok::And,
                Tok::Or,
                Tok::Not,
                Tok::True,
                Tok::False,
                Tok::Dot,
                Tok::Comma,
                Tok::LParen,
                Tok::RParen,
                Tok::End
            ]
        );
    }

    #[test]
    fn keywords_need_whole_words() {
        assert_eq!(
            kinds("android"),
            vec![Tok::Ident("android".into()), Tok::End]
        );
        assert_eq!(kinds("AND"), vec![Tok::Ident("AND".into()), Tok::End]);
        assert_eq!(
            kinds("a<b"),
            vec![
                Tok::Ident("a".into()),
                Tok::Lt,
                Tok::Ident("b".into()),
                Tok::End
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(cols("'é' = ${x}"), vec![1, 5, 7, 11]);
        assert_eq!(cols("  17"), vec![3, 5]);
        assert_eq!(cols(""), vec![1]);
    }

    #[test]
    fn strings_with_either_quote_and_doubled_quotes() {
        assert_eq!(kinds("'it''s'"), vec![Tok::Str("it's".into()), Tok::End]);
        assert_eq!(
            kinds("\"say \"\"hi\"\"\""),
            vec![Tok::Str("say \"hi\"".into()), Tok::End]
        );
        assert_eq!(kinds("'a\"b'"), vec![Tok::Str("a\"b".into()), Tok::End]);
        assert_eq!(kinds("''"), vec![Tok::Str(String::new()), Tok::End]);
    }

    #[test]
    fn unclosed_string_is_an_error_at_its_quote() {
        let toks = tokenize("1 = 'abc");
        let last = toks.last().unwrap();
        assert!(matches!(&last.tok, Tok::Error(m) if m.contains("unclosed text")));
        assert_eq!(last.col, 5);
        // A doubled quote at the very end does not close the string.
        assert!(matches!(kinds("'ab''").last(), Some(Tok::Error(_))));
    }

    #[test]
    fn numbers_and_their_limits() {
        assert_eq!(kinds("0 0042"), vec![Tok::Int(0), Tok::Int(42), Tok::End]);
        assert_eq!(
            kinds("9223372036854775808"),
            vec![Tok::Int(9_223_372_036_854_775_808), Tok::End]
        );
        assert_eq!(
            kinds("18446744073709551615"),
            vec![Tok::Int(u64::MAX), Tok::End]
        );
        assert!(matches!(kinds("18446744073709551616")[0], Tok::Error(_)));
        assert!(matches!(&kinds("1.5")[0], Tok::Error(m) if m.contains("decimal")));
        assert!(matches!(&kinds("12abc")[0], Tok::Error(m) if m.contains("after a number")));
        // `1.` is a number followed by a dot: the parser, not the lexer, rejects it.
        assert_eq!(kinds("1."), vec![Tok::Int(1), Tok::Dot, Tok::End]);
    }

    #[test]
    fn field_references() {
        assert_eq!(
            kinds("${tanggal_lahir}"),
            vec![Tok::Field("tanggal_lahir".into()), Tok::End]
        );
        for bad in ["${}", "${a b}", "${abc", "$abc", "${a-b}"] {
            assert!(matches!(kinds(bad)[0], Tok::Error(_)), "{bad}");
        }
    }

    #[test]
    fn helpful_errors_for_other_languages_operators() {
        for (src, hint) in [
            ("==", "`=`"),
            ("<>", "`!=`"),
            ("/", "div"),
            ("%", "mod"),
            ("&&", "and"),
            ("||", "or"),
            ("!", "not"),
            ("#", "`#`"),
        ] {
            assert!(
                matches!(&kinds(src)[0], Tok::Error(m) if m.contains(hint)),
                "{src}"
            );
        }
    }

    #[test]
    fn stops_at_the_first_error() {
        let toks = tokenize("1 # 2 3");
        assert_eq!(toks.len(), 2);
        assert_eq!(toks[1].col, 3);
    }

    #[test]
    fn tokens_describe_themselves_for_messages() {
        assert_eq!(Tok::Str("it's".into()).to_string(), "text 'it''s'");
        assert_eq!(Tok::Field("x".into()).to_string(), "field ${x}");
        assert_eq!(Tok::Le.to_string(), "`<=`");
        assert_eq!(Tok::End.to_string(), "end of expression");
    }
}
