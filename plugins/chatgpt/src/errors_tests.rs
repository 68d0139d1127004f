use super::*;
use serde_json::json;

const NOW: u64 = 1_700_000_000;

#[test]
fn unauthorized_needs_login() {
    let error = map_http_error(
        401,
        None,
        r#"{"error":{"code":"token_invalidated","message":"gone"}}"#,
        NOW,
    );
    assert!(
        matches!(error, ProviderError::AuthRequired(ref m) if m.contains(LOGIN_COMMAND) && m.contains("gone"))
    );
}

#[test]
fn usage_limit_with_reset_time() {
    let body = json!({"error": {"type": "usage_limit_reached", "plan_type": "plus", "resets_at": NOW + 7500}});
    let ProviderError::QuotaExhausted(info) = map_http_error(429, None, &body.to_string(), NOW)
    else {
        panic!("expected QuotaExhausted");
    };
    assert_eq!(info.resets_at, Some(NOW + 7500));
    assert!(info.message.contains("plan: plus"), "{}", info.message);
}

#[test]
fn usage_limit_relative_reset() {
    let body = json!({"error": {"type": "usage_limit_reached", "resets_in_seconds": 600}});
    let ProviderError::QuotaExhausted(info) = map_http_error(429, Some(5), &body.to_string(), NOW)
    else {
        panic!("expected QuotaExhausted");
    };
    assert_eq!(info.resets_at, Some(NOW + 600));
}

#[test]
fn usage_limit_as_code() {
    let body = json!({"error": {"code": "usage_limit_reached", "type": "invalid_request_error"}});
    let error = map_http_error(429, None, &body.to_string(), NOW);
    assert!(matches!(error, ProviderError::QuotaExhausted(ref info)
        if info.resets_at.is_none() && info.message.contains("unknown")));
}

#[test]
fn not_found_usage_limit() {
    let body = r#"{"detail":"You've hit your usage limit. Upgrade for more."}"#;
    assert!(matches!(
        map_http_error(404, None, body, NOW),
        ProviderError::QuotaExhausted(_)
    ));
}

#[test]
fn plan_without_codex() {
    let body = json!({"error": {"type": "usage_not_included", "plan_type": "free"}});
    let error = map_http_error(429, None, &body.to_string(), NOW);
    assert!(matches!(error, ProviderError::ModelNotAvailable(ref m)
        if m.contains("does not include Codex") && m.contains("plan: free")));
}

#[test]
fn plain_rate_limit_retry_after() {
    let body = r#"{"error":{"code":"rate_limit_exceeded","message":"Slow down"}}"#;
    let ProviderError::RateLimited(info) = map_http_error(429, Some(20), body, NOW) else {
        panic!("expected RateLimited");
    };
    assert_eq!(info.retry_after_seconds, Some(20));
    assert!(info.message.contains("Slow down"));
}

#[test]
fn unsupported_model_detail() {
    let detail = "The 'gpt-9' model is not supported when using Codex with a ChatGPT account.";
    let body = json!({"detail": detail}).to_string();
    assert!(
        matches!(map_http_error(400, None, &body, NOW), ProviderError::ModelNotAvailable(ref m) if m == detail)
    );
}

#[test]
fn other_bad_request_invalid() {
    let body = r#"{"detail":"Unsupported parameter: temperature"}"#;
    let error = map_http_error(400, None, body, NOW);
    assert!(
        matches!(error, ProviderError::InvalidRequest(ref m) if m.contains("Unsupported parameter: temperature"))
    );
}

#[test]
fn server_errors_transient() {
    for (status, body) in [
        (503, r#"{"error":{"code":"server_is_overloaded"}}"#),
        (500, "boom"),
        (502, ""),
    ] {
        let error = map_http_error(status, None, body, NOW);
        assert!(
            matches!(error, ProviderError::Transient(ref m) if m.contains(&status.to_string())),
            "{status}"
        );
    }
}

#[test]
fn forbidden_and_not_found() {
    assert!(matches!(
        map_http_error(403, None, "denied", NOW),
        ProviderError::AuthRequired(_)
    ));
    let error = map_http_error(404, None, "Not Found", NOW);
    assert!(matches!(error, ProviderError::InvalidRequest(ref m) if m.contains("base-url")));
}

#[test]
fn retry_delays_bounded() {
    assert_eq!(server_retry_delay(503, None, 0), Some(1));
    assert_eq!(server_retry_delay(500, None, 1), Some(2));
    assert_eq!(server_retry_delay(500, None, 2), None);
    assert_eq!(server_retry_delay(429, None, 0), None);
    assert_eq!(server_retry_delay(400, None, 0), None);
}

#[test]
fn retry_after_honoured_up_to_limit() {
    assert_eq!(server_retry_delay(503, Some(7), 0), Some(7));
    assert_eq!(
        server_retry_delay(503, Some(MAX_RETRY_AFTER_SECS), 1),
        Some(MAX_RETRY_AFTER_SECS)
    );
    assert_eq!(
        server_retry_delay(503, Some(MAX_RETRY_AFTER_SECS + 1), 0),
        None
    );
    assert_eq!(server_retry_delay(503, Some(3), 2), None);
}

#[test]
fn stream_error_codes() {
    let cases = [
        (
            json!({"code": "context_length_exceeded", "message": "too long"}),
            "invalid",
        ),
        (
            json!({"code": "invalid_prompt", "message": "bad"}),
            "invalid",
        ),
        (json!({"code": "model_not_found", "message": "no"}), "model"),
        (
            json!({"code": "insufficient_quota", "message": "none left"}),
            "quota",
        ),
        (
            json!({"type": "usage_limit_reached", "resets_in_seconds": 60}),
            "quota",
        ),
        (
            json!({"code": "server_is_overloaded", "message": "busy"}),
            "transient",
        ),
        (json!({"message": "mystery"}), "transient"),
    ];
    for (error, expected) in cases {
        let mapped = map_stream_error(&error, NOW);
        let kind = match mapped {
            ProviderError::InvalidRequest(_) => "invalid",
            ProviderError::ModelNotAvailable(_) => "model",
            ProviderError::QuotaExhausted(_) => "quota",
            ProviderError::Transient(_) => "transient",
            _ => "other",
        };
        assert_eq!(kind, expected, "{error}");
    }
}

#[test]
fn stream_rate_limit_hint() {
    let error = json!({"code": "rate_limit_exceeded", "message": "Please try again in 11.054s."});
    let ProviderError::RateLimited(info) = map_stream_error(&error, NOW) else {
        panic!("expected RateLimited");
    };
    assert_eq!(info.retry_after_seconds, Some(12));
    assert_eq!(retry_hint_seconds("try again in 250ms"), Some(1));
    assert_eq!(retry_hint_seconds("try again later"), None);
}
