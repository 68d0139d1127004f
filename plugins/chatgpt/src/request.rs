//! The JSON body of a Codex responses request.
//!
//! The backend has rejected, at various times, a missing `instructions`,
//! `store: true`, sampling and length parameters (`max_output_tokens`,
//! `temperature`, `top_p`), system-role input items, and item ids of earlier
//! output when `store` is false. The body avoids all of them, which both the
//! older strict and the newer lenient behaviour accept.

use ouro_plugin_sdk::{CompletionRequest, ContentPart, Message, ProviderError, ToolSpec, setting};
use serde_json::{Map, Value, json};

use crate::logging as log;

/// Instructions sent when the host passes none; the backend requires the field.
pub const DEFAULT_INSTRUCTIONS: &str = "You are a helpful coding assistant.";

/// Builds the request body for `request`.
pub fn build_body(request: &CompletionRequest) -> Result<Value, ProviderError> {
    let instructions = if request.instructions.trim().is_empty() {
        DEFAULT_INSTRUCTIONS
    } else {
        request.instructions.as_str()
    };
    let tools = request
        .tools
        .iter()
        .map(tool_json)
        .collect::<Result<Vec<_>, _>>()?;
    let input: Vec<Value> = request.messages.iter().filter_map(input_item).collect();

    let mut body = json!({
        "model": model_id(&request.model),
        "instructions": instructions,
        "input": input,
        "tools": tools,
        "tool_choice": "auto",
        "parallel_tool_calls": false,
        "store": false,
        "stream": true,
        "include": ["reasoning.encrypted_content"],
    });
    if let Some(effort) = reasoning_effort(request) {
        body["reasoning"] = json!({ "effort": effort, "summary": "auto" });
    }
    if !request.session_id.is_empty() {
        body["prompt_cache_key"] = json!(request.session_id);
    }
    Ok(body)
}

/// Returns the requested reasoning effort: the request's own, else the
/// model's `reasoning_effort` setting from `models.yaml`, which the host
/// passes through as text.
fn reasoning_effort(request: &CompletionRequest) -> Option<&str> {
    let from_setting = setting(&request.settings, "reasoning_effort");
    request
        .reasoning_effort
        .as_deref()
        .or(from_setting)
        .map(str::trim)
        .filter(|effort| !effort.is_empty())
}

/// Strips a `chatgpt/` provider prefix from the model id, in case the
/// host passes the full id.
fn model_id(model: &str) -> &str {
    model.strip_prefix("chatgpt/").unwrap_or(model)
}

fn tool_json(tool: &ToolSpec) -> Result<Value, ProviderError> {
    let parameters: Value = serde_json::from_str(&tool.parameters).map_err(|error| {
        ProviderError::InvalidRequest(format!(
            "tool {:?} has an invalid parameters schema: {error}",
            tool.name
        ))
    })?;
    Ok(json!({
        "type": "function",
        "name": tool.name,
        "description": tool.description,
        "parameters": parameters,
        "strict": false,
    }))
}

/// Converts one history entry. Returns `None` for entries that must not be
/// sent: empty assistant text and opaque items that are not JSON objects.
fn input_item(message: &Message) -> Option<Value> {
    match message {
        Message::User(parts) => {
            let content: Vec<Value> = parts
                .iter()
                .map(|part| match part {
                    ContentPart::Text(text) => json!({ "type": "input_text", "text": text }),
                    ContentPart::ImageUrl(url) => {
                        json!({ "type": "input_image", "image_url": url })
                    }
                })
                .collect();
            Some(json!({ "role": "user", "content": content }))
        }
        Message::Assistant(text) if text.is_empty() => None,
        Message::Assistant(text) => Some(json!({
            "type": "message",
            "role": "assistant",
            "content": [{ "type": "output_text", "text": text }],
        })),
        Message::ToolCall(call) => Some(json!({
            "type": "function_call",
            "call_id": call.id,
            "name": call.name,
            "arguments": call.arguments,
        })),
        Message::ToolResult(result) => Some(json!({
            "type": "function_call_output",
            "call_id": result.call_id,
            "output": result.output,
        })),
        Message::Opaque(text) => opaque_item(text),
    }
}

/// Parses an item this plugin emitted earlier and drops its `id`, because
/// with `store: false` the backend cannot resolve ids of earlier output.
fn opaque_item(text: &str) -> Option<Value> {
    match serde_json::from_str::<Map<String, Value>>(text) {
        Ok(mut item) => {
            item.remove("id");
            Some(Value::Object(item))
        }
        Err(_) => {
            log::warn("skipping a stored provider item that is not a JSON object");
            None
        }
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
