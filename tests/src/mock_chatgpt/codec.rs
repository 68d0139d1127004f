//! Encoding helpers: base64url, percent-encoding, PKCE, JWTs and random
//! tokens.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// HMAC key of the mock's HS256 JWT signatures. Clients never verify them.
const JWT_SIGNING_KEY: &[u8] = b"ouro-mock-chatgpt-signing-key";

/// Current time in unix seconds.
pub(super) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

pub(super) fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Returns the S256 PKCE code challenge of `verifier`:
/// base64url(SHA-256(verifier)) without padding (RFC 7636).
pub(super) fn pkce_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// Returns `count` random bytes.
///
/// The bytes come from std's randomly keyed SipHash mixed with a counter and
/// the clock: unpredictable enough for test tokens, not for real secrets.
pub(super) fn random_bytes(count: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or(0);

    let mut bytes = Vec::with_capacity(count + 8);
    while bytes.len() < count {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_u128(nanos);
        bytes.extend_from_slice(&hasher.finish().to_le_bytes());
    }
    bytes.truncate(count);
    bytes
}

/// Returns a random base64url string that encodes `count` random bytes.
pub(super) fn random_token(count: usize) -> String {
    base64url(&random_bytes(count))
}

/// Returns a user code shaped like `ABCD-EFGH`, without the easily confused
/// letters I and O or the digits 0 and 1.
pub(super) fn random_user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let letters: String = random_bytes(8)
        .iter()
        .map(|byte| ALPHABET[usize::from(*byte) % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // RFC 2104 with a key shorter than SHA-256's 64-byte block.
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let inner_pad: Vec<u8> = block.iter().map(|byte| byte ^ 0x36).collect();
    let outer_pad: Vec<u8> = block.iter().map(|byte| byte ^ 0x5c).collect();

    let inner_hash = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner_hash)
        .finalize()
        .to_vec()
}

/// Builds a well-formed HS256 JWT with `claims` as its payload, signed with
/// a fixed test key.
pub(super) fn make_jwt(claims: &Value) -> String {
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        base64url(header.to_string().as_bytes()),
        base64url(claims.to_string().as_bytes())
    );
    let signature = hmac_sha256(JWT_SIGNING_KEY, signing_input.as_bytes());
    format!("{signing_input}.{}", base64url(&signature))
}

/// Decodes the payload of a JWT without checking its signature.
pub(super) fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Decodes `%XX` escapes, and `+` as a space when `plus_is_space` is set
/// (form-urlencoded bodies and query strings). Invalid escapes stay as they
/// are, and invalid UTF-8 is replaced.
pub(super) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        let escape = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (byte, escape) {
            (b'%', Some(value)) => {
                decoded.push(value);
                index += 3;
            }
            (b'+', _) if plus_is_space => {
                decoded.push(b' ');
                index += 1;
            }
            _ => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Percent-encodes every byte except the RFC 3986 unreserved characters.
pub(super) fn percent_encode(text: &str) -> String {
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

/// Parses a query string or form-urlencoded body into name/value pairs in
/// order, keeping repeated names.
pub(super) fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_challenge_is_unpadded_base64url() {
        // SHA-256("abc") is ba7816bf...f20015ad (FIPS 180-2), which in
        // unpadded base64url reads as below.
        assert_eq!(
            pkce_challenge("abc"),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn jwt_round_trips_claims() {
        let claims = json!({"sub": "user-1", "exp": 1_700_000_000});
        let token = make_jwt(&claims);
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(jwt_claims(&token), Some(claims));
    }

    #[test]
    fn form_parsing_decodes_escapes() {
        let pairs = parse_form(
            "a=1&redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fx&scope=openid+profile&flag",
        );
        assert_eq!(pairs[0], ("a".to_owned(), "1".to_owned()));
        assert_eq!(pairs[1].1, "http://localhost:1455/x");
        assert_eq!(pairs[2].1, "openid profile");
        assert_eq!(pairs[3], ("flag".to_owned(), String::new()));
    }

    #[test]
    fn percent_encoding_round_trips() {
        let text = "a b/c?d=e&f~g";
        assert_eq!(percent_decode(&percent_encode(text), false), text);
    }

    #[test]
    fn random_tokens_differ() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_user_code().len(), 9);
    }
}
