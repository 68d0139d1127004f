//! Reading claims from the OAuth tokens. Signatures are not verified: the
//! tokens come straight from the issuer over TLS and the plugin only uses
//! the claims for display and routing (account id, plan, expiry).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// Claim object with the ChatGPT account details.
const AUTH_CLAIM: &str = "https://api.openai.com/auth";

/// Claim object that carries the email in some tokens.
const PROFILE_CLAIM: &str = "https://api.openai.com/profile";

/// Decodes the payload of a JWT into its claims. Returns `None` for anything
/// that is not three dot-separated parts with a base64url JSON object in the
/// middle. Padding is tolerated although JWTs omit it.
pub fn claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.is_object().then_some(claims)
}

/// Reads the ChatGPT account id from the `https://api.openai.com/auth` claim.
pub fn account_id(claims: &Value) -> Option<String> {
    auth_string(claims, "chatgpt_account_id")
}

/// Reads the subscription plan, such as `plus` or `pro`.
pub fn plan(claims: &Value) -> Option<String> {
    auth_string(claims, "chatgpt_plan_type")
}

/// Reads the email from `email` or from the `https://api.openai.com/profile` claim.
pub fn email(claims: &Value) -> Option<String> {
    non_empty(claims.get("email")).or_else(|| non_empty(claims.get(PROFILE_CLAIM)?.get("email")))
}

/// Reads the expiry (`exp`) in unix seconds.
pub fn expiry(claims: &Value) -> Option<u64> {
    let exp = claims.get("exp")?;
    exp.as_u64().or_else(|| {
        exp.as_f64()
            .filter(|value| *value >= 0.0)
            .map(|value| value as u64)
    })
}

fn auth_string(claims: &Value, key: &str) -> Option<String> {
    non_empty(claims.get(AUTH_CLAIM)?.get(key))
}

fn non_empty(value: Option<&Value>) -> Option<String> {
    value?
        .as_str()
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// Builds an unsigned test token carrying `claims`.
#[cfg(test)]
pub fn test_token(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.signature")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_unpadded_base64url_payload() {
        // "?>" encodes to "Pz4" in base64url: a payload with `-`/`_` and no padding.
        let claims_json = json!({"sub": "user?>", "exp": 1_700_000_000u64});
        let token = test_token(&claims_json);
        assert!(!token.split('.').nth(1).unwrap().contains('='));
        assert_eq!(claims(&token), Some(claims_json));
    }

    #[test]
    fn tolerates_padded_payload() {
        let payload = base64::engine::general_purpose::URL_SAFE.encode(r#"{"a":1}"#);
        assert!(payload.ends_with('='));
        let token = format!("x.{payload}.y");
        assert_eq!(claims(&token), Some(json!({"a": 1})));
    }

    #[test]
    fn rejects_malformed_tokens() {
        assert_eq!(claims("not-a-jwt"), None);
        assert_eq!(claims("a.b"), None);
        assert_eq!(claims("a.!!!.c"), None);
        assert_eq!(
            claims(&format!("a.{}.c.d", URL_SAFE_NO_PAD.encode("{}"))),
            None
        );
        assert_eq!(
            claims(&format!("a.{}.c", URL_SAFE_NO_PAD.encode("[1]"))),
            None
        );
    }

    #[test]
    fn reads_account_plan_email() {
        let claims = json!({
            "https://api.openai.com/auth": {"chatgpt_account_id": "acct-1", "chatgpt_plan_type": "pro"},
            "https://api.openai.com/profile": {"email": "a@example.com"},
        });
        assert_eq!(account_id(&claims).as_deref(), Some("acct-1"));
        assert_eq!(plan(&claims).as_deref(), Some("pro"));
        assert_eq!(email(&claims).as_deref(), Some("a@example.com"));
    }

    #[test]
    fn top_level_email_preferred() {
        let claims = json!({"email": "top@example.com", "https://api.openai.com/profile": {"email": "p@example.com"}});
        assert_eq!(email(&claims).as_deref(), Some("top@example.com"));
    }

    #[test]
    fn expiry_integer_or_float() {
        assert_eq!(expiry(&json!({"exp": 42})), Some(42));
        assert_eq!(expiry(&json!({"exp": 42.9})), Some(42));
        assert_eq!(expiry(&json!({"exp": "42"})), None);
        assert_eq!(expiry(&json!({})), None);
    }
}
