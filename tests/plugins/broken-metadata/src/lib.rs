//! Test plugin that traps in `metadata`.

use ouro_plugin_sdk::{CompletionRequest, NoStream, PluginMetadata, Provider, ProviderError};

struct Broken;

impl Provider for Broken {
    type Stream = NoStream;

    fn metadata() -> PluginMetadata {
        panic!("metadata is broken on purpose")
    }

    fn complete(_request: CompletionRequest) -> Result<NoStream, ProviderError> {
        Err(ProviderError::Unsupported("no completions".into()))
    }
}

ouro_plugin_sdk::export_provider!(Broken);
