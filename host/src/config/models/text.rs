//! Text primitives of the lossless editor: a line index over the original
//! file, byte-range splices applied in one pass, and YAML scalar quoting.
//!
//! Lines are 1-based and columns count characters from 0, as in the
//! markers of the YAML parser (`saphyr`).

/// The original file text with the byte offset of every line start.
pub(super) struct Source<'a> {
    text: &'a str,
    /// `line_starts[n - 1]` is the byte offset where line `n` begins.
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        for (offset, byte) in text.bytes().enumerate() {
            if byte == b'\n' && offset + 1 < text.len() {
                line_starts.push(offset + 1);
            }
        }
        Self { text, line_starts }
    }

    pub(super) fn text(&self) -> &'a str {
        self.text
    }

    /// Returns the byte offset where `line` begins. Any line past the last one begins
    /// at the end of the text.
    pub(super) fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    pub(super) fn line_count(&self) -> usize {
        if self.text.is_empty() {
            0
        } else {
            self.line_starts.len()
        }
    }

    /// Returns the text of `line` without its line ending, or an empty
    /// string past the last line.
    pub(super) fn line(&self, line: usize) -> &'a str {
        if line == 0 || line > self.line_starts.len() {
            return "";
        }
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Returns the byte offset of the character at (`line`, `column`). A column past the
    /// end of the line gives the end of the line's text.
    pub(super) fn offset(&self, line: usize, column: usize) -> usize {
        let text = self.line(line);
        let within = text
            .char_indices()
            .nth(column)
            .map_or(text.len(), |(offset, _)| offset);
        self.line_start(line) + within
    }

    /// Returns the character at (`line`, `column`), if there is one.
    pub(super) fn char_at(&self, line: usize, column: usize) -> Option<char> {
        self.line(line).chars().nth(column)
    }

    /// Returns whether only spaces and tabs precede `column` on `line`.
    pub(super) fn blank_before(&self, line: usize, column: usize) -> bool {
        self.line(line)
            .chars()
            .take(column)
            .all(|character| character == ' ' || character == '\t')
    }

    /// Returns the line ending the file already uses, so that inserted lines
    /// match it.
    pub(super) fn line_ending(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Returns the offset to insert whole lines after `line`. When `line` is the last
    /// line and has no line ending, the returned prefix supplies one.
    pub(super) fn after_line(&self, line: usize) -> (usize, &'static str) {
        let offset = self.line_start(line + 1);
        let needs_break =
            offset == self.text.len() && !self.text.is_empty() && !self.text.ends_with('\n');
        (offset, if needs_break { self.line_ending() } else { "" })
    }
}

/// Replacement of the original bytes `start..end` by `text`. An insertion
/// has `start == end`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

impl Splice {
    pub(super) fn insert(at: usize, text: String) -> Self {
        Self {
            start: at,
            end: at,
            text,
        }
    }

    /// Removes lines `first..=last` with their line endings.
    pub(super) fn delete_lines(source: &Source<'_>, first: usize, last: usize) -> Self {
        Self {
            start: source.line_start(first),
            end: source.line_start(last + 1),
            text: String::new(),
        }
    }
}

/// Applies non-overlapping `splices` to `text`. Splices at the same offset
/// keep the order in which they were planned, so entries inserted under
/// `models:` land before a top-level key inserted at the same place.
///
/// Returns `None` if two splices overlap, which means the edit plan is wrong.
pub(super) fn apply(text: &str, splices: &[Splice]) -> Option<String> {
    let mut ordered: Vec<&Splice> = splices.iter().collect();
    ordered.sort_by_key(|splice| (splice.start, splice.end));

    let mut output = String::with_capacity(text.len() + 256);
    let mut cursor = 0;
    for splice in ordered {
        if splice.start < cursor || splice.end < splice.start || splice.end > text.len() {
            return None;
        }
        output.push_str(&text[cursor..splice.start]);
        output.push_str(&splice.text);
        cursor = splice.end;
    }
    output.push_str(&text[cursor..]);
    Some(output)
}

/// Formats `value` as a YAML scalar that reads back as the same string:
/// plain when that is unambiguous, double-quoted otherwise.
pub(super) fn yaml_scalar(value: &str) -> String {
    if is_safe_plain(value) {
        return value.to_string();
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for character in value.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            control if control.is_control() => {
                quoted.push_str(&format!("\\u{:04x}", u32::from(control)));
            }
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

/// Returns whether `value` can be a plain scalar: a word that starts with a
/// letter, contains no YAML indicator characters, and does not read as a
/// boolean or null under YAML 1.2 or the older 1.1 rules that some other
/// tools still apply.
fn is_safe_plain(value: &str) -> bool {
    const RESERVED: &[&str] = &["true", "false", "null", "yes", "no", "on", "off", "y", "n"];
    let Some(first) = value.chars().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && value
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "._/+-@".contains(character))
        && !RESERVED.contains(&value.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_lines_and_offsets() {
        let source = Source::new("a: 1\r\nbé: 2\nlast");
        assert_eq!(source.line(1), "a: 1");
        assert_eq!(source.line(2), "bé: 2");
        assert_eq!(source.line(3), "last");
        assert_eq!(source.line(4), "");
        assert_eq!(source.offset(2, 2), 9);
        assert_eq!(source.line_ending(), "\r\n");
        assert_eq!(source.after_line(3), (source.text().len(), "\r\n"));
        assert_eq!(source.after_line(1), (6, ""));
    }

    #[test]
    fn apply_keeps_plan_order_at_same_offset() {
        let splices = vec![
            Splice::insert(2, "x".into()),
            Splice::insert(2, "y".into()),
            Splice {
                start: 0,
                end: 1,
                text: "A".into(),
            },
        ];
        assert_eq!(apply("abc", &splices).as_deref(), Some("Abxyc"));
    }

    #[test]
    fn apply_rejects_overlap() {
        let splices = vec![
            Splice {
                start: 0,
                end: 2,
                text: String::new(),
            },
            Splice {
                start: 1,
                end: 3,
                text: String::new(),
            },
        ];
        assert_eq!(apply("abc", &splices), None);
    }

    #[test]
    fn scalar_quoting() {
        assert_eq!(
            yaml_scalar("chatgpt/gpt-5.3-codex"),
            "chatgpt/gpt-5.3-codex"
        );
        assert_eq!(yaml_scalar("chatgpt"), "chatgpt");
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("600"), "\"600\"");
        assert_eq!(yaml_scalar("a/b: c #d"), "\"a/b: c #d\"");
        assert_eq!(yaml_scalar("say \"hi\"\\"), "\"say \\\"hi\\\"\\\\\"");
        assert_eq!(yaml_scalar(""), "\"\"");
    }
}
