//! Device-code login: the user enters a short code on a web page, which
//! works over SSH and on machines without a browser.

use std::time::{Duration, Instant};

use ouro_plugin_sdk::{ProviderError, ui};
use serde_json::{Value, json};

use crate::config::{CLIENT_ID, Endpoints};
use crate::credentials::TokenResponse;
use crate::{net, oauth};

/// Poll interval when the server sends none or an unreadable one.
const DEFAULT_INTERVAL_SECS: u64 = 5;

/// How long a user code stays valid, and so how long polling goes on.
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

const EXPIRED_MESSAGE: &str = "the code expired; run `ouro --login` again";

/// A user code issued by the server.
#[derive(Debug, PartialEq)]
pub struct DeviceCode {
    pub device_auth_id: String,
    pub user_code: String,
    /// Seconds between polls, at least 1.
    pub interval_secs: u64,
}

/// Result of one poll of the token endpoint.
#[derive(Debug, PartialEq)]
pub enum Poll {
    /// The user has not entered the code yet.
    Pending,
    /// The user approved; the server made the PKCE pair.
    Approved {
        authorization_code: String,
        code_verifier: String,
    },
}

/// Runs the whole device-code login and returns the tokens.
pub fn run(endpoints: &Endpoints) -> Result<TokenResponse, ProviderError> {
    let code = request_code(endpoints)?;
    ui::show_device_code(&endpoints.issuer_url("/codex/device"), &code.user_code);

    let deadline = Instant::now() + CODE_LIFETIME;
    let (authorization_code, code_verifier) = loop {
        // The host's sleep ends early on Ctrl+C and does not count against
        // the plugin's CPU limit.
        if !ouro_plugin_sdk::timer::sleep(Duration::from_secs(code.interval_secs)) {
            return Err(ProviderError::Cancelled);
        }
        if Instant::now() >= deadline {
            return Err(ProviderError::AuthRequired(
                "the device login timed out: the code was not entered within 15 minutes; \
                 run `ouro --login` again"
                    .into(),
            ));
        }
        match poll(endpoints, &code)? {
            Poll::Pending => continue,
            Poll::Approved {
                authorization_code,
                code_verifier,
            } => break (authorization_code, code_verifier),
        }
    };

    let redirect_uri = endpoints.issuer_url("/deviceauth/callback");
    oauth::exchange_code(
        endpoints,
        &authorization_code,
        &redirect_uri,
        &code_verifier,
    )
}

fn request_code(endpoints: &Endpoints) -> Result<DeviceCode, ProviderError> {
    const ACTION: &str = "requesting a device login code";
    let request = net::post(
        endpoints,
        &endpoints.issuer_url("/api/accounts/deviceauth/usercode"),
    )
    .json(json!({ "client_id": CLIENT_ID }).to_string());
    let response = net::send(request, ACTION)?;
    let body = net::read_text(&response, ACTION)?;
    match response.status {
        200..=299 => parse_device_code(&body),
        404 => Err(ProviderError::Unsupported(
            "device login is not enabled on this server; use `--method browser` instead".into(),
        )),
        status => Err(oauth::login_failure(ACTION, status, &body)),
    }
}

fn poll(endpoints: &Endpoints, code: &DeviceCode) -> Result<Poll, ProviderError> {
    const ACTION: &str = "checking the device login";
    let body = json!({ "device_auth_id": code.device_auth_id, "user_code": code.user_code });
    let request = net::post(
        endpoints,
        &endpoints.issuer_url("/api/accounts/deviceauth/token"),
    )
    .json(body.to_string());
    let response = net::send(request, ACTION)?;
    let body = net::read_text(&response, ACTION)?;
    classify_poll(response.status, &body)
}

/// Parses the user-code response. The code arrives as `user_code` or
/// `usercode`, the interval as a string or a number.
pub fn parse_device_code(body: &str) -> Result<DeviceCode, ProviderError> {
    let invalid = |what: &str| {
        ProviderError::Transient(format!("the device login response {what}; try again"))
    };
    let json: Value = serde_json::from_str(body).map_err(|_| invalid("is not JSON"))?;
    let text = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };

    let device_auth_id = text("device_auth_id").ok_or_else(|| invalid("has no device_auth_id"))?;
    let user_code = text("user_code")
        .or_else(|| text("usercode"))
        .ok_or_else(|| invalid("has no user_code"))?;
    Ok(DeviceCode {
        device_auth_id,
        user_code,
        interval_secs: parse_interval(json.get("interval")),
    })
}

/// Parses the poll interval in seconds. Missing or unparsable means the default; zero is
/// raised to 1 so polling never spins.
fn parse_interval(value: Option<&Value>) -> u64 {
    let seconds = match value {
        Some(Value::Number(number)) => number
            .as_u64()
            .or_else(|| number.as_f64().map(|float| float.ceil() as u64)),
        Some(Value::String(text)) => text.trim().parse().ok(),
        _ => None,
    };
    seconds.unwrap_or(DEFAULT_INTERVAL_SECS).max(1)
}

/// Interprets one poll response: 403 and 404 mean pending, unless the body
/// of a 403 reports that the code expired.
pub fn classify_poll(status: u16, body: &str) -> Result<Poll, ProviderError> {
    match status {
        200..=299 => {
            let json: Value = serde_json::from_str(body).map_err(|_| {
                ProviderError::Transient(
                    "the approved device login response is not JSON; try again".into(),
                )
            })?;
            let text = |key: &str| {
                json.get(key)
                    .and_then(Value::as_str)
                    .filter(|text| !text.is_empty())
            };
            match (text("authorization_code"), text("code_verifier")) {
                (Some(code), Some(verifier)) => Ok(Poll::Approved {
                    authorization_code: code.to_owned(),
                    code_verifier: verifier.to_owned(),
                }),
                _ => Err(ProviderError::Transient(
                    "the approved device login response lacks authorization_code or code_verifier; try again"
                        .into(),
                )),
            }
        }
        403 if body.to_ascii_lowercase().contains("expired") => {
            Err(ProviderError::AuthRequired(EXPIRED_MESSAGE.into()))
        }
        403 | 404 => Ok(Poll::Pending),
        status => Err(oauth::login_failure(
            "checking the device login",
            status,
            body,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_code_string_interval() {
        let code =
            parse_device_code(r#"{"device_auth_id":"d1","user_code":"ABCD-1234","interval":"7"}"#)
                .unwrap();
        assert_eq!(
            code,
            DeviceCode {
                device_auth_id: "d1".into(),
                user_code: "ABCD-1234".into(),
                interval_secs: 7
            }
        );
    }

    #[test]
    fn device_code_alternate_spelling() {
        let code =
            parse_device_code(r#"{"device_auth_id":"d1","usercode":"WXYZ","interval":3}"#).unwrap();
        assert_eq!(code.user_code, "WXYZ");
        assert_eq!(code.interval_secs, 3);
    }

    #[test]
    fn interval_defaults_and_floor() {
        assert_eq!(parse_interval(None), 5);
        assert_eq!(parse_interval(Some(&json!("soon"))), 5);
        assert_eq!(parse_interval(Some(&json!(null))), 5);
        assert_eq!(parse_interval(Some(&json!("0"))), 1);
        assert_eq!(parse_interval(Some(&json!(2.5))), 3);
    }

    #[test]
    fn device_code_missing_fields() {
        assert!(parse_device_code(r#"{"user_code":"A"}"#).is_err());
        assert!(parse_device_code(r#"{"device_auth_id":"d"}"#).is_err());
        assert!(parse_device_code("not json").is_err());
    }

    #[test]
    fn poll_pending_statuses() {
        assert_eq!(
            classify_poll(403, r#"{"error":"authorization_pending"}"#).unwrap(),
            Poll::Pending
        );
        assert_eq!(classify_poll(404, "").unwrap(), Poll::Pending);
    }

    #[test]
    fn poll_expired_code_stops() {
        let body =
            r#"{"error":{"message":"Device authorization code has expired. Please try again."}}"#;
        let error = classify_poll(403, body).unwrap_err();
        assert!(matches!(error, ProviderError::AuthRequired(ref m) if m == EXPIRED_MESSAGE));
    }

    #[test]
    fn poll_approved_returns_code() {
        let body = r#"{"authorization_code":"ac","code_challenge":"ch","code_verifier":"cv"}"#;
        assert_eq!(
            classify_poll(200, body).unwrap(),
            Poll::Approved {
                authorization_code: "ac".into(),
                code_verifier: "cv".into()
            }
        );
        assert!(classify_poll(200, r#"{"authorization_code":"ac"}"#).is_err());
    }

    #[test]
    fn poll_other_status_fails() {
        let error = classify_poll(400, r#"{"error":{"message":"bad device id"}}"#).unwrap_err();
        assert!(
            matches!(error, ProviderError::AuthRequired(ref m) if m.contains("HTTP 400") && m.contains("bad device id"))
        );
        let error = classify_poll(500, "oops").unwrap_err();
        assert!(matches!(error, ProviderError::Transient(ref m) if m.contains("HTTP 500")));
    }
}
