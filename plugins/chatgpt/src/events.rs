//! Mapping of Codex stream events to the host's stream events.
//!
//! Results are built from the streamed events only: the terminal
//! `response.completed` event may carry an empty `output` array even though
//! text and tool calls were streamed.

use std::collections::HashMap;

use ouro_plugin_sdk::{
    ProviderError, RateLimitWindow, RateLimits, StopReason, StreamEvent, ToolCall, Usage,
};
use serde_json::Value;

use crate::errors::map_stream_error;

/// Turns decoded event payloads into stream events, remembering what it
/// needs across events (tool call arguments, whether a tool call was seen).
pub struct EventMapper {
    now: u64,
    /// Argument text streamed per function call item id.
    arguments: HashMap<String, String>,
    emitted_tool_call: bool,
    finished: bool,
}

impl EventMapper {
    /// Creates a mapper. `now` (unix seconds) resolves relative reset times
    /// in rate limits.
    pub fn new(now: u64) -> Self {
        Self {
            now,
            arguments: HashMap::new(),
            emitted_tool_call: false,
            finished: false,
        }
    }

    /// Returns whether a terminal event (completed, incomplete, failed) has arrived.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// Maps one event payload. Events after the terminal one, unknown types
    /// and payloads without a `type` produce nothing.
    pub fn map(&mut self, event: &Value) -> Result<Vec<StreamEvent>, ProviderError> {
        if self.finished {
            return Ok(Vec::new());
        }
        let text = |key: &str| {
            event
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let kind = event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut output = Vec::new();

        match kind {
            // A refusal is the model's reply to the user, so it is shown as text.
            "response.output_text.delta" | "response.refusal.delta" => {
                push_text(&mut output, text("delta"), false)
            }
            "response.reasoning_summary_text.delta" | "response.reasoning_text.delta" => {
                push_text(&mut output, text("delta"), true);
            }
            // Separates the paragraphs of a multi-part reasoning summary.
            "response.reasoning_summary_part.added"
                if event
                    .get("summary_index")
                    .and_then(Value::as_u64)
                    .is_some_and(|index| index > 0) =>
            {
                output.push(StreamEvent::ReasoningDelta("\n\n".into()));
            }
            "response.function_call_arguments.delta" => {
                self.arguments
                    .entry(text("item_id"))
                    .or_default()
                    .push_str(&text("delta"));
            }
            "response.function_call_arguments.done" => {
                if let Some(arguments) = event.get("arguments").and_then(Value::as_str) {
                    self.arguments.insert(text("item_id"), arguments.to_owned());
                }
            }
            "response.output_item.done" => {
                if let Some(item) = event.get("item") {
                    output.extend(self.finished_item(item));
                }
            }
            "response.completed" | "response.done" => {
                self.finished = true;
                let response = event.get("response").unwrap_or(&Value::Null);
                output.extend(usage(response));
                output.push(StreamEvent::Stop(self.stop_reason(response)));
            }
            "response.incomplete" => {
                self.finished = true;
                let response = event.get("response").unwrap_or(&Value::Null);
                output.extend(usage(response));
                output.push(StreamEvent::Stop(incomplete_reason(response)));
            }
            "response.failed" => {
                self.finished = true;
                let error = event
                    .get("response")
                    .and_then(|response| response.get("error"));
                return Err(map_stream_error(error.unwrap_or(&Value::Null), self.now));
            }
            "error" => {
                self.finished = true;
                let error = event
                    .get("error")
                    .filter(|error| error.is_object())
                    .unwrap_or(event);
                return Err(map_stream_error(error, self.now));
            }
            "codex.rate_limits" => {
                let limits = event.get("rate_limits").unwrap_or(event);
                output
                    .extend(rate_limits_from_event(limits, self.now).map(StreamEvent::RateLimits));
            }
            _ => {}
        }
        Ok(output)
    }

    fn finished_item(&mut self, item: &Value) -> Option<StreamEvent> {
        match item.get("type").and_then(Value::as_str)? {
            "function_call" => {
                let field = |key: &str| {
                    item.get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let streamed = item
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| self.arguments.remove(id));
                let arguments = Some(field("arguments"))
                    .filter(|arguments| !arguments.is_empty())
                    .or(streamed)
                    .filter(|arguments| !arguments.is_empty())
                    .unwrap_or_else(|| "{}".to_owned());
                self.emitted_tool_call = true;
                Some(StreamEvent::ToolCall(ToolCall {
                    id: field("call_id"),
                    name: field("name"),
                    arguments,
                }))
            }
            // Sent back in later requests so the model keeps its reasoning
            // across turns; the id is dropped because `store` is false.
            "reasoning"
                if item
                    .get("encrypted_content")
                    .is_some_and(|content| !content.is_null()) =>
            {
                let mut item = item.as_object()?.clone();
                item.remove("id");
                Some(StreamEvent::Opaque(Value::Object(item).to_string()))
            }
            _ => None,
        }
    }

    fn stop_reason(&self, response: &Value) -> StopReason {
        if response.get("status").and_then(Value::as_str) == Some("incomplete") {
            return incomplete_reason(response);
        }
        if self.emitted_tool_call {
            StopReason::ToolCalls
        } else {
            StopReason::EndTurn
        }
    }
}

fn push_text(output: &mut Vec<StreamEvent>, delta: String, reasoning: bool) {
    if delta.is_empty() {
        return;
    }
    output.push(if reasoning {
        StreamEvent::ReasoningDelta(delta)
    } else {
        StreamEvent::TextDelta(delta)
    });
}

/// Returns the stop reason of an incomplete response: a content filter, or
/// else a length limit.
fn incomplete_reason(response: &Value) -> StopReason {
    let reason = response
        .pointer("/incomplete_details/reason")
        .and_then(Value::as_str);
    if reason == Some("content_filter") {
        StopReason::ContentFilter
    } else {
        StopReason::Length
    }
}

/// Reads the token usage of a terminal event's `response`. The details objects may be null.
fn usage(response: &Value) -> Option<StreamEvent> {
    let usage = response.get("usage").filter(|usage| usage.is_object())?;
    let count = |pointer: &str| usage.pointer(pointer).and_then(Value::as_u64).unwrap_or(0);
    Some(StreamEvent::Usage(Usage {
        input_tokens: count("/input_tokens"),
        cached_input_tokens: count("/input_tokens_details/cached_tokens"),
        output_tokens: count("/output_tokens"),
        reasoning_tokens: count("/output_tokens_details/reasoning_tokens"),
    }))
}

/// Reads plan usage from a `codex.rate_limits` event's `rate_limits` object.
pub fn rate_limits_from_event(limits: &Value, now: u64) -> Option<RateLimits> {
    let window = |name: &str| {
        let window = limits.get(name).filter(|window| window.is_object())?;
        let number = |key: &str| window.get(key).and_then(Value::as_f64);
        let resets_at = number("reset_at")
            .or_else(|| number("resets_at"))
            .map(|at| at as u64)
            .or_else(|| number("resets_in_seconds").map(|delay| now + delay as u64));
        Some(RateLimitWindow {
            used_percent: number("used_percent")?,
            window_minutes: number("window_minutes").map(|minutes| minutes as u64),
            resets_at,
        })
    };
    let (primary, secondary) = (window("primary"), window("secondary"));
    (primary.is_some() || secondary.is_some()).then_some(RateLimits { primary, secondary })
}

/// Reads plan usage from `x-codex-{primary,secondary}-*` response headers.
pub fn rate_limits_from_headers(headers: &[(String, String)]) -> Option<RateLimits> {
    let header = |name: String| {
        headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(&name))
            .map(|(_, value)| value.trim())
    };
    let window = |prefix: &str| {
        let used_percent = header(format!("x-codex-{prefix}-used-percent"))?
            .parse()
            .ok()?;
        Some(RateLimitWindow {
            used_percent,
            window_minutes: header(format!("x-codex-{prefix}-window-minutes"))
                .and_then(|value| value.parse().ok()),
            resets_at: header(format!("x-codex-{prefix}-reset-at"))
                .and_then(|value| value.parse().ok()),
        })
    };
    let (primary, secondary) = (window("primary"), window("secondary"));
    (primary.is_some() || secondary.is_some()).then_some(RateLimits { primary, secondary })
}

#[cfg(test)]
#[path = "events_tests.rs"]
mod tests;
