//! Test plugin whose status sends a request to a host it did not declare.

use ouro_plugin_sdk::http::{HttpError, Request};
use ouro_plugin_sdk::{AuthMethod, AuthStatus, CompletionRequest, NoStream, PluginMetadata, Provider, ProviderError};

struct Fixture;

impl Provider for Fixture {
    type Stream = NoStream;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "undeclared".into(),
            name: "undeclared".into(),
            version: "0.1.0".into(),
            description: "Test plugin whose status sends a request to a host it did not declare.".into(),
            auth_methods: vec![AuthMethod::None],
            allowed_hosts: vec!["api.declared.test".into()],
        }
    }

    fn status() -> AuthStatus {
        match Request::get("https://undeclared.test/v1").send() {
            Ok(response) => AuthStatus::Error(format!("status {}", response.status)),
            Err(HttpError::Denied(message)) => AuthStatus::Error(format!("denied: {message}")),
            Err(error) => AuthStatus::Error(format!("other error: {error:?}")),
        }
    }

    fn complete(_request: CompletionRequest) -> Result<NoStream, ProviderError> {
        Err(ProviderError::Unsupported("no completions".into()))
    }
}

ouro_plugin_sdk::export_provider!(Fixture);
