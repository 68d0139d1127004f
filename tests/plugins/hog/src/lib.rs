//! Test plugin whose `status` allocates memory until it fails.

use ouro_plugin_sdk::{AuthMethod, AuthStatus, CompletionRequest, NoStream, PluginMetadata, Provider, ProviderError};

struct Hog;

impl Provider for Hog {
    type Stream = NoStream;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "hog".into(),
            name: "Hog".into(),
            version: "0.1.0".into(),
            description: "Allocates past the memory limit.".into(),
            auth_methods: vec![AuthMethod::None],
            allowed_hosts: vec![],
        }
    }

    fn status() -> AuthStatus {
        let mut blocks: Vec<Vec<u8>> = Vec::new();
        loop {
            // Touch every block so the allocation is real.
            blocks.push(vec![1u8; 16 << 20]);
            std::hint::black_box(&blocks);
        }
    }

    fn complete(_request: CompletionRequest) -> Result<NoStream, ProviderError> {
        Err(ProviderError::Unsupported("no completions".into()))
    }
}

ouro_plugin_sdk::export_provider!(Hog);
