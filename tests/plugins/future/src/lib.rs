//! Test plugin that exports `ouro:provider/provider@1.0.0`, a major version
//! this host does not know.

wit_bindgen::generate!({ world: "plugin", path: "wit", generate_all });

use exports::ouro::provider::provider::{Guest, GuestCompletionStream};
use ouro::provider::types::*;

struct Future;
struct Never;

impl GuestCompletionStream for Never {
    fn next(&self) -> Result<Option<StreamEvent>, ProviderError> {
        Ok(None)
    }
}

impl Guest for Future {
    type CompletionStream = Never;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "future".into(),
            name: "Future".into(),
            version: "1.0.0".into(),
            description: "Built for interface 1.0.0.".into(),
            auth_methods: vec![AuthMethod::None],
            allowed_hosts: vec![],
        }
    }
    fn login(_options: LoginOptions) -> Result<AuthStatus, ProviderError> {
        Ok(AuthStatus::LoggedOut)
    }
    fn logout() -> Result<bool, ProviderError> {
        Ok(false)
    }
    fn status() -> AuthStatus {
        AuthStatus::LoggedOut
    }
    fn models() -> Vec<ModelInfo> {
        Vec::new()
    }
    fn complete(
        _request: CompletionRequest,
    ) -> Result<exports::ouro::provider::provider::CompletionStream, ProviderError> {
        Err(ProviderError::Cancelled)
    }
}

export!(Future);
