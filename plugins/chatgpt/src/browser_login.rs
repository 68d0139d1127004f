//! Browser login: authorization code with PKCE and a loopback redirect.
//! The host runs the listener and also accepts a pasted redirect, so this
//! works when the browser runs on another machine.

use ouro_plugin_sdk::{ProviderError, ui};

use crate::config::{Endpoints, LOGIN_COMMAND};
use crate::credentials::TokenResponse;
use crate::oauth::{self, Pkce};

/// Loopback ports registered for the client's redirect URI, in order.
const CALLBACK_PORTS: [u16; 2] = [1455, 1457];

const CALLBACK_PATH: &str = "/auth/callback";

const MISSING_ENTITLEMENT_MESSAGE: &str = "Codex is not enabled for your ChatGPT workspace; ask the workspace \
     admin to enable it, or log in with a personal Plus/Pro account";

/// Runs the whole browser login and returns the tokens.
pub fn run(endpoints: &Endpoints) -> Result<TokenResponse, ProviderError> {
    let pkce = Pkce::generate()?;
    let state = oauth::random_state()?;

    let callback = ui::listen_for_callback(&CALLBACK_PORTS, CALLBACK_PATH)
        .map_err(|error| ui_error("starting the login callback listener", error))?;
    let redirect_uri = callback.redirect_uri();
    let url = oauth::authorize_url(&endpoints.issuer, &redirect_uri, &pkce.challenge, &state);

    let params = callback
        .wait(&url, &state)
        .map_err(|error| ui_error("waiting for the browser login", error))?;
    let code = authorization_code(&params, &state)?;
    oauth::exchange_code(endpoints, &code, &redirect_uri, &pkce.verifier)
}

fn ui_error(action: &str, error: ui::UiError) -> ProviderError {
    match error {
        ui::UiError::Cancelled => ProviderError::Cancelled,
        ui::UiError::NotInteractive => ProviderError::Unsupported(format!(
            "{action} needs a terminal; run `{LOGIN_COMMAND}` in an interactive terminal"
        )),
        ui::UiError::Failed(message) => {
            ProviderError::Transient(format!("{action} failed: {message}"))
        }
    }
}

/// Extracts the authorization code from the redirect's query parameters.
///
/// The host already rejects a redirect with a wrong `state`. The check is
/// repeated here so that the plugin does not depend on the host for it.
/// A pasted bare code carries no `state` and is accepted.
pub fn authorization_code(
    params: &[(String, String)],
    expected_state: &str,
) -> Result<String, ProviderError> {
    let param = |key: &str| {
        params
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    };

    if let Some(state) = param("state")
        && state != expected_state
    {
        return Err(ProviderError::AuthRequired(format!(
            "the login redirect carries a different state than this login sent, so it was rejected; \
             run `{LOGIN_COMMAND}` again"
        )));
    }

    if let Some(error) = param("error") {
        let description = param("error_description").unwrap_or_default();
        if error == "access_denied" && description.contains("missing_codex_entitlement") {
            return Err(ProviderError::AuthRequired(
                MISSING_ENTITLEMENT_MESSAGE.into(),
            ));
        }
        let detail = if description.is_empty() {
            String::new()
        } else {
            format!(" ({description})")
        };
        return Err(ProviderError::AuthRequired(format!(
            "the login was not completed: {error}{detail}; run `{LOGIN_COMMAND}` to try again"
        )));
    }

    match param("code").filter(|code| !code.is_empty()) {
        Some(code) => Ok(code.to_owned()),
        None => Err(ProviderError::AuthRequired(format!(
            "the login redirect carries no authorization code; run `{LOGIN_COMMAND}` again"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn callback_with_matching_state() {
        let code = authorization_code(&params(&[("code", "abc"), ("state", "s1")]), "s1").unwrap();
        assert_eq!(code, "abc");
    }

    #[test]
    fn pasted_code_without_state() {
        assert_eq!(
            authorization_code(&params(&[("code", "abc")]), "s1").unwrap(),
            "abc"
        );
    }

    #[test]
    fn callback_wrong_state_rejected() {
        let error =
            authorization_code(&params(&[("code", "abc"), ("state", "other")]), "s1").unwrap_err();
        assert!(
            matches!(error, ProviderError::AuthRequired(ref m) if m.contains("different state"))
        );
    }

    #[test]
    fn missing_entitlement_explained() {
        let error = authorization_code(
            &params(&[
                ("error", "access_denied"),
                ("error_description", "missing_codex_entitlement: workspace"),
                ("state", "s1"),
            ]),
            "s1",
        )
        .unwrap_err();
        assert!(
            matches!(error, ProviderError::AuthRequired(ref m) if m == MISSING_ENTITLEMENT_MESSAGE)
        );
    }

    #[test]
    fn other_callback_error_shown() {
        let error = authorization_code(
            &params(&[
                ("error", "access_denied"),
                ("error_description", "User said no"),
            ]),
            "s1",
        )
        .unwrap_err();
        assert!(
            matches!(error, ProviderError::AuthRequired(ref m) if m.contains("access_denied (User said no)"))
        );
    }

    #[test]
    fn callback_without_code_rejected() {
        let error = authorization_code(&params(&[("state", "s1")]), "s1").unwrap_err();
        assert!(
            matches!(error, ProviderError::AuthRequired(ref m) if m.contains("no authorization code"))
        );
    }
}
