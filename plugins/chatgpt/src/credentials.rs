//! The stored login: `auth.json` in the plugin's data folder.
//!
//! The field names match those other ChatGPT clients use, so a file written
//! by one can be read by another. Fields this plugin does not know are kept
//! when the file is rewritten.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use ouro_plugin_sdk::{Account, AuthStatus, ProviderError};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::config::LOGIN_COMMAND;
use crate::jwt;

/// File name of the stored login inside the data folder.
pub const AUTH_FILE: &str = "auth.json";

/// Temporary file the next version is written to before the rename.
const AUTH_TEMP_FILE: &str = "auth.json.tmp";

/// The stored login. Tokens are optional so that a partial file from another
/// tool still loads; callers check what they need.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// Access token expiry in unix seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "unix_seconds"
    )]
    pub expires_at: Option<u64>,
    /// Fields written by other tools, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Tokens returned by the token endpoint. Each may be absent on a refresh.
#[derive(Clone, Default, PartialEq)]
pub struct TokenResponse {
    pub id_token: Option<String>,
    pub access_token: Option<String>,
    pub refresh_token: Option<String>,
    /// Access token lifetime in seconds.
    pub expires_in: Option<u64>,
}

/// Prints token values as `<redacted>`, so a stray `{:?}` cannot leak them
/// (checked by the `debug_output_redacts_tokens` test).
impl fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |token: &Option<String>| token.as_ref().map(|_| "<redacted>");
        formatter
            .debug_struct("Credentials")
            .field("access_token", &redact(&self.access_token))
            .field("refresh_token", &redact(&self.refresh_token))
            .field("id_token", &redact(&self.id_token))
            .field("account_id", &self.account_id)
            .field("expires_at", &self.expires_at)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Credentials {
    /// Returns the access token expiry: the stored `expires_at`, else the
    /// token's `exp` claim.
    pub fn effective_expiry(&self) -> Option<u64> {
        self.expires_at.or_else(|| {
            let claims = jwt::claims(self.access_token.as_deref()?)?;
            jwt::expiry(&claims)
        })
    }

    /// Returns whether the access token expires within `skew` seconds of `now`.
    /// A token without a known expiry counts as valid, because a 401 from
    /// the backend triggers a refresh anyway.
    pub fn expires_within(&self, now: u64, skew: u64) -> bool {
        self.effective_expiry()
            .is_some_and(|expiry| expiry <= now.saturating_add(skew))
    }

    /// Returns the ChatGPT account id: the stored one, else the one in the id
    /// token's claims, else the one in the access token's.
    pub fn account_id(&self) -> Option<String> {
        self.account_id
            .clone()
            .or_else(|| self.claim(jwt::account_id))
    }

    /// Builds the account as the host shows it.
    pub fn account(&self) -> Account {
        Account {
            label: self.claim(jwt::email),
            plan: self.claim(jwt::plan),
            account_id: self.account_id(),
            expires_at: self.effective_expiry(),
        }
    }

    /// Merges tokens from the token endpoint. A token the response omits keeps
    /// its old value, and so does every unknown field. The expiry and the
    /// account id are recomputed from the new tokens when they provide one.
    pub fn apply_tokens(&mut self, tokens: TokenResponse, now: u64) {
        let new_access_token = tokens.access_token.is_some();
        if tokens.id_token.is_some() {
            self.id_token = tokens.id_token;
        }
        if tokens.access_token.is_some() {
            self.access_token = tokens.access_token;
        }
        if tokens.refresh_token.is_some() {
            self.refresh_token = tokens.refresh_token;
        }

        if let Some(lifetime) = tokens.expires_in {
            self.expires_at = Some(now.saturating_add(lifetime));
        } else if new_access_token {
            let claims = self.access_token.as_deref().and_then(jwt::claims);
            self.expires_at = claims.as_ref().and_then(jwt::expiry);
        }

        if let Some(account_id) = self.claim(jwt::account_id) {
            self.account_id = Some(account_id);
        }
    }

    /// Returns the first value `read` finds in the id token's claims, then in
    /// the access token's.
    fn claim(&self, read: fn(&Value) -> Option<String>) -> Option<String> {
        [&self.id_token, &self.access_token]
            .into_iter()
            .filter_map(|token| jwt::claims(token.as_deref()?))
            .find_map(|claims| read(&claims))
    }
}

/// Builds the credentials of a fresh login on top of `existing` (whose
/// unknown fields are kept). Fails when a token is missing or when neither
/// token names a ChatGPT account.
pub fn from_login(
    existing: Option<Credentials>,
    tokens: TokenResponse,
    now: u64,
) -> Result<Credentials, ProviderError> {
    for (name, value) in [
        ("id_token", &tokens.id_token),
        ("access_token", &tokens.access_token),
        ("refresh_token", &tokens.refresh_token),
    ] {
        if value.as_deref().is_none_or(str::is_empty) {
            return Err(ProviderError::AuthRequired(format!(
                "the login response has no {name}; run `{LOGIN_COMMAND}` again"
            )));
        }
    }

    let extra = existing.map(|old| old.extra).unwrap_or_default();
    let mut credentials = Credentials {
        extra,
        ..Credentials::default()
    };
    credentials.apply_tokens(tokens, now);
    if credentials.account_id.is_none() {
        return Err(missing_account_id());
    }
    Ok(credentials)
}

/// Builds the error for tokens that carry no `chatgpt_account_id` claim.
pub fn missing_account_id() -> ProviderError {
    ProviderError::AuthRequired(format!(
        "the ChatGPT tokens carry no account id (claim `https://api.openai.com/auth` \
         → `chatgpt_account_id`), which the Codex backend requires; run `{LOGIN_COMMAND}` again"
    ))
}

/// Computes the authentication state of `loaded` credentials at `now`,
/// without network access.
pub fn auth_status(loaded: Result<Option<Credentials>, String>, now: u64) -> AuthStatus {
    let credentials = match loaded {
        Ok(Some(credentials)) => credentials,
        Ok(None) => return AuthStatus::LoggedOut,
        Err(message) => return AuthStatus::Error(message),
    };
    let has_refresh_token = credentials
        .refresh_token
        .as_deref()
        .is_some_and(|token| !token.is_empty());
    if credentials
        .access_token
        .as_deref()
        .is_none_or(str::is_empty)
        && !has_refresh_token
    {
        return AuthStatus::Error(format!(
            "{AUTH_FILE} contains no tokens; run `{LOGIN_COMMAND}` to log in again"
        ));
    }
    if !credentials.expires_within(now, 0) && credentials.access_token.is_some() {
        return AuthStatus::LoggedIn(credentials.account());
    }
    if has_refresh_token {
        return AuthStatus::Expired(credentials.account());
    }
    AuthStatus::Error(format!(
        "the ChatGPT login has expired and has no refresh token; run `{LOGIN_COMMAND}` to log in again"
    ))
}

/// The credentials file in a data folder.
pub struct CredentialStore {
    dir: PathBuf,
}

impl CredentialStore {
    /// Returns the store in the plugin's data folder, which the host
    /// preopens as `.`.
    pub fn data_folder() -> Self {
        Self::in_dir(".")
    }

    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads the stored login: `None` when there is none, an error message
    /// (with no file content in it) when the file cannot be read or parsed.
    pub fn load(&self) -> Result<Option<Credentials>, String> {
        let text = match std::fs::read_to_string(self.path(AUTH_FILE)) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("cannot read {AUTH_FILE}: {error}")),
        };
        parse(&text).map(Some)
    }

    /// Writes `credentials` atomically: a temporary file in the same folder,
    /// flushed to disk, then renamed over `auth.json`.
    ///
    /// NOTE: WASI offers no chmod, so the file gets the default mode, not
    /// 0600. The host creates the data folder with mode 0700, which keeps
    /// other users out.
    pub fn save(&self, credentials: &Credentials) -> Result<(), ProviderError> {
        let text = serde_json::to_string_pretty(credentials).map_err(|error| {
            ProviderError::Transient(format!("cannot encode {AUTH_FILE}: {error}"))
        })?;
        let temp_path = self.path(AUTH_TEMP_FILE);
        write_synced(&temp_path, text.as_bytes())
            .and_then(|()| std::fs::rename(&temp_path, self.path(AUTH_FILE)))
            .map_err(|error| {
                let _ = std::fs::remove_file(&temp_path);
                ProviderError::Transient(format!(
                    "cannot save the ChatGPT login to {AUTH_FILE}: {error}"
                ))
            })
    }

    /// Deletes the stored login and returns whether there was one.
    pub fn delete(&self) -> Result<bool, ProviderError> {
        let _ = std::fs::remove_file(self.path(AUTH_TEMP_FILE));
        match std::fs::remove_file(self.path(AUTH_FILE)) {
            Ok(()) => Ok(true),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(ProviderError::Transient(format!(
                "cannot delete {AUTH_FILE}: {error}"
            ))),
        }
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Parses the file text. Error messages give only the position, because
/// serde's own messages may quote values, and the values here are secrets.
pub fn parse(text: &str) -> Result<Credentials, String> {
    serde_json::from_str(text).map_err(|error| {
        let problem = match error.classify() {
            serde_json::error::Category::Data => "has a field of the wrong type",
            _ => "is not valid JSON",
        };
        format!(
            "{AUTH_FILE} {problem} (line {}, column {}); run `{LOGIN_COMMAND}` to log in again",
            error.line(),
            error.column()
        )
    })
}

/// Accepts `expires_at` as an integer, a float or a numeric string, because
/// other tools differ in how they write it.
fn unix_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<Value>::deserialize(deserializer)?;
    let seconds = match &value {
        None | Some(Value::Null) => None,
        Some(Value::Number(number)) => number
            .as_u64()
            .or_else(|| number.as_f64().map(|float| float as u64)),
        Some(Value::String(text)) => text.trim().parse::<f64>().ok().map(|float| float as u64),
        Some(_) => None,
    };
    if value.as_ref().is_some_and(|value| !value.is_null()) && seconds.is_none() {
        return Err(serde::de::Error::custom(
            "expires_at is not a number of unix seconds",
        ));
    }
    Ok(seconds)
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
