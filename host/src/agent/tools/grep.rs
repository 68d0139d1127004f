//! The `grep` tool: searches file contents for a regular expression.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::args::{ToolError, parse_args};
use super::fs_util::{looks_binary, read_prefix};
use super::output::count_of;
use super::paths::{display_path, resolve_path};
use super::walk::{GlobFilter, walk};
use super::{ToolContext, ToolOutput, ToolSpec};

pub(crate) const NAME: &str = "grep";

const DEFAULT_MAX_RESULTS: usize = 200;

/// Maximum characters shown of a matching line.
const MAX_LINE_CHARS: usize = 300;

#[derive(Deserialize)]
struct Args {
    pattern: String,
    path: Option<String>,
    glob: Option<String>,
    #[serde(default)]
    case_insensitive: bool,
    max_results: Option<usize>,
}

pub(crate) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME,
        description: "Search file contents for a regular expression (Rust regex syntax) and \
            return matching lines as `path:line:text`. Searches a directory recursively, or a \
            single file. Binary, hidden and ignored (.gitignore, .ignore) files are skipped. \
            Paths inside the working directory are shown relative to it.",
        parameters: json!({
            "type": "object",
            "properties": {
                "pattern": {
                    "type": "string",
                    "description": "Regular expression to search for, matched against each line."
                },
                "path": {
                    "type": "string",
                    "description": "File or directory to search. Defaults to the working \
                        directory."
                },
                "glob": {
                    "type": "string",
                    "description": "Only search files matching this glob. Without `/` it matches \
                        file names at any depth (\"*.rs\"). With `/` it matches the path below \
                        `path` (\"src/**/*.rs\")."
                },
                "case_insensitive": {
                    "type": "boolean",
                    "description": "Ignore letter case. Defaults to false."
                },
                "max_results": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Maximum number of matching lines to return. Defaults to 200."
                }
            },
            "required": ["pattern"],
            "additionalProperties": false
        }),
    }
}

pub(crate) async fn run(arguments: &str, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let args: Args = parse_args(&spec(), arguments)?;
    let regex = RegexBuilder::new(&args.pattern)
        .case_insensitive(args.case_insensitive)
        .build()
        .map_err(|error| {
            ToolError::Failed(format!(
                "invalid regex \"{}\": {error}\nFix the pattern, and escape characters such as \
                 ( [ {{ . * + ? with a backslash to match them literally.",
                args.pattern
            ))
        })?;
    let root = resolve_path(&ctx.cwd, "path", args.path.as_deref().unwrap_or("."))?;
    match tokio::fs::metadata(&root).await {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ToolError::Failed(format!(
                "path not found: {}. Check it with list_files.",
                root.display()
            )));
        }
        Err(error) => return Err(ToolError::io("read", &root, error)),
    }
    let filter = args
        .glob
        .as_deref()
        .map(|glob| GlobFilter::new("glob", glob))
        .transpose()?;

    let search = Search {
        regex,
        pattern: args.pattern,
        root,
        cwd: ctx.cwd.clone(),
        filter,
        max_results: args.max_results.unwrap_or(DEFAULT_MAX_RESULTS),
        max_bytes: ctx.max_output_bytes,
        cancel: ctx.cancel.clone(),
    };
    tokio::task::spawn_blocking(move || search.run())
        .await
        .map_err(|error| ToolError::Failed(format!("grep task failed: {error}")))?
        .map(ToolOutput::success)
}

struct Search {
    regex: Regex,
    pattern: String,
    root: PathBuf,
    cwd: PathBuf,
    filter: Option<GlobFilter>,
    max_results: usize,
    max_bytes: usize,
    cancel: CancellationToken,
}

/// Matching lines found so far, and whether a limit stopped the search.
#[derive(Default)]
struct Found {
    text: String,
    count: usize,
    stopped_by_limit: bool,
}

impl Search {
    fn run(&self) -> Result<String, ToolError> {
        let mut found = Found::default();
        let mut unreadable = 0;

        for entry in walk(&self.root) {
            if self.cancel.is_cancelled() {
                return Err(ToolError::Failed("grep cancelled by the user".into()));
            }
            let Ok(entry) = entry else {
                unreadable += 1;
                continue;
            };
            if !entry
                .file_type()
                .is_some_and(|file_type| file_type.is_file())
                || !self.accepts(entry.path())
            {
                continue;
            }
            if let Err(error) = self.search_file(entry.path(), &mut found) {
                let path = entry.path().display();
                tracing::debug!(%path, %error, "grep skipped an unreadable file");
                unreadable += 1;
            }
            if found.stopped_by_limit {
                break;
            }
        }

        let mut text = found.text;
        if found.count == 0 {
            text = format!(
                "no matches for \"{}\" in {}{}.\n",
                self.pattern,
                display_path(&self.root, &self.cwd),
                self.filter_note()
            );
        } else if found.stopped_by_limit {
            text.push_str(&format!(
                "[stopped after {}, and more matches exist. Pass a narrower pattern, path \
                 or glob, or a larger max_results.]\n",
                count_of(found.count, "matching line")
            ));
        }
        if unreadable > 0 {
            text.push_str(&format!(
                "[{} could not be read.]\n",
                count_of(unreadable, "file")
            ));
        }
        Ok(text)
    }

    /// Applies the glob filter to the path below the root, or to the file name when
    /// the root is the file itself.
    fn accepts(&self, path: &Path) -> bool {
        let Some(filter) = &self.filter else {
            return true;
        };
        match path.strip_prefix(&self.root) {
            Ok(relative) if !relative.as_os_str().is_empty() => filter.matches(relative),
            _ => path
                .file_name()
                .is_some_and(|name| filter.matches(Path::new(name))),
        }
    }

    fn filter_note(&self) -> String {
        match &self.filter {
            Some(_) => {
                " among files matching the glob (hidden and ignored files are skipped)".into()
            }
            None => " (hidden and ignored files are skipped)".into(),
        }
    }

    /// Appends the matching lines of one file to `found`. Binary files are skipped.
    fn search_file(&self, path: &Path, found: &mut Found) -> std::io::Result<()> {
        let mut file = File::open(path)?;
        let prefix = read_prefix(&mut file)?;
        if looks_binary(&prefix) {
            return Ok(());
        }

        let displayed_path = display_path(path, &self.cwd);
        let mut reader = BufReader::new(Cursor::new(prefix).chain(file));
        let mut line = Vec::new();
        let mut number = 0;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                return Ok(());
            }
            number += 1;
            let content = line.strip_suffix(b"\n").unwrap_or(&line);
            let content = content.strip_suffix(b"\r").unwrap_or(content);
            if !self.regex.is_match(content) {
                continue;
            }

            let entry = format!("{displayed_path}:{number}:{}\n", shorten(content));
            if found.count >= self.max_results || found.text.len() + entry.len() > self.max_bytes {
                found.stopped_by_limit = true;
                return Ok(());
            }
            found.text.push_str(&entry);
            found.count += 1;
        }
    }
}

/// Converts a line to text, cut after `MAX_LINE_CHARS` characters with a marker.
fn shorten(line: &[u8]) -> String {
    let text = String::from_utf8_lossy(line);
    match text.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!("{}[…]", &text[..cut]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn grep_in(dir: &Path, arguments: serde_json::Value) -> ToolOutput {
        let ctx = ToolContext::new(dir.to_path_buf());
        super::super::run(NAME, &arguments.to_string(), &ctx).await
    }

    fn create_tree(dir: &Path) {
        let files = [
            ("src/main.rs", "fn main() {\n    helper();\n}\n"),
            ("src/util.rs", "pub fn helper() {}\n"),
            ("notes.txt", "call Helper later\n"),
            ("build/gen.rs", "fn helper_generated() {}\n"),
        ];
        for (name, content) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        std::fs::write(dir.join(".gitignore"), "build/\n").unwrap();
    }

    #[tokio::test]
    async fn grep_lists_matching_lines() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = grep_in(dir.path(), json!({"pattern": "helper\\("})).await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(
            output.text,
            "src/main.rs:2:    helper();\nsrc/util.rs:1:pub fn helper() {}\n"
        );
    }

    #[tokio::test]
    async fn grep_respects_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = grep_in(dir.path(), json!({"pattern": "helper"})).await;
        assert!(!output.text.contains("build/gen.rs"), "{}", output.text);
        assert!(output.text.contains("src/util.rs:1:"), "{}", output.text);
    }

    #[tokio::test]
    async fn grep_ignores_case_on_request() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = grep_in(
            dir.path(),
            json!({"pattern": "HELPER", "case_insensitive": true}),
        )
        .await;
        assert!(
            output.text.contains("notes.txt:1:call Helper later"),
            "{}",
            output.text
        );
        assert!(output.text.contains("src/util.rs:1:"), "{}", output.text);
    }

    #[tokio::test]
    async fn grep_filters_by_glob() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = grep_in(
            dir.path(),
            json!({"pattern": "(?i)helper", "glob": "*.txt"}),
        )
        .await;
        assert_eq!(output.text, "notes.txt:1:call Helper later\n");
    }

    #[tokio::test]
    async fn grep_searches_single_file() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = grep_in(dir.path(), json!({"pattern": "fn", "path": "src/util.rs"})).await;
        assert_eq!(output.text, "src/util.rs:1:pub fn helper() {}\n");
    }

    #[tokio::test]
    async fn grep_skips_binary_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("blob.bin"), b"needle\0\x01\x02").unwrap();
        std::fs::write(dir.path().join("text.txt"), "needle\n").unwrap();
        let output = grep_in(dir.path(), json!({"pattern": "needle"})).await;
        assert_eq!(output.text, "text.txt:1:needle\n");
    }

    #[tokio::test]
    async fn grep_reports_no_matches() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = grep_in(dir.path(), json!({"pattern": "absent_name"})).await;
        assert!(!output.is_error);
        assert!(
            output
                .text
                .starts_with("no matches for \"absent_name\" in ."),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn grep_rejects_invalid_regex() {
        let dir = tempfile::tempdir().unwrap();
        let output = grep_in(dir.path(), json!({"pattern": "foo(bar"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("invalid regex \"foo(bar\""),
            "{}",
            output.text
        );
        assert!(output.text.contains("unclosed group"), "{}", output.text);
    }

    #[tokio::test]
    async fn grep_stops_at_max_results() {
        let dir = tempfile::tempdir().unwrap();
        let text: String = (1..=10).map(|n| format!("match {n}\n")).collect();
        std::fs::write(dir.path().join("many.txt"), text).unwrap();
        let output = grep_in(dir.path(), json!({"pattern": "match", "max_results": 3})).await;
        assert!(
            output
                .text
                .starts_with("many.txt:1:match 1\nmany.txt:2:match 2\nmany.txt:3:match 3\n"),
            "{}",
            output.text
        );
        assert!(
            output.text.contains("stopped after 3 matching lines"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn grep_shortens_long_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("wide.txt"),
            format!("needle{}\n", "x".repeat(1_000)),
        )
        .unwrap();
        let output = grep_in(dir.path(), json!({"pattern": "needle"})).await;
        let line = output.text.lines().next().unwrap();
        assert!(line.ends_with("[…]"), "{line}");
        assert_eq!(
            line.chars().count(),
            "wide.txt:1:".len() + 300 + "[…]".chars().count()
        );
    }

    #[tokio::test]
    async fn grep_missing_path_errors() {
        let dir = tempfile::tempdir().unwrap();
        let output = grep_in(dir.path(), json!({"pattern": "x", "path": "nowhere"})).await;
        assert!(output.is_error);
        assert!(output.text.contains("path not found"), "{}", output.text);
        assert!(output.text.contains("nowhere"), "{}", output.text);
    }
}
