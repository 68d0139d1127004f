//! The user's model configuration, `~/.ouro/models.yaml`.
//!
//! ```yaml
//! models:
//!   chatgpt/gpt-5.3-codex:     # id = <provider>/<model>
//!     oauth_managed: true       # written when the user logs in
//!     oauth_provider: chatgpt
//!   openai/gpt-4.1:
//!     api_key: sk-...
//!     timeout: 600              # seconds
//! default: openai/gpt-4.1
//! current: chatgpt/gpt-5.3-codex
//! ```
//!
//! [`ModelsConfig::load`] reads the file. The edit functions ([`set_current`],
//! [`set_default`], [`sync_managed`], [`remove_managed`]) change it by
//! splicing the original text, so every comment, blank line, key order and
//! entry they do not change stays byte for byte. They reject a file with
//! errors, and write only text that reads back as the planned result.

mod edit;
mod entry;
mod error;
mod file;
mod locate;
mod parse;
mod plan;
mod text;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use edit::{SyncReport, remove_managed, set_current, set_default, sync_managed};
pub use error::ConfigError;
pub use validate::is_loopback_url;

/// Request timeout of a model without a `timeout` setting, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 600;

/// Provider names accepted in model ids as other names of a provider plugin.
const PROVIDER_ALIASES: &[(&str, &str)] = &[("codex", "chatgpt"), ("openai-codex", "chatgpt")];

/// A secret such as an API key. `Debug` prints `***`, so the value does not
/// reach logs through `{:?}`. Call [`Secret::expose`] where it is needed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

/// One entry under `models:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelEntry {
    /// The key as written in the file, `<provider>/<model>`.
    pub id: String,
    /// Provider plugin name, with aliases such as `codex` mapped to `chatgpt`.
    pub provider: String,
    /// Everything after the first `/` of the id.
    pub model: String,
    pub api_key: Option<Secret>,
    pub api_base: Option<String>,
    pub timeout_secs: u64,
    /// Whether the plugin drops request parameters the model does not
    /// support instead of failing (default true).
    pub drop_params: bool,
    /// Whether ouro wrote this entry on login, which lets ouro remove it again.
    pub oauth_managed: bool,
    pub oauth_provider: Option<String>,
    /// Every other scalar setting, as written in the file.
    pub extra: BTreeMap<String, String>,
}

impl ModelEntry {
    /// Returns whether this entry was written on login to `provider` (given after
    /// alias mapping), which makes it one that sync and removal may change.
    fn is_managed_by(&self, provider: &str) -> bool {
        let owner = self.oauth_provider.as_deref().unwrap_or(&self.provider);
        self.oauth_managed && canonical_provider(owner) == provider
    }
}

/// The loaded configuration.
#[derive(Clone, Debug)]
pub struct ModelsConfig {
    pub path: PathBuf,
    /// Entries in file order.
    pub models: Vec<ModelEntry>,
    pub default: Option<String>,
    pub current: Option<String>,
}

impl ModelsConfig {
    /// Reads `path`. A missing file is first created from a commented
    /// template with mode 0600, in a folder created with mode 0700.
    ///
    /// Fails with [`ConfigError::Parse`] on invalid YAML or a wrongly typed
    /// value, and with [`ConfigError::Invalid`] when `default` or `current`
    /// names a model that has no entry.
    pub fn load(path: &Path) -> Result<ModelsConfig, ConfigError> {
        let text = file::read_or_create(path)?;
        let parsed = parse::parse(path, &text)?;
        let config = ModelsConfig {
            path: path.to_path_buf(),
            models: parsed
                .entries
                .into_iter()
                .map(|parsed| parsed.entry)
                .collect(),
            default: parsed.default.and_then(|field| field.value),
            current: parsed.current.and_then(|field| field.value),
        };
        config.check_pointer("default", config.default.as_deref())?;
        config.check_pointer("current", config.current.as_deref())?;
        Ok(config)
    }

    /// Returns the entry with this id. An id whose provider is an alias also
    /// finds the entry written with the plugin's name, and the other way round.
    pub fn get(&self, id: &str) -> Option<&ModelEntry> {
        find_entry(&self.models, id).map(|index| &self.models[index])
    }

    /// Returns the model to use: `current` if set, else `default`, else none.
    pub fn active(&self) -> Option<&ModelEntry> {
        self.current
            .as_deref()
            .or(self.default.as_deref())
            .and_then(|id| self.get(id))
    }

    /// Returns the settings passed to the provider plugin: `api_key` and `api_base` when
    /// set, `timeout` in seconds, `drop_params`, then the extra settings.
    pub fn settings(&self, entry: &ModelEntry) -> Vec<(String, String)> {
        let mut settings = Vec::with_capacity(entry.extra.len() + 4);
        if let Some(key) = &entry.api_key {
            settings.push(("api_key".to_string(), key.expose().to_string()));
        }
        if let Some(base) = &entry.api_base {
            settings.push(("api_base".to_string(), base.clone()));
        }
        settings.push(("timeout".to_string(), entry.timeout_secs.to_string()));
        settings.push(("drop_params".to_string(), entry.drop_params.to_string()));
        settings.extend(
            entry
                .extra
                .iter()
                .map(|(name, value)| (name.clone(), value.clone())),
        );
        settings
    }

    fn check_pointer(&self, key: &str, id: Option<&str>) -> Result<(), ConfigError> {
        let Some(id) = id else {
            return Ok(());
        };
        if self.get(id).is_some() {
            return Ok(());
        }
        let known: Vec<&str> = self.models.iter().map(|entry| entry.id.as_str()).collect();
        let choice = if known.is_empty() {
            "remove the line, or add the model under `models:` first".to_string()
        } else {
            format!(
                "set `{key}` to one of {}, or add the model under `models:`",
                known.join(", ")
            )
        };
        Err(ConfigError::Invalid {
            path: self.path.clone(),
            model: id.to_string(),
            key: key.to_string(),
            message: format!(
                "`{key}` names this model, but it has no entry under `models:`; {choice}."
            ),
        })
    }
}

/// Splits a model id into the provider plugin name (after alias mapping) and
/// the model name, at the first `/`. Returns `None` when the id has no `/`
/// or either part is empty.
pub fn provider_of(id: &str) -> Option<(String, String)> {
    let (provider, model) = id.split_once('/')?;
    if provider.is_empty() || model.is_empty() {
        return None;
    }
    Some((canonical_provider(provider).to_string(), model.to_string()))
}

/// Maps a provider alias to its plugin name, and returns other names as given.
fn canonical_provider(provider: &str) -> &str {
    PROVIDER_ALIASES
        .iter()
        .find(|(alias, _)| *alias == provider)
        .map_or(provider, |(_, name)| name)
}

/// Index of the entry `id` names: the exact key first, else the entry with
/// the same provider (after alias mapping) and model.
fn find_entry(entries: &[ModelEntry], id: &str) -> Option<usize> {
    if let Some(index) = entries.iter().position(|entry| entry.id == id) {
        return Some(index);
    }
    let (provider, model) = provider_of(id)?;
    entries
        .iter()
        .position(|entry| entry.provider == provider && entry.model == model)
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod load_tests;
