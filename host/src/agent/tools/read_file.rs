//! The `read_file` tool: returns a range of a text file's lines, with line numbers.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::json;

use super::args::{ToolError, parse_args};
use super::fs_util::{looks_binary, read_prefix};
use super::output::count_of;
use super::paths::resolve_path;
use super::{ToolContext, ToolOutput, ToolSpec};

pub(crate) const NAME: &str = "read_file";

/// Maximum number of lines that one call returns.
const MAX_LINES: usize = 2_000;

/// Maximum characters shown of one line. Longer lines, as in minified files, are cut
/// so that a single line cannot use up the output limit.
const MAX_LINE_CHARS: usize = 2_000;

#[derive(Deserialize)]
struct Args {
    path: String,
    start_line: Option<usize>,
    end_line: Option<usize>,
}

pub(crate) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME,
        description: "Read a text file and return its lines, each prefixed with its line number \
            and a tab. Returns at most 2000 lines per call. When it stops early, \
            the output names the start_line for the next call.",
        parameters: json!({
            "type": "object",
            "properties": {
                "path": {
                    "type": "string",
                    "description": "File to read, relative to the working directory."
                },
                "start_line": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "First line to return, counted from 1. Defaults to 1."
                },
                "end_line": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Last line to return, inclusive. Defaults to the end of the \
                        file."
                }
            },
            "required": ["path"],
            "additionalProperties": false
        }),
    }
}

pub(crate) async fn run(arguments: &str, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let args: Args = parse_args(&spec(), arguments)?;
    let path = resolve_path(&ctx.cwd, "path", &args.path)?;
    let start_line = args.start_line.unwrap_or(1);
    if let Some(end_line) = args.end_line
        && end_line < start_line
    {
        return Err(ToolError::Failed(format!(
            "end_line {end_line} is before start_line {start_line}. Pass an end_line of at \
             least {start_line}, or leave it out to read to the end of the file."
        )));
    }

    check_is_file(&path).await?;
    let request = Request {
        path,
        start_line,
        end_line: args.end_line.unwrap_or(usize::MAX),
        max_bytes: ctx.max_output_bytes,
    };
    tokio::task::spawn_blocking(move || read_lines(&request))
        .await
        .map_err(|error| ToolError::Failed(format!("read_file task failed: {error}")))?
        .map(ToolOutput::success)
}

async fn check_is_file(path: &Path) -> Result<(), ToolError> {
    match tokio::fs::metadata(path).await {
        Ok(metadata) if metadata.is_dir() => Err(ToolError::Failed(format!(
            "{} is a directory, not a file. Use list_files to see its contents.",
            path.display()
        ))),
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(ToolError::Failed(format!(
                "file not found: {}. Check the path with list_files.",
                path.display()
            )))
        }
        Err(error) => Err(ToolError::io("read", path, error)),
    }
}

struct Request {
    path: PathBuf,
    start_line: usize,
    end_line: usize,
    max_bytes: usize,
}

/// Reads the file line by line, so a large file is never held in memory whole. The
/// scan stops after `end_line` unless a limit cut the range short, in which case it
/// runs to the end of the file to count the lines for the note.
fn read_lines(request: &Request) -> Result<String, ToolError> {
    let path = &request.path;
    let mut file = File::open(path).map_err(|error| ToolError::io("open", path, error))?;
    let prefix = read_prefix(&mut file).map_err(|error| ToolError::io("read", path, error))?;
    if looks_binary(&prefix) {
        return Err(ToolError::Failed(format!(
            "{} is a binary file, and read_file shows only text. Use shell with `file` or \
             `xxd | head` to inspect it.",
            path.display()
        )));
    }

    let mut reader = BufReader::new(Cursor::new(prefix).chain(file));
    let mut text = String::new();
    let mut line = Vec::new();
    let mut line_count = 0;
    let mut last_returned = None;
    let mut stopped_by_limit = false;

    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|error| ToolError::io("read", path, error))?;
        if read == 0 {
            break;
        }
        line_count += 1;
        if line_count > request.end_line && !stopped_by_limit {
            break;
        }
        if line_count < request.start_line || stopped_by_limit {
            continue;
        }

        let numbered = format_line(line_count, &line);
        let lines_returned = last_returned.map_or(0, |last| last + 1 - request.start_line);
        let over_bytes = text.len() + numbered.len() > request.max_bytes;
        if lines_returned >= MAX_LINES || (over_bytes && lines_returned > 0) {
            stopped_by_limit = true;
            continue;
        }
        text.push_str(&numbered);
        last_returned = Some(line_count);
    }

    let Some(last_returned) = last_returned else {
        if line_count == 0 && request.start_line == 1 {
            return Ok(format!("{} is empty.", path.display()));
        }
        return Err(ToolError::Failed(format!(
            "start_line {} is past the end of {}, which has {}.",
            request.start_line,
            path.display(),
            count_of(line_count, "line")
        )));
    };

    if stopped_by_limit {
        text.push_str(&format!(
            "[Showing lines {}-{last_returned} of {line_count}. The output limit of {MAX_LINES} \
             lines or {} bytes was reached. Call read_file with start_line {} to read on.]\n",
            request.start_line,
            request.max_bytes,
            last_returned + 1
        ));
    }
    Ok(text)
}

/// Formats one line as `{number:>6}\t{text}\n`, without its line ending.
fn format_line(number: usize, raw: &[u8]) -> String {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let line = String::from_utf8_lossy(raw);

    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((cut, _)) => format!(
            "{number:>6}\t{} [… line cut, {} more bytes]\n",
            &line[..cut],
            line.len() - cut
        ),
        None => format!("{number:>6}\t{line}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn read(dir: &Path, arguments: serde_json::Value) -> ToolOutput {
        let ctx = ToolContext::new(dir.to_path_buf());
        super::super::run(NAME, &arguments.to_string(), &ctx).await
    }

    fn write_numbered(dir: &Path, name: &str, lines: usize) {
        let text: String = (1..=lines).map(|n| format!("line {n}\n")).collect();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[tokio::test]
    async fn read_file_numbers_lines() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "alpha\r\nbeta").unwrap();
        let output = read(dir.path(), json!({"path": "a.txt"})).await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(output.text, "     1\talpha\n     2\tbeta\n");
    }

    #[tokio::test]
    async fn read_file_returns_range() {
        let dir = tempfile::tempdir().unwrap();
        write_numbered(dir.path(), "a.txt", 10);
        let output = read(
            dir.path(),
            json!({"path": "a.txt", "start_line": 3, "end_line": 4}),
        )
        .await;
        assert_eq!(output.text, "     3\tline 3\n     4\tline 4\n");
    }

    #[tokio::test]
    async fn read_file_start_past_end() {
        let dir = tempfile::tempdir().unwrap();
        write_numbered(dir.path(), "a.txt", 5);
        let output = read(dir.path(), json!({"path": "a.txt", "start_line": 9})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("start_line 9 is past the end"),
            "{}",
            output.text
        );
        assert!(output.text.contains("which has 5 lines"), "{}", output.text);
    }

    #[tokio::test]
    async fn read_file_rejects_reversed_range() {
        let dir = tempfile::tempdir().unwrap();
        write_numbered(dir.path(), "a.txt", 5);
        let output = read(
            dir.path(),
            json!({"path": "a.txt", "start_line": 4, "end_line": 2}),
        )
        .await;
        assert!(output.is_error);
        assert!(
            output.text.contains("end_line 2 is before start_line 4"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn read_file_caps_line_count() {
        let dir = tempfile::tempdir().unwrap();
        write_numbered(dir.path(), "long.txt", 2_500);
        let mut ctx = ToolContext::new(dir.path().to_path_buf());
        ctx.max_output_bytes = 1_000_000;
        let output = super::super::run(NAME, r#"{"path": "long.txt"}"#, &ctx).await;
        assert!(!output.is_error);
        assert!(
            output.text.contains("  2000\tline 2000\n"),
            "missing line 2000"
        );
        assert!(
            !output.text.contains("\tline 2001\n"),
            "line 2001 was shown"
        );
        assert!(
            output.text.contains("Showing lines 1-2000 of 2500"),
            "{}",
            &output.text[output.text.len() - 300..]
        );
        assert!(
            output.text.contains("start_line 2001"),
            "{}",
            &output.text[output.text.len() - 300..]
        );
    }

    #[tokio::test]
    async fn read_file_caps_output_bytes() {
        let dir = tempfile::tempdir().unwrap();
        write_numbered(dir.path(), "a.txt", 100);
        let mut ctx = ToolContext::new(dir.path().to_path_buf());
        ctx.max_output_bytes = 100;
        let output = super::super::run(NAME, r#"{"path": "a.txt"}"#, &ctx).await;
        assert!(
            output.text.starts_with("     1\tline 1\n"),
            "{}",
            output.text
        );
        assert!(
            output.text.contains("Showing lines 1-7 of 100"),
            "{}",
            output.text
        );
        assert!(output.text.contains("start_line 8"), "{}", output.text);
    }

    #[tokio::test]
    async fn read_file_detects_binary() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("image.bin"),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        )
        .unwrap();
        let output = read(dir.path(), json!({"path": "image.bin"})).await;
        assert!(output.is_error);
        assert!(output.text.contains("is a binary file"), "{}", output.text);
    }

    #[tokio::test]
    async fn read_file_missing_names_path() {
        let dir = tempfile::tempdir().unwrap();
        let output = read(dir.path(), json!({"path": "nope.txt"})).await;
        assert!(output.is_error);
        assert!(output.text.contains("file not found"), "{}", output.text);
        assert!(output.text.contains("nope.txt"), "{}", output.text);
    }

    #[tokio::test]
    async fn read_file_directory_suggests_list() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let output = read(dir.path(), json!({"path": "src"})).await;
        assert!(output.is_error);
        assert!(output.text.contains("is a directory"), "{}", output.text);
        assert!(output.text.contains("list_files"), "{}", output.text);
    }

    #[tokio::test]
    async fn read_file_reports_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("empty.txt"), "").unwrap();
        let output = read(dir.path(), json!({"path": "empty.txt"})).await;
        assert!(!output.is_error);
        assert!(
            output.text.ends_with("empty.txt is empty."),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn read_file_empty_file_past_end() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("empty.txt"), "").unwrap();
        let output = read(dir.path(), json!({"path": "empty.txt", "start_line": 2})).await;
        assert!(output.is_error);
        assert!(output.text.contains("which has 0 lines"), "{}", output.text);
    }

    #[tokio::test]
    async fn read_file_end_past_file_end() {
        let dir = tempfile::tempdir().unwrap();
        write_numbered(dir.path(), "a.txt", 3);
        let output = read(
            dir.path(),
            json!({"path": "a.txt", "start_line": 3, "end_line": 50}),
        )
        .await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(output.text, "     3\tline 3\n");
    }

    #[tokio::test]
    async fn read_file_cuts_very_long_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("min.js"), "x".repeat(5_000)).unwrap();
        let output = read(dir.path(), json!({"path": "min.js"})).await;
        assert!(
            output.text.contains("[… line cut, 3000 more bytes]"),
            "{}",
            &output.text[2_000..]
        );
    }
}
