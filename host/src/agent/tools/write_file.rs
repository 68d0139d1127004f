//! The `write_file` tool: creates or replaces a whole file.

use serde::Deserialize;
use serde_json::json;

use super::args::{ToolError, parse_args};
use super::fs_util::{count_lines, write_atomic};
use super::output::count_of;
use super::paths::{display_path, resolve_path};
use super::{ToolContext, ToolOutput, ToolSpec};

pub(crate) const NAME: &str = "write_file";

#[derive(Deserialize)]
struct Args {
    path: String,
    content: String,
}

pub(crate) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME,
        description: "Write content to a file, replacing the file if it exists. Missing parent \
            directories are created. To change part of an existing file, use edit_file \
            instead.",
        parameters: json!({
            "type": "object",
            "properties": {
                "path": {
                    "type": "string",
                    "description": "File to write, relative to the working directory."
                },
                "content": {"type": "string", "description": "Complete new content of the file."}
            },
            "required": ["path", "content"],
            "additionalProperties": false
        }),
    }
}

pub(crate) async fn run(arguments: &str, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let args: Args = parse_args(&spec(), arguments)?;
    let path = resolve_path(&ctx.cwd, "path", &args.path)?;

    let existed = match tokio::fs::metadata(&path).await {
        Ok(metadata) if metadata.is_dir() => {
            return Err(ToolError::Failed(format!(
                "{} is a directory. Pass the path of a file inside it.",
                path.display()
            )));
        }
        Ok(_) => true,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => false,
        Err(error) => return Err(ToolError::io("inspect", &path, error)),
    };

    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|error| ToolError::io("create the directory", parent, error))?;
    }
    write_atomic(&path, args.content.as_bytes())
        .await
        .map_err(|error| ToolError::io("write", &path, error))?;

    let verb = if existed { "overwrote" } else { "created" };
    Ok(ToolOutput::success(format!(
        "{verb} {} ({}, {})",
        display_path(&path, &ctx.cwd),
        count_of(args.content.len(), "byte"),
        count_of(count_lines(&args.content), "line")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    async fn write(dir: &Path, arguments: serde_json::Value) -> ToolOutput {
        let ctx = ToolContext::new(dir.to_path_buf());
        super::super::run(NAME, &arguments.to_string(), &ctx).await
    }

    #[tokio::test]
    async fn write_file_creates_parent_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let output = write(
            dir.path(),
            json!({"path": "a/b/c.txt", "content": "one\ntwo\n"}),
        )
        .await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(output.text, "created a/b/c.txt (8 bytes, 2 lines)");
        let written = std::fs::read_to_string(dir.path().join("a/b/c.txt")).unwrap();
        assert_eq!(written, "one\ntwo\n");
    }

    #[tokio::test]
    async fn write_file_reports_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "old content").unwrap();
        let output = write(dir.path(), json!({"path": "a.txt", "content": "new"})).await;
        assert_eq!(output.text, "overwrote a.txt (3 bytes, 1 line)");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "new"
        );
    }

    #[tokio::test]
    async fn write_file_accepts_absolute_path() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let target = other.path().join("x.txt");
        let output = write(
            dir.path(),
            json!({"path": target.to_str().unwrap(), "content": ""}),
        )
        .await;
        assert!(!output.is_error, "{}", output.text);
        assert!(
            output.text.contains(&target.display().to_string()),
            "{}",
            output.text
        );
        assert!(target.exists());
    }

    #[tokio::test]
    async fn write_file_rejects_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        let output = write(dir.path(), json!({"path": "src", "content": "x"})).await;
        assert!(output.is_error);
        assert!(output.text.contains("is a directory"), "{}", output.text);
    }

    #[tokio::test]
    async fn write_file_requires_content() {
        let dir = tempfile::tempdir().unwrap();
        let output = write(dir.path(), json!({"path": "a.txt"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("missing required field `content`"),
            "{}",
            output.text
        );
        assert!(!dir.path().join("a.txt").exists());
    }

    #[tokio::test]
    async fn write_file_reports_io_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plain"), "a file, not a directory").unwrap();
        let output = write(
            dir.path(),
            json!({"path": "plain/child.txt", "content": "x"}),
        )
        .await;
        assert!(output.is_error);
        assert!(output.text.contains("failed to"), "{}", output.text);
        assert!(output.text.contains("plain"), "{}", output.text);
    }
}
