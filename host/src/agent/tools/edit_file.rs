//! The `edit_file` tool: replaces an exact text in a file.

use std::path::Path;

use serde::Deserialize;
use serde_json::json;

use super::args::{ToolError, parse_args};
use super::fs_util::{looks_binary, write_atomic};
use super::near_match::similar_lines;
use super::output::count_of;
use super::paths::{display_path, resolve_path};
use super::{ToolContext, ToolOutput, ToolSpec};

pub(crate) const NAME: &str = "edit_file";

/// Maximum number of line numbers listed in a message.
const MAX_LISTED_LINES: usize = 20;

/// Maximum characters shown of a candidate line in the not-found message.
const MAX_CANDIDATE_CHARS: usize = 300;

#[derive(Deserialize)]
struct Args {
    path: String,
    old_string: String,
    new_string: String,
    #[serde(default)]
    replace_all: bool,
}

pub(crate) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME,
        description: "Replace old_string with new_string in a file. old_string must match the \
            file exactly, including whitespace and indentation, and must occur exactly once \
            unless replace_all is true. Include enough surrounding lines to make it unique. \
            The file's line endings are kept. Read the file first to copy the text exactly.",
        parameters: json!({
            "type": "object",
            "properties": {
                "path": {
                    "type": "string",
                    "description": "File to edit, relative to the working directory."
                },
                "old_string": {
                    "type": "string",
                    "description": "Exact text to replace. Must not be empty."
                },
                "new_string": {
                    "type": "string",
                    "description": "Replacement text. Must differ from old_string."
                },
                "replace_all": {
                    "type": "boolean",
                    "description": "Replace every occurrence instead of exactly one. Defaults to \
                        false."
                }
            },
            "required": ["path", "old_string", "new_string"],
            "additionalProperties": false
        }),
    }
}

pub(crate) async fn run(arguments: &str, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let args: Args = parse_args(&spec(), arguments)?;
    let path = resolve_path(&ctx.cwd, "path", &args.path)?;
    if args.old_string.is_empty() {
        return Err(ToolError::Failed(
            "old_string is empty. Pass the exact text to replace, or use write_file to create \
             a file or replace all of its content."
                .into(),
        ));
    }
    if args.old_string == args.new_string {
        return Err(ToolError::Failed(
            "old_string and new_string are identical, so the edit would change nothing.".into(),
        ));
    }

    let content = read_text(&path).await?;
    let (old, new) = adapt_line_endings(&content, &args.old_string, &args.new_string);
    let displayed_path = display_path(&path, &ctx.cwd);

    let positions: Vec<usize> = content
        .match_indices(old.as_str())
        .map(|(index, _)| index)
        .collect();
    let lines = line_numbers(&content, &positions);
    match positions.len() {
        0 => return Err(not_found_error(&displayed_path, &content, &args.old_string)),
        1 => {}
        count if !args.replace_all => {
            return Err(ToolError::Failed(format!(
                "old_string matches {count} times in {displayed_path}, at lines {}. Include more \
                 surrounding lines in old_string so that it matches once, or set replace_all \
                 to true to replace every occurrence.",
                list_lines(&lines)
            )));
        }
        _ => {}
    }

    let updated = content.replace(old.as_str(), &new);
    write_atomic(&path, updated.as_bytes())
        .await
        .map_err(|error| ToolError::io("write", &path, error))?;

    let line_word = if lines.len() == 1 { "line" } else { "lines" };
    Ok(ToolOutput::success(format!(
        "edited {displayed_path}: replaced {} at {line_word} {}",
        count_of(positions.len(), "occurrence"),
        list_lines(&lines)
    )))
}

/// Reads `path` as UTF-8 text, with an error that names the fix for a missing,
/// binary or non-UTF-8 file and for a directory.
async fn read_text(path: &Path) -> Result<String, ToolError> {
    if tokio::fs::metadata(path)
        .await
        .is_ok_and(|metadata| metadata.is_dir())
    {
        return Err(ToolError::Failed(format!(
            "{} is a directory. Pass the path of a file inside it.",
            path.display()
        )));
    }
    let bytes = match tokio::fs::read(path).await {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ToolError::Failed(format!(
                "file not found: {}. Check the path with list_files, or use write_file to \
                 create a new file.",
                path.display()
            )));
        }
        Err(error) => return Err(ToolError::io("read", path, error)),
    };
    if looks_binary(&bytes) {
        return Err(ToolError::Failed(format!(
            "{} is a binary file, and edit_file only edits text.",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|error| {
        ToolError::Failed(format!(
            "{} is not valid UTF-8 ({error}), and edit_file only edits UTF-8 text. Use shell \
             with a tool such as sed or iconv instead.",
            path.display()
        ))
    })
}

/// Converts the model's line endings to the file's.
///
/// In a file whose line breaks are mostly CRLF, `new` always gets CRLF, and `old` gets
/// CRLF unless it already matches as sent. Other files get both strings unchanged.
fn adapt_line_endings(content: &str, old: &str, new: &str) -> (String, String) {
    let crlf_count = content.matches("\r\n").count();
    let newline_count = content.matches('\n').count();
    let file_uses_crlf = crlf_count > 0 && crlf_count * 2 >= newline_count;
    if !file_uses_crlf {
        return (old.to_string(), new.to_string());
    }

    let old = if content.contains(old) {
        old.to_string()
    } else {
        to_crlf(old)
    };
    (old, to_crlf(new))
}

fn to_crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Returns the 1-based line number of each byte position, which must be ascending.
fn line_numbers(content: &str, positions: &[usize]) -> Vec<usize> {
    let mut numbers = Vec::with_capacity(positions.len());
    let mut line = 1;
    let mut scanned = 0;
    for &position in positions {
        line += content[scanned..position].matches('\n').count();
        scanned = position;
        numbers.push(line);
    }
    numbers
}

/// Lists line numbers as "4, 10, 22", shortened after `MAX_LISTED_LINES` of them.
fn list_lines(lines: &[usize]) -> String {
    let numbers: Vec<String> = lines
        .iter()
        .take(MAX_LISTED_LINES)
        .map(usize::to_string)
        .collect();
    let mut listed = numbers.join(", ");
    if lines.len() > MAX_LISTED_LINES {
        listed.push_str(&format!(" and {} more", lines.len() - MAX_LISTED_LINES));
    }
    listed
}

/// Builds the error for an old_string that does not occur, listing the lines most
/// similar to its first non-blank line.
fn not_found_error(displayed_path: &str, content: &str, old_string: &str) -> ToolError {
    let first_line = old_string
        .lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let candidates = similar_lines(content, first_line);

    let mut message = format!(
        "old_string was not found in {displayed_path}. It must match the file exactly, including \
         whitespace, indentation and line breaks.\n"
    );
    if candidates.is_empty() {
        message.push_str(&format!(
            "No line of the file resembles the first line of old_string ({:?}).\n",
            first_line.trim()
        ));
    } else {
        message.push_str("Lines most similar to the first line of old_string:\n");
        for (number, line) in candidates {
            let excerpt: String = line.chars().take(MAX_CANDIDATE_CHARS).collect();
            message.push_str(&format!("{number:>6}\t{excerpt}\n"));
        }
    }
    message.push_str("Read the file again with read_file and copy the text exactly.");
    ToolError::Failed(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn edit(dir: &Path, arguments: serde_json::Value) -> ToolOutput {
        let ctx = ToolContext::new(dir.to_path_buf());
        super::super::run(NAME, &arguments.to_string(), &ctx).await
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    const SOURCE: &str = "fn main() {\n    let x = 1;\n    println!(\"{x}\");\n}\n";

    #[tokio::test]
    async fn edit_file_replaces_unique_match() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.rs"), SOURCE).unwrap();
        let arguments =
            json!({"path": "main.rs", "old_string": "let x = 1;", "new_string": "let x = 2;"});
        let output = edit(dir.path(), arguments).await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(
            output.text,
            "edited main.rs: replaced 1 occurrence at line 2"
        );
        assert_eq!(
            read(dir.path(), "main.rs"),
            SOURCE.replace("let x = 1;", "let x = 2;")
        );
    }

    #[tokio::test]
    async fn edit_file_shows_near_matches() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.rs"), SOURCE).unwrap();
        let arguments =
            json!({"path": "main.rs", "old_string": "let x = 10;\nprintln!", "new_string": "y"});
        let output = edit(dir.path(), arguments).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("old_string was not found in main.rs"),
            "{}",
            output.text
        );
        assert!(
            output.text.contains("     2\t    let x = 1;\n"),
            "{}",
            output.text
        );
        assert_eq!(read(dir.path(), "main.rs"), SOURCE);
    }

    #[tokio::test]
    async fn edit_file_not_found_without_candidates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.rs"), SOURCE).unwrap();
        let arguments =
            json!({"path": "main.rs", "old_string": "unrelated words", "new_string": "y"});
        let output = edit(dir.path(), arguments).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("No line of the file resembles"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn edit_file_rejects_multiple_matches() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x = 1\ny = 2\nx = 1\n").unwrap();
        let arguments = json!({"path": "a.txt", "old_string": "x = 1", "new_string": "x = 3"});
        let output = edit(dir.path(), arguments).await;
        assert!(output.is_error);
        assert!(output.text.contains("matches 2 times"), "{}", output.text);
        assert!(output.text.contains("at lines 1, 3"), "{}", output.text);
        assert!(output.text.contains("replace_all"), "{}", output.text);
        assert_eq!(read(dir.path(), "a.txt"), "x = 1\ny = 2\nx = 1\n");
    }

    #[tokio::test]
    async fn edit_file_replace_all_occurrences() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x = 1\ny = 2\nx = 1\n").unwrap();
        let arguments = json!({
            "path": "a.txt",
            "old_string": "x = 1",
            "new_string": "x = 3",
            "replace_all": true
        });
        let output = edit(dir.path(), arguments).await;
        assert_eq!(
            output.text,
            "edited a.txt: replaced 2 occurrences at lines 1, 3"
        );
        assert_eq!(read(dir.path(), "a.txt"), "x = 3\ny = 2\nx = 3\n");
    }

    #[tokio::test]
    async fn edit_file_rejects_empty_old_string() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "text").unwrap();
        let output = edit(
            dir.path(),
            json!({"path": "a.txt", "old_string": "", "new_string": "x"}),
        )
        .await;
        assert!(output.is_error);
        assert!(
            output.text.contains("old_string is empty"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn edit_file_rejects_identical_strings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "text").unwrap();
        let output = edit(
            dir.path(),
            json!({"path": "a.txt", "old_string": "text", "new_string": "text"}),
        )
        .await;
        assert!(output.is_error);
        assert!(output.text.contains("identical"), "{}", output.text);
    }

    #[tokio::test]
    async fn edit_file_keeps_crlf_endings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "one\r\ntwo\r\nthree\r\n").unwrap();
        let arguments =
            json!({"path": "a.txt", "old_string": "one\ntwo", "new_string": "one\n1.5\ntwo"});
        let output = edit(dir.path(), arguments).await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(read(dir.path(), "a.txt"), "one\r\n1.5\r\ntwo\r\nthree\r\n");
    }

    #[tokio::test]
    async fn edit_file_missing_suggests_write() {
        let dir = tempfile::tempdir().unwrap();
        let output = edit(
            dir.path(),
            json!({"path": "new.txt", "old_string": "a", "new_string": "b"}),
        )
        .await;
        assert!(output.is_error);
        assert!(output.text.contains("file not found"), "{}", output.text);
        assert!(output.text.contains("write_file"), "{}", output.text);
    }

    #[tokio::test]
    async fn edit_file_rejects_binary_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.bin"), b"ab\0cd").unwrap();
        let output = edit(
            dir.path(),
            json!({"path": "a.bin", "old_string": "ab", "new_string": "x"}),
        )
        .await;
        assert!(output.is_error);
        assert!(output.text.contains("is a binary file"), "{}", output.text);
    }
}
