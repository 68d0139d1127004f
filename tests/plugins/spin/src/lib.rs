//! Test plugin whose `status` never returns.

use ouro_plugin_sdk::{AuthMethod, AuthStatus, CompletionRequest, NoStream, PluginMetadata, Provider, ProviderError};

struct Spin;

impl Provider for Spin {
    type Stream = NoStream;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "spin".into(),
            name: "Spin".into(),
            version: "0.1.0".into(),
            description: "Loops forever.".into(),
            auth_methods: vec![AuthMethod::None],
            allowed_hosts: vec![],
        }
    }

    fn status() -> AuthStatus {
        let mut counter = 0u64;
        loop {
            counter = std::hint::black_box(counter.wrapping_add(1));
        }
    }

    fn complete(_request: CompletionRequest) -> Result<NoStream, ProviderError> {
        Err(ProviderError::Unsupported("no completions".into()))
    }
}

ouro_plugin_sdk::export_provider!(Spin);
