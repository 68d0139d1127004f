//! A small blocking HTTP client for the mock's own tests, plus requests that
//! a well-behaved plugin would send.

use std::io::Read;

use serde_json::{Value, json};

use super::MockChatGpt;
use super::codec::percent_encode;

/// A response read to the end.
pub(super) struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("response is not JSON ({error}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

/// Sends `request` and reads the reply, treating 4xx and 5xx as replies.
fn send(request: ureq::Request, body: Option<&[u8]>) -> HttpReply {
    let result = match body {
        Some(body) => request.send_bytes(body),
        None => request.call(),
    };
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("request to the mock failed: {error}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|name| {
            let value = response.header(&name).unwrap_or("").to_owned();
            (name, value)
        })
        .collect();
    let mut body = Vec::new();
    response
        .into_reader()
        .read_to_end(&mut body)
        .expect("reading the mock's response body");
    HttpReply {
        status,
        headers,
        body,
    }
}

pub(super) fn get(url: &str) -> HttpReply {
    send(agent().get(url), None)
}

pub(super) fn post_json(url: &str, headers: &[(&str, &str)], body: &Value) -> HttpReply {
    let mut request = agent().post(url).set("content-type", "application/json");
    for (name, value) in headers {
        request = request.set(name, value);
    }
    send(request, Some(body.to_string().as_bytes()))
}

pub(super) fn post_form(url: &str, fields: &[(&str, &str)]) -> HttpReply {
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
        .collect();
    let request = agent()
        .post(url)
        .set("content-type", "application/x-www-form-urlencoded");
    send(request, Some(body.join("&").as_bytes()))
}

/// Posts a refresh grant as JSON, the way Codex CLI sends it.
pub(super) fn refresh_json(mock: &MockChatGpt, refresh_token: &str) -> HttpReply {
    let body = json!({
        "client_id": super::CLIENT_ID,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "scope": "openid profile email",
    });
    post_json(&format!("{}/oauth/token", mock.issuer()), &[], &body)
}

/// Returns a completion body that breaks none of the backend's rules.
pub(super) fn valid_body() -> Value {
    json!({
        "model": "gpt-5.1-codex",
        "instructions": "You are a coding assistant.",
        "input": [
            {"role": "user", "content": [{"type": "input_text", "text": "Say hello."}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello."}]},
            {"role": "developer", "content": [{"type": "input_text", "text": "Be brief."}]},
        ],
        "tools": [],
        "tool_choice": "auto",
        "parallel_tool_calls": false,
        "store": false,
        "stream": true,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "conversation-1",
    })
}

/// Posts `body` to `/codex/responses` with the headers a client sends for
/// `tokens` (the token endpoint's JSON), except those named in `skip`.
pub(super) fn post_responses_with(
    mock: &MockChatGpt,
    tokens: &Value,
    originator: &str,
    skip: &[&str],
    body: &Value,
) -> HttpReply {
    let access_token = tokens["access_token"]
        .as_str()
        .expect("tokens without access_token");
    let claims = MockChatGpt::jwt_claims(access_token).expect("access token is not a JWT");
    let account_id = claims["https://api.openai.com/auth"]["chatgpt_account_id"]
        .as_str()
        .expect("access token without chatgpt_account_id")
        .to_owned();
    let authorization = format!("Bearer {access_token}");
    let headers: Vec<(&str, &str)> = [
        ("authorization", authorization.as_str()),
        ("chatgpt-account-id", account_id.as_str()),
        ("originator", originator),
        ("accept", "text/event-stream"),
        ("session_id", "conversation-1"),
    ]
    .into_iter()
    .filter(|(name, _)| !skip.contains(name))
    .collect();
    post_json(
        &format!("{}/codex/responses", mock.base_url()),
        &headers,
        body,
    )
}

/// Posts `body` with every header right for tokens from
/// [`MockChatGpt::issue_tokens`] without an originator.
pub(super) fn post_responses(mock: &MockChatGpt, tokens: &Value, body: &Value) -> HttpReply {
    post_responses_with(mock, tokens, "ouro", &[], body)
}
