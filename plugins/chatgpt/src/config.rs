//! Service constants and the endpoints chosen by the host's settings.

use std::sync::Mutex;

use ouro_plugin_sdk::{ProviderError, setting};

use crate::logging as log;

/// OAuth server of ChatGPT accounts.
pub const DEFAULT_ISSUER: &str = "https://auth.openai.com";

/// Base URL of the ChatGPT backend that serves the Codex responses endpoint.
pub const DEFAULT_BACKEND_BASE: &str = "https://chatgpt.com/backend-api";

/// Public OAuth client id of the Codex CLI application (no client secret).
pub const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";

/// Client name sent as `originator` in the authorize URL and as a header on
/// every request. The service expects the login and the completions to carry
/// the same value.
pub const ORIGINATOR: &str = "ouro";

/// Command that starts a new login, quoted in error messages.
pub const LOGIN_COMMAND: &str = "ouro --login --provider chatgpt";

/// Request destinations after the host's settings are applied.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoints {
    /// OAuth issuer without a trailing slash.
    pub issuer: String,
    /// Backend base URL without a trailing slash.
    pub backend_base: String,
    /// Time limit for response headers, from the `timeout` setting.
    pub timeout_ms: Option<u32>,
    /// The user's OS, its version and the CPU architecture, from the host's
    /// `host-platform` setting, for the `User-Agent`.
    pub platform: Option<String>,
}

impl Endpoints {
    /// Reads `issuer`, `base-url`, `api_base` and `timeout` from `settings`.
    ///
    /// `base-url` (an environment override) wins over the model's `api_base`
    /// because the environment is the outermost layer of configuration.
    /// Each override in use is logged at info level, once per plugin instance
    /// and value, because this runs for every request.
    pub fn from_settings(settings: &[(String, String)]) -> Result<Self, ProviderError> {
        let endpoints = resolve(settings)?;
        if endpoints.issuer != DEFAULT_ISSUER {
            log_once(format!(
                "using the OAuth issuer override {}",
                endpoints.issuer
            ));
        }
        if endpoints.backend_base != DEFAULT_BACKEND_BASE {
            log_once(format!(
                "using the backend base URL override {}",
                endpoints.backend_base
            ));
        }
        Ok(endpoints)
    }

    /// Returns the URL of `path` (starting with `/`) on the OAuth issuer.
    pub fn issuer_url(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }

    /// Returns the URL of the Codex responses endpoint.
    pub fn responses_url(&self) -> String {
        format!("{}/codex/responses", self.backend_base)
    }
}

/// Logs `message` at info level unless this instance already logged it.
fn log_once(message: String) {
    static LOGGED: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut logged = LOGGED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !logged.contains(&message) {
        log::info(&message);
        logged.push(message);
    }
}

/// Resolves the endpoints like [`Endpoints::from_settings`], without logging.
fn resolve(settings: &[(String, String)]) -> Result<Endpoints, ProviderError> {
    let non_empty = |key: &str| {
        setting(settings, key)
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };

    let issuer = non_empty("issuer").unwrap_or(DEFAULT_ISSUER);
    let backend_base = non_empty("base-url")
        .or_else(|| non_empty("api_base"))
        .unwrap_or(DEFAULT_BACKEND_BASE);
    let timeout_ms = match non_empty("timeout") {
        Some(value) => Some(parse_timeout(value)?),
        None => None,
    };

    Ok(Endpoints {
        issuer: issuer.trim_end_matches('/').to_owned(),
        backend_base: backend_base.trim_end_matches('/').to_owned(),
        timeout_ms,
        platform: non_empty("host-platform").map(str::to_owned),
    })
}

/// Converts a `timeout` setting in seconds (fractions allowed) to milliseconds.
fn parse_timeout(value: &str) -> Result<u32, ProviderError> {
    let seconds: f64 = value.parse().map_err(|_| invalid_timeout(value))?;
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(invalid_timeout(value));
    }
    let millis = (seconds * 1000.0).round();
    Ok(if millis >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        millis.max(1.0) as u32
    })
}

fn invalid_timeout(value: &str) -> ProviderError {
    ProviderError::InvalidRequest(format!(
        "invalid `timeout` setting {value:?}: expected a positive number of seconds"
    ))
}

/// Builds the `User-Agent` value: client name, plugin version, and the
/// user's OS and architecture as the host reported them in `platform`.
/// Without it, `std::env::consts` is all the plugin has, and inside the wasm
/// sandbox that describes the plugin's target (`wasi`, `wasm32`), not the
/// user's machine.
pub fn user_agent(platform: Option<&str>) -> String {
    match platform {
        Some(platform) => format!("{ORIGINATOR}/{} ({platform})", env!("CARGO_PKG_VERSION")),
        None => {
            let os = match std::env::consts::OS {
                "" => "wasi",
                os => os,
            };
            format!("{ORIGINATOR}/{} ({os}; {})", env!("CARGO_PKG_VERSION"), std::env::consts::ARCH)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn defaults_without_settings() {
        let endpoints = resolve(&[]).unwrap();
        assert_eq!(endpoints.issuer, DEFAULT_ISSUER);
        assert_eq!(endpoints.backend_base, DEFAULT_BACKEND_BASE);
        assert_eq!(endpoints.timeout_ms, None);
        assert_eq!(
            endpoints.responses_url(),
            "https://chatgpt.com/backend-api/codex/responses"
        );
    }

    #[test]
    fn overrides_drop_trailing_slash() {
        let endpoints = resolve(&settings(&[
            ("issuer", "http://127.0.0.1:9000/"),
            ("api_base", "http://127.0.0.1:9001/backend/"),
        ]))
        .unwrap();
        assert_eq!(
            endpoints.issuer_url("/oauth/token"),
            "http://127.0.0.1:9000/oauth/token"
        );
        assert_eq!(
            endpoints.responses_url(),
            "http://127.0.0.1:9001/backend/codex/responses"
        );
    }

    #[test]
    fn base_url_beats_api_base() {
        let endpoints = resolve(&settings(&[
            ("api_base", "http://127.0.0.1:1/a"),
            ("base-url", "http://127.0.0.1:2/b"),
        ]))
        .unwrap();
        assert_eq!(endpoints.backend_base, "http://127.0.0.1:2/b");
    }

    #[test]
    fn timeout_seconds_to_millis() {
        let endpoints = resolve(&settings(&[("timeout", "2.5")])).unwrap();
        assert_eq!(endpoints.timeout_ms, Some(2500));
    }

    #[test]
    fn invalid_timeout_rejected() {
        for value in ["abc", "-1", "0", "NaN"] {
            let result = resolve(&settings(&[("timeout", value)]));
            assert!(
                matches!(result, Err(ProviderError::InvalidRequest(_))),
                "{value}"
            );
        }
    }

    #[test]
    fn user_agent_names_client() {
        let agent = user_agent(None);
        assert!(
            agent.starts_with(&format!("ouro/{} (", env!("CARGO_PKG_VERSION"))),
            "{agent}"
        );
        assert!(agent.ends_with(')'), "{agent}");
        assert!(!agent.contains("(;"), "{agent}");
    }

    #[test]
    fn user_agent_uses_host_platform() {
        let agent = user_agent(Some("linux 6.1.0; x86_64"));
        assert_eq!(agent, format!("ouro/{} (linux 6.1.0; x86_64)", env!("CARGO_PKG_VERSION")));
    }
}
