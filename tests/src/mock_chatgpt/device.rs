//! Device code login: `POST /api/accounts/deviceauth/usercode` starts it and
//! `POST /api/accounts/deviceauth/token` is polled until the user has
//! entered the code, which the mock assumes after a set number of polls.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::codec::{pkce_challenge, random_token, random_user_code};
use super::recorded::RecordedRequest;
use super::server::Reply;
use super::state::{CLIENT_ID, DeviceSession, PendingCode, State};

/// How long a user code stays valid.
const USER_CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"error": {"code": code, "message": message}}))
}

fn json_object(request: &RecordedRequest) -> Option<Value> {
    serde_json::from_slice::<Value>(&request.body)
        .ok()
        .filter(Value::is_object)
}

/// Handles the usercode request: checks the client id and issues a device
/// auth id, the user code and the poll interval (a string, as the service
/// sends it).
pub(super) fn start_device_login(state: &mut State, request: &RecordedRequest) -> Reply {
    if state.device_disabled {
        return Reply::json(404, json!({"detail": "Not Found"}));
    }
    let Some(body) = json_object(request) else {
        return error(
            400,
            "invalid_request",
            "The request body must be a JSON object.",
        );
    };
    let client_id = body.get("client_id").and_then(Value::as_str);
    if client_id != Some(CLIENT_ID) {
        let message = format!("Unknown client_id {client_id:?}: expected {CLIENT_ID:?}.");
        return error(400, "invalid_client", &message);
    }

    let device_auth_id = format!("deviceauth_{}", random_token(18));
    let user_code = std::mem::replace(&mut state.next_user_code, random_user_code());
    state.last_user_code = Some(user_code.clone());
    state.device_sessions.insert(
        device_auth_id.clone(),
        DeviceSession {
            user_code: user_code.clone(),
            started: Instant::now(),
            polls: 0,
            completed: false,
        },
    );
    Reply::json(
        200,
        json!({
            "device_auth_id": device_auth_id,
            "user_code": user_code,
            "interval": state.device_interval,
        }),
    )
}

/// Handles one poll: pending (403 and 404 in turn) for the configured
/// number of polls, then 200 with an authorization code and the PKCE pair
/// made by the server. Expired codes get a final 403.
pub(super) fn poll_device_login(state: &mut State, request: &RecordedRequest) -> Reply {
    let Some(body) = json_object(request) else {
        return error(
            400,
            "invalid_request",
            "The request body must be a JSON object.",
        );
    };
    let device_auth_id = body
        .get("device_auth_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let user_code = body.get("user_code").and_then(Value::as_str).unwrap_or("");
    let pending_polls = state.device_pending_polls;
    let expired_by_setting = state.device_expired;

    let Some(session) = state.device_sessions.get_mut(device_auth_id) else {
        let message = format!("Unknown device_auth_id {device_auth_id:?}.");
        return error(400, "invalid_request", &message);
    };
    if session.user_code != user_code {
        let message = format!(
            "user_code {user_code:?} does not belong to device_auth_id {device_auth_id:?}."
        );
        return error(400, "invalid_request", &message);
    }
    if expired_by_setting || session.started.elapsed() > USER_CODE_LIFETIME {
        return error(
            403,
            "expired_token",
            "Device authorization code has expired. Please start the login again.",
        );
    }
    if session.completed {
        return error(
            400,
            "invalid_request",
            "This device authorization was already completed.",
        );
    }
    if session.polls < pending_polls {
        session.polls += 1;
        // The service returns "pending" as 403 or 404, so alternate both.
        let status = if session.polls % 2 == 1 { 403 } else { 404 };
        return error(
            status,
            "authorization_pending",
            "The user has not entered the code yet.",
        );
    }
    session.completed = true;

    let code_verifier = random_token(48);
    let code_challenge = pkce_challenge(&code_verifier);
    let authorization_code = format!("ac_{}", random_token(24));
    let redirect_uri = state.device_redirect_uri();
    state.codes.insert(
        authorization_code.clone(),
        PendingCode {
            code_challenge: code_challenge.clone(),
            redirect_uri,
            originator: None,
        },
    );
    Reply::json(
        200,
        json!({
            "authorization_code": authorization_code,
            "code_challenge": code_challenge,
            "code_verifier": code_verifier,
        }),
    )
}
