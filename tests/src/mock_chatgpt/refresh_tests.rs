//! Tests of the refresh grant: single-use refresh tokens, error codes and
//! scripted failures.

use serde_json::Value;

use super::test_client::{
    post_form, post_responses, post_responses_with, refresh_json, valid_body,
};
use super::{CLIENT_ID, MockChatGpt};

fn refresh_token(tokens: &Value) -> String {
    tokens["refresh_token"]
        .as_str()
        .expect("tokens without refresh_token")
        .to_owned()
}

fn error_code(reply: &super::test_client::HttpReply) -> String {
    reply.json()["error"]["code"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn refresh_token_works_only_once() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);

    let first = refresh_json(&mock, &refresh_token(&tokens));
    assert_eq!(first.status, 200, "{}", first.text());
    let refreshed = first.json();
    assert_ne!(refreshed["access_token"], tokens["access_token"]);
    assert_ne!(refreshed["refresh_token"], tokens["refresh_token"]);
    assert!(refreshed["id_token"].is_string());
    assert_eq!(refreshed["expires_in"], 3600);

    let second = refresh_json(&mock, &refresh_token(&tokens));
    assert_eq!(second.status, 401);
    assert_eq!(error_code(&second), "refresh_token_reused");
    assert_eq!(
        second.json()["error"]["message"],
        "Your refresh token has already been used to generate a new access token. Please try signing in again."
    );

    let third = refresh_json(&mock, &refresh_token(&refreshed));
    assert_eq!(third.status, 200, "{}", third.text());
}

#[test]
fn concurrent_refreshes_reuse_fails_once() {
    let mock = MockChatGpt::start();
    let token = refresh_token(&mock.issue_tokens(None));
    let statuses: Vec<(u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let reply = refresh_json(&mock, &token);
                    let code = if reply.status == 200 {
                        String::new()
                    } else {
                        error_code(&reply)
                    };
                    (reply.status, code)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    assert_eq!(
        statuses.iter().filter(|(status, _)| *status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&(401, "refresh_token_reused".to_owned())),
        "{statuses:?}"
    );
}

#[test]
fn refresh_accepts_form_body() {
    let mock = MockChatGpt::start();
    let token = refresh_token(&mock.issue_tokens(None));
    let reply = post_form(
        &format!("{}/oauth/token", mock.issuer()),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &token),
            ("client_id", CLIENT_ID),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.json()["access_token"].is_string());
    assert_eq!(
        mock.requests()[0].form_field("grant_type").as_deref(),
        Some("refresh_token")
    );
}

#[test]
fn unknown_refresh_token_is_invalidated() {
    let mock = MockChatGpt::start();
    let reply = refresh_json(&mock, "rt_never_issued");
    assert_eq!(reply.status, 401);
    assert_eq!(error_code(&reply), "refresh_token_invalidated");
}

#[test]
fn expired_refresh_tokens_return_401() {
    let mock = MockChatGpt::start();
    let old = refresh_token(&mock.issue_tokens(None));
    mock.expire_refresh_tokens();

    let reply = refresh_json(&mock, &old);
    assert_eq!(reply.status, 401);
    assert_eq!(error_code(&reply), "refresh_token_expired");

    let fresh = refresh_token(&mock.issue_tokens(None));
    assert_eq!(refresh_json(&mock, &fresh).status, 200);
}

#[test]
fn transient_failure_keeps_token_usable() {
    let mock = MockChatGpt::start();
    let token = refresh_token(&mock.issue_tokens(None));
    mock.fail_refresh_with(503);
    assert_eq!(refresh_json(&mock, &token).status, 503);
    assert_eq!(refresh_json(&mock, &token).status, 503);

    mock.clear_refresh_failure();
    assert_eq!(refresh_json(&mock, &token).status, 200);
}

#[test]
fn refresh_can_omit_id_token() {
    let mock = MockChatGpt::start();
    mock.omit_id_token_on_refresh(true);
    let token = refresh_token(&mock.issue_tokens(None));
    let refreshed = refresh_json(&mock, &token).json();
    assert!(refreshed.get("id_token").is_none(), "{refreshed}");
    assert!(refreshed["access_token"].is_string());
    assert!(refreshed["refresh_token"].is_string());
}

#[test]
fn refresh_rejects_wrong_client_id() {
    let mock = MockChatGpt::start();
    let token = refresh_token(&mock.issue_tokens(None));
    let reply = post_form(
        &format!("{}/oauth/token", mock.issuer()),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &token),
            ("client_id", "app_other"),
        ],
    );
    assert_eq!(reply.status, 401);
    assert_eq!(error_code(&reply), "invalid_client");
}

#[test]
fn refreshed_token_keeps_login_originator() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(Some("ouro"));
    let refreshed = refresh_json(&mock, &refresh_token(&tokens)).json();

    let other = post_responses_with(&mock, &refreshed, "codex_cli_rs", &[], &valid_body());
    assert_eq!(other.status, 403, "{}", other.text());
    let same = post_responses_with(&mock, &refreshed, "ouro", &[], &valid_body());
    assert_eq!(same.status, 200, "{}", same.text());
}

#[test]
fn refresh_follows_changed_plan() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    mock.set_account("acct-mock-7d3c2b1a", "mock.user@example.com", "pro");
    let refreshed = refresh_json(&mock, &refresh_token(&tokens)).json();
    let claims = MockChatGpt::jwt_claims(refreshed["access_token"].as_str().unwrap()).unwrap();
    assert_eq!(
        claims["https://api.openai.com/auth"]["chatgpt_plan_type"],
        "pro"
    );
    assert_eq!(post_responses(&mock, &refreshed, &valid_body()).status, 200);
}
