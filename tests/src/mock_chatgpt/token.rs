//! `POST /oauth/token`: the authorization code exchange (form-urlencoded,
//! PKCE checked) and the refresh grant (JSON or form, single-use refresh
//! tokens), plus the JWTs they issue.

use serde_json::{Value, json};

use super::codec::{make_jwt, pkce_challenge, random_token, unix_now};
use super::recorded::RecordedRequest;
use super::server::Reply;
use super::state::{AccessToken, CLIENT_ID, Grant, RefreshToken, State};

/// Lifetime of ID tokens in seconds. It does not follow the access token
/// TTL, so a client that reads the expiry from the wrong token shows up.
const ID_TOKEN_TTL: i64 = 3600;

/// Flat OAuth error, as the code exchange sends it.
fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}

/// Nested error object, as the refresh grant sends it.
fn refresh_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::json(status, json!({"error": {"code": code, "message": message}}))
}

/// Reads the body fields from a form-urlencoded or JSON body. JSON values
/// that are not strings keep their JSON text.
fn body_fields(request: &RecordedRequest) -> Result<Vec<(String, String)>, String> {
    match request.media_type().as_str() {
        "application/x-www-form-urlencoded" => Ok(request.form()),
        "application/json" => {
            let body: Value = serde_json::from_slice(&request.body)
                .map_err(|error| format!("invalid JSON body: {error}"))?;
            let object = body.as_object().ok_or("the JSON body must be an object")?;
            Ok(object
                .iter()
                .map(|(name, value)| {
                    let text = value
                        .as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| value.to_string());
                    (name.clone(), text)
                })
                .collect())
        }
        other => Err(format!(
            "unsupported content-type {other:?}: use application/x-www-form-urlencoded or application/json"
        )),
    }
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}

/// Dispatches on `grant_type`.
pub(super) fn exchange_or_refresh(state: &mut State, request: &RecordedRequest) -> Reply {
    let fields = match body_fields(request) {
        Ok(fields) => fields,
        Err(message) => return oauth_error(400, "invalid_request", &message),
    };
    match field(&fields, "grant_type") {
        Some("authorization_code")
            if request.media_type() != "application/x-www-form-urlencoded" =>
        {
            oauth_error(
                400,
                "invalid_request",
                "the authorization_code grant must be sent form-urlencoded",
            )
        }
        Some("authorization_code") => exchange_code(state, &fields),
        Some("refresh_token") => refresh(state, &fields),
        Some(other) => oauth_error(
            400,
            "unsupported_grant_type",
            &format!("unsupported grant_type {other:?}"),
        ),
        None => oauth_error(400, "invalid_request", "missing grant_type"),
    }
}

fn exchange_code(state: &mut State, fields: &[(String, String)]) -> Reply {
    if field(fields, "client_id") != Some(CLIENT_ID) {
        return oauth_error(
            401,
            "invalid_client",
            &format!("client_id must be {CLIENT_ID}"),
        );
    }
    let Some(code) = field(fields, "code") else {
        return oauth_error(400, "invalid_request", "missing code");
    };
    let Some(redirect_uri) = field(fields, "redirect_uri") else {
        return oauth_error(400, "invalid_request", "missing redirect_uri");
    };
    let Some(code_verifier) = field(fields, "code_verifier") else {
        return oauth_error(400, "invalid_request", "missing code_verifier");
    };
    // Any exchange attempt uses the code up, even one that fails below.
    let Some(pending) = state.codes.remove(code) else {
        return oauth_error(
            400,
            "invalid_grant",
            "the authorization code is unknown or was already used",
        );
    };
    if redirect_uri != pending.redirect_uri {
        let description = format!(
            "redirect_uri {redirect_uri:?} does not match {:?} from the authorization request",
            pending.redirect_uri
        );
        return oauth_error(400, "invalid_grant", &description);
    }
    if pkce_challenge(code_verifier) != pending.code_challenge {
        return oauth_error(
            400,
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        );
    }

    let grant = Grant {
        identity: state.identity.clone(),
        originator: pending.originator,
    };
    Reply::json(200, issue_tokens(state, grant, true))
}

fn refresh(state: &mut State, fields: &[(String, String)]) -> Reply {
    if let Some(status) = state.refresh_failure_status {
        return refresh_error(
            status,
            "server_error",
            "The token service is temporarily unavailable.",
        );
    }
    if field(fields, "client_id") != Some(CLIENT_ID) {
        return refresh_error(
            401,
            "invalid_client",
            &format!("client_id must be {CLIENT_ID}."),
        );
    }
    let Some(refresh_token) = field(fields, "refresh_token") else {
        return refresh_error(400, "invalid_request", "refresh_token is required.");
    };

    let Some(record) = state.refresh_tokens.get_mut(refresh_token) else {
        return refresh_error(
            401,
            "refresh_token_invalidated",
            "Your refresh token has been invalidated. Please try signing in again.",
        );
    };
    if record.expired {
        return refresh_error(
            401,
            "refresh_token_expired",
            "Your refresh token has expired. Please try signing in again.",
        );
    }
    if record.used {
        return refresh_error(
            401,
            "refresh_token_reused",
            "Your refresh token has already been used to generate a new access token. Please try signing in again.",
        );
    }
    record.used = true;

    // Refreshed tokens describe the current identity, so a test can change
    // the plan between logins and refreshes.
    let grant = Grant {
        identity: state.identity.clone(),
        originator: record.grant.originator.clone(),
    };
    let include_id_token = !state.omit_id_token_on_refresh;
    Reply::json(200, issue_tokens(state, grant, include_id_token))
}

/// Issues an access token, a refresh token and optionally an ID token for
/// `grant`, records them, and returns the token endpoint's JSON response.
pub(super) fn issue_tokens(state: &mut State, grant: Grant, include_id_token: bool) -> Value {
    let now = unix_now();
    let expires_at = now + state.access_token_ttl;
    let identity = &grant.identity;
    let auth_claims = json!({
        "chatgpt_account_id": identity.account_id,
        "chatgpt_plan_type": identity.plan,
        "chatgpt_user_id": identity.user_id,
        "user_id": identity.user_id,
    });

    let access_token = make_jwt(&json!({
        "iss": state.issuer,
        "aud": ["https://api.openai.com/v1"],
        "sub": identity.user_id,
        "client_id": CLIENT_ID,
        "iat": now,
        "exp": expires_at,
        "jti": random_token(16),
        "scp": ["openid", "profile", "email", "offline_access"],
        "https://api.openai.com/auth": auth_claims,
        "https://api.openai.com/profile": {"email": identity.email, "email_verified": true},
    }));
    let refresh_token = format!("rt_{}", random_token(32));

    let mut response = json!({
        "access_token": access_token,
        "refresh_token": refresh_token,
        "expires_in": state.access_token_ttl,
    });
    if include_id_token {
        response["id_token"] = Value::String(make_jwt(&json!({
            "iss": state.issuer,
            "aud": CLIENT_ID,
            "sub": identity.user_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL,
            "jti": random_token(16),
            "email": identity.email,
            "email_verified": true,
            "https://api.openai.com/auth": auth_claims,
        })));
    }

    state.access_tokens.insert(
        access_token,
        AccessToken {
            grant: grant.clone(),
            expires_at,
            invalidated: false,
        },
    );
    state.refresh_tokens.insert(
        refresh_token,
        RefreshToken {
            grant,
            used: false,
            expired: false,
        },
    );
    response
}
