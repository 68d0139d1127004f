//! One test per row of the backend's error table, plus stream failures,
//! each asserting what the user sees.

use ouro_tests::mock_chatgpt::MockChatGpt;
use serde_json::json;

use super::chatgpt::{Setup, text};

fn backend_requests(setup: &Setup) -> usize {
    setup.mock.count("/backend-api/codex/responses")
}

#[test]
fn unauthorized_refreshes_then_retries() {
    let setup = Setup::new();
    setup.login();
    setup.mock.invalidate_access_tokens();
    setup.mock.push_stream(MockChatGpt::text_stream("after refresh"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "after refresh\n");
    assert_eq!(backend_requests(&setup), 2);
}

#[test]
fn unauthorized_twice_asks_for_login() {
    let setup = Setup::new();
    setup.login();
    setup.mock.invalidate_access_tokens();
    setup.mock.expire_refresh_tokens();
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Run `ouro --login --provider chatgpt` to log in again."), "{stderr}");
    // The stored tokens are kept; only a new login replaces them.
    assert!(setup.auth_file().exists());
}

#[test]
fn usage_limit_names_reset_time() {
    let setup = Setup::new();
    setup.login();
    setup.mock.usage_limit_error(1_900_000_000);
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("it resets at 2030-03-17"), "{stderr}");
    assert_eq!(backend_requests(&setup), 1, "a usage limit is not retried");
}

#[test]
fn usage_not_included_explains_plan() {
    let setup = Setup::new();
    setup.login();
    setup.mock.usage_not_included_error();
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("plan does not include Codex"), "{stderr}");
}

#[test]
fn rate_limit_honours_retry_after() {
    let setup = Setup::new();
    setup.login();
    setup.mock.rate_limit_error(1);
    setup.mock.push_stream(MockChatGpt::text_stream("after waiting"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "after waiting\n");
    assert!(text(&output.stderr).contains("retrying in 1 s"), "{}", text(&output.stderr));
}

#[test]
fn usage_limit_as_not_found() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_error(
        404,
        vec![],
        json!({"error": {"type": "usage_limit_reached", "message": "You've hit your usage limit.", "resets_at": 1_900_000_000u64}}),
    );
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("it resets at 2030-03-17"), "{}", text(&output.stderr));
}

#[test]
fn unsupported_model_is_reported() {
    let setup = Setup::new();
    setup.login();
    setup.mock.reject_model("gpt-5.6-sol");
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("The 'gpt-5.6-sol' model is not supported when using Codex with a ChatGPT account."),
        "{stderr}"
    );
}

#[test]
fn overloaded_server_is_retried() {
    let setup = Setup::new();
    setup.login();
    setup.mock.overloaded_error();
    setup.mock.push_stream(MockChatGpt::text_stream("recovered"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "recovered\n");
    assert_eq!(backend_requests(&setup), 2);
}

#[test]
fn server_error_is_retried() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_error(500, vec![], json!({"error": {"message": "internal error"}}));
    setup.mock.push_stream(MockChatGpt::text_stream("recovered"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "recovered\n");
}

#[test]
fn failed_response_is_reported() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_stream(MockChatGpt::failed_stream("server_error", "The model crashed."));
    setup.mock.push_stream(MockChatGpt::failed_stream("server_error", "The model crashed."));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("The model crashed."), "{}", text(&output.stderr));
}

#[test]
fn truncated_stream_keeps_shown_text() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_raw_stream(MockChatGpt::truncated_stream("Partial answer here"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Partial answer here"), "{stderr}");
    assert!(stderr.contains("stream closed before response.completed"), "{stderr}");
}

#[test]
fn incomplete_response_stops_with_length() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_stream(MockChatGpt::incomplete_stream("cut off"));
    let output = setup.run(&["--task", "hi", "--model", "chatgpt/gpt-5.6-sol", "--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let last = text(&output.stdout).lines().last().unwrap().to_owned();
    let done: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(done["stop_reason"], "length");
}

#[test]
fn expired_device_code_stops_login() {
    let setup = Setup::new();
    setup.mock.device_expire();
    let output = setup.run(&["--login", "--provider", "chatgpt", "--method", "device"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("the code expired; run `ouro --login` again"), "{stderr}");
    assert!(!setup.auth_file().exists());
}

#[test]
fn disabled_device_login_suggests_browser() {
    let setup = Setup::new();
    setup.mock.device_disabled();
    let output = setup.run(&["--login", "--provider", "chatgpt", "--method", "device"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("device login is not enabled on this server; use `--method browser` instead"), "{stderr}");
}

#[test]
fn transient_refresh_failure_keeps_tokens() {
    let setup = Setup::new();
    setup.mock.set_access_token_ttl(-30);
    setup.login();
    let before = std::fs::read_to_string(setup.auth_file()).unwrap();
    setup.mock.fail_refresh_with(503);
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(setup.auth_file()).unwrap(), before);

    // Once the issuer recovers, the same stored refresh token still works.
    setup.mock.clear_refresh_failure();
    setup.mock.set_access_token_ttl(3600);
    setup.mock.push_stream(MockChatGpt::text_stream("back"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "back\n");
}
