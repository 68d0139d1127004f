//! Positions of values in the original text, which the lossless editor
//! needs and the YAML parser gives only in part.

use saphyr::{MarkedYaml, ScalarStyle, YamlData};
use saphyr_parser::Marker;

use super::text::Source;

/// Position of a mapping entry: its key, and the last line that contains
/// part of its value. Comments and blank lines after that line are not counted,
/// because they may describe the next entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Placement {
    pub key_line: usize,
    pub key_column: usize,
    /// Whether the key is the first thing on its line, which line-based
    /// edits need.
    pub starts_line: bool,
    pub last_line: usize,
}

/// Text of a value from its first character to just past its last one, as
/// 1-based line and 0-based character column pairs. An empty range at the
/// colon is a value left out (`key:`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Range {
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// Finds where nodes of one parsed file start and end in its text.
pub(super) struct Locator<'a> {
    source: &'a Source<'a>,
}

impl<'a> Locator<'a> {
    pub(super) fn new(source: &'a Source<'a>) -> Self {
        Self { source }
    }

    pub(super) fn placement(&self, key: &MarkedYaml<'_>, value: &MarkedYaml<'_>) -> Placement {
        let key_line = key.span.start.line();
        let key_column = key.span.start.col();
        Placement {
            key_line,
            key_column,
            starts_line: self.source.blank_before(key_line, key_column),
            last_line: self.last_line(value).max(key_line),
        }
    }

    /// Returns the last line that contains part of `node`. Block collections end where
    /// their last child ends. Flow collections end at their closing bracket,
    /// which the end marker points at. A scalar's end marker points past
    /// its text, and for a block scalar (`|`) past its trailing blank lines,
    /// so those blank lines are skipped.
    fn last_line(&self, node: &MarkedYaml<'_>) -> usize {
        let span = node.span;
        match &node.data {
            YamlData::Tagged(_, inner) => self.last_line(inner),
            YamlData::Mapping(_) | YamlData::Sequence(_) if self.opens_flow(span.start) => {
                span.end.line()
            }
            YamlData::Mapping(mapping) => mapping
                .iter()
                .map(|(key, value)| self.last_line(key).max(self.last_line(value)))
                .max()
                .unwrap_or(span.start.line()),
            YamlData::Sequence(items) => items
                .iter()
                .map(|item| self.last_line(item))
                .max()
                .unwrap_or(span.start.line()),
            _ => self.scalar_last_line(self.range(node).end),
        }
    }

    fn scalar_last_line(&self, (mut line, column): (usize, usize)) -> usize {
        if !self.source.blank_before(line, column) {
            return line;
        }
        line = line.saturating_sub(1).max(1);
        while line > 1 && self.source.line(line).trim().is_empty() {
            line -= 1;
        }
        line
    }

    /// Returns the text range of `node`. The parser's end markers (saphyr 0.3.4) are
    /// corrected here: a flow collection's points at its closing bracket
    /// rather than past it, and a quoted scalar's lies past the spaces and
    /// comment that follow it on the line.
    pub(super) fn range(&self, node: &MarkedYaml<'_>) -> Range {
        let span = node.span;
        let start = (span.start.line(), span.start.col());
        let mut end = (span.end.line(), span.end.col());
        match &node.data {
            YamlData::Mapping(_) | YamlData::Sequence(_) if self.opens_flow(span.start) => {
                end.1 += 1
            }
            YamlData::Representation(_, ScalarStyle::SingleQuoted, _) => {
                end = self.quoted_end(start, '\'').unwrap_or(end)
            }
            YamlData::Representation(_, ScalarStyle::DoubleQuoted, _) => {
                end = self.quoted_end(start, '"').unwrap_or(end)
            }
            _ => {}
        }
        Range { start, end }
    }

    /// Returns the position just past the closing quote of the scalar that
    /// opens with `quote` at `start`. In single quotes `''` is a quote
    /// character, and in double quotes a backslash escapes the next one.
    fn quoted_end(
        &self,
        (mut line, start_column): (usize, usize),
        quote: char,
    ) -> Option<(usize, usize)> {
        let mut characters: Vec<char> = self.source.line(line).chars().collect();
        if characters.get(start_column) != Some(&quote) {
            return None;
        }
        let mut column = start_column + 1;
        loop {
            while column < characters.len() {
                let character = characters[column];
                let escaped = quote == '"' && character == '\\';
                let doubled = quote == '\''
                    && character == quote
                    && characters.get(column + 1) == Some(&quote);
                if escaped || doubled {
                    column += 2;
                } else if character == quote {
                    return Some((line, column + 1));
                } else {
                    column += 1;
                }
            }
            line += 1;
            if line > self.source.line_count() {
                return None;
            }
            characters = self.source.line(line).chars().collect();
            column = 0;
        }
    }

    /// Returns whether the node starting at `marker` is a flow collection: after any
    /// anchor (`&name`) or tag (`!tag`), the next character is `{` or `[`.
    pub(super) fn opens_flow(&self, marker: Marker) -> bool {
        let line: String = self
            .source
            .line(marker.line())
            .chars()
            .skip(marker.col())
            .collect();
        let mut rest = line.as_str();
        loop {
            rest = rest.trim_start();
            if rest.starts_with('&') || rest.starts_with('!') {
                rest = rest
                    .split_once(char::is_whitespace)
                    .map_or("", |(_, after)| after);
                continue;
            }
            return rest.starts_with('{') || rest.starts_with('[');
        }
    }
}
