//! Errors of the plugin runtime.

use std::path::PathBuf;

use thiserror::Error;

use super::ProviderError;

/// Why a plugin file could not be loaded. Each message says what to do.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a WebAssembly file; remove it from the plugins folder")]
    NotWasm,
    #[error(
        "is a core WebAssembly module, not a component; build the plugin for the \
         wasm32-wasip2 target with the ouro plugin SDK"
    )]
    CoreModule,
    #[error("is not a valid WebAssembly component: {0}")]
    Invalid(String),
    #[error(
        "does not export ouro:provider/provider (it exports: {exports}); it was built for \
         another world, so it is not an ouro provider plugin"
    )]
    OtherWorld { exports: String },
    #[error(
        "was built for interface ouro:provider@{found}, but this ouro supports {supported}; \
         update ouro or use a plugin built for {supported}"
    )]
    UnsupportedVersion { found: String, supported: String },
    #[error("cannot be linked: {0}")]
    Link(String),
    #[error("failed in metadata(): {0}")]
    Metadata(String),
    #[error("declares an invalid id {id:?}; ids use lowercase letters, digits and '-'")]
    InvalidId { id: String },
    #[error("has the same id {id:?} as {other}; remove one of the two files")]
    DuplicateId { id: String, other: String },
    #[error("cache: {0}")]
    Cache(String),
}

/// A failed call into a plugin.
#[derive(Debug, Error)]
pub enum PluginError {
    /// The plugin returned an error through the interface.
    #[error("{}", describe_provider_error(.0))]
    Provider(ProviderError),
    #[error(
        "plugin '{plugin}' {version} exceeded its memory limit of {limit_mib} MiB and was stopped"
    )]
    MemoryLimit {
        plugin: String,
        version: String,
        limit_mib: u64,
    },
    #[error(
        "plugin '{plugin}' {version} exceeded its CPU time limit of {limit_ms} ms in {call}() \
         and was stopped"
    )]
    CpuLimit {
        plugin: String,
        version: String,
        limit_ms: u64,
        call: String,
    },
    #[error("plugin '{plugin}' {version} crashed in {call}(): {message}")]
    Trap {
        plugin: String,
        version: String,
        call: String,
        message: String,
    },
    #[error("plugin '{plugin}' could not be started: {message}")]
    Instantiate { plugin: String, message: String },
    #[error("cancelled")]
    Cancelled,
}

/// Describes a provider error in one user-facing line.
pub fn describe_provider_error(error: &ProviderError) -> String {
    match error {
        ProviderError::AuthRequired(message) => format!("authentication required: {message}"),
        ProviderError::RateLimited(info) => match info.retry_after_seconds {
            Some(seconds) => format!("rate limited: {} (retry in {seconds} s)", info.message),
            None => format!("rate limited: {}", info.message),
        },
        ProviderError::QuotaExhausted(info) => format!("quota exhausted: {}", info.message),
        ProviderError::InvalidRequest(message) => format!("invalid request: {message}"),
        ProviderError::ModelNotAvailable(message) => format!("model not available: {message}"),
        ProviderError::Transient(message) => message.clone(),
        ProviderError::Cancelled => "cancelled".to_owned(),
        ProviderError::Unsupported(message) => format!("not supported: {message}"),
    }
}
