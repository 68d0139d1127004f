//! Reads the text of `models.yaml` into typed entries that remember where
//! each entry and top-level key sits, so that edits can splice the text.
//!
//! Scalars are kept as written (the loader's early parsing is off), so an
//! extra setting such as `version: 1.10` reaches the plugin as "1.10", and
//! `timeout: "600"` is rejected as text rather than read as a number.

use std::collections::HashSet;
use std::path::Path;

use saphyr::{AnnotatedMapping, MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{Marker, Parser, ScanError};

use super::locate::{Locator, Placement, Range};
use super::text::Source;
use super::{ConfigError, ModelEntry};

/// A file that read without errors, with the positions edits need.
pub(super) struct ParsedFile {
    pub root: Root,
    /// The `models` key, if the file has one.
    pub models: Option<ModelsField>,
    /// Model entries in file order.
    pub entries: Vec<ParsedEntry>,
    pub default: Option<PointerField>,
    pub current: Option<PointerField>,
}

/// Shape of the top-level node.
pub(super) enum Root {
    /// Empty file, or comments only.
    Empty,
    /// A block mapping whose content ends on `last_line`.
    Block { last_line: usize },
    /// A flow mapping (`{models: ..}`), which edits do not rewrite.
    Flow { line: usize },
}

pub(super) struct ModelsField {
    pub placement: Placement,
    pub value: ModelsValue,
}

pub(super) enum ModelsValue {
    /// `models:` with no value, or `~`/`null`, at `range`.
    Null {
        range: Range,
    },
    /// `models: {}` at `range`.
    EmptyFlow {
        range: Range,
    },
    /// A non-empty flow mapping, which edits do not rewrite.
    Flow {
        line: usize,
    },
    Block,
}

pub(super) struct ParsedEntry {
    pub entry: ModelEntry,
    pub placement: Placement,
    /// Column of the first setting key when the settings are a block
    /// mapping, which gives the file's nesting indentation.
    pub settings_column: Option<usize>,
}

/// `default` or `current`.
pub(super) struct PointerField {
    /// `None` when the value is empty or null.
    pub value: Option<String>,
    pub placement: Placement,
    pub range: Range,
}

/// Parses `text`, read from `path`, and checks the type of every known value.
pub(super) fn parse(path: &Path, text: &str) -> Result<ParsedFile, ConfigError> {
    let source = Source::new(text);
    let reader = Reader {
        path,
        locate: Locator::new(&source),
    };
    let documents = load_documents(text).map_err(|error| reader.syntax_error(&error))?;
    reader.read_file(&documents)
}

fn load_documents(text: &str) -> Result<Vec<MarkedYaml<'_>>, ScanError> {
    let mut parser = Parser::new_from_str(text);
    let mut loader = YamlLoader::<MarkedYaml>::default();
    loader.early_parse(false);
    parser.load(&mut loader, true)?;
    if let Some(error) = loader.error() {
        return Err(error.clone());
    }
    Ok(loader.into_documents())
}

/// A node's value in the terms of this file's schema.
pub(super) enum Value<'n, 'i> {
    Null,
    /// Scalar text. `plain` is true for an untagged, unquoted scalar, the
    /// only form that can be a number or a boolean.
    Text {
        text: &'n str,
        plain: bool,
    },
    Mapping(&'n AnnotatedMapping<'i, MarkedYaml<'i>>),
    Sequence,
    Unknown,
}

pub(super) fn classify<'n, 'i>(node: &'n MarkedYaml<'i>) -> Value<'n, 'i> {
    match &node.data {
        YamlData::Representation(text, style, tag) => {
            let plain = *style == ScalarStyle::Plain && tag.is_none();
            if plain && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL") {
                Value::Null
            } else {
                Value::Text {
                    text: text.as_ref(),
                    plain,
                }
            }
        }
        YamlData::Mapping(mapping) => Value::Mapping(mapping),
        YamlData::Sequence(_) => Value::Sequence,
        YamlData::Tagged(_, inner) => classify(inner),
        _ => Value::Unknown,
    }
}

/// Describes a found value in a few words for error messages. Long text is not
/// echoed, because a misplaced API key must not end up in a log.
pub(super) fn describe(node: &MarkedYaml<'_>) -> String {
    match classify(node) {
        Value::Null => "nothing".to_string(),
        Value::Text { text, .. } if text.chars().count() <= 24 => format!("{text:?}"),
        Value::Text { text, .. } => format!("a text of {} characters", text.chars().count()),
        Value::Mapping(_) => "a mapping".to_string(),
        Value::Sequence => "a list".to_string(),
        Value::Unknown => "an unsupported value".to_string(),
    }
}

/// Reads the nodes of one file, and reports errors at their positions in it.
pub(super) struct Reader<'a> {
    path: &'a Path,
    pub(super) locate: Locator<'a>,
}

impl Reader<'_> {
    pub(super) fn error_at(&self, marker: Marker, message: String) -> ConfigError {
        ConfigError::Parse {
            path: self.path.to_path_buf(),
            line: marker.line(),
            column: marker.col() + 1,
            message,
        }
    }

    fn syntax_error(&self, error: &ScanError) -> ConfigError {
        self.error_at(*error.marker(), format!("invalid YAML: {}", error.info()))
    }

    fn read_file(&self, documents: &[MarkedYaml<'_>]) -> Result<ParsedFile, ConfigError> {
        let mut file = ParsedFile {
            root: Root::Empty,
            models: None,
            entries: Vec::new(),
            default: None,
            current: None,
        };
        if let Some(second) = documents.get(1) {
            return Err(self.error_at(
                second.span.start,
                "expected one YAML document, but a second one starts here; remove the `---` line before it".into(),
            ));
        }
        let Some(root) = documents.first() else {
            return Ok(file);
        };
        let mapping = match classify(root) {
            Value::Null | Value::Unknown => return Ok(file),
            Value::Mapping(mapping) => mapping,
            _ => {
                return Err(self.error_at(
                    root.span.start,
                    format!("expected a mapping with the keys `models`, `default` and `current`, but found {}", describe(root)),
                ));
            }
        };

        let mut last_line = root.span.start.line();
        let mut seen = HashSet::new();
        for (key, value) in mapping {
            let placement = self.locate.placement(key, value);
            last_line = last_line.max(placement.last_line);
            let Value::Text { text: name, .. } = classify(key) else {
                return Err(self.error_at(
                    key.span.start,
                    format!("expected a key name, but found {}", describe(key)),
                ));
            };
            if !seen.insert(name) {
                return Err(self.error_at(
                    key.span.start,
                    format!("`{name}` appears twice at the top level; keep one"),
                ));
            }
            match name {
                "models" => {
                    file.models = Some(self.read_models(value, placement, &mut file.entries)?)
                }
                "default" => file.default = Some(self.read_pointer(name, value, placement)?),
                "current" => file.current = Some(self.read_pointer(name, value, placement)?),
                // NOTE: other top-level keys are accepted and ignored, so a
                // file written by a newer ouro still loads.
                _ => {}
            }
        }
        file.root = if self.locate.opens_flow(root.span.start) {
            Root::Flow {
                line: root.span.start.line(),
            }
        } else {
            Root::Block { last_line }
        };
        Ok(file)
    }

    fn read_models(
        &self,
        value: &MarkedYaml<'_>,
        placement: Placement,
        entries: &mut Vec<ParsedEntry>,
    ) -> Result<ModelsField, ConfigError> {
        let mapping = match classify(value) {
            Value::Null => {
                return Ok(ModelsField {
                    placement,
                    value: ModelsValue::Null {
                        range: self.locate.range(value),
                    },
                });
            }
            Value::Mapping(mapping) => mapping,
            _ => {
                return Err(self.error_at(
                    value.span.start,
                    format!("expected `models` to be a mapping of model ids to settings, such as `openai/gpt-4.1:` on its own line, but found {}", describe(value)),
                ));
            }
        };
        let mut seen = HashSet::new();
        for (key, settings) in mapping {
            let entry = self.read_entry(key, settings)?;
            if !seen.insert(entry.entry.id.clone()) {
                return Err(self.error_at(
                    key.span.start,
                    format!(
                        "model `{}` appears twice under `models`; keep one",
                        entry.entry.id
                    ),
                ));
            }
            entries.push(entry);
        }
        let shape = match (self.locate.opens_flow(value.span.start), mapping.is_empty()) {
            (true, true) => ModelsValue::EmptyFlow {
                range: self.locate.range(value),
            },
            (true, false) => ModelsValue::Flow {
                line: value.span.start.line(),
            },
            (false, _) => ModelsValue::Block,
        };
        Ok(ModelsField {
            placement,
            value: shape,
        })
    }

    fn read_pointer(
        &self,
        name: &str,
        value: &MarkedYaml<'_>,
        placement: Placement,
    ) -> Result<PointerField, ConfigError> {
        let text = match classify(value) {
            Value::Null => None,
            Value::Text { text, .. } => Some(text.trim().to_string()).filter(|id| !id.is_empty()),
            _ => {
                return Err(self.error_at(
                    value.span.start,
                    format!(
                        "expected a model id such as `openai/gpt-4.1` for `{name}`, but found {}",
                        describe(value)
                    ),
                ));
            }
        };
        Ok(PointerField {
            value: text,
            placement,
            range: self.locate.range(value),
        })
    }
}
