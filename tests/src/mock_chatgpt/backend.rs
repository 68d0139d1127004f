//! `POST /backend-api/codex/responses`: checks the token, headers and body
//! the way the Codex backend does, then serves the next scripted response.

use serde_json::{Value, json};

use super::codec::unix_now;
use super::events::{sse_frame, text_stream};
use super::recorded::RecordedRequest;
use super::server::Reply;
use super::state::{Grant, Scripted, State};

/// Body parameters the backend rejects with "Unsupported parameter".
const UNSUPPORTED_PARAMETERS: &[&str] = &[
    "max_output_tokens",
    "temperature",
    "top_p",
    "max_tokens",
    "frequency_penalty",
    "presence_penalty",
];

/// Text of the response sent when no response is queued.
pub(super) const DEFAULT_TEXT: &str = "Hello from the mock.";

fn detail(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({"detail": message}))
}

fn token_invalidated(message: &str) -> Reply {
    Reply::json(
        401,
        json!({"error": {"code": "token_invalidated", "message": message}}),
    )
}

/// Returns the login behind a valid bearer token, or the 401 reply.
fn authenticate(state: &State, request: &RecordedRequest) -> Result<Grant, Reply> {
    let header = request.header("authorization").unwrap_or("");
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => {
            return Err(token_invalidated(
                "Missing bearer token in the Authorization header.",
            ));
        }
    };
    let Some(record) = state.access_tokens.get(token) else {
        return Err(token_invalidated(
            "Your authentication token has been invalidated. Please try signing in again.",
        ));
    };
    if record.invalidated {
        return Err(token_invalidated(
            "Your authentication token has been invalidated. Please try signing in again.",
        ));
    }
    if record.expires_at <= unix_now() {
        return Err(token_invalidated(
            "Provided authentication token is expired. Please try signing in again.",
        ));
    }
    Ok(record.grant.clone())
}

/// Checks the account, originator and accept headers.
fn check_headers(grant: &Grant, request: &RecordedRequest) -> Result<(), Reply> {
    // NOTE: the statuses here (403 for account and originator, 400 for
    // accept) are the mock's own choice. The real backend's responses to
    // these cases were not observed.
    let account_id = request.header("chatgpt-account-id").unwrap_or("");
    if account_id != grant.identity.account_id {
        let message = format!(
            "chatgpt-account-id {account_id:?} does not match the token's account {:?}.",
            grant.identity.account_id
        );
        return Err(Reply::json(
            403,
            json!({"error": {"code": "account_mismatch", "message": message}}),
        ));
    }

    let originator = request.header("originator").unwrap_or("");
    let originator_ok = match &grant.originator {
        Some(expected) => originator == expected,
        None => !originator.is_empty(),
    };
    if !originator_ok {
        let expected = grant.originator.as_deref().unwrap_or("any non-empty value");
        let message = format!(
            "originator {originator:?} does not match the login's originator ({expected})."
        );
        return Err(Reply::json(
            403,
            json!({"error": {"code": "originator_mismatch", "message": message}}),
        ));
    }

    let accept = request.header("accept").unwrap_or("");
    if !accept.contains("text/event-stream") {
        return Err(detail(
            400,
            "The Accept header must include text/event-stream.",
        ));
    }
    Ok(())
}

/// Checks the body and returns the backend's 400 detail message for the
/// first rule it breaks.
fn check_body(state: &State, body: &Value) -> Result<(), String> {
    if !body.get("instructions").is_some_and(Value::is_string) {
        return Err("Instructions are required".to_owned());
    }
    if body.get("store") != Some(&Value::Bool(false)) {
        return Err("Store must be set to false".to_owned());
    }
    if body.get("stream") != Some(&Value::Bool(true)) {
        return Err("Stream must be set to true".to_owned());
    }
    if let Some(name) = UNSUPPORTED_PARAMETERS
        .iter()
        .find(|name| body.get(**name).is_some())
    {
        return Err(format!("Unsupported parameter: {name}"));
    }

    let items = body
        .get("input")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    for item in items {
        if item.get("role").and_then(Value::as_str) == Some("system") {
            return Err("System messages are not allowed".to_owned());
        }
        if let Some(id) = item.get("id").filter(|id| !id.is_null()) {
            let id = id
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| id.to_string());
            return Err(format!(
                "Item with id '{id}' not found. Items are not persisted when `store` is set to false. \
                 Try again with `store` set to true, or remove this item from your input."
            ));
        }
    }

    let model = body.get("model").and_then(Value::as_str).unwrap_or("");
    let allowed = state
        .allowed_models
        .as_ref()
        .is_none_or(|models| models.contains(model));
    if model.is_empty() || !allowed || state.rejected_models.contains(model) {
        return Err(format!(
            "The '{model}' model is not supported when using Codex with a ChatGPT account."
        ));
    }
    Ok(())
}

/// Handles a completion request: authentication, headers, body, then the
/// next queued response (default: a short text stream).
pub(super) fn create_response(state: &mut State, request: &RecordedRequest) -> Reply {
    let grant = match authenticate(state, request) {
        Ok(grant) => grant,
        Err(reply) => return reply,
    };
    if let Err(reply) = check_headers(&grant, request) {
        return reply;
    }
    let body = match serde_json::from_slice::<Value>(&request.body) {
        Ok(body) if body.is_object() => body,
        _ => return detail(400, "The request body must be a JSON object."),
    };
    if let Err(message) = check_body(state, &body) {
        return detail(400, &message);
    }

    let scripted = state
        .queue
        .pop_front()
        .unwrap_or_else(|| Scripted::Events(text_stream(DEFAULT_TEXT)));
    let mut headers = state.rate_limit_headers.clone();
    match scripted {
        Scripted::Events(events) => {
            Reply::event_stream(headers, events.iter().map(sse_frame).collect())
        }
        Scripted::Raw { chunks, abort } => Reply::raw_stream(headers, chunks, abort),
        Scripted::Error {
            status,
            headers: extra,
            body,
        } => {
            headers.extend(extra);
            Reply::Json {
                status,
                headers,
                body,
            }
        }
    }
}
