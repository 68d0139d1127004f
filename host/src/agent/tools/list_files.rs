//! The `list_files` tool: lists a directory tree, skipping ignored and hidden files.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::args::{ToolError, parse_args};
use super::output::count_of;
use super::paths::{display_path, resolve_path};
use super::walk::{GlobFilter, walk};
use super::{ToolContext, ToolOutput, ToolSpec};

pub(crate) const NAME: &str = "list_files";

const DEFAULT_MAX_RESULTS: usize = 500;

#[derive(Deserialize)]
struct Args {
    path: Option<String>,
    pattern: Option<String>,
    max_results: Option<usize>,
}

pub(crate) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME,
        description: "List the files and directories under a directory, recursively, in sorted \
            order. Directories end with `/`. With a pattern, only matching files are listed. \
            Hidden files and files ignored by .gitignore or .ignore are skipped. Paths inside \
            the working directory are shown relative to it.",
        parameters: json!({
            "type": "object",
            "properties": {
                "path": {
                    "type": "string",
                    "description": "Directory to list. Defaults to the working directory."
                },
                "pattern": {
                    "type": "string",
                    "description": "Glob for the files to list. Without `/` it matches file \
                        names at any depth (\"*.rs\"). With `/` it matches the path below \
                        `path` (\"src/**/*.rs\")."
                },
                "max_results": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "Maximum number of entries to list. Defaults to 500."
                }
            },
            "additionalProperties": false
        }),
    }
}

pub(crate) async fn run(arguments: &str, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let args: Args = parse_args(&spec(), arguments)?;
    let root = resolve_path(&ctx.cwd, "path", args.path.as_deref().unwrap_or("."))?;
    match tokio::fs::metadata(&root).await {
        Ok(metadata) if metadata.is_dir() => {}
        Ok(_) => {
            return Err(ToolError::Failed(format!(
                "{} is a file, not a directory. Use read_file to read it.",
                root.display()
            )));
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ToolError::Failed(format!(
                "directory not found: {}. List its parent directory to check the name.",
                root.display()
            )));
        }
        Err(error) => return Err(ToolError::io("read", &root, error)),
    }
    let filter = args
        .pattern
        .as_deref()
        .map(|pattern| GlobFilter::new("pattern", pattern))
        .transpose()?;

    let request = Request {
        root,
        cwd: ctx.cwd.clone(),
        filter,
        pattern: args.pattern,
        max_results: args.max_results.unwrap_or(DEFAULT_MAX_RESULTS),
        max_bytes: ctx.max_output_bytes,
        cancel: ctx.cancel.clone(),
    };
    tokio::task::spawn_blocking(move || list(&request))
        .await
        .map_err(|error| ToolError::Failed(format!("list_files task failed: {error}")))?
        .map(ToolOutput::success)
}

struct Request {
    root: PathBuf,
    cwd: PathBuf,
    filter: Option<GlobFilter>,
    pattern: Option<String>,
    max_results: usize,
    max_bytes: usize,
    cancel: CancellationToken,
}

fn list(request: &Request) -> Result<String, ToolError> {
    let mut text = String::new();
    let mut listed = 0;
    let mut total = 0;
    let mut unreadable = 0;

    for entry in walk(&request.root) {
        if request.cancel.is_cancelled() {
            return Err(ToolError::Failed("list_files cancelled by the user".into()));
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                tracing::debug!(%error, "list_files skipped an unreadable entry");
                unreadable += 1;
                continue;
            }
        };
        if entry.depth() == 0 {
            continue;
        }
        let is_dir = entry
            .file_type()
            .is_some_and(|file_type| file_type.is_dir());
        if let Some(filter) = &request.filter {
            let relative = entry
                .path()
                .strip_prefix(&request.root)
                .unwrap_or(entry.path());
            if is_dir || !filter.matches(relative) {
                continue;
            }
        }

        total += 1;
        let mut line = display_path(entry.path(), &request.cwd);
        if is_dir {
            line.push('/');
        }
        line.push('\n');
        if listed < request.max_results && text.len() + line.len() <= request.max_bytes {
            text.push_str(&line);
            listed += 1;
        }
    }

    if total == 0 {
        text = empty_message(request);
    } else if listed < total {
        text.push_str(&format!(
            "[showing the first {listed} of {total} entries. Pass a narrower path or pattern, or \
             a larger max_results.]\n"
        ));
    }
    if unreadable > 0 {
        text.push_str(&format!(
            "[{} could not be read.]\n",
            count_of(unreadable, "entry")
        ));
    }
    Ok(text)
}

fn empty_message(request: &Request) -> String {
    let displayed_root = display_path(&request.root, &request.cwd);
    match &request.pattern {
        Some(pattern) => format!(
            "no files under {displayed_root} match the pattern \"{pattern}\" (hidden and ignored \
             files are skipped).\n"
        ),
        None => {
            format!(
                "{displayed_root} contains no entries (hidden and ignored files are skipped).\n"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    async fn list_in(dir: &Path, arguments: serde_json::Value) -> ToolOutput {
        let ctx = ToolContext::new(dir.to_path_buf());
        super::super::run(NAME, &arguments.to_string(), &ctx).await
    }

    fn create_tree(dir: &Path) {
        for file in [
            "src/main.rs",
            "src/util/mod.rs",
            "README.md",
            "target/debug/out.bin",
            ".env",
        ] {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    }

    #[tokio::test]
    async fn list_files_shows_sorted_tree() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = list_in(dir.path(), json!({})).await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(
            output.text,
            "README.md\nsrc/\nsrc/main.rs\nsrc/util/\nsrc/util/mod.rs\n"
        );
    }

    #[tokio::test]
    async fn list_files_respects_gitignore() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = list_in(dir.path(), json!({})).await;
        assert!(!output.text.contains("target"), "{}", output.text);
        assert!(!output.text.contains(".env"), "{}", output.text);
    }

    #[tokio::test]
    async fn list_files_filters_by_pattern() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let by_name = list_in(dir.path(), json!({"pattern": "*.rs"})).await;
        assert_eq!(by_name.text, "src/main.rs\nsrc/util/mod.rs\n");
        let by_path = list_in(dir.path(), json!({"path": "src", "pattern": "util/**"})).await;
        assert_eq!(by_path.text, "src/util/mod.rs\n");
    }

    #[tokio::test]
    async fn list_files_notes_truncation() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = list_in(dir.path(), json!({"max_results": 2})).await;
        assert!(
            output.text.starts_with("README.md\nsrc/\n[showing"),
            "{}",
            output.text
        );
        assert!(
            output.text.contains("the first 2 of 5 entries"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn list_files_reports_no_match() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = list_in(dir.path(), json!({"pattern": "*.py"})).await;
        assert!(!output.is_error);
        assert!(
            output
                .text
                .contains("no files under . match the pattern \"*.py\""),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn list_files_missing_dir_errors() {
        let dir = tempfile::tempdir().unwrap();
        let output = list_in(dir.path(), json!({"path": "nowhere"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("directory not found"),
            "{}",
            output.text
        );
        assert!(output.text.contains("nowhere"), "{}", output.text);
    }

    #[tokio::test]
    async fn list_files_rejects_file_path() {
        let dir = tempfile::tempdir().unwrap();
        create_tree(dir.path());
        let output = list_in(dir.path(), json!({"path": "README.md"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("is a file, not a directory"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn list_files_rejects_invalid_glob() {
        let dir = tempfile::tempdir().unwrap();
        let output = list_in(dir.path(), json!({"pattern": "[z-a]"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("invalid glob in `pattern`"),
            "{}",
            output.text
        );
    }
}
