//! How a one-shot task reports progress: human-readable text (answer on
//! stdout, progress on stderr) or JSON lines on stdout.

use std::io::{IsTerminal, Write};

use serde_json::json;

use crate::agent::usage::{TokenUsage, format_cost};
use crate::agent::{AgentEvent, RunOutcome};

/// Prints agent events for one-shot mode.
pub struct TaskPrinter {
    json: bool,
    /// Whether text deltas go straight to stdout (a terminal) instead of
    /// being printed once at the end.
    stream_to_stdout: bool,
    color: bool,
    /// Whether the cursor is at the start of a line on the streamed output.
    at_line_start: bool,
    /// Whether the last thing printed was reasoning, which the answer text
    /// then starts a new line after.
    in_reasoning: bool,
}

impl TaskPrinter {
    pub fn new(json: bool) -> Self {
        Self {
            json,
            stream_to_stdout: !json && std::io::stdout().is_terminal(),
            color: std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
            at_line_start: true,
            in_reasoning: false,
        }
    }

    fn emit_json(&self, value: serde_json::Value) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{value}");
        let _ = stdout.flush();
    }

    fn dim(&self, text: &str) -> String {
        if self.color { format!("\x1b[2m{text}\x1b[0m") } else { text.to_owned() }
    }

    fn progress(&mut self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        if !self.at_line_start {
            let _ = writeln!(stderr);
            if self.stream_to_stdout {
                println!();
            }
            self.at_line_start = true;
        }
        let _ = writeln!(stderr, "{text}");
    }

    /// Shows one event.
    pub fn event(&mut self, event: &AgentEvent) {
        if self.json {
            self.emit_json(event_json(event));
            return;
        }
        match event {
            AgentEvent::TextDelta(delta) => {
                if self.in_reasoning {
                    self.in_reasoning = false;
                    eprintln!();
                }
                if self.stream_to_stdout {
                    print!("{delta}");
                    let _ = std::io::stdout().flush();
                } else {
                    eprint!("{delta}");
                }
                self.at_line_start = delta.ends_with('\n');
            }
            AgentEvent::ReasoningDelta(delta) => {
                if !self.in_reasoning && !self.at_line_start {
                    eprintln!();
                }
                self.in_reasoning = true;
                eprint!("{}", self.dim(delta));
                self.at_line_start = false;
            }
            AgentEvent::ToolCall { name, arguments, .. } => {
                let line = format!("→ {name} {}", truncate(arguments, 200));
                self.progress(&line);
            }
            AgentEvent::ToolResult { output, is_error, .. } => {
                let first = output.lines().next().unwrap_or("");
                let mark = if *is_error { "✗" } else { "✓" };
                let line = self.dim(&format!("  {mark} {}", truncate(first, 200)));
                self.progress(&line);
            }
            AgentEvent::Retrying { delay, reason, .. } => {
                let line = format!("{reason}; retrying in {} s", delay.as_secs());
                self.progress(&line);
            }
            AgentEvent::Usage(_) | AgentEvent::RateLimits(_) => {}
        }
    }

    /// Finishes a successful or cancelled run.
    pub fn finish(&mut self, outcome: &RunOutcome, session: &SessionSummary) {
        if self.json {
            self.emit_json(json!({
                "type": "done",
                "text": outcome.text,
                "stop_reason": outcome.stop.as_str(),
                "usage": usage_json(outcome.usage),
                "cost_usd": round_usd(outcome.cost_usd),
                "cost_kind": session.cost_kind(),
                "session_id": session.id,
            }));
            return;
        }
        if !self.at_line_start {
            if self.stream_to_stdout {
                println!();
            } else {
                eprintln!();
            }
            self.at_line_start = true;
        }
        if !self.stream_to_stdout {
            println!("{}", outcome.text);
        }
        eprintln!("{}", self.dim(&session.status_line(outcome)));
    }

    /// Reports a failed run.
    pub fn fail(&mut self, message: &str, session: &SessionSummary) {
        if self.json {
            self.emit_json(json!({"type": "error", "message": message}));
            self.emit_json(json!({
                "type": "done",
                "text": "",
                "stop_reason": "error",
                "usage": usage_json(session.turn_usage),
                "cost_usd": round_usd(session.turn_cost),
                "cost_kind": session.cost_kind(),
                "session_id": session.id,
            }));
            return;
        }
        self.progress(&format!("error: {message}"));
    }
}

/// Session figures for the status line.
pub struct SessionSummary {
    pub id: String,
    pub model: String,
    pub subscription: bool,
    pub turn_usage: TokenUsage,
    pub turn_cost: f64,
    pub total_usage: TokenUsage,
    pub total_cost: f64,
    pub context_window: Option<u64>,
}

impl SessionSummary {
    /// Builds the summary of `agent`'s session after a turn that used `turn_usage`
    /// and cost `turn_cost`.
    pub fn from_agent(agent: &crate::agent::Agent, turn_usage: TokenUsage, turn_cost: f64) -> Self {
        Self {
            id: agent.session.id.clone(),
            model: agent.model.id.clone(),
            subscription: agent.model.is_subscription(),
            turn_usage,
            turn_cost,
            total_usage: agent.session.usage,
            total_cost: agent.session.cost_usd,
            context_window: agent.model.info.as_ref().map(|info| info.context_window),
        }
    }

    /// Builds a summary for a run that never started.
    pub fn empty() -> Self {
        Self {
            id: String::new(),
            model: String::new(),
            subscription: false,
            turn_usage: TokenUsage::default(),
            turn_cost: 0.0,
            total_usage: TokenUsage::default(),
            total_cost: 0.0,
            context_window: None,
        }
    }

    fn cost_kind(&self) -> &'static str {
        if self.subscription { "api_equivalent" } else { "billed" }
    }

    /// Formats one line: model, tokens this turn, session total, context, cost.
    pub fn status_line(&self, outcome: &RunOutcome) -> String {
        let turn = outcome.usage;
        let context = match self.context_window {
            Some(window) if window > 0 => format!(
                " · context {}%",
                (outcome.context_tokens as f64 / window as f64 * 100.0).round()
            ),
            _ => String::new(),
        };
        let cost_label = cost_label(self.subscription);
        format!(
            "{} · in {} (cached {}) out {} (reasoning {}) · session in {} out {}{} · {} {} (session {})",
            self.model,
            turn.input,
            turn.cached_input,
            turn.output,
            turn.reasoning,
            self.total_usage.input,
            self.total_usage.output,
            context,
            cost_label,
            format_cost(outcome.cost_usd),
            format_cost(self.total_cost),
        )
    }
}

/// "API-equivalent cost" for subscription providers, whose requests are not
/// billed per token, else "cost".
pub fn cost_label(subscription: bool) -> &'static str {
    if subscription { "API-equivalent cost" } else { "cost" }
}

/// Rounds to a billionth of a dollar, which hides floating-point noise
/// such as 0.0017400000000000002 in JSON output.
fn round_usd(usd: f64) -> f64 {
    (usd * 1e9).round() / 1e9
}

fn usage_json(usage: TokenUsage) -> serde_json::Value {
    json!({
        "input_tokens": usage.input,
        "cached_input_tokens": usage.cached_input,
        "output_tokens": usage.output,
        "reasoning_tokens": usage.reasoning,
    })
}

fn event_json(event: &AgentEvent) -> serde_json::Value {
    match event {
        AgentEvent::TextDelta(text) => json!({"type": "text_delta", "text": text}),
        AgentEvent::ReasoningDelta(text) => json!({"type": "reasoning_delta", "text": text}),
        AgentEvent::ToolCall { id, name, arguments } => {
            json!({"type": "tool_call", "id": id, "name": name, "arguments": arguments})
        }
        AgentEvent::ToolResult { id, name, output, is_error } => {
            json!({"type": "tool_result", "id": id, "name": name, "output": output, "is_error": is_error})
        }
        AgentEvent::Usage(usage) => json!({"type": "usage", "usage": usage_json(*usage)}),
        AgentEvent::RateLimits(limits) => {
            let window = |window: &Option<crate::plugins::RateLimitWindow>| {
                window.as_ref().map(|window| {
                    json!({"used_percent": window.used_percent, "window_minutes": window.window_minutes, "resets_at": window.resets_at})
                })
            };
            json!({"type": "rate_limits", "primary": window(&limits.primary), "secondary": window(&limits.secondary)})
        }
        AgentEvent::Retrying { attempt, delay, reason } => {
            json!({"type": "retry", "attempt": attempt, "delay_seconds": delay.as_secs(), "reason": reason})
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}…")
}
