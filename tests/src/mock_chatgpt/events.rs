//! Builders of realistic Codex event sequences and their SSE framing.
//!
//! Event shapes follow the Responses API stream: every event has a `type`
//! and a `sequence_number`, items carry ids such as `msg_mock`, and the
//! terminal `response.completed` has `output: []` with usage, as the Codex
//! backend sends it.

use serde_json::{Value, json};

use super::MockChatGpt;
use super::codec::unix_now;

const RESPONSE_ID: &str = "resp_mock";
const MESSAGE_ID: &str = "msg_mock";
const REASONING_ID: &str = "rs_mock";
const FUNCTION_CALL_ID: &str = "fc_mock";

/// Frames one event as `event: <type>\ndata: <json>\n\n`, without the
/// `event:` line when the value has no string `type`.
pub(super) fn sse_frame(event: &Value) -> Vec<u8> {
    let data = event.to_string();
    match event.get("type").and_then(Value::as_str) {
        Some(kind) => format!("event: {kind}\ndata: {data}\n\n").into_bytes(),
        None => format!("data: {data}\n\n").into_bytes(),
    }
}

/// Splits `text` into words, each keeping its trailing space.
fn word_pieces(text: &str) -> Vec<String> {
    text.split_inclusive(' ').map(str::to_owned).collect()
}

/// Splits `text` into `count` pieces of about equal length, on character
/// boundaries.
fn even_pieces(text: &str, count: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let size = chars.len().div_ceil(count).max(1);
    chars
        .chunks(size)
        .map(|piece| piece.iter().collect())
        .collect()
}

/// Sets `sequence_number` on each event in order.
fn numbered(mut events: Vec<Value>) -> Vec<Value> {
    for (index, event) in events.iter_mut().enumerate() {
        event["sequence_number"] = json!(index);
    }
    events
}

fn response_object(status: &str) -> Value {
    json!({
        "id": RESPONSE_ID,
        "object": "response",
        "created_at": unix_now(),
        "status": status,
        "output": [],
        "usage": null,
    })
}

fn created_event() -> Value {
    json!({"type": "response.created", "response": response_object("in_progress")})
}

fn completed_event(usage: Value) -> Value {
    let mut response = response_object("completed");
    response["usage"] = usage;
    json!({"type": "response.completed", "response": response})
}

/// Events of one assistant message at `output_index`, streamed word by word.
fn message_events(text: &str, output_index: usize) -> Vec<Value> {
    let part = |text: &str| json!({"type": "output_text", "text": text, "annotations": []});
    let mut events = vec![
        json!({
            "type": "response.output_item.added",
            "output_index": output_index,
            "item": {"id": MESSAGE_ID, "type": "message", "status": "in_progress", "role": "assistant", "content": []},
        }),
        json!({
            "type": "response.content_part.added",
            "item_id": MESSAGE_ID, "output_index": output_index, "content_index": 0, "part": part(""),
        }),
    ];
    for delta in word_pieces(text) {
        events.push(json!({
            "type": "response.output_text.delta",
            "item_id": MESSAGE_ID, "output_index": output_index, "content_index": 0, "delta": delta,
        }));
    }
    events.push(json!({
        "type": "response.output_text.done",
        "item_id": MESSAGE_ID, "output_index": output_index, "content_index": 0, "text": text,
    }));
    events.push(json!({
        "type": "response.content_part.done",
        "item_id": MESSAGE_ID, "output_index": output_index, "content_index": 0, "part": part(text),
    }));
    events.push(json!({
        "type": "response.output_item.done",
        "output_index": output_index,
        "item": {"id": MESSAGE_ID, "type": "message", "status": "completed", "role": "assistant", "content": [part(text)]},
    }));
    events
}

pub(super) fn text_stream(text: &str) -> Vec<Value> {
    let mut events = vec![created_event()];
    events.extend(message_events(text, 0));
    events.push(completed_event(MockChatGpt::usage(1200, 200, 40, 0)));
    numbered(events)
}

impl MockChatGpt {
    /// Frames one event for the SSE body: `event: <type>\ndata: <json>\n\n`.
    pub fn sse_frame(event: &Value) -> Vec<u8> {
        sse_frame(event)
    }

    /// Builds the usage object of a terminal event. `total_tokens` is
    /// `input + output`.
    pub fn usage(input: u64, cached: u64, output: u64, reasoning: u64) -> Value {
        json!({
            "input_tokens": input,
            "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": input + output,
        })
    }

    /// Builds a text message streamed word by word, ending in
    /// `response.completed` with `output: []` and usage 1200 input tokens
    /// (200 cached), 40 output tokens and no reasoning tokens.
    pub fn text_stream(text: &str) -> Vec<Value> {
        text_stream(text)
    }

    /// Builds one function call whose arguments arrive in three deltas,
    /// ending in `response.completed`.
    pub fn tool_call_stream(call_id: &str, name: &str, arguments: &str) -> Vec<Value> {
        let item = |status: &str, arguments: &str| {
            json!({
                "id": FUNCTION_CALL_ID, "type": "function_call", "status": status,
                "call_id": call_id, "name": name, "arguments": arguments,
            })
        };
        let mut events = vec![
            created_event(),
            json!({"type": "response.output_item.added", "output_index": 0, "item": item("in_progress", "")}),
        ];
        for delta in even_pieces(arguments, 3) {
            events.push(json!({
                "type": "response.function_call_arguments.delta",
                "item_id": FUNCTION_CALL_ID, "output_index": 0, "delta": delta,
            }));
        }
        events.push(json!({
            "type": "response.function_call_arguments.done",
            "item_id": FUNCTION_CALL_ID, "output_index": 0, "arguments": arguments,
        }));
        events.push(json!({"type": "response.output_item.done", "output_index": 0, "item": item("completed", arguments)}));
        events.push(completed_event(Self::usage(1500, 0, 30, 0)));
        numbered(events)
    }

    /// Builds a reasoning item (summary streamed word by word, then
    /// `encrypted_content` on the done item) followed by a text message.
    /// Usage reports 64 reasoning tokens.
    pub fn reasoning_stream(summary: &str, encrypted: &str, then_text: &str) -> Vec<Value> {
        let summary_part = |text: &str| json!({"type": "summary_text", "text": text});
        let mut events = vec![
            created_event(),
            json!({
                "type": "response.output_item.added", "output_index": 0,
                "item": {"id": REASONING_ID, "type": "reasoning", "summary": []},
            }),
            json!({
                "type": "response.reasoning_summary_part.added",
                "item_id": REASONING_ID, "output_index": 0, "summary_index": 0, "part": summary_part(""),
            }),
        ];
        for delta in word_pieces(summary) {
            events.push(json!({
                "type": "response.reasoning_summary_text.delta",
                "item_id": REASONING_ID, "output_index": 0, "summary_index": 0, "delta": delta,
            }));
        }
        events.push(json!({
            "type": "response.reasoning_summary_text.done",
            "item_id": REASONING_ID, "output_index": 0, "summary_index": 0, "text": summary,
        }));
        events.push(json!({
            "type": "response.reasoning_summary_part.done",
            "item_id": REASONING_ID, "output_index": 0, "summary_index": 0, "part": summary_part(summary),
        }));
        events.push(json!({
            "type": "response.output_item.done", "output_index": 0,
            "item": {
                "id": REASONING_ID, "type": "reasoning",
                "summary": [summary_part(summary)], "encrypted_content": encrypted,
            },
        }));
        events.extend(message_events(then_text, 1));
        events.push(completed_event(Self::usage(1200, 0, 96, 64)));
        numbered(events)
    }

    /// Builds a stream that fails: `response.created`, then
    /// `response.failed` with `response.error.{code, message}`.
    pub fn failed_stream(code: &str, message: &str) -> Vec<Value> {
        let mut response = response_object("failed");
        response["error"] = json!({"code": code, "message": message});
        numbered(vec![
            created_event(),
            json!({"type": "response.failed", "response": response}),
        ])
    }

    /// Builds a text message cut short: it ends in `response.incomplete`
    /// with reason `max_output_tokens`.
    pub fn incomplete_stream(text: &str) -> Vec<Value> {
        let mut response = response_object("incomplete");
        response["incomplete_details"] = json!({"reason": "max_output_tokens"});
        response["usage"] = Self::usage(1200, 0, 40, 0);
        let mut events = vec![created_event()];
        events.extend(message_events(text, 0));
        events.push(json!({"type": "response.incomplete", "response": response}));
        numbered(events)
    }

    /// Builds a `codex.rate_limits` event. Each window is
    /// `(used_percent, window_minutes, reset_at)`, with `reset_at` in unix
    /// seconds.
    pub fn rate_limits_event(
        primary: (f64, u64, u64),
        secondary: Option<(f64, u64, u64)>,
    ) -> Value {
        let window = |(used_percent, window_minutes, reset_at): (f64, u64, u64)| json!({"used_percent": used_percent, "window_minutes": window_minutes, "reset_at": reset_at});
        json!({
            "type": "codex.rate_limits",
            "rate_limits": {"primary": window(primary), "secondary": secondary.map(window)},
        })
    }

    /// Builds the raw chunks of a text message whose stream stops before
    /// `response.completed`. The chunks are 40 bytes each, so most split a
    /// line in the middle.
    pub fn truncated_stream(text: &str) -> Vec<Vec<u8>> {
        let mut events = text_stream(text);
        events.pop();
        let bytes: Vec<u8> = events.iter().flat_map(sse_frame).collect();
        bytes.chunks(40).map(<[u8]>::to_vec).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_has_event_and_data() {
        let event = json!({"type": "response.created", "n": 1});
        let frame = String::from_utf8(sse_frame(&event)).unwrap();
        let data = frame
            .strip_prefix("event: response.created\ndata: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap_or_else(|| panic!("unexpected frame {frame:?}"));
        assert_eq!(serde_json::from_str::<Value>(data).unwrap(), event);
        assert!(!data.contains('\n'));
    }

    #[test]
    fn text_stream_deltas_rebuild_text() {
        let events = text_stream("Hello from the mock.");
        let deltas: Vec<&str> = events
            .iter()
            .filter(|event| event["type"] == "response.output_text.delta")
            .map(|event| event["delta"].as_str().unwrap())
            .collect();
        assert_eq!(deltas.len(), 4);
        assert_eq!(deltas.concat(), "Hello from the mock.");
        let last = events.last().unwrap();
        assert_eq!(last["type"], "response.completed");
        assert_eq!(last["response"]["output"], json!([]));
        assert_eq!(
            last["response"]["usage"]["input_tokens_details"]["cached_tokens"],
            200
        );
    }

    #[test]
    fn tool_call_arguments_rebuild() {
        let arguments = r#"{"path":"src/main.rs","line":12}"#;
        let events = MockChatGpt::tool_call_stream("call_1", "read_file", arguments);
        let joined: String = events
            .iter()
            .filter(|event| event["type"] == "response.function_call_arguments.delta")
            .map(|event| event["delta"].as_str().unwrap())
            .collect();
        assert_eq!(joined, arguments);
        let done = events
            .iter()
            .find(|event| event["type"] == "response.output_item.done")
            .unwrap();
        assert_eq!(done["item"]["call_id"], "call_1");
        assert_eq!(done["item"]["name"], "read_file");
    }

    #[test]
    fn reasoning_stream_carries_encrypted_content() {
        let events = MockChatGpt::reasoning_stream("Thinking it over", "gAAAA-secret", "Done.");
        let reasoning_done = events
            .iter()
            .find(|event| {
                event["type"] == "response.output_item.done" && event["item"]["type"] == "reasoning"
            })
            .unwrap();
        assert_eq!(reasoning_done["item"]["encrypted_content"], "gAAAA-secret");
        let last = events.last().unwrap();
        assert_eq!(
            last["response"]["usage"]["output_tokens_details"]["reasoning_tokens"],
            64
        );
    }

    #[test]
    fn truncated_stream_lacks_terminal_event() {
        let bytes: Vec<u8> = MockChatGpt::truncated_stream("Hello there").concat();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("response.output_text.delta"));
        assert!(!text.contains("response.completed"));
    }
}
