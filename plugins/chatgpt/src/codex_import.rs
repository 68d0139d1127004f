//! Import of an existing Codex CLI login.
//!
//! The sandbox cannot see `~/.codex`, so the host passes the text of
//! `~/.codex/auth.json` as the setting `codex-auth-json` when that file
//! exists. The plugin imports it only after the user says yes.

use ouro_plugin_sdk::{ProviderError, setting, ui};
use serde_json::Value;

use crate::credentials::{Credentials, TokenResponse};
use crate::logging as log;

/// Setting that carries the text of Codex CLI's `auth.json`.
pub const SETTING: &str = "codex-auth-json";

const QUESTION: &str = "Import the ChatGPT login from Codex CLI (~/.codex/auth.json)?";

/// Offers the import when the host passed a Codex CLI login. Returns the
/// converted credentials when the user accepts, `None` when there is nothing
/// to import, the user declines, no terminal is attached or the file cannot
/// be converted (then a warning explains why and the normal login goes on).
pub fn offer(
    settings: &[(String, String)],
    now: u64,
) -> Result<Option<Credentials>, ProviderError> {
    let Some(text) = setting(settings, SETTING).filter(|text| !text.trim().is_empty()) else {
        return Ok(None);
    };
    match ui::confirm(QUESTION, false) {
        Ok(true) => {}
        Ok(false) => return Ok(None),
        Err(ui::UiError::Cancelled) => return Err(ProviderError::Cancelled),
        Err(ui::UiError::NotInteractive) => {
            log::info("no terminal to confirm the Codex CLI import; continuing with a new login");
            return Ok(None);
        }
        Err(ui::UiError::Failed(message)) => {
            log::warn(&format!(
                "asking about the Codex CLI import failed: {message}"
            ));
            return Ok(None);
        }
    }
    match convert(text, now) {
        Ok(credentials) => Ok(Some(credentials)),
        Err(message) => {
            ui::show_message(
                ui::Level::Warning,
                &format!(
                    "Cannot import the Codex CLI login: {message}. Continuing with a new login."
                ),
            );
            Ok(None)
        }
    }
}

/// Converts the text of Codex CLI's `auth.json` (tokens nested under
/// `tokens`, `last_refresh` beside them) into this plugin's format.
/// `last_refresh` is kept as an extra field. Error messages quote no values.
pub fn convert(text: &str, now: u64) -> Result<Credentials, String> {
    let root: Value = serde_json::from_str(text).map_err(|error| {
        format!(
            "~/.codex/auth.json is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        )
    })?;
    let tokens = root
        .get("tokens")
        .filter(|tokens| tokens.is_object())
        .ok_or("~/.codex/auth.json has no `tokens` object (it may hold only an API key)")?;
    let token = |key: &str| {
        tokens
            .get(key)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };

    let access_token =
        token("access_token").ok_or("~/.codex/auth.json has no tokens.access_token")?;
    let refresh_token =
        token("refresh_token").ok_or("~/.codex/auth.json has no tokens.refresh_token")?;

    let mut credentials = Credentials::default();
    if let Some(last_refresh) = root.get("last_refresh").filter(|value| value.is_string()) {
        credentials
            .extra
            .insert("last_refresh".into(), last_refresh.clone());
    }
    credentials.apply_tokens(
        TokenResponse {
            id_token: token("id_token"),
            access_token: Some(access_token),
            refresh_token: Some(refresh_token),
            expires_in: None,
        },
        now,
    );

    // Codex CLI's own account id (chosen workspace) wins over the claims.
    if let Some(account_id) = token("account_id") {
        credentials.account_id = Some(account_id);
    }
    if credentials.account_id.is_none() {
        return Err("~/.codex/auth.json names no ChatGPT account id".into());
    }
    Ok(credentials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::test_token;
    use serde_json::json;

    fn codex_file(tokens: Value) -> String {
        json!({"OPENAI_API_KEY": null, "tokens": tokens, "last_refresh": "2025-01-02T03:04:05Z"})
            .to_string()
    }

    #[test]
    fn converts_codex_cli_file() {
        let access = test_token(&json!({"exp": 2_000_000_000u64,
            "https://api.openai.com/auth": {"chatgpt_account_id": "from-claim"}}));
        let text = codex_file(json!({
            "id_token": test_token(&json!({"email": "me@example.com"})),
            "access_token": access,
            "refresh_token": "rt-1",
            "account_id": "workspace-7",
        }));
        let credentials = convert(&text, 0).unwrap();
        assert_eq!(credentials.access_token.as_deref(), Some(access.as_str()));
        assert_eq!(credentials.refresh_token.as_deref(), Some("rt-1"));
        assert_eq!(credentials.account_id.as_deref(), Some("workspace-7"));
        assert_eq!(credentials.expires_at, Some(2_000_000_000));
        assert_eq!(
            credentials.extra["last_refresh"],
            json!("2025-01-02T03:04:05Z")
        );
        assert_eq!(
            credentials.account().label.as_deref(),
            Some("me@example.com")
        );
    }

    #[test]
    fn account_id_from_claims() {
        let text = codex_file(json!({
            "access_token": test_token(&json!({"https://api.openai.com/auth": {"chatgpt_account_id": "c-1"}})),
            "refresh_token": "rt",
        }));
        let credentials = convert(&text, 0).unwrap();
        assert_eq!(credentials.account_id.as_deref(), Some("c-1"));
        assert_eq!(credentials.id_token, None);
        assert_eq!(credentials.expires_at, None);
    }

    #[test]
    fn api_key_only_file_rejected() {
        let error = convert(r#"{"OPENAI_API_KEY": "sk-secret"}"#, 0).unwrap_err();
        assert!(error.contains("no `tokens` object"), "{error}");
        assert!(!error.contains("sk-secret"), "{error}");
    }

    #[test]
    fn missing_tokens_rejected() {
        let no_refresh = codex_file(json!({"access_token": "at", "account_id": "a"}));
        assert!(
            convert(&no_refresh, 0)
                .unwrap_err()
                .contains("refresh_token")
        );
        let no_access = codex_file(json!({"refresh_token": "rt", "account_id": "a"}));
        assert!(convert(&no_access, 0).unwrap_err().contains("access_token"));
        let no_account = codex_file(json!({"access_token": "at", "refresh_token": "rt"}));
        assert!(convert(&no_account, 0).unwrap_err().contains("account id"));
    }

    #[test]
    fn invalid_json_rejected() {
        let error = convert("{not json", 0).unwrap_err();
        assert!(error.contains("not valid JSON"), "{error}");
    }
}
