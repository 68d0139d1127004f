//! The plugin runtime: finds provider plugins, compiles and caches them,
//! runs each in its own sandboxed `Store`, and turns every failure inside a
//! plugin into a [`PluginError`] that names the plugin.
//!
//! Invariant: nothing a plugin does (trap, runaway loop, memory growth,
//! malformed values) panics or aborts the host; the failing instance is
//! discarded and re-created on the next call.

#[doc(hidden)]
pub mod bench;
pub(crate) mod bindings;
mod cache;
mod callback;
mod engine;
mod error;
mod host_http;
mod host_lock;
mod host_log;
mod host_timer;
mod host_ui;
mod instance;
mod metadata_cache;
mod policy;
mod registry;
mod sandbox;
mod source;
mod stdio;

pub use bindings::ouro::provider::types::{
    Account, AuthMethod, AuthStatus, CompletionRequest, ContentPart, Cost, CostTier,
    LoginOptions, Message, Modality, ModelInfo, PluginMetadata, ProviderError, QuotaInfo,
    RateLimitWindow, RateLimitedInfo, RateLimits, StopReason, StreamEvent, ToolCall, ToolResult,
    ToolSpec, Usage,
};
pub use cache::CacheStats;
pub use engine::RuntimeConfig;
pub use error::{LoadError, PluginError, describe_provider_error};
pub use host_ui::{CallbackListener, MessageLevel, UiFailure, UserInterface};
pub use instance::{CompletionStream, Plugin};
pub use registry::{PluginEntry, PluginRegistry, PluginStatus};
pub use source::{BUNDLED, PluginSource};

/// The interface version this host implements.
pub const INTERFACE_VERSION: &str = "0.1.0";
