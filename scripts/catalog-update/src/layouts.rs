//! Locates the `openai-codex` model records in the two published pi-ai package layouts.

use serde_json::Value;
use thiserror::Error;

use crate::js_literal::{self, JsError};
use crate::tarball::PackageFiles;

/// Per-provider JSON data file, used by `@earendil-works/pi-ai` (for example 1.6.0).
pub const JSON_LAYOUT_FILE: &str = "package/dist/providers/data/openai-codex.json";
/// Generated JavaScript table of all providers, used by `@mariozechner/pi-ai` up to 0.73.1.
pub const JS_LAYOUT_FILE: &str = "package/dist/models.generated.js";
/// Provider id of ChatGPT subscription (OAuth) models in pi-ai.
pub const PROVIDER: &str = "openai-codex";

/// A model record as published, before validation.
#[derive(Debug, Clone)]
pub struct RawRecord {
    /// Path of the record in the source file, such as `openai-codex-responses/chat:gpt-5.5`.
    pub location: String,
    /// Model id to use when the record has no `id` field.
    pub fallback_id: String,
    pub value: Value,
}

/// The model records of one package together with the file they came from.
#[derive(Debug)]
pub struct Extracted {
    pub file: &'static str,
    pub records: Vec<RawRecord>,
    /// Records that are not chat models (their `type` is set and is not `chat`), by location.
    pub skipped: Vec<String>,
}

#[derive(Debug, Error)]
pub enum LayoutError {
    #[error(
        "unrecognised package layout: the tarball contains neither {JSON_LAYOUT_FILE} nor {JS_LAYOUT_FILE}"
    )]
    Unrecognised,
    #[error("{file}: {source}")]
    Js { file: &'static str, source: JsError },
    #[error("{file}: invalid JSON: {source}")]
    Json {
        file: &'static str,
        source: serde_json::Error,
    },
    #[error("{file}: the `{PROVIDER}` provider block is missing")]
    MissingProvider { file: &'static str },
    #[error("{file}: the `{PROVIDER}` provider block contains no chat models")]
    EmptyProvider { file: &'static str },
    #[error("{file}: expected an object at `{location}`, found {found}")]
    NotAnObject {
        file: &'static str,
        location: String,
        found: &'static str,
    },
}

/// Reads the model records, preferring the JSON layout.
///
/// Packages in the JSON layout still ship a `models.generated.js`, but there
/// its `MODELS` entries are variable references rather than literals, so that
/// file is read only when the JSON file is absent.
pub fn extract(files: &PackageFiles) -> Result<Extracted, LayoutError> {
    if let Some(text) = &files.json_layout {
        return extract_json(text);
    }
    if let Some(text) = &files.js_layout {
        return extract_js(text);
    }
    Err(LayoutError::Unrecognised)
}

/// Reads `{ "<api>": { "<type>:<id>": record } }`, taking the records of every api block.
///
/// pi-ai 1.6.0 (`flattenChatModelCatalog` in `dist/model-catalog.js`) keeps only
/// records whose `type` is `chat`. Records without a `type` are kept here too,
/// so hand-written data that leaves it out still loads.
fn extract_json(text: &str) -> Result<Extracted, LayoutError> {
    let file = JSON_LAYOUT_FILE;
    let root: Value =
        serde_json::from_str(text).map_err(|source| LayoutError::Json { file, source })?;
    let apis = as_object(file, "(top level)", &root)?;

    let mut records = Vec::new();
    let mut skipped = Vec::new();
    for (api, block) in apis {
        for (key, value) in as_object(file, api, block)? {
            let location = format!("{api}/{key}");
            as_object(file, &location, value)?;
            let kind = value.get("type").and_then(Value::as_str);
            if kind.is_some_and(|kind| kind != "chat") {
                skipped.push(location);
                continue;
            }
            let fallback_id = key.strip_prefix("chat:").unwrap_or(key).to_string();
            records.push(RawRecord {
                location,
                fallback_id,
                value: value.clone(),
            });
        }
    }
    if records.is_empty() {
        return Err(LayoutError::EmptyProvider { file });
    }
    Ok(Extracted {
        file,
        records,
        skipped,
    })
}

/// Reads `export const MODELS = { "openai-codex": { "<id>": record, … }, … }`.
fn extract_js(text: &str) -> Result<Extracted, LayoutError> {
    let file = JS_LAYOUT_FILE;
    let block = js_literal::find_property(text, "MODELS", PROVIDER)
        .map_err(|source| LayoutError::Js { file, source })?
        .ok_or(LayoutError::MissingProvider { file })?;
    let models = as_object(file, PROVIDER, &block)?;
    if models.is_empty() {
        return Err(LayoutError::EmptyProvider { file });
    }

    let mut records = Vec::new();
    for (key, value) in models {
        let location = format!("{PROVIDER}/{key}");
        as_object(file, &location, value)?;
        records.push(RawRecord {
            location,
            fallback_id: key.clone(),
            value: value.clone(),
        });
    }
    Ok(Extracted {
        file,
        records,
        skipped: Vec::new(),
    })
}

fn as_object<'a>(
    file: &'static str,
    location: &str,
    value: &'a Value,
) -> Result<&'a serde_json::Map<String, Value>, LayoutError> {
    value.as_object().ok_or_else(|| LayoutError::NotAnObject {
        file,
        location: location.to_string(),
        found: json_type_name(value),
    })
}

fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
