//! Turn output: the reply text streams to stdout, while reasoning
//! (dimmed), tool calls, tool results and retries go to stderr, as in
//! one-shot mode. A spinner on stderr shows while ouro waits for the model.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::style::Style;
use crate::agent::AgentEvent;

/// Maximum characters of a tool argument or result shown on its line.
const MAX_DETAIL_CHARS: usize = 200;

/// The stream that printed the unfinished line.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stream {
    Stdout,
    Stderr,
}

/// Prints the events of one turn.
pub struct TurnPrinter {
    style: Style,
    spinner: Option<ProgressBar>,
    /// Whether a spinner may be drawn at all (stderr is a terminal).
    spinner_allowed: bool,
    /// The stream whose last line has no newline yet, if any.
    open_line: Option<Stream>,
    in_reasoning: bool,
}

impl TurnPrinter {
    pub fn new(style: Style) -> Self {
        Self {
            style,
            spinner: None,
            spinner_allowed: std::io::stderr().is_terminal(),
            open_line: None,
            in_reasoning: false,
        }
    }

    /// Shows the spinner until the next visible event.
    pub fn wait_for_model(&mut self) {
        if !self.spinner_allowed || self.spinner.is_some() {
            return;
        }
        self.end_line();
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let template =
            ProgressStyle::with_template("{spinner} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner());
        spinner.set_style(template);
        spinner.set_message("Waiting for the model…");
        spinner.enable_steady_tick(Duration::from_millis(100));
        self.spinner = Some(spinner);
    }

    fn stop_spinner(&mut self) {
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
    }

    /// Shows one event.
    pub fn event(&mut self, event: &AgentEvent) {
        match event {
            AgentEvent::TextDelta(delta) => {
                self.stop_spinner();
                if self.in_reasoning {
                    self.end_line();
                    self.in_reasoning = false;
                }
                let mut stdout = std::io::stdout().lock();
                let _ = write!(stdout, "{delta}");
                let _ = stdout.flush();
                self.track(Stream::Stdout, delta);
            }
            AgentEvent::ReasoningDelta(delta) => {
                self.stop_spinner();
                if !self.in_reasoning {
                    self.end_line();
                    self.in_reasoning = true;
                }
                eprint!("{}", self.style.dim(delta));
                self.track(Stream::Stderr, delta);
            }
            AgentEvent::ToolCall { name, arguments, .. } => {
                self.progress(&format!("→ {name} {}", one_line(arguments)));
            }
            AgentEvent::ToolResult { output, is_error, .. } => {
                let first = output.lines().next().unwrap_or("");
                let line = if *is_error {
                    self.style.red(&format!("  ✗ {}", one_line(first)))
                } else {
                    self.style.dim(&format!("  ✓ {}", one_line(first)))
                };
                self.progress(&line);
                self.wait_for_model();
            }
            AgentEvent::Retrying { delay, reason, .. } => {
                let line = format!("{reason}; retrying in {} s", delay.as_secs());
                self.progress(&self.style.dim(&line));
                self.wait_for_model();
            }
            AgentEvent::Usage(_) | AgentEvent::RateLimits(_) => {}
        }
    }

    /// Clears the spinner and ends the last line, before the status line.
    pub fn finish(&mut self) {
        self.stop_spinner();
        self.end_line();
        self.in_reasoning = false;
    }

    /// Prints a whole line on stderr.
    fn progress(&mut self, line: &str) {
        self.stop_spinner();
        self.end_line();
        self.in_reasoning = false;
        eprintln!("{line}");
    }

    fn track(&mut self, stream: Stream, text: &str) {
        if text.ends_with('\n') {
            self.open_line = None;
        } else if !text.is_empty() {
            self.open_line = Some(stream);
        }
    }

    /// Ends an unfinished line on the stream that printed it.
    fn end_line(&mut self) {
        match self.open_line.take() {
            Some(Stream::Stdout) => {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout);
                let _ = stdout.flush();
            }
            Some(Stream::Stderr) => eprintln!(),
            None => {}
        }
    }
}

impl Drop for TurnPrinter {
    fn drop(&mut self) {
        self.stop_spinner();
    }
}

/// Flattens `text` to one line and cuts it to [`MAX_DETAIL_CHARS`] characters.
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    if flat.chars().count() <= MAX_DETAIL_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(MAX_DETAIL_CHARS).collect();
    format!("{cut}…")
}
