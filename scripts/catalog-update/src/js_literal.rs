//! Reads JavaScript object literals as JSON values without running any JavaScript.
//!
//! Supported values: objects (quoted, bare-identifier and integer keys, trailing
//! commas), arrays, strings, numbers with an optional sign, `true`, `false`,
//! `null` and `undefined`. As in `JSON.stringify`, a property whose value is
//! `undefined` is dropped and an `undefined` array element becomes `null`.
//! Anything else (calls, variables, spreads) is an error unless it sits in a
//! part of the source that is only skipped.

use serde_json::{Map, Number, Value};
use thiserror::Error;

use crate::js_lexer::{Lexer, Position, Spanned, SyntaxError, Token};

#[derive(Debug, Error)]
pub enum JsError {
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    #[error("no `{name} = {{ … }}` declaration found")]
    DeclarationNotFound { name: String },
    #[error(
        "line {}, column {}: the value of `{key}` is {found}, not an object literal",
        position.line,
        position.column
    )]
    NotObjectLiteral {
        key: String,
        found: String,
        position: Position,
    },
}

/// Finds `NAME = { … }` in `source` and returns the value of its top-level property `key`.
///
/// Returns `Ok(None)` when the object has no such property. Values of other
/// properties are skipped by bracket matching, so they may be arbitrary
/// expressions. When the key occurs more than once, the last one wins, as in JavaScript.
pub fn find_property(source: &str, name: &str, key: &str) -> Result<Option<Value>, JsError> {
    let mut parser = Parser::new(source);
    parser.seek_declaration(name)?;

    let mut found = None;
    loop {
        let Some(property) = parser.read_property_key()? else {
            return Ok(found);
        };
        if property == PropertyKey::Named(key.to_string()) {
            let next = parser.peek()?;
            if next.token != Token::Punct('{') {
                return Err(JsError::NotObjectLiteral {
                    key: key.to_string(),
                    found: next.token.describe(),
                    position: next.position,
                });
            }
            found = parser.parse_value()?;
        } else {
            parser.skip_expression()?;
        }
        if !parser.finish_property()? {
            return Ok(found);
        }
    }
}

/// Parses a single JavaScript value literal that makes up all of `source`.
pub fn parse_literal(source: &str) -> Result<Value, JsError> {
    let mut parser = Parser::new(source);
    let value = parser.parse_value()?.unwrap_or(Value::Null);
    if let Some(extra) = parser.next()? {
        return Err(parser.unexpected(&extra, "end of input").into());
    }
    Ok(value)
}

#[derive(Debug, PartialEq)]
enum PropertyKey {
    Named(String),
    /// A spread (`...x`) or shorthand property (`{ x }`), whose expression is still unread.
    Unnamed,
}

struct Parser {
    lexer: Lexer,
    peeked: Option<Spanned>,
    end: Position,
}

impl Parser {
    fn new(source: &str) -> Self {
        let lines = source.split('\n').count();
        let last_line = source.rsplit('\n').next().unwrap_or("");
        Parser {
            lexer: Lexer::new(source),
            peeked: None,
            end: Position {
                line: lines,
                column: last_line.chars().count() + 1,
            },
        }
    }

    fn next(&mut self) -> Result<Option<Spanned>, SyntaxError> {
        match self.peeked.take() {
            Some(token) => Ok(Some(token)),
            None => self.lexer.next_token(),
        }
    }

    /// Returns the next token without consuming it. The end of input is an error.
    fn peek(&mut self) -> Result<Spanned, SyntaxError> {
        if self.peeked.is_none() {
            self.peeked = self.lexer.next_token()?;
        }
        self.peeked.clone().ok_or_else(|| SyntaxError {
            position: self.end,
            message: "unexpected end of input".to_string(),
        })
    }

    fn expect_next(&mut self) -> Result<Spanned, SyntaxError> {
        self.peek()?;
        Ok(self.peeked.take().expect("peek stored a token"))
    }

    fn unexpected(&self, found: &Spanned, expected: &str) -> SyntaxError {
        SyntaxError {
            position: found.position,
            message: format!("expected {expected}, found {}", found.token.describe()),
        }
    }

    /// Consumes tokens up to and including the `{` of the first `name = {`.
    fn seek_declaration(&mut self, name: &str) -> Result<(), JsError> {
        let mut previous: [Option<Token>; 2] = [None, None];
        while let Some(spanned) = self.next()? {
            let matches = spanned.token == Token::Punct('{')
                && previous[1] == Some(Token::Punct('='))
                && previous[0] == Some(Token::Ident(name.to_string()));
            if matches {
                return Ok(());
            }
            previous = [previous[1].take(), Some(spanned.token)];
        }
        Err(JsError::DeclarationNotFound {
            name: name.to_string(),
        })
    }

    /// Reads `key :` inside an object, or returns `None` at its closing `}`.
    fn read_property_key(&mut self) -> Result<Option<PropertyKey>, SyntaxError> {
        let spanned = self.expect_next()?;
        let key = match spanned.token {
            Token::Punct('}') => return Ok(None),
            Token::Str(text) | Token::Ident(text) => text,
            Token::Number(ref text) if text.chars().all(|c| c.is_ascii_digit()) => text.clone(),
            Token::Punct('.') => {
                self.skip_spread_dots()?;
                return Ok(Some(PropertyKey::Unnamed));
            }
            _ => return Err(self.unexpected(&spanned, "a property name")),
        };
        let separator = self.peek()?;
        match separator.token {
            Token::Punct(':') => {
                self.next()?;
                Ok(Some(PropertyKey::Named(key)))
            }
            Token::Punct(',') | Token::Punct('}') => Ok(Some(PropertyKey::Unnamed)),
            _ => Err(self.unexpected(&separator, "`:` after a property name")),
        }
    }

    fn skip_spread_dots(&mut self) -> Result<(), SyntaxError> {
        for _ in 0..2 {
            let dot = self.expect_next()?;
            if dot.token != Token::Punct('.') {
                return Err(self.unexpected(&dot, "`...`"));
            }
        }
        Ok(())
    }

    /// Consumes the `,` after a property, or returns false if the object closed instead.
    fn finish_property(&mut self) -> Result<bool, SyntaxError> {
        let spanned = self.expect_next()?;
        match spanned.token {
            Token::Punct(',') => Ok(true),
            Token::Punct('}') => Ok(false),
            _ => Err(self.unexpected(&spanned, "`,` or `}`")),
        }
    }

    /// Skips one expression: tokens up to a `,` or closing bracket at bracket depth zero.
    fn skip_expression(&mut self) -> Result<(), SyntaxError> {
        let mut open: Vec<char> = Vec::new();
        loop {
            let spanned = self.peek()?;
            match spanned.token {
                Token::Punct(c @ ('{' | '[' | '(')) => open.push(c),
                Token::Punct(',') if open.is_empty() => return Ok(()),
                Token::Punct(c @ ('}' | ']' | ')')) => {
                    let Some(opener) = open.pop() else {
                        return Ok(());
                    };
                    if closer_of(opener) != c {
                        return Err(self.unexpected(&spanned, &format!("`{}`", closer_of(opener))));
                    }
                }
                _ => {}
            }
            self.next()?;
        }
    }

    /// Parses a value; `None` means `undefined`.
    fn parse_value(&mut self) -> Result<Option<Value>, SyntaxError> {
        let spanned = self.expect_next()?;
        let value = match spanned.token {
            Token::Punct('{') => self.parse_object_body()?,
            Token::Punct('[') => self.parse_array_body()?,
            Token::Str(text) => Value::String(text),
            Token::Number(ref text) => Value::Number(number_value(text, false, &spanned)?),
            Token::Punct(sign @ ('-' | '+')) => {
                let number = self.expect_next()?;
                let Token::Number(text) = &number.token else {
                    return Err(self.unexpected(&number, "a number after the sign"));
                };
                Value::Number(number_value(text, sign == '-', &number)?)
            }
            Token::Ident(ref name) => match name.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                "undefined" => return Ok(None),
                _ => return Err(self.unexpected(&spanned, "a literal value")),
            },
            _ => return Err(self.unexpected(&spanned, "a value")),
        };
        Ok(Some(value))
    }

    fn parse_object_body(&mut self) -> Result<Value, SyntaxError> {
        let mut object = Map::new();
        loop {
            let start = self.peek()?;
            let key = match self.read_property_key()? {
                None => return Ok(Value::Object(object)),
                Some(PropertyKey::Named(key)) => key,
                Some(PropertyKey::Unnamed) => {
                    return Err(SyntaxError {
                        position: start.position,
                        message: "spread and shorthand properties are not supported".to_string(),
                    });
                }
            };
            if let Some(value) = self.parse_value()? {
                object.insert(key, value);
            } else {
                object.remove(&key);
            }
            if !self.finish_property()? {
                return Ok(Value::Object(object));
            }
        }
    }

    fn parse_array_body(&mut self) -> Result<Value, SyntaxError> {
        let mut items = Vec::new();
        loop {
            if self.peek()?.token == Token::Punct(']') {
                self.next()?;
                return Ok(Value::Array(items));
            }
            items.push(self.parse_value()?.unwrap_or(Value::Null));
            let spanned = self.expect_next()?;
            match spanned.token {
                Token::Punct(',') => {}
                Token::Punct(']') => return Ok(Value::Array(items)),
                _ => return Err(self.unexpected(&spanned, "`,` or `]`")),
            }
        }
    }
}

fn closer_of(opener: char) -> char {
    match opener {
        '{' => '}',
        '[' => ']',
        _ => ')',
    }
}

/// Converts the text of a decimal numeric literal, keeping integers as JSON integers.
fn number_value(text: &str, negative: bool, at: &Spanned) -> Result<Number, SyntaxError> {
    let invalid = || SyntaxError {
        position: at.position,
        message: format!("unsupported numeric literal `{text}` (only decimal numbers are read)"),
    };
    let is_integer = text.chars().all(|c| c.is_ascii_digit());
    let has_legacy_octal_prefix = text.len() > 1 && text.starts_with('0') && is_integer;
    let is_decimal = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    if has_legacy_octal_prefix || !is_decimal {
        return Err(invalid());
    }

    if is_integer && let Ok(magnitude) = text.parse::<i64>() {
        return Ok(Number::from(if negative { -magnitude } else { magnitude }));
    }
    let magnitude: f64 = text.parse().map_err(|_| invalid())?;
    let value = if negative { -magnitude } else { magnitude };
    Number::from_f64(value).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literal_with_bare_keys_and_trailing_commas() {
        let value = parse_literal(
            "{ id: 'a', n: -2, f: 0.5, list: [1, 'x',], ok: true, none: null, gone: undefined, }",
        );
        let expected =
            json!({"id": "a", "n": -2, "f": 0.5, "list": [1, "x"], "ok": true, "none": null});
        assert_eq!(value.unwrap(), expected);
    }

    #[test]
    fn literal_rejects_variable_reference() {
        let error = parse_literal("{ a: SOME_VALUE }").unwrap_err();
        assert!(
            error.to_string().contains("identifier `SOME_VALUE`"),
            "{error}"
        );
    }

    #[test]
    fn literal_rejects_hex_number() {
        assert!(parse_literal("0x10").is_err());
    }

    #[test]
    fn property_found_after_skipped_expressions() {
        let source = "import x from 'y';\nexport const MODELS = {\n  a: make({ b: [1, 2] }, c),\n  ...OTHER,\n  'want': { v: 1 },\n  z: 3,\n};";
        let value = find_property(source, "MODELS", "want").unwrap();
        assert_eq!(value, Some(json!({"v": 1})));
    }

    #[test]
    fn property_missing_returns_none() {
        let value = find_property("const MODELS = { a: {}, b: {} };", "MODELS", "c").unwrap();
        assert_eq!(value, None);
    }

    #[test]
    fn property_reference_is_reported() {
        let error =
            find_property("const MODELS = { want: WANT_MODELS };", "MODELS", "want").unwrap_err();
        assert!(matches!(error, JsError::NotObjectLiteral { .. }), "{error}");
        assert!(
            error.to_string().contains("identifier `WANT_MODELS`"),
            "{error}"
        );
    }

    #[test]
    fn declaration_missing_is_reported() {
        let error = find_property("const OTHER = {};", "MODELS", "a").unwrap_err();
        assert!(
            matches!(error, JsError::DeclarationNotFound { .. }),
            "{error}"
        );
    }

    #[test]
    fn unbalanced_brackets_are_reported() {
        let error = find_property("const MODELS = { a: f(1], b: {} };", "MODELS", "b").unwrap_err();
        assert!(error.to_string().contains("expected `)`"), "{error}");
    }
}
