//! Test provider that replays a scripted conversation.
//!
//! The script is `script.json` in the plugin's data folder:
//! `{"turns": [[event, ...], ...]}`, one list of events per `complete` call,
//! taken in order (the next index is kept in the file `turn`). Events:
//! `{"text": s}`, `{"reasoning": s}`, `{"tool_call": {"id", "name",
//! "arguments"}}`, `{"usage": {"input", "cached", "output", "reasoning"}}`,
//! `{"opaque": s}`, `{"stop": "end_turn" | "tool_calls" | "length"}`,
//! `{"sleep_ms": n}` (pauses the stream), `{"error": {"kind", "message",
//! "retry_after", "resets_at"}}` (fails the stream) and, as the first event
//! only, `{"fail_start": {...same as error...}}` (fails `complete` itself).
//! Every request is appended to `requests.jsonl` so tests can check what the
//! host sent.

use std::collections::VecDeque;
use std::io::Write;

use ouro_plugin_sdk::{
    Account, AuthMethod, AuthStatus, CompletionRequest, CompletionStream, ContentPart, Cost,
    Message, Modality, ModelInfo, PluginMetadata, Provider, ProviderError, QuotaInfo,
    RateLimitedInfo, StopReason, StreamEvent, ToolCall, Usage,
};
use serde_json::{Value, json};

struct Scripted;

struct Replay {
    events: VecDeque<Value>,
    finished: bool,
}

impl Provider for Scripted {
    type Stream = Replay;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "scripted".into(),
            name: "Scripted test provider".into(),
            version: "0.1.0".into(),
            description: "Replays script.json from its data folder.".into(),
            auth_methods: vec![AuthMethod::None],
            allowed_hosts: vec![],
        }
    }

    fn status() -> AuthStatus {
        AuthStatus::LoggedIn(Account {
            label: Some("fixture".into()),
            plan: None,
            account_id: None,
            expires_at: None,
        })
    }

    fn models() -> Vec<ModelInfo> {
        vec![
            model("alpha", "Alpha", false, 128_000, 1.0, 2.0),
            model("beta", "Beta", true, 400_000, 1.25, 10.0),
        ]
    }

    fn complete(request: CompletionRequest) -> Result<Replay, ProviderError> {
        record_request(&request);
        let turn = next_turn();
        let script: Value = std::fs::read_to_string("script.json")
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .ok_or_else(|| ProviderError::InvalidRequest("script.json is missing or invalid".into()))?;
        let events = script["turns"]
            .get(turn)
            .and_then(Value::as_array)
            .ok_or_else(|| ProviderError::InvalidRequest(format!("script.json has no turn {turn}")))?;
        let mut events: VecDeque<Value> = events.iter().cloned().collect();
        if let Some(failure) = events.front().and_then(|event| event.get("fail_start")) {
            return Err(error_from(failure));
        }
        events.retain(|event| event.get("fail_start").is_none());
        Ok(Replay { events, finished: false })
    }
}

impl CompletionStream for Replay {
    fn next(&mut self) -> Result<Option<StreamEvent>, ProviderError> {
        while let Some(event) = self.events.pop_front() {
            if let Some(millis) = event.get("sleep_ms").and_then(Value::as_u64) {
                if !ouro_plugin_sdk::timer::sleep(std::time::Duration::from_millis(millis)) {
                    return Err(ProviderError::Cancelled);
                }
                continue;
            }
            if let Some(failure) = event.get("error") {
                return Err(error_from(failure));
            }
            return Ok(Some(event_from(&event)?));
        }
        if !self.finished {
            self.finished = true;
        }
        Ok(None)
    }
}

fn event_from(event: &Value) -> Result<StreamEvent, ProviderError> {
    let text = |key: &str| event.get(key).and_then(Value::as_str).map(str::to_owned);
    if let Some(delta) = text("text") {
        return Ok(StreamEvent::TextDelta(delta));
    }
    if let Some(delta) = text("reasoning") {
        return Ok(StreamEvent::ReasoningDelta(delta));
    }
    if let Some(item) = text("opaque") {
        return Ok(StreamEvent::Opaque(item));
    }
    if let Some(call) = event.get("tool_call") {
        let arguments = match &call["arguments"] {
            Value::String(raw) => raw.clone(),
            other => other.to_string(),
        };
        return Ok(StreamEvent::ToolCall(ToolCall {
            id: call["id"].as_str().unwrap_or_default().into(),
            name: call["name"].as_str().unwrap_or_default().into(),
            arguments,
        }));
    }
    if let Some(usage) = event.get("usage") {
        let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
        return Ok(StreamEvent::Usage(Usage {
            input_tokens: count("input"),
            cached_input_tokens: count("cached"),
            output_tokens: count("output"),
            reasoning_tokens: count("reasoning"),
        }));
    }
    if let Some(reason) = text("stop") {
        let reason = match reason.as_str() {
            "tool_calls" => StopReason::ToolCalls,
            "length" => StopReason::Length,
            "content_filter" => StopReason::ContentFilter,
            _ => StopReason::EndTurn,
        };
        return Ok(StreamEvent::Stop(reason));
    }
    Err(ProviderError::InvalidRequest(format!("unknown script event {event}")))
}

fn error_from(failure: &Value) -> ProviderError {
    let message = failure["message"].as_str().unwrap_or("scripted failure").to_owned();
    match failure["kind"].as_str().unwrap_or("transient") {
        "auth_required" => ProviderError::AuthRequired(message),
        "rate_limited" => ProviderError::RateLimited(RateLimitedInfo {
            message,
            retry_after_seconds: failure["retry_after"].as_u64(),
        }),
        "quota_exhausted" => ProviderError::QuotaExhausted(QuotaInfo {
            message,
            resets_at: failure["resets_at"].as_u64(),
        }),
        "invalid_request" => ProviderError::InvalidRequest(message),
        "model_not_available" => ProviderError::ModelNotAvailable(message),
        _ => ProviderError::Transient(message),
    }
}

fn next_turn() -> usize {
    let turn = std::fs::read_to_string("turn")
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let _ = std::fs::write("turn", (turn + 1).to_string());
    turn
}

fn record_request(request: &CompletionRequest) {
    let messages: Vec<Value> = request.messages.iter().map(message_json).collect();
    let tools: Vec<&str> = request.tools.iter().map(|tool| tool.name.as_str()).collect();
    let line = json!({
        "model": request.model,
        "instructions_present": !request.instructions.is_empty(),
        "session_id": request.session_id,
        "reasoning_effort": request.reasoning_effort,
        "tools": tools,
        "settings": request.settings,
        "messages": messages,
    });
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open("requests.jsonl") {
        let _ = writeln!(file, "{line}");
    }
}

fn message_json(message: &Message) -> Value {
    match message {
        Message::User(parts) => {
            let parts: Vec<Value> = parts
                .iter()
                .map(|part| match part {
                    ContentPart::Text(text) => json!({"text": text}),
                    ContentPart::ImageUrl(url) => json!({"image_url": url}),
                })
                .collect();
            json!({"user": parts})
        }
        Message::Assistant(text) => json!({"assistant": text}),
        Message::ToolCall(call) => {
            json!({"tool_call": {"id": call.id, "name": call.name, "arguments": call.arguments}})
        }
        Message::ToolResult(result) => json!({"tool_result": {
            "call_id": result.call_id, "output": result.output, "is_error": result.is_error}}),
        Message::Opaque(item) => json!({"opaque": item}),
    }
}

fn model(id: &str, name: &str, reasoning: bool, context: u64, input: f64, output: f64) -> ModelInfo {
    ModelInfo {
        id: id.into(),
        name: name.into(),
        context_window: context,
        max_output_tokens: 32_000,
        reasoning,
        reasoning_efforts: if reasoning {
            vec!["low".into(), "medium".into(), "high".into()]
        } else {
            Vec::new()
        },
        input_modalities: vec![Modality::Text],
        cost: Cost {
            input,
            output,
            cache_read: input / 10.0,
            cache_write: 0.0,
            tiers: Vec::new(),
        },
    }
}

ouro_plugin_sdk::export_provider!(Scripted);
