//! Tests of `/codex/responses`: authentication, header and body rules, and
//! scripted errors.

use serde_json::{Value, json};

use super::MockChatGpt;
use super::test_client::{HttpReply, post_json, post_responses, post_responses_with, valid_body};

fn detail(reply: &HttpReply) -> String {
    reply.json()["detail"].as_str().unwrap_or("").to_owned()
}

fn with_change(change: impl FnOnce(&mut Value)) -> Value {
    let mut body = valid_body();
    change(&mut body);
    body
}

#[test]
fn valid_request_gets_default_stream() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let reply = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    let text = reply.text();
    assert!(
        text.contains("event: response.output_text.delta\n"),
        "{text}"
    );
    assert!(text.contains("\"delta\":\"mock.\""), "{text}");
    assert!(text.ends_with("\n\n"));
    assert!(text.contains("event: response.completed\n"));
}

#[test]
fn bad_tokens_get_token_invalidated() {
    let mock = MockChatGpt::start();
    mock.set_access_token_ttl(-10);
    let expired = mock.issue_tokens(None);
    mock.set_access_token_ttl(3600);
    let revoked = mock.issue_tokens(None);
    mock.invalidate_access_tokens();
    let foreign = json!({"access_token": MockChatGpt::make_jwt(json!({
        "https://api.openai.com/auth": {"chatgpt_account_id": "acct-mock-7d3c2b1a"},
    }))});

    for tokens in [&expired, &revoked, &foreign] {
        let reply = post_responses(&mock, tokens, &valid_body());
        assert_eq!(reply.status, 401, "{}", reply.text());
        assert_eq!(reply.json()["error"]["code"], "token_invalidated");
    }

    let fresh = mock.issue_tokens(None);
    let missing = post_responses_with(&mock, &fresh, "ouro", &["authorization"], &valid_body());
    assert_eq!(missing.status, 401);
    assert_eq!(post_responses(&mock, &fresh, &valid_body()).status, 200);
}

#[test]
fn account_header_must_match_token() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let missing = post_responses_with(
        &mock,
        &tokens,
        "ouro",
        &["chatgpt-account-id"],
        &valid_body(),
    );
    assert_eq!(missing.status, 403, "{}", missing.text());

    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let headers = [
        ("authorization", bearer.as_str()),
        ("chatgpt-account-id", "acct-someone-else"),
        ("originator", "ouro"),
        ("accept", "text/event-stream"),
    ];
    let wrong = post_json(
        &format!("{}/codex/responses", mock.base_url()),
        &headers,
        &valid_body(),
    );
    assert_eq!(wrong.status, 403, "{}", wrong.text());
    assert_eq!(wrong.json()["error"]["code"], "account_mismatch");
}

#[test]
fn originator_header_is_checked() {
    let mock = MockChatGpt::start();
    let device = mock.issue_tokens(None);
    let missing = post_responses_with(&mock, &device, "", &["originator"], &valid_body());
    assert_eq!(missing.status, 403, "{}", missing.text());
    assert_eq!(
        post_responses_with(&mock, &device, "anything", &[], &valid_body()).status,
        200
    );

    let browser = mock.issue_tokens(Some("ouro"));
    assert_eq!(
        post_responses_with(&mock, &browser, "codex_cli_rs", &[], &valid_body()).status,
        403
    );
    assert_eq!(
        post_responses_with(&mock, &browser, "ouro", &[], &valid_body()).status,
        200
    );
}

#[test]
fn accept_header_must_allow_sse() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let reply = post_responses_with(&mock, &tokens, "ouro", &["accept"], &valid_body());
    assert_eq!(reply.status, 400, "{}", reply.text());
}

#[test]
fn body_rules_return_real_details() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let item_error = "Item with id 'rs_123' not found. Items are not persisted when `store` is set to false. \
                      Try again with `store` set to true, or remove this item from your input.";
    let cases: Vec<(Value, String)> = vec![
        (
            with_change(|body| drop(body.as_object_mut().unwrap().remove("instructions"))),
            "Instructions are required".into(),
        ),
        (
            with_change(|body| body["store"] = json!(true)),
            "Store must be set to false".into(),
        ),
        (
            with_change(|body| drop(body.as_object_mut().unwrap().remove("store"))),
            "Store must be set to false".into(),
        ),
        (
            with_change(|body| body["stream"] = json!(false)),
            "Stream must be set to true".into(),
        ),
        (
            with_change(|body| body["max_output_tokens"] = json!(100)),
            "Unsupported parameter: max_output_tokens".into(),
        ),
        (
            with_change(|body| body["temperature"] = json!(0.2)),
            "Unsupported parameter: temperature".into(),
        ),
        (
            with_change(|body| body["top_p"] = json!(0.9)),
            "Unsupported parameter: top_p".into(),
        ),
        (
            with_change(|body| body["max_tokens"] = json!(100)),
            "Unsupported parameter: max_tokens".into(),
        ),
        (
            with_change(|body| body["frequency_penalty"] = json!(0)),
            "Unsupported parameter: frequency_penalty".into(),
        ),
        (
            with_change(|body| body["presence_penalty"] = json!(0)),
            "Unsupported parameter: presence_penalty".into(),
        ),
        (
            with_change(|body| {
                let system = json!({"role": "system", "content": "Be nice."});
                body["input"].as_array_mut().unwrap().insert(0, system);
            }),
            "System messages are not allowed".into(),
        ),
        (
            with_change(|body| {
                let reasoning = json!({"type": "reasoning", "id": "rs_123", "summary": [], "encrypted_content": "x"});
                body["input"].as_array_mut().unwrap().push(reasoning);
            }),
            item_error.into(),
        ),
    ];
    for (body, expected) in cases {
        let reply = post_responses(&mock, &tokens, &body);
        assert_eq!(
            reply.status,
            400,
            "expected {expected:?}, got {}",
            reply.text()
        );
        assert_eq!(detail(&reply), expected);
    }
    assert_eq!(mock.count("/backend-api/codex/responses"), 12);
}

#[test]
fn rejected_models_return_400() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    mock.reject_model("gpt-4o");
    let rejected = post_responses(
        &mock,
        &tokens,
        &with_change(|body| body["model"] = json!("gpt-4o")),
    );
    assert_eq!(rejected.status, 400);
    assert_eq!(
        detail(&rejected),
        "The 'gpt-4o' model is not supported when using Codex with a ChatGPT account."
    );

    mock.allow_only_models(&["gpt-5.1-codex"]);
    assert_eq!(post_responses(&mock, &tokens, &valid_body()).status, 200);
    let other = post_responses(
        &mock,
        &tokens,
        &with_change(|body| body["model"] = json!("gpt-5.2")),
    );
    assert_eq!(other.status, 400);
}

#[test]
fn canned_errors_have_real_shapes() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let resets_at = super::codec::unix_now() as u64 + 600;
    mock.usage_limit_error(resets_at);
    mock.usage_not_included_error();
    mock.overloaded_error();
    mock.rate_limit_error(7);
    assert_eq!(mock.queued_responses(), 4);

    let usage = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(usage.status, 429);
    let error = &usage.json()["error"];
    assert_eq!(error["type"], "usage_limit_reached");
    assert_eq!(error["plan_type"], "plus");
    assert_eq!(error["resets_at"], resets_at);
    let resets_in = error["resets_in_seconds"].as_i64().unwrap();
    assert!((595..=600).contains(&resets_in), "{resets_in}");

    let not_included = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(not_included.status, 429);
    assert_eq!(not_included.json()["error"]["type"], "usage_not_included");

    let overloaded = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(overloaded.status, 503);
    assert_eq!(overloaded.json()["error"]["code"], "server_is_overloaded");

    let limited = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));

    assert_eq!(mock.queued_responses(), 0);
    assert_eq!(post_responses(&mock, &tokens, &valid_body()).status, 200);
}

#[test]
fn rejected_request_keeps_queued_response() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    mock.push_error(
        418,
        vec![("x-test".into(), "yes".into())],
        json!({"error": {"message": "teapot"}}),
    );
    let invalid = post_responses(
        &mock,
        &tokens,
        &with_change(|body| body["stream"] = json!(false)),
    );
    assert_eq!(invalid.status, 400);
    assert_eq!(mock.queued_responses(), 1);

    let scripted = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(scripted.status, 418);
    assert_eq!(scripted.header("x-test"), Some("yes"));
    assert_eq!(scripted.json()["error"]["message"], "teapot");
}

#[test]
fn rate_limit_headers_are_sent() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    mock.set_rate_limit_headers(42.5, 300, 1_900_000_000);
    mock.set_secondary_rate_limit_headers(10.0, 10080, 1_900_500_000);
    let reply = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-codex-primary-used-percent"), Some("42.5"));
    assert_eq!(reply.header("x-codex-primary-window-minutes"), Some("300"));
    assert_eq!(reply.header("x-codex-primary-reset-at"), Some("1900000000"));
    assert_eq!(reply.header("x-codex-secondary-used-percent"), Some("10"));
    assert_eq!(
        reply.header("x-codex-secondary-window-minutes"),
        Some("10080")
    );
}
