//! Plugin metadata cached next to the compiled component, so a start with a
//! warm cache instantiates no plugin until one is used. An entry is keyed
//! by the same wasm digest and engine hash as its component; a missing or
//! unreadable entry just means `metadata()` is called again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{AuthMethod, PluginMetadata};

#[derive(Serialize, Deserialize)]
struct Record {
    id: String,
    name: String,
    version: String,
    description: String,
    auth_methods: Vec<String>,
    allowed_hosts: Vec<String>,
}

fn method_name(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::OauthDeviceCode => "oauth-device-code",
        AuthMethod::OauthBrowser => "oauth-browser",
        AuthMethod::ApiKey => "api-key",
        AuthMethod::None => "none",
    }
}

fn method_from(name: &str) -> Option<AuthMethod> {
    Some(match name {
        "oauth-device-code" => AuthMethod::OauthDeviceCode,
        "oauth-browser" => AuthMethod::OauthBrowser,
        "api-key" => AuthMethod::ApiKey,
        "none" => AuthMethod::None,
        _ => return None,
    })
}

/// Returns the metadata path that belongs to a component cache entry.
pub fn entry_path(component_entry: &Path) -> PathBuf {
    component_entry.with_extension("meta.json")
}

/// Reads a cached record; `None` when absent or invalid.
pub fn load(path: &Path) -> Option<PluginMetadata> {
    let record: Record = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let auth_methods = record.auth_methods.iter().map(|name| method_from(name)).collect::<Option<Vec<_>>>()?;
    Some(PluginMetadata {
        id: record.id,
        name: record.name,
        version: record.version,
        description: record.description,
        auth_methods,
        allowed_hosts: record.allowed_hosts,
    })
}

/// Writes a record atomically with mode 0600; failures are only logged.
pub fn store(path: &Path, metadata: &PluginMetadata) {
    let record = Record {
        id: metadata.id.clone(),
        name: metadata.name.clone(),
        version: metadata.version.clone(),
        description: metadata.description.clone(),
        auth_methods: metadata.auth_methods.iter().map(|method| method_name(*method).to_owned()).collect(),
        allowed_hosts: metadata.allowed_hosts.clone(),
    };
    let written = (|| -> std::io::Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(&mut file, &record).map_err(std::io::Error::other)?;
        file.persist(path).map_err(|error| error.error)?;
        Ok(())
    })();
    if let Err(error) = written {
        tracing::debug!(path = %path.display(), %error, "could not cache plugin metadata");
    }
}
