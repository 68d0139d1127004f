//! Access token refresh.
//!
//! Refresh tokens are single-use: when two processes refresh with the same
//! token, the second fails with `refresh_token_reused` and would lose the
//! login. So a refresh runs under the host's cross-process lock and re-reads
//! `auth.json` after taking it, using tokens another process just stored.

use ouro_plugin_sdk::{ProviderError, RateLimitedInfo, lock};
use serde_json::{Value, json};

use crate::config::{CLIENT_ID, Endpoints, LOGIN_COMMAND};
use crate::credentials::{CredentialStore, Credentials};
use crate::logging as log;
use crate::time::{now_unix, parse_retry_after};
use crate::{net, oauth};

/// A token that expires within this many seconds is refreshed before use.
pub const EXPIRY_SKEW_SECS: u64 = 60;

/// Name of the lock that serializes refreshes of this plugin's `auth.json`.
const LOCK_NAME: &str = "auth";

const LOCK_TIMEOUT_MS: u32 = 30_000;

const ACTION: &str = "refreshing the ChatGPT login";

/// Token endpoint error codes after which only a new login helps.
const PERMANENT_CODES: [&str; 3] = [
    "refresh_token_expired",
    "refresh_token_reused",
    "refresh_token_invalidated",
];

/// Builds the error of every refresh failure that needs a new login.
pub fn login_expired() -> ProviderError {
    ProviderError::AuthRequired(format!(
        "Your ChatGPT login has expired or was revoked. Run `{LOGIN_COMMAND}` to log in again."
    ))
}

/// Loads the stored login, refreshing it first when the access token is
/// missing or expires within [`EXPIRY_SKEW_SECS`].
pub fn usable_credentials(
    store: &CredentialStore,
    endpoints: &Endpoints,
) -> Result<Credentials, ProviderError> {
    let credentials = load_required(store)?;
    let has_access_token = credentials
        .access_token
        .as_deref()
        .is_some_and(|token| !token.is_empty());
    if has_access_token && !credentials.expires_within(now_unix(), EXPIRY_SKEW_SECS) {
        return Ok(credentials);
    }
    refresh(store, endpoints, credentials.access_token.as_deref())
}

/// Refreshes the login whose access token was `stale_access_token`, unless
/// another process already replaced that token with a fresh one.
pub fn refresh(
    store: &CredentialStore,
    endpoints: &Endpoints,
    stale_access_token: Option<&str>,
) -> Result<Credentials, ProviderError> {
    let _guard = lock_credentials()?;

    let mut credentials = load_required(store)?;
    let now = now_unix();
    if refreshed_elsewhere(&credentials, stale_access_token, now) {
        log::debug("another process already refreshed the ChatGPT login; using its tokens");
        return Ok(credentials);
    }
    let Some(refresh_token) = credentials
        .refresh_token
        .clone()
        .filter(|token| !token.is_empty())
    else {
        return Err(login_expired());
    };

    log::info("refreshing the ChatGPT access token");
    let request = net::post(endpoints, &endpoints.issuer_url("/oauth/token"))
        .header("accept", "application/json")
        .json(refresh_body(&refresh_token));
    let response = net::send(request, ACTION).inspect_err(log_failure)?;
    let body = net::read_text(&response, ACTION).inspect_err(log_failure)?;
    if !(200..300).contains(&response.status) {
        let retry_after = response
            .header("retry-after")
            .and_then(|value| parse_retry_after(value, now));
        let error = classify_failure(response.status, &body, retry_after);
        log_failure(&error);
        return Err(error);
    }

    let tokens = oauth::parse_token_response(&body)
        .map_err(|message| ProviderError::Transient(format!("{ACTION} failed: {message}")))?;
    credentials.apply_tokens(tokens, now);
    store.save(&credentials)?;
    log::info("refreshed the ChatGPT access token");
    Ok(credentials)
}

/// Records a refresh failure at debug level; the caller returns the error,
/// and the host reports it to the user.
fn log_failure(error: &ProviderError) {
    log::debug(&format!("{ACTION} failed: {error:?}"));
}

/// Takes the lock that serializes every change to `auth.json` across
/// processes; dropping the guard releases it.
pub fn lock_credentials() -> Result<lock::LockGuard, ProviderError> {
    lock::acquire(LOCK_NAME, LOCK_TIMEOUT_MS).map_err(|message| {
        ProviderError::Transient(format!(
            "cannot take the ChatGPT credentials lock: {message}"
        ))
    })
}

/// Loads the stored login, or returns an error that names the login command.
pub fn load_required(store: &CredentialStore) -> Result<Credentials, ProviderError> {
    match store.load() {
        Ok(Some(credentials)) => Ok(credentials),
        Ok(None) => Err(ProviderError::AuthRequired(format!(
            "not logged in to ChatGPT; run `{LOGIN_COMMAND}` to log in"
        ))),
        Err(message) => Err(ProviderError::AuthRequired(message)),
    }
}

/// Returns whether another process refreshed while this one waited: the
/// stored access token differs from the stale one and is not about to expire.
pub fn refreshed_elsewhere(
    current: &Credentials,
    stale_access_token: Option<&str>,
    now: u64,
) -> bool {
    let Some(token) = current
        .access_token
        .as_deref()
        .filter(|token| !token.is_empty())
    else {
        return false;
    };
    Some(token) != stale_access_token && !current.expires_within(now, EXPIRY_SKEW_SECS)
}

/// Encodes the JSON body of a refresh request.
pub fn refresh_body(refresh_token: &str) -> String {
    json!({
        "client_id": CLIENT_ID,
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "scope": "openid profile email",
    })
    .to_string()
}

/// Maps a failed refresh response. A 401 or a permanent error code needs a
/// new login; server errors are transient and the stored tokens stay.
pub fn classify_failure(status: u16, body: &str, retry_after: Option<u64>) -> ProviderError {
    let code = error_code(body);
    if status == 401
        || code
            .as_deref()
            .is_some_and(|code| PERMANENT_CODES.contains(&code))
    {
        return login_expired();
    }
    let message = net::body_message(body);
    if status >= 500 {
        return ProviderError::Transient(format!(
            "{ACTION} failed: HTTP {status}: {message}; the stored login is kept, try again later"
        ));
    }
    if status == 429 {
        return ProviderError::RateLimited(RateLimitedInfo {
            message: format!("{ACTION} was rate limited: {message}"),
            retry_after_seconds: retry_after,
        });
    }
    ProviderError::AuthRequired(format!(
        "{ACTION} failed: HTTP {status}: {message}. Run `{LOGIN_COMMAND}` to log in again."
    ))
}

/// Reads the error code from `error.code`, a string `error`, or a top-level `code`.
fn error_code(body: &str) -> Option<String> {
    let json: Value = serde_json::from_str(body).ok()?;
    let error = json.get("error");
    error
        .and_then(|error| error.get("code"))
        .and_then(Value::as_str)
        .or_else(|| error.and_then(Value::as_str))
        .or_else(|| json.get("code").and_then(Value::as_str))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::test_token;

    fn is_login_expired(error: &ProviderError) -> bool {
        matches!(error, ProviderError::AuthRequired(m) if m.contains("expired or was revoked"))
    }

    #[test]
    fn refresh_body_fields() {
        let body: Value = serde_json::from_str(&refresh_body("rt-1")).unwrap();
        assert_eq!(body["client_id"], CLIENT_ID);
        assert_eq!(body["grant_type"], "refresh_token");
        assert_eq!(body["refresh_token"], "rt-1");
        assert_eq!(body["scope"], "openid profile email");
    }

    #[test]
    fn permanent_codes_need_login() {
        let bodies = [
            r#"{"error":{"code":"refresh_token_reused","message":"already used"}}"#,
            r#"{"error":"refresh_token_expired"}"#,
            r#"{"code":"refresh_token_invalidated"}"#,
        ];
        for body in bodies {
            assert!(
                is_login_expired(&classify_failure(400, body, None)),
                "{body}"
            );
        }
    }

    #[test]
    fn any_401_needs_login() {
        assert!(is_login_expired(&classify_failure(401, "", None)));
    }

    #[test]
    fn server_errors_are_transient() {
        let error = classify_failure(503, r#"{"error":{"message":"overloaded"}}"#, None);
        assert!(
            matches!(error, ProviderError::Transient(ref m) if m.contains("HTTP 503") && m.contains("kept"))
        );
    }

    #[test]
    fn rate_limit_keeps_retry_after() {
        let error = classify_failure(429, "{}", Some(12));
        assert!(
            matches!(error, ProviderError::RateLimited(ref info) if info.retry_after_seconds == Some(12))
        );
    }

    #[test]
    fn other_client_error_needs_login() {
        let error = classify_failure(
            400,
            r#"{"error":"invalid_grant","error_description":"bad token"}"#,
            None,
        );
        assert!(matches!(error, ProviderError::AuthRequired(ref m) if m.contains("bad token")));
    }

    #[test]
    fn newer_token_from_other_process() {
        let fresh = test_token(&serde_json::json!({"exp": 10_000}));
        let current = Credentials {
            access_token: Some(fresh),
            ..Credentials::default()
        };
        assert!(refreshed_elsewhere(&current, Some("old"), 1_000));
        assert!(refreshed_elsewhere(&current, None, 1_000));
    }

    #[test]
    fn same_or_expiring_token_refreshes() {
        let token = test_token(&serde_json::json!({"exp": 10_000}));
        let current = Credentials {
            access_token: Some(token.clone()),
            ..Credentials::default()
        };
        assert!(!refreshed_elsewhere(&current, Some(&token), 1_000));
        assert!(!refreshed_elsewhere(&current, Some("old"), 9_950));
        assert!(!refreshed_elsewhere(
            &Credentials::default(),
            Some("old"),
            1_000
        ));
    }
}
