//! Test plugin whose `status` tries to read files outside its data folder
//! and reports what the sandbox returned.

use ouro_plugin_sdk::{AuthMethod, AuthStatus, CompletionRequest, NoStream, PluginMetadata, Provider, ProviderError};

struct Escape;

impl Provider for Escape {
    type Stream = NoStream;

    fn metadata() -> PluginMetadata {
        PluginMetadata {
            id: "escape".into(),
            name: "Escape".into(),
            version: "0.1.0".into(),
            description: "Reads outside its folder.".into(),
            auth_methods: vec![AuthMethod::None],
            allowed_hosts: vec![],
        }
    }

    fn status() -> AuthStatus {
        let mut report = Vec::new();
        for path in ["/etc/passwd", "../models.yaml", "/"] {
            let outcome = match std::fs::read_to_string(path) {
                Ok(text) => format!("read {} bytes", text.len()),
                Err(error) => format!("error: {error}"),
            };
            report.push(format!("{path}: {outcome}"));
        }
        AuthStatus::Error(report.join("\n"))
    }

    fn complete(_request: CompletionRequest) -> Result<NoStream, ProviderError> {
        Err(ProviderError::Unsupported("no completions".into()))
    }
}

ouro_plugin_sdk::export_provider!(Escape);
