//! The tools' error type and the checking of the model's JSON arguments against a
//! tool's schema, so that each error names the field at fault.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::ToolSpec;

/// Failure of one tool call. `run` turns it into an error result for the model.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ToolError {
    #[error("invalid arguments for {tool}: {reason}. Send a JSON object with {fields}.")]
    InvalidArguments {
        tool: &'static str,
        reason: String,
        fields: String,
    },
    #[error("failed to {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Failed(String),
}

impl ToolError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }
}

/// Parses `arguments` into `T` after checking them against `spec.parameters`.
///
/// Empty text and `null` count as an empty object. A field that the schema does not
/// list is rejected, and a whole-number float such as `10.0` is accepted for an
/// integer field.
pub(crate) fn parse_args<T: DeserializeOwned>(
    spec: &ToolSpec,
    arguments: &str,
) -> Result<T, ToolError> {
    let invalid = |reason: String| ToolError::InvalidArguments {
        tool: spec.name,
        reason,
        fields: describe_fields(&spec.parameters),
    };

    let trimmed = arguments.trim();
    let text = if trimmed.is_empty() { "{}" } else { trimmed };
    let value: Value = serde_json::from_str(text)
        .map_err(|error| invalid(format!("the arguments are not valid JSON ({error})")))?;

    let mut object = match value {
        Value::Object(object) => object,
        Value::Null => Map::new(),
        other => {
            return Err(invalid(format!(
                "the arguments are a JSON {}, not an object",
                json_kind(&other)
            )));
        }
    };

    check_fields(&spec.parameters, &mut object).map_err(invalid)?;
    serde_json::from_value(Value::Object(object)).map_err(|error| invalid(error.to_string()))
}

/// Checks required fields, unknown fields, JSON types and minimums. Whole-number
/// floats in integer fields are rewritten as integers so that serde accepts them.
fn check_fields(schema: &Value, object: &mut Map<String, Value>) -> Result<(), String> {
    let empty = Map::new();
    let properties = schema["properties"].as_object().unwrap_or(&empty);

    for key in object.keys() {
        if !properties.contains_key(key) {
            return Err(format!("unknown field `{key}`"));
        }
    }

    for required in required_fields(schema) {
        if object.get(required).is_none_or(Value::is_null) {
            return Err(format!("missing required field `{required}`"));
        }
    }

    for (key, value) in object.iter_mut() {
        if value.is_null() {
            continue;
        }
        let property = &properties[key];
        let expected = property["type"].as_str().unwrap_or("any");
        if expected == "integer"
            && let Some(whole) = value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
        {
            *value = Value::from(whole as i64);
        }
        if !has_type(value, expected) {
            return Err(format!(
                "field `{key}` must be {}, got {} {value}",
                with_article(expected),
                json_kind(value)
            ));
        }
        if let (Some(minimum), Some(actual)) = (property["minimum"].as_f64(), value.as_f64())
            && actual < minimum
        {
            return Err(format!(
                "field `{key}` must be at least {minimum}, got {value}"
            ));
        }
    }
    Ok(())
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => true,
    }
}

fn required_fields(schema: &Value) -> Vec<&str> {
    schema["required"]
        .as_array()
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Lists the schema's fields as "name (type, required)", required fields first.
fn describe_fields(schema: &Value) -> String {
    let Some(properties) = schema["properties"].as_object().filter(|p| !p.is_empty()) else {
        return "no fields".to_string();
    };
    let required = required_fields(schema);

    let mut names: Vec<&String> = properties.keys().collect();
    names.sort_by_key(|name| !required.contains(&name.as_str()));

    let fields: Vec<String> = names
        .iter()
        .map(|name| {
            let kind = properties[*name]["type"].as_str().unwrap_or("any");
            let presence = if required.contains(&name.as_str()) {
                "required"
            } else {
                "optional"
            };
            format!("{name} ({kind}, {presence})")
        })
        .collect();
    format!("the fields {}", fields.join(", "))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn with_article(kind: &str) -> String {
    match kind {
        "integer" | "array" | "object" => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct Sample {
        path: String,
        start_line: Option<u64>,
    }

    fn sample_spec() -> ToolSpec {
        ToolSpec {
            name: "sample",
            description: "test tool",
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "start_line": {"type": "integer", "minimum": 1},
                },
                "required": ["path"],
            }),
        }
    }

    fn parse_error(arguments: &str) -> String {
        parse_args::<Sample>(&sample_spec(), arguments)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parse_args_accepts_valid_object() {
        let sample: Sample =
            parse_args(&sample_spec(), r#"{"path": "a.txt", "start_line": 3}"#).unwrap();
        assert_eq!(sample.path, "a.txt");
        assert_eq!(sample.start_line, Some(3));
    }

    #[test]
    fn parse_args_accepts_whole_float() {
        let sample: Sample =
            parse_args(&sample_spec(), r#"{"path": "a", "start_line": 4.0}"#).unwrap();
        assert_eq!(sample.start_line, Some(4));
    }

    #[test]
    fn parse_args_names_missing_field() {
        let message = parse_error("{}");
        assert!(
            message.contains("missing required field `path`"),
            "{message}"
        );
        assert!(message.contains("path (string, required)"), "{message}");
        assert!(
            message.contains("start_line (integer, optional)"),
            "{message}"
        );
    }

    #[test]
    fn parse_args_names_mistyped_field() {
        let message = parse_error(r#"{"path": 5}"#);
        assert!(
            message.contains("field `path` must be a string, got integer 5"),
            "{message}"
        );
    }

    #[test]
    fn parse_args_rejects_unknown_field() {
        let message = parse_error(r#"{"path": "a", "file_path": "b"}"#);
        assert!(message.contains("unknown field `file_path`"), "{message}");
    }

    #[test]
    fn parse_args_enforces_minimum() {
        let message = parse_error(r#"{"path": "a", "start_line": 0}"#);
        assert!(
            message.contains("field `start_line` must be at least 1, got 0"),
            "{message}"
        );
    }

    #[test]
    fn parse_args_rejects_non_object() {
        let message = parse_error(r#""ls -la""#);
        assert!(
            message.contains("the arguments are a JSON string, not an object"),
            "{message}"
        );
    }

    #[test]
    fn parse_args_treats_empty_as_object() {
        let message = parse_error("  ");
        assert!(
            message.contains("missing required field `path`"),
            "{message}"
        );
    }
}
