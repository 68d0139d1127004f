//! Browser login: validation of the authorize URL and the redirect that the
//! browser would follow back to the client's loopback callback.

use super::codec::{parse_form, percent_encode, random_token};
use super::recorded::RecordedRequest;
use super::server::Reply;
use super::state::{CLIENT_ID, PendingCode, State};

const EXPECTED_SCOPE: &str = "openid profile email offline_access";

/// Returns the single value of `name`, or an error when it is missing or
/// repeated.
fn single<'a>(params: &'a [(String, String)], name: &str) -> Result<&'a str, String> {
    let mut values = params.iter().filter(|(param, _)| param == name);
    let value = values
        .next()
        .ok_or_else(|| format!("authorize URL is missing parameter {name}"))?;
    if values.next().is_some() {
        return Err(format!("authorize URL repeats parameter {name}"));
    }
    Ok(&value.1)
}

fn expect_value(params: &[(String, String)], name: &str, expected: &str) -> Result<(), String> {
    let value = single(params, name)?;
    if value != expected {
        return Err(format!(
            "authorize URL parameter {name} is {value:?}, expected {expected:?}"
        ));
    }
    Ok(())
}

/// Checks `http://localhost:{port}/auth/callback`, the only redirect URI
/// shape registered for the Codex client.
fn check_redirect_uri(redirect_uri: &str) -> Result<(), String> {
    let port = redirect_uri
        .strip_prefix("http://localhost:")
        .and_then(|rest| rest.strip_suffix("/auth/callback"));
    match port {
        Some(port) if port.parse::<u16>().is_ok_and(|port| port > 0) => Ok(()),
        _ => Err(format!(
            "authorize URL parameter redirect_uri is {redirect_uri:?}, expected http://localhost:PORT/auth/callback"
        )),
    }
}

/// Checks a PKCE S256 challenge: 32 bytes in unpadded base64url are 43
/// characters.
fn check_code_challenge(challenge: &str) -> Result<(), String> {
    let is_base64url = challenge
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if challenge.len() != 43 || !is_base64url {
        return Err(format!(
            "authorize URL parameter code_challenge is {challenge:?}, expected 43 base64url characters (S256)"
        ));
    }
    Ok(())
}

/// Checks that `state` carries at least 128 bits: 32 or more hex digits, or
/// 22 or more base64url characters.
fn check_state(state: &str) -> Result<(), String> {
    let is_hex = state.bytes().all(|byte| byte.is_ascii_hexdigit());
    let is_base64url = state
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    let long_enough = if is_hex {
        state.len() >= 32
    } else {
        is_base64url && state.len() >= 22
    };
    if !long_enough {
        return Err(format!(
            "authorize URL parameter state is {state:?}, expected at least 128 random bits as hex or base64url"
        ));
    }
    Ok(())
}

/// Validates `authorize_url` and returns the redirect URL with `code` and
/// `state`, or with `error=access_denied` when Codex is denied for the
/// workspace. Stores the code challenge, redirect URI and originator for
/// the code exchange.
pub(super) fn authorize(state: &mut State, authorize_url: &str) -> Result<String, String> {
    let expected_base = format!("{}/oauth/authorize", state.issuer);
    let (base, query) = authorize_url
        .split_once('?')
        .ok_or_else(|| format!("authorize URL {authorize_url:?} has no query string"))?;
    if base != expected_base {
        return Err(format!(
            "authorize URL starts with {base:?}, expected {expected_base:?}"
        ));
    }
    let params = parse_form(query);

    expect_value(&params, "response_type", "code")?;
    expect_value(&params, "client_id", CLIENT_ID)?;
    let redirect_uri = single(&params, "redirect_uri")?;
    check_redirect_uri(redirect_uri)?;
    expect_value(&params, "scope", EXPECTED_SCOPE)?;
    let code_challenge = single(&params, "code_challenge")?;
    check_code_challenge(code_challenge)?;
    expect_value(&params, "code_challenge_method", "S256")?;
    expect_value(&params, "id_token_add_organizations", "true")?;
    expect_value(&params, "codex_cli_simplified_flow", "true")?;
    let client_state = single(&params, "state")?;
    check_state(client_state)?;
    let originator = single(&params, "originator")?;
    if originator.is_empty() {
        return Err("authorize URL parameter originator is empty".to_owned());
    }

    if state.deny_entitlement {
        return Ok(format!(
            "{redirect_uri}?error=access_denied&error_description={}&state={}",
            percent_encode("Codex is not enabled for this workspace (missing_codex_entitlement)."),
            percent_encode(client_state)
        ));
    }

    let code = format!("ac_{}", random_token(24));
    state.codes.insert(
        code.clone(),
        PendingCode {
            code_challenge: code_challenge.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            originator: Some(originator.to_owned()),
        },
    );
    Ok(format!(
        "{redirect_uri}?code={}&scope={}&state={}",
        percent_encode(&code),
        percent_encode(EXPECTED_SCOPE),
        percent_encode(client_state)
    ))
}

/// Handles `GET /oauth/authorize` like a browser visit that the user
/// approves: 302 to the redirect URL, or 400 with the validation error.
pub(super) fn authorize_over_http(state: &mut State, request: &RecordedRequest) -> Reply {
    let url = format!("{}{}?{}", state.issuer, request.path, request.query);
    match authorize(state, &url) {
        Ok(location) => Reply::Redirect { location },
        Err(body) => Reply::Text { status: 400, body },
    }
}
