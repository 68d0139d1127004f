//! The conversation as the agent stores it: serialisable for saved
//! sessions and convertible to the provider interface's messages.
//!
//! Invariant: every `ToolCall` item is followed (before the next `User`
//! item) by a `ToolResult` with its id, even when the user cancelled, so a
//! provider never receives an unanswered call.

use serde::{Deserialize, Serialize};

use crate::plugins::{ContentPart, Message, ToolCall, ToolResult};

/// One entry of the conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Item {
    User { text: String },
    Assistant { text: String },
    ToolCall { id: String, name: String, arguments: String },
    ToolResult { call_id: String, output: String, is_error: bool },
    /// A provider-specific item (such as encrypted reasoning) sent back verbatim.
    Opaque { data: String },
}

impl Item {
    /// Converts the item to the provider interface's message.
    pub fn to_message(&self) -> Message {
        match self {
            Item::User { text } => Message::User(vec![ContentPart::Text(text.clone())]),
            Item::Assistant { text } => Message::Assistant(text.clone()),
            Item::ToolCall { id, name, arguments } => Message::ToolCall(ToolCall {
                id: id.clone(),
                name: name.clone(),
                arguments: arguments.clone(),
            }),
            Item::ToolResult {
                call_id,
                output,
                is_error,
            } => Message::ToolResult(ToolResult {
                call_id: call_id.clone(),
                output: output.clone(),
                is_error: *is_error,
            }),
            Item::Opaque { data } => Message::Opaque(data.clone()),
        }
    }
}

/// Appends a "cancelled" result for every tool call in `items` that has no
/// result yet, restoring the invariant above.
pub fn close_open_calls(items: &mut Vec<Item>) {
    let open: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::ToolCall { id, .. } => Some(id.clone()),
            _ => None,
        })
        .filter(|id| {
            !items
                .iter()
                .any(|item| matches!(item, Item::ToolResult { call_id, .. } if call_id == id))
        })
        .collect();
    for call_id in open {
        items.push(Item::ToolResult {
            call_id,
            output: "cancelled by the user before this tool ran".into(),
            is_error: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_calls_get_cancelled_results() {
        let mut items = vec![
            Item::User { text: "hi".into() },
            Item::ToolCall { id: "a".into(), name: "shell".into(), arguments: "{}".into() },
            Item::ToolResult { call_id: "a".into(), output: "ok".into(), is_error: false },
            Item::ToolCall { id: "b".into(), name: "shell".into(), arguments: "{}".into() },
        ];
        close_open_calls(&mut items);
        assert_eq!(items.len(), 5);
        assert_eq!(
            items[4],
            Item::ToolResult {
                call_id: "b".into(),
                output: "cancelled by the user before this tool ran".into(),
                is_error: true
            }
        );
    }

    #[test]
    fn items_round_trip_through_json() {
        let item = Item::ToolCall { id: "1".into(), name: "grep".into(), arguments: "{\"pattern\":\"x\"}".into() };
        let text = serde_json::to_string(&item).unwrap();
        assert_eq!(serde_json::from_str::<Item>(&text).unwrap(), item);
    }
}
