//! Built-in tools that the agent loop offers to the model: a shell, file reading,
//! writing and editing, file listing and regex search.
//!
//! `specs` describes the tools for the provider, `run` executes one call. Every
//! failure, including unknown tools and malformed arguments, comes back as a
//! `ToolOutput` with `is_error` set, so the agent loop can hand it to the model as the
//! tool result. The module needs a Unix host because `shell` uses process groups.

mod args;
mod edit_file;
mod fs_util;
mod grep;
mod list_files;
mod near_match;
mod output;
mod paths;
mod process;
mod read_file;
mod repeat_guard;
mod shell;
mod walk;
mod write_file;

use std::path::PathBuf;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use args::ToolError;
pub use repeat_guard::RepeatGuard;

/// Default time limit for one `shell` call.
pub const DEFAULT_SHELL_TIMEOUT: Duration = Duration::from_secs(120);

/// Default maximum size in bytes of the text that one tool call returns.
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 30_000;

/// Tools that only read files and never write them or run commands.
const READ_ONLY_TOOLS: [&str; 3] = [read_file::NAME, list_files::NAME, grep::NAME];

/// Name, description and JSON Schema of one tool's arguments, as sent to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    /// JSON Schema of the arguments object.
    pub parameters: serde_json::Value,
}

/// Settings and cancellation shared by the tool calls of one agent turn.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// Directory that relative paths and shell commands start from.
    pub cwd: PathBuf,
    /// Cancelling this token stops a running `shell` command and any directory walk.
    pub cancel: CancellationToken,
    /// Time limit for a `shell` call that sets no `timeout_secs`.
    pub shell_timeout: Duration,
    /// Maximum size in bytes of a tool's output text. Longer output is shortened, and
    /// a note states what was left out. Status lines and notes come on top of it.
    pub max_output_bytes: usize,
}

impl ToolContext {
    /// Creates a context with the default timeout, output limit and a fresh token.
    pub fn new(cwd: PathBuf) -> Self {
        Self {
            cwd,
            cancel: CancellationToken::new(),
            shell_timeout: DEFAULT_SHELL_TIMEOUT,
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
        }
    }
}

/// Result text of one tool call, for the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    pub text: String,
    /// Set when the call failed, or when a shell command exited with a non-zero code.
    pub is_error: bool,
}

impl ToolOutput {
    pub(crate) fn success(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: false,
        }
    }

    pub(crate) fn error(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            is_error: true,
        }
    }
}

/// Returns the specs of all tools, always in the same order.
pub fn specs() -> Vec<ToolSpec> {
    vec![
        shell::spec(),
        read_file::spec(),
        write_file::spec(),
        edit_file::spec(),
        list_files::spec(),
        grep::spec(),
    ]
}

/// Returns whether the named tool only reads. Unknown names are not read-only.
pub fn is_read_only(name: &str) -> bool {
    READ_ONLY_TOOLS.contains(&name)
}

/// Runs the tool `name` with `arguments`, the JSON text that the model sent.
///
/// Every failure becomes an output with `is_error` set and a message that names the
/// value at fault and the fix. Must be called on a Tokio runtime with the IO and time
/// drivers enabled, because `shell` spawns processes and waits with a timeout.
pub async fn run(name: &str, arguments: &str, ctx: &ToolContext) -> ToolOutput {
    tracing::debug!(tool = name, "running tool");

    let result = match name {
        shell::NAME => shell::run(arguments, ctx).await,
        read_file::NAME => read_file::run(arguments, ctx).await,
        write_file::NAME => write_file::run(arguments, ctx).await,
        edit_file::NAME => edit_file::run(arguments, ctx).await,
        list_files::NAME => list_files::run(arguments, ctx).await,
        grep::NAME => grep::run(arguments, ctx).await,
        _ => Err(unknown_tool(name)),
    };

    let output = result.unwrap_or_else(|error| ToolOutput::error(error.to_string()));
    if output.is_error {
        tracing::debug!(tool = name, error = %output.text, "tool call failed");
    }
    output
}

fn unknown_tool(name: &str) -> ToolError {
    let names: Vec<&str> = specs().iter().map(|spec| spec.name).collect();
    ToolError::Failed(format!(
        "unknown tool \"{name}\". Call one of: {}.",
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_have_stable_order() {
        let names: Vec<&str> = specs().iter().map(|spec| spec.name).collect();
        assert_eq!(
            names,
            [
                "shell",
                "read_file",
                "write_file",
                "edit_file",
                "list_files",
                "grep"
            ]
        );
    }

    #[test]
    fn specs_parameters_are_object_schemas() {
        for spec in specs() {
            assert_eq!(spec.parameters["type"], "object", "{}", spec.name);
            assert!(spec.parameters["properties"].is_object(), "{}", spec.name);
            assert!(!spec.description.is_empty(), "{}", spec.name);
        }
    }

    #[test]
    fn read_only_tools_are_listed() {
        assert!(is_read_only("read_file"));
        assert!(is_read_only("list_files"));
        assert!(is_read_only("grep"));
        assert!(!is_read_only("shell"));
        assert!(!is_read_only("write_file"));
        assert!(!is_read_only("edit_file"));
        assert!(!is_read_only("no_such_tool"));
    }

    #[test]
    fn context_new_sets_defaults() {
        let ctx = ToolContext::new(PathBuf::from("/tmp"));
        assert_eq!(ctx.shell_timeout, Duration::from_secs(120));
        assert_eq!(ctx.max_output_bytes, 30_000);
        assert!(!ctx.cancel.is_cancelled());
    }

    #[tokio::test]
    async fn run_unknown_tool_errors() {
        let ctx = ToolContext::new(std::env::temp_dir());
        let output = run("delete_everything", "{}", &ctx).await;
        assert!(output.is_error);
        assert!(output.text.contains("unknown tool \"delete_everything\""));
        assert!(output.text.contains("read_file"));
    }

    #[tokio::test]
    async fn run_rejects_invalid_json() {
        let ctx = ToolContext::new(std::env::temp_dir());
        let output = run("read_file", "{\"path\": ", &ctx).await;
        assert!(output.is_error);
        assert!(output.text.contains("not valid JSON"));
    }
}
