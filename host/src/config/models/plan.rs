//! Plan of one lossless edit: the splices of the original text, and the
//! entries and pointers the edited text must read back as.

use std::path::Path;

use super::locate::Placement;
use super::parse::{self, ModelsValue, ParsedFile, Root};
use super::text::{Source, Splice, yaml_scalar};
use super::{ConfigError, DEFAULT_TIMEOUT_SECS, ModelEntry, find_entry};

/// The top-level keys that name a model.
#[derive(Clone, Copy)]
pub(super) enum Pointer {
    Default,
    Current,
}

impl Pointer {
    pub(super) fn key(self) -> &'static str {
        match self {
            Pointer::Default => "default",
            Pointer::Current => "current",
        }
    }
}

/// Changes planned against one parse of the original text.
pub(super) struct Plan<'a> {
    path: &'a Path,
    source: Source<'a>,
    pub file: &'a ParsedFile,
    splices: Vec<Splice>,
    removed: Vec<bool>,
    added: Vec<ModelEntry>,
    /// `default` and `current` as they must be after the edit.
    pub default: Option<String>,
    pub current: Option<String>,
}

impl<'a> Plan<'a> {
    pub(super) fn new(path: &'a Path, original: &'a str, file: &'a ParsedFile) -> Self {
        Self {
            path,
            source: Source::new(original),
            file,
            splices: Vec::new(),
            removed: vec![false; file.entries.len()],
            added: Vec::new(),
            default: file.default.as_ref().and_then(|field| field.value.clone()),
            current: file.current.as_ref().and_then(|field| field.value.clone()),
        }
    }

    pub(super) fn unsupported(&self, line: usize, message: String) -> ConfigError {
        ConfigError::Unsupported {
            path: self.path.to_path_buf(),
            line,
            message,
        }
    }

    /// Returns the entries as they will be after the edit, in file order.
    pub(super) fn entries_after(&self) -> Vec<ModelEntry> {
        let kept = self
            .file
            .entries
            .iter()
            .zip(&self.removed)
            .filter(|(_, removed)| !**removed);
        kept.map(|(parsed, _)| parsed.entry.clone())
            .chain(self.added.iter().cloned())
            .collect()
    }

    pub(super) fn remove_entry(&mut self, index: usize) -> Result<(), ConfigError> {
        self.require_block_models()?;
        let parsed = &self.file.entries[index];
        self.require_own_line(&parsed.placement, &parsed.entry.id)?;
        let splice = Splice::delete_lines(
            &self.source,
            parsed.placement.key_line,
            parsed.placement.last_line,
        );
        self.splices.push(splice);
        self.removed[index] = true;
        Ok(())
    }

    /// Appends managed entries for `models` after the last entry, indented
    /// like the existing ones (2 spaces in a file without nested entries).
    pub(super) fn add_managed(
        &mut self,
        provider: &str,
        models: &[&str],
    ) -> Result<(), ConfigError> {
        if models.is_empty() {
            return Ok(());
        }
        let eol = self.source.line_ending();
        let (at, mut block, indent, step) = match &self.file.models {
            None => {
                let (at, prefix) = self.root_end()?;
                (at, format!("{prefix}models:{eol}"), 2, 2)
            }
            Some(field) => match &field.value {
                ModelsValue::Block => self.after_last_entry()?,
                ModelsValue::Null { range } | ModelsValue::EmptyFlow { range } => {
                    let key_line = field.placement.key_line;
                    if range.start.0 != key_line || range.end.0 != key_line {
                        return Err(self.unsupported(
                            key_line,
                            "the empty value of `models:` is not on the line of the key"
                                .to_string(),
                        ));
                    }
                    if range.start != range.end {
                        self.clear_inline_value(key_line, range.start.1, range.end.1);
                    }
                    let (at, prefix) = self.source.after_line(field.placement.key_line);
                    (at, prefix.to_string(), 2, 2)
                }
                ModelsValue::Flow { line } => return Err(self.flow_models(*line)),
            },
        };

        let pad = " ".repeat(indent);
        let inner = " ".repeat(indent + step);
        let provider_text = yaml_scalar(provider);
        for model in models {
            let id = format!("{provider}/{model}");
            block.push_str(&format!("{pad}{}:{eol}", yaml_scalar(&id)));
            block.push_str(&format!("{inner}oauth_managed: true{eol}"));
            block.push_str(&format!("{inner}oauth_provider: {provider_text}{eol}"));
            self.added.push(ModelEntry {
                id,
                provider: provider.to_string(),
                model: model.to_string(),
                api_key: None,
                api_base: None,
                timeout_secs: DEFAULT_TIMEOUT_SECS,
                drop_params: true,
                oauth_managed: true,
                oauth_provider: Some(provider.to_string()),
                extra: Default::default(),
            });
        }
        self.splices.push(Splice::insert(at, block));
        Ok(())
    }

    /// Returns the insertion point after the last entry of a block `models:` mapping,
    /// with the key indentation and nesting step the file uses.
    fn after_last_entry(&self) -> Result<(usize, String, usize, usize), ConfigError> {
        let (Some(first), Some(last)) = (self.file.entries.first(), self.file.entries.last())
        else {
            return Err(self.unsupported(
                1,
                "`models:` has no entries to align new ones with".to_string(),
            ));
        };
        self.require_own_line(&first.placement, &first.entry.id)?;
        self.require_own_line(&last.placement, &last.entry.id)?;
        let indent = first.placement.key_column;
        let step = self
            .file
            .entries
            .iter()
            .find_map(|parsed| {
                parsed
                    .settings_column?
                    .checked_sub(parsed.placement.key_column)
                    .filter(|step| *step > 0)
            })
            .unwrap_or(indent.max(2));
        let (at, prefix) = self.source.after_line(last.placement.last_line);
        Ok((at, prefix.to_string(), indent, step))
    }

    /// Removes `~`, `null` or `{}` after a key, with the spaces before it, so
    /// that entries can follow on the next lines.
    fn clear_inline_value(&mut self, line: usize, start_column: usize, end_column: usize) {
        let text = self.source.line(line);
        let before: String = text.chars().take(start_column).collect();
        let spaces = before
            .chars()
            .rev()
            .take_while(|character| *character == ' ' || *character == '\t')
            .count();
        let start = self.source.offset(line, start_column - spaces);
        let end = self.source.offset(line, end_column);
        self.splices.push(Splice {
            start,
            end,
            text: String::new(),
        });
    }

    /// Returns the insertion point for a new top-level key, which is after
    /// the last line of top-level content and before trailing comments. In
    /// a file without content, it is the end of the file.
    fn root_end(&self) -> Result<(usize, &'static str), ConfigError> {
        match self.file.root {
            Root::Block { last_line } => Ok(self.source.after_line(last_line)),
            Root::Empty => {
                let text = self.source.text();
                let prefix = if text.is_empty() || text.ends_with('\n') { "" } else { self.source.line_ending() };
                Ok((text.len(), prefix))
            }
            Root::Flow { line } => Err(self.unsupported(line, "the top level is written as a flow mapping (`{...}`); rewrite it with one `key: value` per line".to_string())),
        }
    }

    /// Points a `default` or `current` that named a removed entry to a
    /// remaining one, so that its line and comment stay. `default` moves to
    /// `preferred`, else to the first remaining entry. `current` moves to
    /// `preferred`, else to the new `default`. With no entry left, the
    /// pointer becomes empty and its line is removed.
    pub(super) fn repair_pointers(&mut self, preferred: Option<&str>) {
        let before: Vec<ModelEntry> = self
            .file
            .entries
            .iter()
            .map(|parsed| parsed.entry.clone())
            .collect();
        let after = self.entries_after();
        let was_removed =
            |id: &str| find_entry(&before, id).is_some() && find_entry(&after, id).is_none();
        let preferred = preferred.map(str::to_string);

        if self.default.as_deref().is_some_and(was_removed) {
            let first = after.first().map(|entry| entry.id.clone());
            self.default = preferred.clone().or(first);
        }
        if self.current.as_deref().is_some_and(was_removed) {
            let first = after.first().map(|entry| entry.id.clone());
            self.current = preferred.or_else(|| self.default.clone()).or(first);
        }
    }

    /// Adds the splices for changed pointers and returns all splices.
    /// Pointer splices come last, so a key inserted where new entries are
    /// inserted lands after them.
    pub(super) fn finish(&mut self) -> Result<Vec<Splice>, ConfigError> {
        for pointer in [Pointer::Default, Pointer::Current] {
            let (field, wanted) = match pointer {
                Pointer::Default => (self.file.default.as_ref(), self.default.clone()),
                Pointer::Current => (self.file.current.as_ref(), self.current.clone()),
            };
            let present = field.and_then(|field| field.value.clone());
            if present == wanted {
                continue;
            }
            let splice = match (field, wanted) {
                (Some(field), Some(id)) if field.range.start == field.range.end => {
                    // `key:` with no value: the empty range sits on the colon.
                    let (line, column) = field.range.start;
                    if self.source.char_at(line, column) != Some(':') {
                        return Err(self.unsupported(
                            line,
                            format!(
                                "the empty value of `{}` is not right after its colon",
                                pointer.key()
                            ),
                        ));
                    }
                    Splice::insert(
                        self.source.offset(line, column + 1),
                        format!(" {}", yaml_scalar(&id)),
                    )
                }
                (Some(field), Some(id)) => {
                    let (start, end) = (field.range.start, field.range.end);
                    Splice {
                        start: self.source.offset(start.0, start.1),
                        end: self.source.offset(end.0, end.1),
                        text: yaml_scalar(&id),
                    }
                }
                (Some(field), None) => {
                    self.require_own_line(&field.placement, pointer.key())?;
                    Splice::delete_lines(
                        &self.source,
                        field.placement.key_line,
                        field.placement.last_line,
                    )
                }
                (None, Some(id)) => {
                    let (at, mut prefix) = self.root_end()?;
                    // New entries inserted here already end with a line break.
                    if self
                        .splices
                        .iter()
                        .any(|splice| splice.start == at && splice.end == at)
                    {
                        prefix = "";
                    }
                    let eol = self.source.line_ending();
                    Splice::insert(
                        at,
                        format!("{prefix}{}: {}{eol}", pointer.key(), yaml_scalar(&id)),
                    )
                }
                (None, None) => continue,
            };
            self.splices.push(splice);
        }
        Ok(std::mem::take(&mut self.splices))
    }

    /// Checks that `edited` parses to the planned entries and pointers.
    pub(super) fn verify(&self, edited: &str, line: usize) -> Result<(), ConfigError> {
        let reparsed = parse::parse(self.path, edited).map_err(|error| {
            let detail = match error {
                ConfigError::Parse {
                    line,
                    column,
                    message,
                    ..
                } => format!("line {line}, column {column}: {message}"),
                other => other.to_string(),
            };
            self.unsupported(
                line,
                format!("the edited text would not read back ({detail})"),
            )
        })?;
        let entries: Vec<ModelEntry> = reparsed
            .entries
            .into_iter()
            .map(|parsed| parsed.entry)
            .collect();
        let default = reparsed.default.and_then(|field| field.value);
        let current = reparsed.current.and_then(|field| field.value);
        if entries != self.entries_after() || default != self.default || current != self.current {
            return Err(self.unsupported(
                line,
                "the edited text did not read back as the planned entries".to_string(),
            ));
        }
        Ok(())
    }

    fn require_block_models(&self) -> Result<(), ConfigError> {
        match self.file.models.as_ref().map(|field| &field.value) {
            Some(ModelsValue::Flow { line }) => Err(self.flow_models(*line)),
            _ => Ok(()),
        }
    }

    fn flow_models(&self, line: usize) -> ConfigError {
        self.unsupported(line, "`models:` is written as a flow mapping (`{...}`); rewrite it with one `<provider>/<model>:` line per entry".to_string())
    }

    fn require_own_line(&self, placement: &Placement, name: &str) -> Result<(), ConfigError> {
        if placement.starts_line {
            return Ok(());
        }
        Err(self.unsupported(
            placement.key_line,
            format!("`{name}` does not start its own line"),
        ))
    }
}
