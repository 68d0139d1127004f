//! The `shell` tool: runs one command and returns its output and exit code.

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;

use super::args::{ToolError, parse_args};
use super::output::OutputBuffer;
use super::paths::resolve_path;
use super::process::{ProcessGroupGuard, spawn_reader, spawn_shell};
use super::{ToolContext, ToolOutput, ToolSpec};

pub(crate) const NAME: &str = "shell";

/// Largest accepted `timeout_secs`, one day.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// Time that output capture continues after the command exits. A background process
/// that inherited stdout or stderr keeps the pipes open, so capture cannot wait for
/// end of file.
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);

#[derive(Deserialize)]
struct Args {
    command: String,
    timeout_secs: Option<f64>,
    workdir: Option<String>,
}

pub(crate) fn spec() -> ToolSpec {
    ToolSpec {
        name: NAME,
        description: "Run a command with `bash -c` (`sh -c` where bash is missing) and return its \
            combined stdout and stderr, followed by the exit code. Stdin is empty, so \
            interactive prompts fail: pass flags such as --yes instead. When the timeout \
            passes, the command's whole process group is killed. Long output keeps \
            its start and end. To leave a process running in the background, redirect its \
            output to a file (`server > server.log 2>&1 &`), because output is read only until \
            shortly after the command exits.",
        parameters: json!({
            "type": "object",
            "properties": {
                "command": {"type": "string", "description": "Shell command line to run."},
                "timeout_secs": {
                    "type": "number",
                    "description": "Time limit in seconds, at most 86400. Defaults to the agent's \
                        shell timeout, 120 s unless configured."
                },
                "workdir": {
                    "type": "string",
                    "description": "Directory to run in, relative to the working directory. \
                        Defaults to the working directory."
                }
            },
            "required": ["command"],
            "additionalProperties": false
        }),
    }
}

/// Outcome of waiting for the command.
enum Ending {
    Exited(std::io::Result<ExitStatus>),
    TimedOut,
    Cancelled,
}

pub(crate) async fn run(arguments: &str, ctx: &ToolContext) -> Result<ToolOutput, ToolError> {
    let args: Args = parse_args(&spec(), arguments)?;
    if args.command.trim().is_empty() {
        return Err(ToolError::Failed(
            "`command` is empty. Pass the command line to run.".into(),
        ));
    }
    let timeout = match args.timeout_secs {
        Some(seconds) => parse_timeout(seconds)?,
        None => ctx.shell_timeout,
    };
    let workdir = match &args.workdir {
        Some(raw) => resolve_path(&ctx.cwd, "workdir", raw)?,
        None => ctx.cwd.clone(),
    };
    if !workdir.is_dir() {
        return Err(ToolError::Failed(format!(
            "workdir {} is not an existing directory. Pass an existing directory or leave \
             workdir out to run in {}.",
            workdir.display(),
            ctx.cwd.display()
        )));
    }
    if ctx.cancel.is_cancelled() {
        return Err(ToolError::Failed(
            "command cancelled by the user before it started".into(),
        ));
    }

    let mut child = spawn_shell(&args.command, &workdir)
        .map_err(|error| ToolError::Failed(format!("failed to start the shell: {error}")))?;
    let pgid = child.id().ok_or_else(|| {
        ToolError::Failed("the shell exited before its process id was read".into())
    })?;
    let mut group = ProcessGroupGuard::new(pgid);

    // stdout and stderr are read by separate tasks into one buffer, so their lines
    // interleave in about the order the command wrote them, not exactly.
    let buffer = Arc::new(Mutex::new(OutputBuffer::new(ctx.max_output_bytes)));
    let mut readers = [
        spawn_reader(child.stdout.take(), Arc::clone(&buffer)),
        spawn_reader(child.stderr.take(), Arc::clone(&buffer)),
    ];

    let ending = tokio::select! {
        status = child.wait() => Ending::Exited(status),
        () = tokio::time::sleep(timeout) => Ending::TimedOut,
        () = ctx.cancel.cancelled() => Ending::Cancelled,
    };
    match ending {
        Ending::Exited(_) => group.disarm(),
        Ending::TimedOut | Ending::Cancelled => {
            group.kill();
            if let Err(error) = child.wait().await {
                tracing::warn!(pgid, %error, "failed to reap the killed shell command");
            }
        }
    }

    let drained = tokio::time::timeout(DRAIN_TIMEOUT, async {
        for reader in readers.iter_mut() {
            // A reader task fails only by panicking. The buffer stays usable because
            // the lock below ignores poisoning.
            let _ = reader.await;
        }
    })
    .await
    .is_ok();
    if !drained {
        // NOTE: a background process that writes to its output after this gets
        // SIGPIPE, because closing the read ends breaks its pipes.
        for reader in &readers {
            reader.abort();
        }
    }

    let buffer = buffer.lock().unwrap_or_else(PoisonError::into_inner);
    let mut text = if buffer.is_empty() {
        "(no output)\n".to_string()
    } else {
        buffer.render()
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if !drained && matches!(ending, Ending::Exited(_)) {
        text.push_str(
            "[a background process still holds the output open, so its later output is not \
             shown. Redirect the output of background processes to a file.]\n",
        );
    }
    Ok(finish(text, ending, timeout))
}

/// Appends the status line (exit code, timeout or cancellation) and sets `is_error`.
fn finish(mut text: String, ending: Ending, timeout: Duration) -> ToolOutput {
    match ending {
        Ending::Exited(Ok(status)) => {
            let status_line = match (status.code(), status.signal()) {
                (Some(code), _) => format!("exit code: {code}"),
                (None, Some(signal)) => format!("exit code: none, killed by signal {signal}"),
                (None, None) => "exit code: unknown".to_string(),
            };
            text.push_str(&status_line);
            ToolOutput {
                text,
                is_error: !status.success(),
            }
        }
        Ending::Exited(Err(error)) => {
            text.push_str(&format!("failed to wait for the command: {error}"));
            ToolOutput::error(text)
        }
        Ending::TimedOut => {
            text.push_str(&format!(
                "command timed out after {} s, so its process group was killed. Pass a larger \
                 timeout_secs if it needs more time.",
                timeout.as_secs_f64()
            ));
            ToolOutput::error(text)
        }
        Ending::Cancelled => {
            text.push_str("command cancelled by the user, so its process group was killed.");
            ToolOutput::error(text)
        }
    }
}

fn parse_timeout(seconds: f64) -> Result<Duration, ToolError> {
    if !(seconds > 0.0 && seconds <= MAX_TIMEOUT_SECS) {
        return Err(ToolError::Failed(format!(
            "timeout_secs {seconds} is out of range. Pass a number of seconds greater than 0 \
             and at most {MAX_TIMEOUT_SECS}."
        )));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Command that starts a background sleep, writes its pid to the file `pid` and
    /// waits. The rename makes the file appear only once the pid is complete.
    const BACKGROUND_SLEEP: &str = "sleep 30 & echo $! > pid.tmp && mv pid.tmp pid; wait";

    fn context(dir: &Path) -> ToolContext {
        ToolContext::new(dir.to_path_buf())
    }

    async fn run_command(ctx: &ToolContext, arguments: serde_json::Value) -> ToolOutput {
        super::super::run(NAME, &arguments.to_string(), ctx).await
    }

    /// Reads the process id that a test command wrote to `file`.
    fn read_pid(file: &Path) -> i32 {
        std::fs::read_to_string(file)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    /// Returns whether `pid` is a live process. A zombie counts as gone, because it
    /// has already exited and only waits for its parent to reap it.
    fn process_is_running(pid: i32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(stat) => {
                let state = stat.rsplit(')').next().unwrap_or("").trim_start();
                !state.starts_with('Z') && !state.starts_with('X')
            }
            Err(_) => false,
        }
    }

    /// Waits up to five seconds for `pid` to die, because SIGKILL takes effect
    /// asynchronously.
    async fn wait_until_gone(pid: i32) -> bool {
        for _ in 0..50 {
            if !process_is_running(pid) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    #[tokio::test]
    async fn shell_reports_exit_code_zero() {
        let dir = tempfile::tempdir().unwrap();
        let output = run_command(&context(dir.path()), json!({"command": "echo hello"})).await;
        assert!(!output.is_error, "{}", output.text);
        assert_eq!(output.text, "hello\nexit code: 0");
    }

    #[tokio::test]
    async fn shell_nonzero_exit_is_error() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let output = run_command(
            &ctx,
            json!({"command": "echo partial; echo oops >&2; exit 3"}),
        )
        .await;
        assert!(output.is_error);
        assert!(output.text.contains("partial\n"), "{}", output.text);
        assert!(output.text.contains("oops\n"), "{}", output.text);
        assert!(output.text.ends_with("exit code: 3"), "{}", output.text);
    }

    #[tokio::test]
    async fn shell_reports_empty_output() {
        let dir = tempfile::tempdir().unwrap();
        let output = run_command(&context(dir.path()), json!({"command": "true"})).await;
        assert_eq!(output.text, "(no output)\nexit code: 0");
    }

    #[tokio::test]
    async fn shell_stdin_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let output = run_command(&context(dir.path()), json!({"command": "cat; echo done"})).await;
        assert!(!output.is_error, "{}", output.text);
        assert!(output.text.contains("done"), "{}", output.text);
    }

    #[tokio::test]
    async fn shell_runs_in_workdir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let ctx = context(dir.path());
        let output = run_command(
            &ctx,
            json!({"command": "basename \"$PWD\"", "workdir": "sub"}),
        )
        .await;
        assert_eq!(output.text, "sub\nexit code: 0");
    }

    #[tokio::test]
    async fn shell_missing_workdir_errors() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let output = run_command(&ctx, json!({"command": "true", "workdir": "nowhere"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("nowhere is not an existing directory"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn shell_rejects_invalid_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let output = run_command(&ctx, json!({"command": "true", "timeout_secs": -1})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("timeout_secs -1 is out of range"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn shell_rejects_missing_command() {
        let dir = tempfile::tempdir().unwrap();
        let output = run_command(&context(dir.path()), json!({"cmd": "ls"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("unknown field `cmd`"),
            "{}",
            output.text
        );
        assert!(
            output.text.contains("command (string, required)"),
            "{}",
            output.text
        );
    }

    #[tokio::test]
    async fn shell_caps_long_output() {
        let dir = tempfile::tempdir().unwrap();
        let mut ctx = context(dir.path());
        ctx.max_output_bytes = 1_000;
        let output = run_command(&ctx, json!({"command": "seq 1 100000"})).await;
        assert!(output.text.starts_with("1\n2\n"), "{}", output.text);
        assert!(
            output
                .text
                .contains("omitted from the middle of the output"),
            "{}",
            output.text
        );
        assert!(
            output.text.ends_with("100000\nexit code: 0"),
            "{}",
            output.text
        );
        assert!(output.text.len() < 1_200, "{}", output.text.len());
    }

    #[tokio::test]
    async fn shell_timeout_kills_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let command = format!("echo started; {BACKGROUND_SLEEP}");
        let output = run_command(&ctx, json!({"command": command, "timeout_secs": 1})).await;

        assert!(output.is_error);
        assert!(output.text.contains("started\n"), "{}", output.text);
        assert!(
            output.text.contains("timed out after 1 s"),
            "{}",
            output.text
        );
        let pid = read_pid(&dir.path().join("pid"));
        assert!(
            wait_until_gone(pid).await,
            "background sleep {pid} survived the timeout"
        );
    }

    #[tokio::test]
    async fn shell_cancel_kills_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let cancel = ctx.cancel.clone();
        let pid_file = dir.path().join("pid");
        let watched_file = pid_file.clone();
        tokio::spawn(async move {
            while !watched_file.exists() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            cancel.cancel();
        });

        let output = run_command(&ctx, json!({"command": BACKGROUND_SLEEP})).await;

        assert!(output.is_error);
        assert!(
            output.text.contains("cancelled by the user"),
            "{}",
            output.text
        );
        let pid = read_pid(&pid_file);
        assert!(
            wait_until_gone(pid).await,
            "background sleep {pid} survived the cancel"
        );
    }

    #[tokio::test]
    async fn shell_cancelled_before_start_skips() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        ctx.cancel.cancel();
        let output = run_command(&ctx, json!({"command": "touch marker"})).await;
        assert!(output.is_error);
        assert!(
            output.text.contains("cancelled by the user"),
            "{}",
            output.text
        );
        assert!(!dir.path().join("marker").exists());
    }

    #[tokio::test]
    async fn shell_dropped_call_kills_group() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let pid_file = dir.path().join("pid");
        let call = run_command(&ctx, json!({"command": BACKGROUND_SLEEP}));
        let mut call = Box::pin(call);

        // Poll the call until the command has started, then drop it unfinished.
        while !pid_file.exists() {
            let step = tokio::time::timeout(Duration::from_millis(20), &mut call).await;
            assert!(step.is_err(), "the command ended early");
        }
        drop(call);

        let pid = read_pid(&pid_file);
        assert!(
            wait_until_gone(pid).await,
            "background sleep {pid} survived the drop"
        );
    }

    #[tokio::test]
    async fn shell_background_process_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = context(dir.path());
        let output = run_command(&ctx, json!({"command": "sleep 30 & echo $! > pid"})).await;
        let pid = read_pid(&dir.path().join("pid"));
        // SAFETY: kill() has no memory-safety preconditions, and the pid is this test's sleep.
        unsafe { libc::kill(pid, libc::SIGKILL) };

        assert!(!output.is_error, "{}", output.text);
        assert!(
            output
                .text
                .contains("background process still holds the output"),
            "{}",
            output.text
        );
        assert!(output.text.ends_with("exit code: 0"), "{}", output.text);
    }
}
