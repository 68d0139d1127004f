//! The ouro plugin SDK: write a provider by implementing [`Provider`] and
//! registering it with [`export_provider!`].
//!
//! The crate wraps the bindings that `wit-bindgen` generates for the
//! `ouro:provider@0.1.0` world, so a plugin never names generated modules.
//! Build the plugin as a `cdylib` for `wasm32-wasip2`.
//!
//! ```ignore
//! struct Echo;
//! impl ouro_plugin_sdk::Provider for Echo { /* ... */ }
//! ouro_plugin_sdk::export_provider!(Echo);
//! ```

pub mod http;
pub mod lock;
pub mod log;
pub mod timer;
pub mod ui;

use std::cell::RefCell;
use std::marker::PhantomData;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        world: "plugin",
        path: "../../wit/0.1.0",
        pub_export_macro: true,
        export_macro_name: "__export_plugin",
        default_bindings_module: "ouro_plugin_sdk::bindings",
        generate_all,
    });
}

pub use bindings::ouro::provider::types::{
    Account, AuthMethod, AuthStatus, CompletionRequest, ContentPart, Cost, CostTier,
    LoginOptions, Message, PluginMetadata, Modality, ModelInfo, ProviderError, QuotaInfo,
    RateLimitWindow, RateLimitedInfo, RateLimits, StopReason, StreamEvent, ToolCall,
    ToolResult, ToolSpec, Usage,
};

use bindings::exports::ouro::provider::provider as exported;

/// A provider plugin. Every function but [`Provider::metadata`] and
/// [`Provider::complete`] has a default, so a minimal plugin is two functions.
pub trait Provider: 'static {
    /// The stream type [`Provider::complete`] returns.
    type Stream: CompletionStream;

    /// Describes the plugin. Called once at load; must not do I/O.
    fn metadata() -> PluginMetadata;

    /// Logs in with `options.method`. The default rejects every method.
    fn login(options: LoginOptions) -> Result<AuthStatus, ProviderError> {
        Err(ProviderError::Unsupported(format!(
            "this provider does not support {:?} login",
            options.method
        )))
    }

    /// Removes stored credentials and returns whether there were any.
    fn logout() -> Result<bool, ProviderError> {
        Ok(false)
    }

    /// Reports the stored credentials' state without network access.
    fn status() -> AuthStatus {
        AuthStatus::LoggedOut
    }

    /// Lists the offered models.
    fn models() -> Vec<ModelInfo> {
        Vec::new()
    }

    /// Starts a streamed response.
    fn complete(request: CompletionRequest) -> Result<Self::Stream, ProviderError>;
}

/// A streamed response; see [`Provider::complete`].
pub trait CompletionStream: 'static {
    /// Returns the next event, or `None` once the stream has ended. The last
    /// event before `None` must be [`StreamEvent::Stop`].
    fn next(&mut self) -> Result<Option<StreamEvent>, ProviderError>;
}

/// A stream type for providers that cannot complete, such as login-only or
/// test plugins. It has no values, so it is never constructed.
pub enum NoStream {}

impl CompletionStream for NoStream {
    fn next(&mut self) -> Result<Option<StreamEvent>, ProviderError> {
        match *self {}
    }
}

/// Looks up a setting by key in a settings list.
pub fn setting<'a>(settings: &'a [(String, String)], key: &str) -> Option<&'a str> {
    settings
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.as_str())
}

#[doc(hidden)]
pub struct Adapter<P>(PhantomData<P>);

#[doc(hidden)]
pub struct StreamAdapter<S>(RefCell<S>);

impl<P: Provider> exported::Guest for Adapter<P> {
    type CompletionStream = StreamAdapter<P::Stream>;

    fn metadata() -> PluginMetadata {
        P::metadata()
    }

    fn login(options: LoginOptions) -> Result<AuthStatus, ProviderError> {
        P::login(options)
    }

    fn logout() -> Result<bool, ProviderError> {
        P::logout()
    }

    fn status() -> AuthStatus {
        P::status()
    }

    fn models() -> Vec<ModelInfo> {
        P::models()
    }

    fn complete(request: CompletionRequest) -> Result<exported::CompletionStream, ProviderError> {
        let stream = P::complete(request)?;
        Ok(exported::CompletionStream::new(StreamAdapter(RefCell::new(
            stream,
        ))))
    }
}

impl<S: CompletionStream> exported::GuestCompletionStream for StreamAdapter<S> {
    fn next(&self) -> Result<Option<StreamEvent>, ProviderError> {
        self.0.borrow_mut().next()
    }
}

/// Registers a [`Provider`] implementation as the plugin's export.
#[macro_export]
macro_rules! export_provider {
    ($provider:ty) => {
        type __OuroProviderAdapter = $crate::Adapter<$provider>;
        $crate::bindings::__export_plugin!(__OuroProviderAdapter with_types_in $crate::bindings);
    };
}
