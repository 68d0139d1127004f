//! Routing model ids to provider plugins, and whether a provider is ready
//! (logged in, or has the key it needs).

use std::sync::Arc;

use crate::config::models::{ModelEntry, ModelsConfig, provider_of};
use crate::plugins::{AuthMethod, AuthStatus, ModelInfo, Plugin, PluginRegistry};

/// A configured model bound to its plugin.
pub struct ResolvedModel {
    /// The id as configured, such as `chatgpt/gpt-5.3-codex`.
    pub id: String,
    /// Model id as the provider names it, without the provider prefix.
    pub model: String,
    pub plugin: Arc<Plugin>,
    /// Settings from `models.yaml` passed to the plugin.
    pub settings: Vec<(String, String)>,
    /// The plugin's catalog entry for this model, when it lists one.
    pub info: Option<ModelInfo>,
}

impl ResolvedModel {
    /// Whether the provider bills a subscription rather than per token, so
    /// costs are shown as API-equivalent.
    pub fn is_subscription(&self) -> bool {
        self.plugin
            .metadata()
            .auth_methods
            .iter()
            .any(|method| matches!(method, AuthMethod::OauthDeviceCode | AuthMethod::OauthBrowser))
    }
}

/// Reasons a model cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(
        "no model is configured; log in with `ouro --login`, or add a model to {path} \
         and set `default:`"
    )]
    NoModel { path: String },
    #[error("model {id:?} is not in {path}; run `ouro models` to list the configured models")]
    UnknownModel { id: String, path: String },
    #[error("model id {id:?} has no provider part; write it as <provider>/<model>")]
    InvalidId { id: String },
    #[error(
        "no plugin provides {provider:?} (needed by model {id:?}); run `ouro plugins` to see \
         the installed plugins"
    )]
    NoPlugin { provider: String, id: String },
    #[error("{0}")]
    Config(#[from] crate::config::models::ConfigError),
}

/// Resolves `requested` (or the configured active model) to its plugin.
pub fn resolve(
    registry: &PluginRegistry,
    config: &ModelsConfig,
    requested: Option<&str>,
) -> Result<ResolvedModel, ResolveError> {
    let path = config.path.display().to_string();
    let entry = match requested {
        Some(id) => config.get(id).ok_or_else(|| ResolveError::UnknownModel {
            id: id.to_owned(),
            path: path.clone(),
        })?,
        None => config.active().ok_or(ResolveError::NoModel { path: path.clone() })?,
    };
    let (provider, model) = provider_of(&entry.id).ok_or_else(|| ResolveError::InvalidId { id: entry.id.clone() })?;
    let plugin = registry.get(&provider).cloned().ok_or_else(|| ResolveError::NoPlugin {
        provider: provider.clone(),
        id: entry.id.clone(),
    })?;
    let auth_is_api_key = plugin.metadata().auth_methods.contains(&AuthMethod::ApiKey);
    config.validate(entry, auth_is_api_key)?;
    let info = plugin
        .models()
        .ok()
        .and_then(|models| models.into_iter().find(|info| info.id == model));
    Ok(ResolvedModel {
        id: entry.id.clone(),
        model,
        settings: config.settings(entry),
        plugin,
        info,
    })
}

/// Whether a provider can serve requests now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Ready; the label gives the reason ("logged in as …", "key set", "no login needed").
    Ready(String),
    /// The user must log in first.
    NeedsLogin,
    /// The model entry needs an `api_key`.
    NeedsKey,
    /// The status could not be read.
    Error(String),
}

impl std::fmt::Display for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Readiness::Ready(label) => f.write_str(label),
            Readiness::NeedsLogin => f.write_str("not logged in"),
            Readiness::NeedsKey => f.write_str("api_key not set"),
            Readiness::Error(message) => write!(f, "error: {message}"),
        }
    }
}

/// Checks whether `plugin` can serve `entry`.
pub fn readiness(plugin: &Plugin, entry: Option<&ModelEntry>) -> Readiness {
    let methods = &plugin.metadata().auth_methods;
    if methods.contains(&AuthMethod::ApiKey) {
        let has_key = entry.is_some_and(|entry| entry.api_key.is_some());
        return if has_key { Readiness::Ready("key set".into()) } else { Readiness::NeedsKey };
    }
    match plugin.status() {
        Ok(AuthStatus::LoggedIn(account)) if methods.contains(&AuthMethod::None) && !plugin.offers_login() => {
            Readiness::Ready(account.label.map_or("ready".into(), |label| format!("ready ({label})")))
        }
        Ok(AuthStatus::LoggedIn(account)) | Ok(AuthStatus::Expired(account)) => Readiness::Ready(
            account
                .label
                .map_or("logged in".into(), |label| format!("logged in as {label}")),
        ),
        Ok(AuthStatus::LoggedOut) if methods.contains(&AuthMethod::None) => Readiness::Ready("no login needed".into()),
        Ok(AuthStatus::LoggedOut) => Readiness::NeedsLogin,
        Ok(AuthStatus::Error(message)) => Readiness::Error(message),
        Err(error) => Readiness::Error(error.to_string()),
    }
}
