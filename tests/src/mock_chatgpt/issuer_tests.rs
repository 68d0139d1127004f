//! Tests of the issuer: device login, browser authorization and the
//! authorization code exchange with PKCE.

use serde_json::{Value, json};

use super::codec::{parse_form, percent_encode, pkce_challenge, unix_now};
use super::test_client::{get, post_form, post_json};
use super::{CLIENT_ID, MockChatGpt};

const VERIFIER: &str = "mock-test-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
const STATE: &str = "0123456789abcdef0123456789abcdef";
const REDIRECT_URI: &str = "http://localhost:1455/auth/callback";

fn authorize_params() -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("client_id", CLIENT_ID.to_owned()),
        ("redirect_uri", REDIRECT_URI.to_owned()),
        ("scope", "openid profile email offline_access".to_owned()),
        ("code_challenge", pkce_challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_owned()),
        ("id_token_add_organizations", "true".to_owned()),
        ("codex_cli_simplified_flow", "true".to_owned()),
        ("state", STATE.to_owned()),
        ("originator", "ouro".to_owned()),
    ]
}

fn authorize_url(mock: &MockChatGpt, params: &[(&str, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect();
    format!("{}/oauth/authorize?{}", mock.issuer(), query.join("&"))
}

fn redirect_param(redirect: &str, name: &str) -> Option<String> {
    let (_, query) = redirect.split_once('?')?;
    parse_form(query)
        .into_iter()
        .find(|(param, _)| param == name)
        .map(|(_, value)| value)
}

fn exchange(
    mock: &MockChatGpt,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> super::test_client::HttpReply {
    post_form(
        &format!("{}/oauth/token", mock.issuer()),
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", CLIENT_ID),
            ("code_verifier", verifier),
        ],
    )
}

fn start_device_login(mock: &MockChatGpt) -> Value {
    let reply = post_json(
        &format!("{}/api/accounts/deviceauth/usercode", mock.issuer()),
        &[],
        &json!({"client_id": CLIENT_ID}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

fn poll(mock: &MockChatGpt, login: &Value) -> super::test_client::HttpReply {
    let body = json!({"device_auth_id": login["device_auth_id"], "user_code": login["user_code"]});
    post_json(
        &format!("{}/api/accounts/deviceauth/token", mock.issuer()),
        &[],
        &body,
    )
}

#[test]
fn device_flow_pending_then_success() {
    let mock = MockChatGpt::start();
    mock.device_pending_polls(2);
    mock.set_account("acct-42", "dev@example.com", "pro");

    let login = start_device_login(&mock);
    assert_eq!(login["interval"], "1");
    assert_eq!(login["user_code"], mock.user_code().as_str());

    assert_eq!(poll(&mock, &login).status, 403);
    assert_eq!(poll(&mock, &login).status, 404);
    let approved = poll(&mock, &login);
    assert_eq!(approved.status, 200, "{}", approved.text());
    let approved = approved.json();
    let verifier = approved["code_verifier"].as_str().unwrap();
    assert_eq!(
        approved["code_challenge"].as_str().unwrap(),
        pkce_challenge(verifier)
    );

    let code = approved["authorization_code"].as_str().unwrap();
    let device_redirect = format!("{}/deviceauth/callback", mock.issuer());
    let tokens = exchange(&mock, code, &device_redirect, verifier);
    assert_eq!(tokens.status, 200, "{}", tokens.text());
    let tokens = tokens.json();
    assert_eq!(tokens["expires_in"], 3600);

    let access = MockChatGpt::jwt_claims(tokens["access_token"].as_str().unwrap()).unwrap();
    let auth = &access["https://api.openai.com/auth"];
    assert_eq!(auth["chatgpt_account_id"], "acct-42");
    assert_eq!(auth["chatgpt_plan_type"], "pro");
    assert!(auth["chatgpt_user_id"].is_string());
    assert_eq!(
        access["https://api.openai.com/profile"]["email"],
        "dev@example.com"
    );
    let expires_at = access["exp"].as_i64().unwrap();
    assert!(
        (expires_at - unix_now() - 3600).abs() <= 5,
        "exp {expires_at}"
    );

    let id_claims = MockChatGpt::jwt_claims(tokens["id_token"].as_str().unwrap()).unwrap();
    assert_eq!(id_claims["email"], "dev@example.com");
    assert!(tokens["refresh_token"].is_string());

    let reused = exchange(&mock, code, &device_redirect, verifier);
    assert_eq!(reused.status, 400);
    assert_eq!(reused.json()["error"], "invalid_grant");
}

#[test]
fn usercode_rejects_wrong_client_id() {
    let mock = MockChatGpt::start();
    let reply = post_json(
        &format!("{}/api/accounts/deviceauth/usercode", mock.issuer()),
        &[],
        &json!({"client_id": "app_other"}),
    );
    assert_eq!(reply.status, 400);
}

#[test]
fn disabled_device_login_returns_404() {
    let mock = MockChatGpt::start();
    mock.device_disabled();
    let reply = post_json(
        &format!("{}/api/accounts/deviceauth/usercode", mock.issuer()),
        &[],
        &json!({"client_id": CLIENT_ID}),
    );
    assert_eq!(reply.status, 404);
}

#[test]
fn expired_device_code_is_final() {
    let mock = MockChatGpt::start();
    mock.set_device_interval("7");
    let login = start_device_login(&mock);
    assert_eq!(login["interval"], "7");

    mock.device_expire();
    for _ in 0..2 {
        let reply = poll(&mock, &login);
        assert_eq!(reply.status, 403);
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            message.starts_with("Device authorization code has expired"),
            "{message}"
        );
    }
}

#[test]
fn device_code_needs_device_redirect() {
    let mock = MockChatGpt::start();
    mock.device_pending_polls(0);
    let login = start_device_login(&mock);
    let approved = poll(&mock, &login).json();
    let reply = exchange(
        &mock,
        approved["authorization_code"].as_str().unwrap(),
        REDIRECT_URI,
        approved["code_verifier"].as_str().unwrap(),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_grant");
}

#[test]
fn browser_flow_checks_pkce_verifier() {
    let mock = MockChatGpt::start();

    let redirect = mock
        .authorize(&authorize_url(&mock, &authorize_params()))
        .unwrap();
    assert!(
        redirect.starts_with(&format!("{REDIRECT_URI}?")),
        "{redirect}"
    );
    assert_eq!(redirect_param(&redirect, "state").as_deref(), Some(STATE));
    let code = redirect_param(&redirect, "code").unwrap();
    let wrong = exchange(
        &mock,
        &code,
        REDIRECT_URI,
        "some-other-verifier-that-does-not-match-at-all",
    );
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.json()["error"], "invalid_grant");

    let redirect = mock
        .authorize(&authorize_url(&mock, &authorize_params()))
        .unwrap();
    let code = redirect_param(&redirect, "code").unwrap();
    let right = exchange(&mock, &code, REDIRECT_URI, VERIFIER);
    assert_eq!(right.status, 200, "{}", right.text());
}

#[test]
fn browser_code_needs_same_redirect() {
    let mock = MockChatGpt::start();
    let redirect = mock
        .authorize(&authorize_url(&mock, &authorize_params()))
        .unwrap();
    let code = redirect_param(&redirect, "code").unwrap();
    let reply = exchange(
        &mock,
        &code,
        "http://localhost:1457/auth/callback",
        VERIFIER,
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_grant");
}

#[test]
fn authorize_rejects_each_bad_parameter() {
    let mock = MockChatGpt::start();
    let cases: &[(&str, Option<&str>)] = &[
        ("response_type", Some("token")),
        ("client_id", Some("app_other")),
        ("redirect_uri", Some("http://127.0.0.1:1455/auth/callback")),
        ("redirect_uri", Some("http://localhost:1455/callback")),
        ("scope", Some("openid profile email")),
        ("code_challenge", Some("too-short")),
        ("code_challenge_method", Some("plain")),
        ("id_token_add_organizations", Some("false")),
        ("codex_cli_simplified_flow", None),
        ("state", Some("abc123")),
        ("originator", None),
        ("originator", Some("")),
    ];
    for (name, replacement) in cases {
        let params: Vec<(&str, String)> = authorize_params()
            .into_iter()
            .filter_map(|(param, value)| match (param == *name, replacement) {
                (false, _) => Some((param, value)),
                (true, Some(replacement)) => Some((param, (*replacement).to_owned())),
                (true, None) => None,
            })
            .collect();
        let result = mock.authorize(&authorize_url(&mock, &params));
        let message = result.expect_err(&format!("{name} = {replacement:?} was accepted"));
        assert!(message.contains(name), "{name}: {message}");
    }
}

#[test]
fn authorize_accepts_base64url_state() {
    let mock = MockChatGpt::start();
    let mut params = authorize_params();
    params.retain(|(name, _)| *name != "state");
    params.push(("state", "Zm9vYmFyLWJhei1xdXV4LTEyMzQ".to_owned()));
    assert!(mock.authorize(&authorize_url(&mock, &params)).is_ok());
}

#[test]
fn denied_entitlement_redirects_with_error() {
    let mock = MockChatGpt::start();
    mock.deny_entitlement();
    let redirect = mock
        .authorize(&authorize_url(&mock, &authorize_params()))
        .unwrap();
    assert_eq!(
        redirect_param(&redirect, "error").as_deref(),
        Some("access_denied")
    );
    let description = redirect_param(&redirect, "error_description").unwrap();
    assert!(
        description.contains("missing_codex_entitlement"),
        "{description}"
    );
    assert_eq!(redirect_param(&redirect, "code"), None);
}

#[test]
fn authorize_over_http_redirects() {
    let mock = MockChatGpt::start();
    let reply = get(&authorize_url(&mock, &authorize_params()));
    assert_eq!(reply.status, 302);
    let location = reply.header("location").unwrap();
    assert!(location.starts_with(REDIRECT_URI), "{location}");

    let bad = get(&format!(
        "{}/oauth/authorize?response_type=code",
        mock.issuer()
    ));
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("client_id"), "{}", bad.text());
}

#[test]
fn code_exchange_needs_form_body() {
    let mock = MockChatGpt::start();
    let redirect = mock
        .authorize(&authorize_url(&mock, &authorize_params()))
        .unwrap();
    let code = redirect_param(&redirect, "code").unwrap();
    let body = json!({
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "client_id": CLIENT_ID, "code_verifier": VERIFIER,
    });
    let reply = post_json(&format!("{}/oauth/token", mock.issuer()), &[], &body);
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_request");
}

#[test]
fn requests_are_recorded_in_order() {
    let mock = MockChatGpt::start();
    start_device_login(&mock);
    assert_eq!(get(&format!("{}/nowhere?x=1", mock.issuer())).status, 404);
    assert_eq!(get(&format!("{}/oauth/token", mock.issuer())).status, 405);

    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/api/accounts/deviceauth/usercode");
    assert_eq!(requests[0].json()["client_id"], CLIENT_ID);
    assert_eq!(requests[0].header("Content-Type"), Some("application/json"));
    assert!(
        requests[0]
            .headers
            .iter()
            .all(|(name, _)| *name == name.to_ascii_lowercase())
    );
    assert_eq!(requests[1].path, "/nowhere");
    assert_eq!(requests[1].query, "x=1");
    assert_eq!(requests[1].query_param("x").as_deref(), Some("1"));
    assert_eq!(mock.count("/oauth/token"), 1);
}
