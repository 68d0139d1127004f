//! HTTP helpers shared by the login, refresh and completion code.

use ouro_plugin_sdk::ProviderError;
use ouro_plugin_sdk::http::{HttpError, Request, Response};
use serde_json::Value;

use crate::config::{Endpoints, ORIGINATOR, user_agent};

/// Maximum length of a server message quoted in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// Starts a POST to `url` with the headers every request carries (`originator`,
/// `User-Agent`) and the `timeout` setting applied.
pub fn post(endpoints: &Endpoints, url: &str) -> Request {
    let request = Request::post(url)
        .header("originator", ORIGINATOR)
        .header("user-agent", user_agent(endpoints.platform.as_deref()));
    match endpoints.timeout_ms {
        Some(timeout_ms) => request.timeout_ms(timeout_ms),
        None => request,
    }
}

/// Sends `request`; `action` names it in errors ("refreshing the ChatGPT login").
pub fn send(request: Request, action: &str) -> Result<Response, ProviderError> {
    request.send().map_err(|error| http_error(action, error))
}

/// Reads the whole response body as text.
pub fn read_text(response: &Response, action: &str) -> Result<String, ProviderError> {
    response.text().map_err(|error| http_error(action, error))
}

/// Maps a host HTTP failure: a rejected destination or malformed request is
/// a configuration problem, everything else is worth retrying later.
pub fn http_error(action: &str, error: HttpError) -> ProviderError {
    match error {
        HttpError::Denied(message) | HttpError::InvalidRequest(message) => {
            ProviderError::InvalidRequest(format!("{action} failed: {message}"))
        }
        HttpError::Timeout(message) => {
            ProviderError::Transient(format!("{action} timed out: {message}"))
        }
        HttpError::Network(message) | HttpError::TooLarge(message) => {
            ProviderError::Transient(format!("{action} failed: {message}"))
        }
    }
}

/// Extracts the human-readable part of an error body: OAuth `error_description`,
/// `error.message`, `detail`, `message`, or a string `error`, else the start
/// of the raw body. Never longer than [`MAX_MESSAGE_CHARS`].
pub fn body_message(body: &str) -> String {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let from_json = json.as_ref().and_then(|json| {
        fn text(value: Option<&Value>) -> Option<&str> {
            value
                .and_then(Value::as_str)
                .filter(|text| !text.trim().is_empty())
        }
        text(json.get("error_description"))
            .or_else(|| text(json.get("error").and_then(|error| error.get("message"))))
            .or_else(|| text(json.get("detail")))
            .or_else(|| text(json.get("message")))
            .or_else(|| text(json.get("error")))
            .or_else(|| text(json.get("error").and_then(|error| error.get("code"))))
            .map(str::to_owned)
    });
    let message = from_json.unwrap_or_else(|| body.trim().to_owned());
    if message.is_empty() {
        return "no details in the response".into();
    }
    truncate(&message, MAX_MESSAGE_CHARS)
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_from_oauth_error() {
        let body = r#"{"error":"invalid_grant","error_description":"Code expired"}"#;
        assert_eq!(body_message(body), "Code expired");
    }

    #[test]
    fn message_from_nested_error() {
        assert_eq!(
            body_message(r#"{"error":{"message":"Bad thing","code":"x"}}"#),
            "Bad thing"
        );
        assert_eq!(
            body_message(r#"{"error":{"code":"only_code"}}"#),
            "only_code"
        );
        assert_eq!(
            body_message(r#"{"detail":"Instructions are required"}"#),
            "Instructions are required"
        );
        assert_eq!(body_message(r#"{"error":"plain"}"#), "plain");
    }

    #[test]
    fn message_from_plain_body() {
        assert_eq!(body_message("  upstream down \n"), "upstream down");
        assert_eq!(body_message(""), "no details in the response");
    }

    #[test]
    fn long_message_truncated() {
        let long = "é".repeat(MAX_MESSAGE_CHARS + 10);
        let message = body_message(&long);
        assert_eq!(message.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(message.ends_with('…'));
    }
}
