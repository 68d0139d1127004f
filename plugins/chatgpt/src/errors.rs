//! Mapping of backend failures (HTTP statuses and stream error events) to
//! [`ProviderError`] variants, which tell the host whether a retry helps.

use ouro_plugin_sdk::{ProviderError, QuotaInfo, RateLimitedInfo};
use serde_json::Value;

use crate::config::LOGIN_COMMAND;
use crate::net::body_message;

/// Retries of a 5xx response inside the plugin, and the wait before each.
const SERVER_RETRY_DELAYS_SECS: [u64; 2] = [1, 2];

/// Longest `Retry-After` the plugin waits out itself; a longer one ends the
/// retries so the user is not left waiting without a word.
pub const MAX_RETRY_AFTER_SECS: u64 = 30;

/// Seconds to wait before retrying a response with `status`, or `None` when
/// it must not be retried here. `retries_done` counts earlier retries.
pub fn server_retry_delay(
    status: u16,
    retry_after: Option<u64>,
    retries_done: usize,
) -> Option<u64> {
    if status < 500 {
        return None;
    }
    let default_delay = *SERVER_RETRY_DELAYS_SECS.get(retries_done)?;
    match retry_after {
        Some(seconds) if seconds > MAX_RETRY_AFTER_SECS => None,
        Some(seconds) => Some(seconds),
        None => Some(default_delay),
    }
}

/// Maps a failed (non-2xx) response of the responses endpoint.
/// `retry_after` is the parsed `Retry-After` header.
pub fn map_http_error(
    status: u16,
    retry_after: Option<u64>,
    body: &str,
    now: u64,
) -> ProviderError {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let error = json.as_ref().map(error_object).unwrap_or(&Value::Null);
    let kind = error_kind(error);
    let message = body_message(body);
    let mentions_usage_limit = {
        let lower = body.to_ascii_lowercase();
        lower.contains("usage limit") || lower.contains("usage_limit")
    };

    match status {
        401 => ProviderError::AuthRequired(format!(
            "ChatGPT rejected the login (HTTP 401: {message}). Run `{LOGIN_COMMAND}` to log in again."
        )),
        429 if kind.as_deref() == Some("usage_not_included") => plan_excludes_codex(error),
        429 if kind.as_deref() == Some("usage_limit_reached") => usage_limit(error, now),
        404 if mentions_usage_limit => usage_limit(error, now),
        429 => ProviderError::RateLimited(RateLimitedInfo {
            message: format!("ChatGPT rate limit hit: {message}"),
            retry_after_seconds: retry_after,
        }),
        400 if message.contains("not supported when using Codex with a ChatGPT account") => {
            ProviderError::ModelNotAvailable(message)
        }
        400 => ProviderError::InvalidRequest(format!(
            "the ChatGPT backend rejected the request: {message}"
        )),
        403 => ProviderError::AuthRequired(format!(
            "ChatGPT denied access (HTTP 403: {message}). If this persists, run `{LOGIN_COMMAND}`."
        )),
        404 => ProviderError::InvalidRequest(format!(
            "the Codex endpoint was not found (HTTP 404: {message}); check the `base-url` or `api_base` setting"
        )),
        500..=599 => ProviderError::Transient(format!(
            "the ChatGPT backend failed with HTTP {status}: {message}"
        )),
        _ => ProviderError::InvalidRequest(format!(
            "the ChatGPT backend returned HTTP {status}: {message}"
        )),
    }
}

/// Maps the error object of a `response.failed` or `error` stream event.
pub fn map_stream_error(error: &Value, now: u64) -> ProviderError {
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .unwrap_or("no details in the event")
        .to_owned();
    let kind = error_kind(error).unwrap_or_default();

    match kind.as_str() {
        "usage_limit_reached" => usage_limit(error, now),
        "usage_not_included" => plan_excludes_codex(error),
        "insufficient_quota" => ProviderError::QuotaExhausted(QuotaInfo {
            message,
            resets_at: None,
        }),
        "rate_limit_exceeded" => ProviderError::RateLimited(RateLimitedInfo {
            retry_after_seconds: retry_hint_seconds(&message),
            message: format!("ChatGPT rate limit hit: {message}"),
        }),
        "context_length_exceeded" => ProviderError::InvalidRequest(format!(
            "the conversation is longer than the model's context window: {message}"
        )),
        "model_not_found" => ProviderError::ModelNotAvailable(message),
        kind if kind.starts_with("invalid_") => ProviderError::InvalidRequest(message),
        "" => ProviderError::Transient(format!("the ChatGPT response failed: {message}")),
        kind => {
            ProviderError::Transient(format!("the ChatGPT response failed ({kind}): {message}"))
        }
    }
}

/// Selects the object with `type` and `code`: `error` when it is an object,
/// else the whole body.
fn error_object(json: &Value) -> &Value {
    json.get("error")
        .filter(|error| error.is_object())
        .unwrap_or(json)
}

/// Reads the error kind from `code` or `type`. Usage-limit errors carry
/// their kind in `type` and other errors in `code`, so a `usage_` value in
/// either wins, then `code`, then `type`.
fn error_kind(error: &Value) -> Option<String> {
    let known = |key: &str| {
        error
            .get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
    };
    let code = known("code");
    let kind = known("type");
    let usage = |value: &&str| value.starts_with("usage_");
    code.filter(usage)
        .or(kind.filter(usage))
        .or(code)
        .or(kind)
        .map(str::to_owned)
}

fn usage_limit(error: &Value, now: u64) -> ProviderError {
    let resets_at = error.get("resets_at").and_then(Value::as_u64).or_else(|| {
        let delay = error.get("resets_in_seconds").and_then(Value::as_u64)?;
        Some(now.saturating_add(delay))
    });
    let plan = plan_type(error)
        .map(|plan| format!(" (plan: {plan})"))
        .unwrap_or_default();
    // The reset time travels in `resets_at`, which the host renders itself.
    let message = match resets_at {
        Some(_) => format!("ChatGPT usage limit reached{plan}"),
        None => {
            format!("ChatGPT usage limit reached{plan}; the reset time is unknown, try again later")
        }
    };
    ProviderError::QuotaExhausted(QuotaInfo { message, resets_at })
}

fn plan_excludes_codex(error: &Value) -> ProviderError {
    let plan = plan_type(error)
        .map(|plan| format!(" (plan: {plan})"))
        .unwrap_or_default();
    ProviderError::ModelNotAvailable(format!(
        "your ChatGPT plan does not include Codex{plan}; use a Plus or Pro plan, or another provider"
    ))
}

fn plan_type(error: &Value) -> Option<&str> {
    error
        .get("plan_type")
        .and_then(Value::as_str)
        .filter(|plan| !plan.is_empty())
}

/// Extracts the wait from messages such as "Please try again in 11.054s" or "in 250ms",
/// rounded up to whole seconds.
fn retry_hint_seconds(message: &str) -> Option<u64> {
    let rest = &message[message.find("try again in ")? + "try again in ".len()..];
    let number_end = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let value: f64 = rest[..number_end].parse().ok()?;
    let unit = &rest[number_end..];
    let seconds = if unit.starts_with("ms") {
        value / 1000.0
    } else if unit.starts_with('s') {
        value
    } else {
        return None;
    };
    Some(seconds.ceil() as u64)
}

#[cfg(test)]
#[path = "errors_tests.rs"]
mod tests;
