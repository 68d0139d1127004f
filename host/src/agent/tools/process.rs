//! Child processes for the `shell` tool: spawning in a new process group, killing the
//! whole group, and capturing stdout and stderr into one buffer.

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use super::output::OutputBuffer;

/// Starts `command` with `bash -c`, or `sh -c` where no bash is on the PATH.
///
/// The child leads a new process group, so that `kill_process_group` also reaches the
/// processes it starts. Stdin is empty, stdout and stderr are piped, and tokio kills
/// the child itself if its handle is dropped.
///
/// NOTE: a process that moves to another group or session, as daemons do with
/// setsid, escapes the kill.
pub(crate) fn spawn_shell(command: &str, workdir: &Path) -> std::io::Result<Child> {
    Command::new(shell_program())
        .arg("-c")
        .arg(command)
        .current_dir(workdir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
}

fn shell_program() -> &'static str {
    static PROGRAM: OnceLock<&'static str> = OnceLock::new();
    PROGRAM.get_or_init(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let has_bash = std::env::split_paths(&path).any(|dir| dir.join("bash").is_file());
        if has_bash { "bash" } else { "sh" }
    })
}

/// Sends SIGKILL to every process in the group `pgid`.
///
/// A group that no longer exists is not an error. Other failures are logged, because
/// the caller cannot do more than report the command as stopped.
pub(crate) fn kill_process_group(pgid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    if pgid <= 0 {
        // kill(0) or kill(-0) would address this process's own group.
        return;
    }

    // SAFETY: kill() takes plain integers and has no memory-safety preconditions. The
    // negative pid selects the process group that spawn_shell created.
    let result = unsafe { libc::kill(-pgid, libc::SIGKILL) };
    if result != 0 {
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() != Some(libc::ESRCH) {
            tracing::warn!(pgid, %error, "failed to kill the shell command's process group");
        }
    }
}

/// Kills a process group when dropped, unless `disarm` was called. This covers a
/// `shell` call whose future is dropped before the command ends.
pub(crate) struct ProcessGroupGuard {
    pgid: u32,
    armed: bool,
}

impl ProcessGroupGuard {
    pub(crate) fn new(pgid: u32) -> Self {
        Self { pgid, armed: true }
    }

    /// Leaves the group running, for a command that exited by itself. Background
    /// processes it started keep running.
    pub(crate) fn disarm(&mut self) {
        self.armed = false;
    }

    pub(crate) fn kill(&mut self) {
        kill_process_group(self.pgid);
        self.armed = false;
    }
}

impl Drop for ProcessGroupGuard {
    fn drop(&mut self) {
        if self.armed {
            kill_process_group(self.pgid);
        }
    }
}

/// Copies everything that `pipe` yields into `buffer` until end of file.
pub(crate) fn spawn_reader<R>(pipe: Option<R>, buffer: Arc<Mutex<OutputBuffer>>) -> JoinHandle<()>
where
    R: AsyncRead + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let Some(mut pipe) = pipe else {
            return;
        };
        let mut chunk = vec![0u8; 8192];
        loop {
            match pipe.read(&mut chunk).await {
                Ok(0) => break,
                Ok(count) => buffer
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(&chunk[..count]),
                Err(error) => {
                    tracing::debug!(%error, "failed to read shell command output");
                    break;
                }
            }
        }
    })
}
