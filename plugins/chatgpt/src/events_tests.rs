use super::*;
use serde_json::json;

const NOW: u64 = 1_700_000_000;

fn map_all(events: &[Value]) -> Vec<StreamEvent> {
    let mut mapper = EventMapper::new(NOW);
    events
        .iter()
        .flat_map(|event| mapper.map(event).unwrap())
        .collect()
}

fn text_of(event: &StreamEvent) -> Option<(&'static str, &str)> {
    match event {
        StreamEvent::TextDelta(text) => Some(("text", text)),
        StreamEvent::ReasoningDelta(text) => Some(("reasoning", text)),
        StreamEvent::Opaque(text) => Some(("opaque", text)),
        _ => None,
    }
}

fn stop_of(events: &[StreamEvent]) -> Option<StopReason> {
    match events.last()? {
        StreamEvent::Stop(reason) => Some(*reason),
        _ => None,
    }
}

#[test]
fn text_delta_maps_to_text() {
    let events = map_all(&[json!({"type": "response.output_text.delta", "delta": "Hi"})]);
    assert_eq!(
        events.iter().filter_map(text_of).collect::<Vec<_>>(),
        vec![("text", "Hi")]
    );
}

#[test]
fn reasoning_deltas_map_to_reasoning() {
    let events = map_all(&[
        json!({"type": "response.reasoning_summary_part.added", "summary_index": 0}),
        json!({"type": "response.reasoning_summary_text.delta", "delta": "plan"}),
        json!({"type": "response.reasoning_summary_part.added", "summary_index": 1}),
        json!({"type": "response.reasoning_text.delta", "delta": "raw"}),
    ]);
    let texts: Vec<_> = events.iter().filter_map(text_of).collect();
    assert_eq!(
        texts,
        vec![
            ("reasoning", "plan"),
            ("reasoning", "\n\n"),
            ("reasoning", "raw")
        ]
    );
}

#[test]
fn function_call_item_to_tool_call() {
    let events = map_all(&[
        json!({"type": "response.output_item.done", "item": {
            "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "ls", "arguments": "{\"a\":1}"}}),
        json!({"type": "response.completed", "response": {"output": []}}),
    ]);
    let StreamEvent::ToolCall(call) = &events[0] else {
        panic!("expected a tool call")
    };
    assert_eq!(call.id, "call_1");
    assert_eq!(call.name, "ls");
    assert_eq!(call.arguments, "{\"a\":1}");
    assert_eq!(stop_of(&events), Some(StopReason::ToolCalls));
}

#[test]
fn arguments_assembled_from_deltas() {
    let events = map_all(&[
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "delta": "{\"pa"}),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_2", "delta": "{}"}),
        json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "delta": "th\":\"x\"}"}),
        json!({"type": "response.output_item.done", "item": {
            "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "read"}}),
    ]);
    let StreamEvent::ToolCall(call) = &events[0] else {
        panic!("expected a tool call")
    };
    assert_eq!(call.arguments, "{\"path\":\"x\"}");
}

#[test]
fn missing_arguments_become_empty_object() {
    let events = map_all(&[json!({"type": "response.output_item.done", "item": {
        "type": "function_call", "id": "fc_9", "call_id": "c", "name": "now", "arguments": ""}})]);
    let StreamEvent::ToolCall(call) = &events[0] else {
        panic!("expected a tool call")
    };
    assert_eq!(call.arguments, "{}");
}

#[test]
fn reasoning_item_to_opaque() {
    let events = map_all(&[json!({"type": "response.output_item.done", "item": {
        "type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "gAAA"}})]);
    let StreamEvent::Opaque(text) = &events[0] else {
        panic!("expected an opaque item")
    };
    let item: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        item,
        json!({"type": "reasoning", "summary": [], "encrypted_content": "gAAA"})
    );
}

#[test]
fn reasoning_without_content_dropped() {
    let events = map_all(&[
        json!({"type": "response.output_item.done", "item": {"type": "reasoning", "id": "rs_1", "summary": []}}),
        json!({"type": "response.output_item.done", "item": {"type": "message", "id": "msg_1", "content": []}}),
    ]);
    assert!(events.is_empty());
}

#[test]
fn completed_yields_usage_then_stop() {
    let events = map_all(&[
        json!({"type": "response.completed", "response": {"output": [], "usage": {
        "input_tokens": 100, "input_tokens_details": {"cached_tokens": 40},
        "output_tokens": 30, "output_tokens_details": {"reasoning_tokens": 12}, "total_tokens": 130}}}),
    ]);
    let StreamEvent::Usage(usage) = &events[0] else {
        panic!("expected usage")
    };
    assert_eq!(usage.input_tokens, 100);
    assert_eq!(usage.cached_input_tokens, 40);
    assert_eq!(usage.output_tokens, 30);
    assert_eq!(usage.reasoning_tokens, 12);
    assert_eq!(stop_of(&events), Some(StopReason::EndTurn));
}

#[test]
fn usage_with_null_details() {
    let events = map_all(&[json!({"type": "response.done", "response": {"usage": {
        "input_tokens": 5, "input_tokens_details": null, "output_tokens": 2, "output_tokens_details": null}}})]);
    let StreamEvent::Usage(usage) = &events[0] else {
        panic!("expected usage")
    };
    assert_eq!((usage.input_tokens, usage.cached_input_tokens), (5, 0));
    assert_eq!((usage.output_tokens, usage.reasoning_tokens), (2, 0));
    assert_eq!(stop_of(&events), Some(StopReason::EndTurn));
}

#[test]
fn incomplete_stops_with_length() {
    let events = map_all(&[json!({"type": "response.incomplete", "response": {
        "incomplete_details": {"reason": "max_output_tokens"}}})]);
    assert_eq!(stop_of(&events), Some(StopReason::Length));
    let filtered = map_all(&[json!({"type": "response.incomplete", "response": {
        "incomplete_details": {"reason": "content_filter"}}})]);
    assert_eq!(stop_of(&filtered), Some(StopReason::ContentFilter));
}

#[test]
fn failed_event_maps_error() {
    let mut mapper = EventMapper::new(NOW);
    let event = json!({"type": "response.failed", "response": {"error": {
        "code": "context_length_exceeded", "message": "Your input exceeds the context window"}}});
    let error = mapper.map(&event).unwrap_err();
    assert!(matches!(error, ProviderError::InvalidRequest(ref m) if m.contains("context window")));
    assert!(mapper.finished());
}

#[test]
fn error_event_maps_error() {
    let mut mapper = EventMapper::new(NOW);
    let top_level = json!({"type": "error", "code": "server_is_overloaded", "message": "busy"});
    assert!(matches!(
        mapper.map(&top_level),
        Err(ProviderError::Transient(_))
    ));

    let mut mapper = EventMapper::new(NOW);
    let nested =
        json!({"type": "error", "error": {"type": "usage_limit_reached", "resets_in_seconds": 60}});
    let error = mapper.map(&nested).unwrap_err();
    assert!(
        matches!(error, ProviderError::QuotaExhausted(ref info) if info.resets_at == Some(NOW + 60))
    );
}

#[test]
fn rate_limits_event_mapped() {
    let events = map_all(&[json!({"type": "codex.rate_limits", "rate_limits": {
        "primary": {"used_percent": 42.5, "window_minutes": 300, "reset_at": NOW + 100},
        "secondary": {"used_percent": 10, "window_minutes": 10080, "resets_in_seconds": 50}}})]);
    let StreamEvent::RateLimits(limits) = &events[0] else {
        panic!("expected rate limits")
    };
    let primary = limits.primary.as_ref().unwrap();
    assert_eq!(primary.used_percent, 42.5);
    assert_eq!(primary.window_minutes, Some(300));
    assert_eq!(primary.resets_at, Some(NOW + 100));
    let secondary = limits.secondary.as_ref().unwrap();
    assert_eq!(secondary.used_percent, 10.0);
    assert_eq!(secondary.resets_at, Some(NOW + 50));
}

#[test]
fn rate_limits_from_response_headers() {
    let headers: Vec<(String, String)> = [
        ("x-codex-primary-used-percent", "12.5"),
        ("x-codex-primary-window-minutes", "300"),
        ("x-codex-primary-reset-at", "1700000600"),
        ("x-codex-secondary-used-percent", "3"),
    ]
    .iter()
    .map(|(key, value)| (key.to_string(), value.to_string()))
    .collect();
    let limits = rate_limits_from_headers(&headers).unwrap();
    let primary = limits.primary.unwrap();
    assert_eq!(primary.used_percent, 12.5);
    assert_eq!(primary.window_minutes, Some(300));
    assert_eq!(primary.resets_at, Some(1_700_000_600));
    let secondary = limits.secondary.unwrap();
    assert_eq!(secondary.used_percent, 3.0);
    assert_eq!(secondary.window_minutes, None);
    assert!(rate_limits_from_headers(&[]).is_none());
}

#[test]
fn unknown_events_ignored() {
    let events = map_all(&[
        json!({"type": "response.created", "response": {}}),
        json!({"type": "response.something_new", "delta": "x"}),
        json!({"no_type": true}),
        json!({"type": "response.output_text.delta", "delta": ""}),
    ]);
    assert!(events.is_empty());
}

#[test]
fn events_after_terminal_ignored() {
    let events = map_all(&[
        json!({"type": "response.completed", "response": {}}),
        json!({"type": "response.output_text.delta", "delta": "late"}),
    ]);
    assert_eq!(events.len(), 1);
    assert_eq!(stop_of(&events), Some(StopReason::EndTurn));
}
