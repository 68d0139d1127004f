use super::*;
use ouro_plugin_sdk::{ToolCall, ToolResult};

fn request(messages: Vec<Message>) -> CompletionRequest {
    CompletionRequest {
        model: "gpt-6-sol".into(),
        instructions: "Be brief.".into(),
        messages,
        tools: vec![ToolSpec {
            name: "read_file".into(),
            description: "Reads a file".into(),
            parameters: r#"{"type":"object","properties":{"path":{"type":"string"}}}"#.into(),
        }],
        reasoning_effort: None,
        session_id: "session-1".into(),
        settings: Vec::new(),
    }
}

fn conversation() -> Vec<Message> {
    vec![
        Message::User(vec![
            ContentPart::Text("look".into()),
            ContentPart::ImageUrl("data:image/png;base64,AAAA".into()),
        ]),
        Message::Opaque(
            r#"{"id":"rs_1","type":"reasoning","summary":[],"encrypted_content":"enc"}"#.into(),
        ),
        Message::ToolCall(ToolCall {
            id: "call_1".into(),
            name: "read_file".into(),
            arguments: r#"{"path":"a"}"#.into(),
        }),
        Message::ToolResult(ToolResult {
            call_id: "call_1".into(),
            output: "contents".into(),
            is_error: false,
        }),
        Message::Assistant("done".into()),
    ]
}

/// Collects every key anywhere in `value`, for checks that a key never appears.
fn all_keys(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                keys.push(key.clone());
                all_keys(child, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| all_keys(item, keys)),
        _ => {}
    }
}

#[test]
fn body_fixed_fields() {
    let body = build_body(&request(Vec::new())).unwrap();
    assert_eq!(body["model"], "gpt-6-sol");
    assert_eq!(body["instructions"], "Be brief.");
    assert_eq!(body["tool_choice"], "auto");
    assert_eq!(body["parallel_tool_calls"], false);
    assert_eq!(body["store"], false);
    assert_eq!(body["stream"], true);
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(body["prompt_cache_key"], "session-1");
}

#[test]
fn body_omits_rejected_parameters() {
    let mut with_effort = request(conversation());
    with_effort.reasoning_effort = Some("high".into());
    let body = build_body(&with_effort).unwrap();
    let mut keys = Vec::new();
    all_keys(&body, &mut keys);
    for rejected in ["max_output_tokens", "temperature", "top_p", "id"] {
        assert!(!keys.iter().any(|key| key == rejected), "{rejected} sent");
    }
    let roles: Vec<&Value> = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|item| item.get("role"))
        .collect();
    assert!(!roles.iter().any(|role| *role == "system"));
}

#[test]
fn empty_instructions_get_default() {
    let mut empty = request(Vec::new());
    empty.instructions = "  ".into();
    assert_eq!(
        build_body(&empty).unwrap()["instructions"],
        DEFAULT_INSTRUCTIONS
    );
}

#[test]
fn reasoning_only_when_set() {
    let body = build_body(&request(Vec::new())).unwrap();
    assert!(body.get("reasoning").is_none());

    let mut with_effort = request(Vec::new());
    with_effort.reasoning_effort = Some("low".into());
    let body = build_body(&with_effort).unwrap();
    assert_eq!(
        body["reasoning"],
        json!({"effort": "low", "summary": "auto"})
    );
}

#[test]
fn input_items_per_message_kind() {
    let body = build_body(&request(conversation())).unwrap();
    let expected = json!([
        {"role": "user", "content": [
            {"type": "input_text", "text": "look"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
        ]},
        {"type": "reasoning", "summary": [], "encrypted_content": "enc"},
        {"type": "function_call", "call_id": "call_1", "name": "read_file", "arguments": "{\"path\":\"a\"}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "contents"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "done"}]},
    ]);
    assert_eq!(body["input"], expected);
}

#[test]
fn tools_sent_as_functions() {
    let body = build_body(&request(Vec::new())).unwrap();
    let expected = json!([{
        "type": "function",
        "name": "read_file",
        "description": "Reads a file",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
        "strict": false,
    }]);
    assert_eq!(body["tools"], expected);
}

#[test]
fn invalid_tool_schema_rejected() {
    let mut broken = request(Vec::new());
    broken.tools[0].parameters = "{not json".into();
    let error = build_body(&broken).unwrap_err();
    assert!(matches!(error, ProviderError::InvalidRequest(ref m) if m.contains("read_file")));
}

#[test]
fn provider_prefix_stripped() {
    let mut prefixed = request(Vec::new());
    prefixed.model = "chatgpt/gpt-6-sol".into();
    assert_eq!(build_body(&prefixed).unwrap()["model"], "gpt-6-sol");
}

#[test]
fn skips_unusable_history_entries() {
    let messages = vec![
        Message::Assistant(String::new()),
        Message::Opaque("not json".into()),
    ];
    let body = build_body(&request(messages)).unwrap();
    assert_eq!(body["input"], json!([]));
}

#[test]
fn empty_session_omits_cache_key() {
    let mut anonymous = request(Vec::new());
    anonymous.session_id.clear();
    assert!(
        build_body(&anonymous)
            .unwrap()
            .get("prompt_cache_key")
            .is_none()
    );
}

#[test]
fn effort_from_model_setting() {
    let mut configured = request(Vec::new());
    configured.settings = vec![("reasoning_effort".into(), "high".into())];
    let body = build_body(&configured).unwrap();
    assert_eq!(body["reasoning"]["effort"], "high");

    configured.reasoning_effort = Some("low".into());
    let body = build_body(&configured).unwrap();
    assert_eq!(body["reasoning"]["effort"], "low");
}
