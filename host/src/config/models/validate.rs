//! Checks that a model entry has what its provider needs before use.

use std::net::IpAddr;

use super::{ConfigError, ModelEntry, ModelsConfig};

impl ModelsConfig {
    /// Checks `entry` before a request is sent with it. `auth_is_api_key`
    /// is true when the provider plugin authenticates with an API key.
    ///
    /// An API key is required only then, and only when `api_base` is not a
    /// loopback address (`localhost`, `127.0.0.0/8` or `[::1]`), because a
    /// local server such as Ollama usually needs none. The error names this
    /// file, the model and the `api_key` key to set.
    pub fn validate(&self, entry: &ModelEntry, auth_is_api_key: bool) -> Result<(), ConfigError> {
        if !auth_is_api_key || entry.api_key.is_some() {
            return Ok(());
        }
        if entry.api_base.as_deref().is_some_and(is_loopback_url) {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            path: self.path.clone(),
            model: entry.id.clone(),
            key: "api_key".to_string(),
            message: format!(
                "provider `{}` needs an API key, but this entry has no `api_key`; add `api_key: <your key>` under `{}:` in this file.",
                entry.provider, entry.id
            ),
        })
    }
}

/// Returns whether the host of the http(s) URL `url` is `localhost`, an address in
/// `127.0.0.0/8`, or `::1`. Host names other than `localhost` are not
/// resolved, so a name that points to a loopback address returns false.
pub fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);

    let host = if let Some(bracketed) = host_and_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, _)) => host,
            None => return false,
        }
    } else {
        host_and_port.split(':').next().unwrap_or("")
    };

    let host = host.strip_suffix('.').unwrap_or(host);
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>()
        .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::super::Secret;
    use super::*;

    fn entry(api_key: Option<&str>, api_base: Option<&str>) -> ModelEntry {
        ModelEntry {
            id: "openai/gpt-4.1".to_string(),
            provider: "openai".to_string(),
            model: "gpt-4.1".to_string(),
            api_key: api_key.map(Secret::new),
            api_base: api_base.map(str::to_string),
            timeout_secs: 600,
            drop_params: true,
            oauth_managed: false,
            oauth_provider: None,
            extra: BTreeMap::new(),
        }
    }

    fn config() -> ModelsConfig {
        ModelsConfig {
            path: PathBuf::from("/home/user/.ouro/models.yaml"),
            models: Vec::new(),
            default: None,
            current: None,
        }
    }

    #[test]
    fn loopback_urls() {
        for url in [
            "http://localhost:11434/v1",
            "http://LOCALHOST",
            "https://localhost./v1",
            "http://127.0.0.1:8080",
            "http://127.1.2.3/v1",
            "http://[::1]:8000/v1",
            "http://user:pass@127.0.0.1/v1",
        ] {
            assert!(is_loopback_url(url), "{url} should be loopback");
        }
    }

    #[test]
    fn non_loopback_urls() {
        for url in [
            "https://api.openai.com/v1",
            "http://128.0.0.1",
            "http://10.0.0.1:8080",
            "http://[::2]/v1",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
            "http://localhost@example.com/v1",
            "localhost:8080",
            "http://[::1",
        ] {
            assert!(!is_loopback_url(url), "{url} should not be loopback");
        }
    }

    #[test]
    fn api_key_needed_only_for_api_key_auth() {
        assert!(config().validate(&entry(None, None), false).is_ok());
        assert!(config().validate(&entry(Some("sk-1"), None), true).is_ok());
    }

    #[test]
    fn loopback_base_needs_no_api_key() {
        let local = entry(None, Some("http://127.0.0.1:11434/v1"));
        assert!(config().validate(&local, true).is_ok());
    }

    #[test]
    fn missing_api_key_names_file_model_and_key() {
        let remote = entry(None, Some("https://api.openai.com/v1"));
        let error = config().validate(&remote, true).unwrap_err();
        match &error {
            ConfigError::Invalid { model, key, .. } => {
                assert_eq!(model, "openai/gpt-4.1");
                assert_eq!(key, "api_key");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        let message = error.to_string();
        assert!(
            message.contains("/home/user/.ouro/models.yaml"),
            "{message}"
        );
        assert!(message.contains("openai/gpt-4.1"), "{message}");
        assert!(message.contains("api_key:"), "{message}");
    }
}
