//! OAuth pieces shared by both login methods: PKCE, the authorize URL, URL
//! encoding and the authorization-code exchange.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ouro_plugin_sdk::ProviderError;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::{CLIENT_ID, Endpoints, LOGIN_COMMAND, ORIGINATOR};
use crate::credentials::TokenResponse;
use crate::net;

/// Random bytes behind a PKCE verifier; 48 bytes give a 64-character
/// verifier, inside the 43 to 128 characters RFC 7636 allows.
const VERIFIER_BYTES: usize = 48;

/// Random bytes behind the `state` parameter (256 bits).
const STATE_BYTES: usize = 32;

/// Scopes requested at login; `offline_access` yields a refresh token.
const LOGIN_SCOPE: &str = "openid profile email offline_access";

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

impl Pkce {
    /// Creates a verifier from the system's random source.
    pub fn generate() -> Result<Self, ProviderError> {
        let verifier = random_base64url(VERIFIER_BYTES)?;
        let challenge = s256_challenge(&verifier);
        Ok(Self {
            verifier,
            challenge,
        })
    }
}

/// Creates a random `state` value that ties the redirect to this login.
pub fn random_state() -> Result<String, ProviderError> {
    random_base64url(STATE_BYTES)
}

fn random_base64url(len: usize) -> Result<String, ProviderError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(|error| {
        ProviderError::Transient(format!("the system random source failed: {error}"))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Computes the S256 code challenge: base64url without padding of SHA-256 of the verifier.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Percent-encodes everything but RFC 3986 unreserved characters, which is
/// valid both in a URL query and in a form-urlencoded body.
pub fn percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Encodes `pairs` as `key=value&...`.
pub fn encode_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Builds the browser login's authorize URL.
pub fn authorize_url(issuer: &str, redirect_uri: &str, challenge: &str, state: &str) -> String {
    let query = encode_pairs(&[
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", redirect_uri),
        ("scope", LOGIN_SCOPE),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("id_token_add_organizations", "true"),
        ("codex_cli_simplified_flow", "true"),
        ("state", state),
        ("originator", ORIGINATOR),
    ]);
    format!("{issuer}/oauth/authorize?{query}")
}

/// Encodes the form body of an authorization-code exchange.
pub fn exchange_form(code: &str, redirect_uri: &str, verifier: &str) -> String {
    encode_pairs(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", CLIENT_ID),
        ("code_verifier", verifier),
    ])
}

/// Exchanges an authorization code for tokens at `{issuer}/oauth/token`.
pub fn exchange_code(
    endpoints: &Endpoints,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> Result<TokenResponse, ProviderError> {
    const ACTION: &str = "exchanging the authorization code";
    let request = net::post(endpoints, &endpoints.issuer_url("/oauth/token"))
        .header("accept", "application/json")
        .form(exchange_form(code, redirect_uri, verifier));
    let response = net::send(request, ACTION)?;
    let body = net::read_text(&response, ACTION)?;
    if !(200..300).contains(&response.status) {
        return Err(login_failure(ACTION, response.status, &body));
    }
    parse_token_response(&body)
        .map_err(|message| ProviderError::Transient(format!("{ACTION} failed: {message}")))
}

/// Parses a token endpoint response. Every token is optional here; a login
/// checks that all three are present, a refresh keeps the old ones.
pub fn parse_token_response(body: &str) -> Result<TokenResponse, String> {
    let json: Value =
        serde_json::from_str(body).map_err(|_| "the token response is not JSON".to_owned())?;
    if !json.is_object() {
        return Err("the token response is not a JSON object".into());
    }
    let token = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let expires_in = json.get("expires_in").and_then(|value| {
        value
            .as_u64()
            .or_else(|| {
                value
                    .as_f64()
                    .filter(|seconds| *seconds >= 0.0)
                    .map(|seconds| seconds as u64)
            })
            .or_else(|| value.as_str()?.trim().parse().ok())
    });
    Ok(TokenResponse {
        id_token: token("id_token"),
        access_token: token("access_token"),
        refresh_token: token("refresh_token"),
        expires_in,
    })
}

/// Builds the error for a failed login step: server errors are transient, any other
/// status means this login attempt is over and the user starts again.
pub fn login_failure(action: &str, status: u16, body: &str) -> ProviderError {
    let message = net::body_message(body);
    if status >= 500 {
        return ProviderError::Transient(format!(
            "{action} failed: HTTP {status}: {message}; try again later"
        ));
    }
    ProviderError::AuthRequired(format!(
        "{action} failed: HTTP {status}: {message}; run `{LOGIN_COMMAND}` to try again"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_verifier_length_and_alphabet() {
        let pkce = Pkce::generate().unwrap();
        assert!(
            (43..=128).contains(&pkce.verifier.len()),
            "{}",
            pkce.verifier.len()
        );
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        assert!(pkce.verifier.chars().all(allowed));
        assert_eq!(pkce.challenge, s256_challenge(&pkce.verifier));
        assert_ne!(Pkce::generate().unwrap().verifier, pkce.verifier);
    }

    #[test]
    fn s256_matches_rfc_example() {
        // RFC 7636 appendix B.
        let challenge = s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn state_has_enough_entropy() {
        let state = random_state().unwrap();
        assert!(state.len() >= 22, "{state}");
        assert_ne!(random_state().unwrap(), state);
    }

    #[test]
    fn percent_encoding_reserved_characters() {
        assert_eq!(percent_encode("a-b._~Z9"), "a-b._~Z9");
        assert_eq!(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn authorize_url_parameters() {
        let url = authorize_url(
            "https://auth.example",
            "http://localhost:1455/auth/callback",
            "CH",
            "ST",
        );
        let expected = "https://auth.example/oauth/authorize?response_type=code\
            &client_id=app_EMoamEEZ73f0CkXaXp7hrann\
            &redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback\
            &scope=openid%20profile%20email%20offline_access\
            &code_challenge=CH&code_challenge_method=S256\
            &id_token_add_organizations=true&codex_cli_simplified_flow=true\
            &state=ST&originator=ouro";
        assert_eq!(url, expected);
    }

    #[test]
    fn exchange_form_fields() {
        let form = exchange_form("c+1", "https://auth.example/deviceauth/callback", "v");
        assert_eq!(
            form,
            "grant_type=authorization_code&code=c%2B1\
             &redirect_uri=https%3A%2F%2Fauth.example%2Fdeviceauth%2Fcallback\
             &client_id=app_EMoamEEZ73f0CkXaXp7hrann&code_verifier=v"
        );
    }

    #[test]
    fn token_response_optional_fields() {
        let full = parse_token_response(
            r#"{"id_token":"i","access_token":"a","refresh_token":"r","expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!(full.id_token.as_deref(), Some("i"));
        assert_eq!(full.access_token.as_deref(), Some("a"));
        assert_eq!(full.refresh_token.as_deref(), Some("r"));
        assert_eq!(full.expires_in, Some(3600));

        let partial = parse_token_response(r#"{"access_token":"a","expires_in":"60"}"#).unwrap();
        assert_eq!(partial.refresh_token, None);
        assert_eq!(partial.expires_in, Some(60));

        assert!(parse_token_response("<html>").is_err());
        assert!(parse_token_response("[]").is_err());
    }

    #[test]
    fn login_failure_by_status() {
        let server = login_failure("exchanging", 502, "bad gateway");
        assert!(matches!(server, ProviderError::Transient(ref m) if m.contains("HTTP 502")));
        let client = login_failure("exchanging", 400, r#"{"error":"invalid_grant"}"#);
        assert!(
            matches!(client, ProviderError::AuthRequired(ref m) if m.contains("invalid_grant"))
        );
    }
}
