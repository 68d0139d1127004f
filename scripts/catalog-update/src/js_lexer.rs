//! Tokenizer for the subset of JavaScript that appears in generated model tables.
//!
//! It recognises strings, numbers, identifiers, comments and punctuation, which is
//! enough to brace-match and read object literals. It does not recognise regular
//! expression literals: a `/` that is not a comment becomes a punctuation token.

use thiserror::Error;

/// 1-based location in the source, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Syntax error at a position in the JavaScript source.
#[derive(Debug, Error)]
#[error("line {}, column {}: {message}", position.line, position.column)]
pub struct SyntaxError {
    pub position: Position,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// Any single character that is not part of a string, number, identifier or comment.
    Punct(char),
    /// Decoded contents of a `'…'`, `"…"` or substitution-free `` `…` `` string.
    Str(String),
    Ident(String),
    /// Source text of a numeric literal with `_` separators removed.
    Number(String),
}

impl Token {
    /// Describes the token for error messages.
    pub fn describe(&self) -> String {
        match self {
            Token::Punct(c) => format!("`{c}`"),
            Token::Str(s) => format!("string {s:?}"),
            Token::Ident(name) => format!("identifier `{name}`"),
            Token::Number(text) => format!("number {text}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Spanned {
    pub token: Token,
    pub position: Position,
}

pub struct Lexer {
    chars: Vec<char>,
    index: usize,
    line: usize,
    column: usize,
}

impl Lexer {
    pub fn new(source: &str) -> Self {
        Lexer {
            chars: source.chars().collect(),
            index: 0,
            line: 1,
            column: 1,
        }
    }

    /// Reads the next token, or `None` at the end of the source.
    pub fn next_token(&mut self) -> Result<Option<Spanned>, SyntaxError> {
        self.skip_trivia()?;
        let position = self.position();
        let Some(c) = self.peek(0) else {
            return Ok(None);
        };

        let token = if c == '"' || c == '\'' || c == '`' {
            self.advance();
            Token::Str(self.read_string(c, position)?)
        } else if c.is_ascii_digit()
            || (c == '.' && self.peek(1).is_some_and(|n| n.is_ascii_digit()))
        {
            Token::Number(self.read_number())
        } else if is_identifier_start(c) {
            Token::Ident(self.read_identifier())
        } else {
            self.advance();
            Token::Punct(c)
        };
        Ok(Some(Spanned { token, position }))
    }

    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.index + offset).copied()
    }

    fn advance(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.index += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn error(&self, position: Position, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            position,
            message: message.into(),
        }
    }

    /// Skips whitespace, the byte order mark, and line and block comments.
    fn skip_trivia(&mut self) -> Result<(), SyntaxError> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() || c == '\u{feff}' => {
                    self.advance();
                }
                (Some('/'), Some('/')) => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.advance();
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.position();
                    self.advance();
                    self.advance();
                    loop {
                        match (self.peek(0), self.peek(1)) {
                            (Some('*'), Some('/')) => {
                                self.advance();
                                self.advance();
                                break;
                            }
                            (Some(_), _) => {
                                self.advance();
                            }
                            (None, _) => {
                                return Err(self.error(start, "unterminated block comment"));
                            }
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn read_identifier(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek(0).filter(|&c| is_identifier_part(c)) {
            name.push(c);
            self.advance();
        }
        name
    }

    /// Reads a numeric literal loosely, leaving validation of its form to the parser.
    fn read_number(&mut self) -> String {
        let mut text = String::new();
        while let Some(c) = self.peek(0) {
            let exponent_sign = (c == '+' || c == '-')
                && text.ends_with(['e', 'E'])
                && !text.starts_with("0x")
                && !text.starts_with("0X");
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || exponent_sign {
                if c != '_' {
                    text.push(c);
                }
                self.advance();
            } else {
                break;
            }
        }
        text
    }

    /// Reads a string body after its opening quote and decodes its escapes.
    fn read_string(&mut self, quote: char, start: Position) -> Result<String, SyntaxError> {
        let mut value = String::new();
        loop {
            let position = self.position();
            let Some(c) = self.advance() else {
                return Err(self.error(start, "unterminated string"));
            };
            match c {
                _ if c == quote => return Ok(value),
                '\\' => self.read_escape(&mut value, position)?,
                '\n' | '\r' if quote != '`' => return Err(self.error(start, "unterminated string")),
                '$' if quote == '`' && self.peek(0) == Some('{') => {
                    return Err(self.error(
                        position,
                        "template literal substitutions (`${…}`) are not supported",
                    ));
                }
                _ => value.push(c),
            }
        }
    }

    fn read_escape(&mut self, value: &mut String, position: Position) -> Result<(), SyntaxError> {
        let Some(c) = self.advance() else {
            return Err(self.error(position, "unterminated escape sequence"));
        };
        match c {
            'n' => value.push('\n'),
            'r' => value.push('\r'),
            't' => value.push('\t'),
            'b' => value.push('\u{8}'),
            'f' => value.push('\u{c}'),
            'v' => value.push('\u{b}'),
            '0' if !self.peek(0).is_some_and(|n| n.is_ascii_digit()) => value.push('\0'),
            '1'..='9' | '0' => {
                return Err(self.error(position, "octal escape sequences are not supported"));
            }
            'x' => {
                let code = self.read_hex_digits(2, position)?;
                value.push(char::from_u32(code).expect("two hex digits are a valid char"));
            }
            'u' => {
                let code = self.read_unicode_escape(position)?;
                value.push(self.combine_surrogates(code, position)?);
            }
            // A backslash before a line terminator continues the string on the next line.
            '\r' => {
                if self.peek(0) == Some('\n') {
                    self.advance();
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            // Any other escaped character, including quotes and `\`, stands for itself.
            other => value.push(other),
        }
        Ok(())
    }

    fn read_hex_digits(&mut self, count: usize, position: Position) -> Result<u32, SyntaxError> {
        let mut code = 0;
        for _ in 0..count {
            let digit = self.peek(0).and_then(|c| c.to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error(
                    position,
                    format!("invalid escape sequence: expected {count} hex digits"),
                ));
            };
            code = code * 16 + digit;
            self.advance();
        }
        Ok(code)
    }

    /// Reads the part after `\u`: either four hex digits or `{hex}`.
    fn read_unicode_escape(&mut self, position: Position) -> Result<u32, SyntaxError> {
        if self.peek(0) != Some('{') {
            return self.read_hex_digits(4, position);
        }
        self.advance();
        let mut code: u32 = 0;
        let mut digits = 0;
        while let Some(digit) = self.peek(0).and_then(|c| c.to_digit(16)) {
            code = code.saturating_mul(16).saturating_add(digit);
            digits += 1;
            self.advance();
        }
        if digits == 0 || self.advance() != Some('}') || code > 0x10FFFF {
            return Err(self.error(position, "invalid \\u{…} escape sequence"));
        }
        Ok(code)
    }

    /// Turns a UTF-16 high surrogate and the `\uXXXX` low surrogate after it into one char.
    fn combine_surrogates(&mut self, code: u32, position: Position) -> Result<char, SyntaxError> {
        if !(0xD800..0xDC00).contains(&code) {
            return char::from_u32(code)
                .ok_or_else(|| self.error(position, "unpaired UTF-16 surrogate in string"));
        }
        if self.peek(0) != Some('\\') || self.peek(1) != Some('u') {
            return Err(self.error(position, "unpaired UTF-16 surrogate in string"));
        }
        self.advance();
        self.advance();
        let low = self.read_hex_digits(4, position)?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(self.error(position, "unpaired UTF-16 surrogate in string"));
        }
        let combined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        Ok(char::from_u32(combined).expect("a surrogate pair decodes to a valid char"))
    }
}

fn is_identifier_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_identifier_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(source: &str) -> Vec<Token> {
        let mut lexer = Lexer::new(source);
        let mut out = Vec::new();
        while let Some(spanned) = lexer.next_token().unwrap() {
            out.push(spanned.token);
        }
        out
    }

    #[test]
    fn strings_decode_escapes() {
        let found = tokens(
            r#"'it\'s' "say \"hi\"" "\u0041\x42\u{43}" "\uD83D\uDE00" "a\
b""#,
        );
        let expected = ["it's", "say \"hi\"", "ABC", "😀", "ab"].map(|s| Token::Str(s.to_string()));
        assert_eq!(found, expected);
    }

    #[test]
    fn braces_inside_strings_stay_strings() {
        let found = tokens(r#"{ a: "}{", b: '"}' }"#);
        assert_eq!(found[3], Token::Str("}{".into()));
        assert_eq!(found[7], Token::Str("\"}".into()));
        assert_eq!(found.len(), 9);
    }

    #[test]
    fn comments_are_skipped() {
        let found = tokens("a // { not a brace\n /* } */ b");
        assert_eq!(
            found,
            vec![Token::Ident("a".into()), Token::Ident("b".into())]
        );
    }

    #[test]
    fn numbers_keep_their_text() {
        let found = tokens("1_000 0.125 1e-3 .5");
        let expected = ["1000", "0.125", "1e-3", ".5"].map(|s| Token::Number(s.to_string()));
        assert_eq!(found, expected);
    }

    #[test]
    fn unterminated_string_reports_start() {
        let error = Lexer::new("\n  'abc").next_token().unwrap_err();
        assert_eq!(error.position, Position { line: 2, column: 3 });
        assert!(error.message.contains("unterminated string"));
    }

    #[test]
    fn template_substitution_is_rejected() {
        let error = Lexer::new("`a ${b}`").next_token().unwrap_err();
        assert!(error.message.contains("template literal"));
    }
}
