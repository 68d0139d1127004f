//! The plugin's stdout and stderr: every write goes to the log, tagged with
//! the plugin id, instead of the user's terminal.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

/// One of the plugin's output streams.
#[derive(Clone)]
pub struct LogStream {
    plugin: Arc<str>,
    stream: &'static str,
    /// The last lines written, kept so a crash report can quote the
    /// plugin's panic message.
    tail: Arc<Mutex<Vec<String>>>,
}

/// How many trailing lines a stream keeps.
const TAIL_LINES: usize = 4;

impl LogStream {
    pub fn new(plugin: Arc<str>, stream: &'static str) -> Self {
        Self {
            plugin,
            stream,
            tail: Arc::default(),
        }
    }

    /// The last lines written, oldest first.
    pub fn tail(&self) -> Vec<String> {
        self.tail.lock().map(|tail| tail.clone()).unwrap_or_default()
    }
}

impl IsTerminal for LogStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogStream {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncWrite for LogStream {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let text = String::from_utf8_lossy(buf);
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            tracing::info!(plugin = %self.plugin, stream = self.stream, "{line}");
            if let Ok(mut tail) = self.tail.lock() {
                if tail.len() == TAIL_LINES {
                    tail.remove(0);
                }
                tail.push(line.trim().to_owned());
            }
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
