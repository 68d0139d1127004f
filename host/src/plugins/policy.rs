//! Which URLs a plugin may request.
//!
//! A plugin declares hosts in its metadata: exact names or `*.domain`
//! wildcards, reachable over HTTPS only. The user can add hosts for testing
//! or self-hosting through overrides (environment variables or a model's
//! `api_base`); an overridden host may use plain HTTP only when it is a
//! loopback address. Every check happens here, in one place.

use reqwest::Url;

/// The hosts one plugin may reach.
#[derive(Clone, Debug, Default)]
pub struct HostPolicy {
    plugin: String,
    declared: Vec<String>,
    /// `(host, port)` pairs added by overrides.
    overrides: Vec<(String, Option<u16>)>,
}

impl HostPolicy {
    pub fn new(plugin: &str, declared: &[String]) -> Self {
        Self {
            plugin: plugin.to_owned(),
            declared: declared.iter().map(|host| host.to_ascii_lowercase()).collect(),
            overrides: Vec::new(),
        }
    }

    /// Allows the host of `base_url` for this plugin. Plain `http` is
    /// accepted only for loopback hosts.
    pub fn allow_override(&mut self, base_url: &str) -> Result<(), String> {
        let url = Url::parse(base_url).map_err(|error| format!("invalid URL {base_url:?}: {error}"))?;
        let host = url
            .host_str()
            .ok_or_else(|| format!("URL {base_url:?} has no host"))?
            .to_ascii_lowercase();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            "http" => {
                return Err(format!(
                    "override {base_url:?} uses plain http for a non-loopback host; use https"
                ));
            }
            other => return Err(format!("override {base_url:?} has unsupported scheme {other:?}")),
        }
        let entry = (host, url.port());
        if !self.overrides.contains(&entry) {
            self.overrides.push(entry);
        }
        Ok(())
    }

    /// Checks `url`; the error names the host and the plugin.
    pub fn check(&self, url: &Url) -> Result<(), String> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let overridden = self
            .overrides
            .iter()
            .any(|(allowed, port)| *allowed == host && (port.is_none() || *port == url.port()));
        if overridden && (url.scheme() == "https" || (url.scheme() == "http" && is_loopback(&host))) {
            return Ok(());
        }
        let declared = self.declared.iter().any(|pattern| host_matches(pattern, &host));
        if declared && url.scheme() == "https" {
            return Ok(());
        }
        if declared {
            return Err(format!(
                "plugin '{}' may reach {host} only over https, not {}",
                self.plugin,
                url.scheme()
            ));
        }
        Err(format!(
            "plugin '{}' is not allowed to reach host {host:?}; it declared only {}",
            self.plugin,
            if self.declared.is_empty() {
                "no hosts".to_owned()
            } else {
                self.declared.join(", ")
            }
        ))
    }
}

fn host_matches(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(domain) => host
            .strip_suffix(domain)
            .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
        None => pattern == host,
    }
}

/// Returns whether `host` is `localhost` or a loopback IP address.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn exact_host_over_https_is_allowed() {
        let policy = HostPolicy::new("p", &["api.example.com".into()]);
        assert!(policy.check(&url("https://api.example.com/v1")).is_ok());
        assert!(policy.check(&url("https://API.example.com/v1")).is_ok());
    }

    #[test]
    fn wildcard_matches_subdomains_only() {
        let policy = HostPolicy::new("p", &["*.example.com".into()]);
        assert!(policy.check(&url("https://a.example.com/")).is_ok());
        assert!(policy.check(&url("https://a.b.example.com/")).is_ok());
        assert!(policy.check(&url("https://example.com/")).is_err());
        assert!(policy.check(&url("https://badexample.com/")).is_err());
    }

    #[test]
    fn undeclared_host_names_host_and_plugin() {
        let policy = HostPolicy::new("p", &["api.example.com".into()]);
        let error = policy.check(&url("https://evil.test/")).unwrap_err();
        assert_eq!(
            error,
            "plugin 'p' is not allowed to reach host \"evil.test\"; it declared only api.example.com"
        );
    }

    #[test]
    fn declared_host_over_http_is_denied() {
        let policy = HostPolicy::new("p", &["api.example.com".into()]);
        let error = policy.check(&url("http://api.example.com/")).unwrap_err();
        assert_eq!(error, "plugin 'p' may reach api.example.com only over https, not http");
    }

    #[test]
    fn loopback_override_allows_http_on_its_port() {
        let mut policy = HostPolicy::new("p", &[]);
        policy.allow_override("http://127.0.0.1:8080/base").unwrap();
        assert!(policy.check(&url("http://127.0.0.1:8080/x")).is_ok());
        assert!(policy.check(&url("http://127.0.0.1:9090/x")).is_err());
    }

    #[test]
    fn remote_http_override_is_rejected() {
        let mut policy = HostPolicy::new("p", &[]);
        assert!(policy.allow_override("http://example.com").is_err());
        assert!(policy.allow_override("https://example.com").is_ok());
    }
}
