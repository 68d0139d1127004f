//! ChatGPT Plus/Pro provider: the models of a ChatGPT subscription through
//! the Codex backend (`{backend}/codex/responses`), with an OAuth login
//! (device code or browser) instead of an API key.
//!
//! Settings read from the host: `issuer` (OAuth server), `base-url` and the
//! model's `api_base` (backend base URL), `timeout` (seconds to wait for
//! response headers) and `codex-auth-json` (text of Codex CLI's login file,
//! offered for import at login).

mod browser_login;
mod catalog;
mod codex_import;
mod completion;
mod config;
mod credentials;
mod device_login;
mod errors;
mod events;
mod jwt;
mod logging;
mod net;
mod oauth;
mod refresh;
mod request;
mod sse;
mod stream;
mod time;

use ouro_plugin_sdk::{
    AuthMethod, AuthStatus, CompletionRequest, LoginOptions, ModelInfo, PluginMetadata, Provider,
    ProviderError, ui,
};

use crate::config::Endpoints;
use crate::credentials::{CredentialStore, Credentials, auth_status};
use crate::logging as log;
use crate::stream::ResponseStream;
use crate::time::now_unix;

/// The provider. Public so that native builds, which do not export it,
/// still treat its code as used.
pub struct ChatGpt;

impl Provider for ChatGpt {
    type Stream = ResponseStream;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "chatgpt".into(),
            name: "ChatGPT Plus/Pro (Codex subscription)".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Uses the models of a ChatGPT Plus or Pro subscription through the Codex backend."
                    .into(),
            auth_methods: vec![AuthMethod::OauthDeviceCode, AuthMethod::OauthBrowser],
            allowed_hosts: vec!["auth.openai.com".into(), "chatgpt.com".into()],
        }
    }

    fn login(options: LoginOptions) -> Result<AuthStatus, ProviderError> {
        let endpoints = Endpoints::from_settings(&options.settings)?;
        if !matches!(
            options.method,
            AuthMethod::OauthDeviceCode | AuthMethod::OauthBrowser
        ) {
            return Err(ProviderError::Unsupported(format!(
                "the chatgpt provider logs in with a device code or a browser, not {:?}",
                options.method
            )));
        }

        let store = CredentialStore::data_folder();
        let existing = store.load().unwrap_or_else(|message| {
            log::warn(&format!("ignoring the unreadable stored login: {message}"));
            None
        });

        if existing.is_none()
            && let Some(imported) = codex_import::offer(&options.settings, now_unix())?
        {
            save_locked(&store, &imported)?;
            // NOTE: the refresh token is now in two files. Refresh tokens are
            // single-use, so whichever client refreshes second is rejected.
            ui::show_message(
                ui::Level::Info,
                "Imported the ChatGPT login from Codex CLI. Both tools now share one single-use refresh \
                 token, so after ouro refreshes it, Codex CLI may ask you to log in again.",
            );
            log::info("imported the ChatGPT login from Codex CLI");
            return Ok(auth_status(Ok(Some(imported)), now_unix()));
        }

        let tokens = match options.method {
            AuthMethod::OauthDeviceCode => device_login::run(&endpoints)?,
            _ => browser_login::run(&endpoints)?,
        };
        let credentials = credentials::from_login(existing, tokens, now_unix())?;
        save_locked(&store, &credentials)?;
        log::info("stored a new ChatGPT login");
        Ok(auth_status(Ok(Some(credentials)), now_unix()))
    }

    fn logout() -> Result<bool, ProviderError> {
        CredentialStore::data_folder().delete()
    }

    fn status() -> AuthStatus {
        auth_status(CredentialStore::data_folder().load(), now_unix())
    }

    fn models() -> Vec<ModelInfo> {
        catalog::models()
    }

    fn complete(request: CompletionRequest) -> Result<ResponseStream, ProviderError> {
        completion::start(&request)
    }
}

/// Saves a new login under the credentials lock, so that it cannot
/// interleave with a refresh that another process is writing.
fn save_locked(store: &CredentialStore, credentials: &Credentials) -> Result<(), ProviderError> {
    let _guard = refresh::lock_credentials()?;
    store.save(credentials)
}

// Only the wasm build exports the provider: natively (for the unit tests)
// the export names, which contain `:`, are not valid linker symbols.
#[cfg(target_arch = "wasm32")]
ouro_plugin_sdk::export_provider!(ChatGpt);
