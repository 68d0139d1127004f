//! `ouro plugins`: every discovered plugin and whether it loaded.

use std::fmt::Write;

use crate::plugins::{AuthMethod, PluginEntry, PluginRegistry, PluginStatus};

/// Renders the plugin list as the command prints it.
pub fn render(registry: &PluginRegistry) -> String {
    let mut out = String::new();
    if registry.entries().is_empty() {
        out.push_str("No plugins found.\n");
        return out;
    }
    for (index, entry) in registry.entries().iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        render_entry(&mut out, entry);
    }
    out
}

fn render_entry(out: &mut String, entry: &PluginEntry) {
    match &entry.status {
        PluginStatus::Ready(plugin) => {
            let metadata = plugin.metadata();
            let _ = writeln!(out, "{}  {} {}", metadata.id, metadata.name, metadata.version);
            let _ = writeln!(out, "  source:     {}", entry.source);
            if entry.replaces_bundled {
                let _ = writeln!(out, "              (replaces the bundled plugin with this id)");
            }
            let _ = writeln!(out, "  interface:  ouro:provider@{}", plugin.interface_version());
            let methods: Vec<&str> = metadata.auth_methods.iter().map(auth_method_name).collect();
            let _ = writeln!(out, "  auth:       {}", join_or_none(&methods));
            let hosts: Vec<&str> = metadata.allowed_hosts.iter().map(String::as_str).collect();
            let _ = writeln!(out, "  hosts:      {}", join_or_none(&hosts));
            let _ = writeln!(out, "  status:     ok");
        }
        PluginStatus::Failed(error) => {
            let name = match &entry.source {
                crate::plugins::PluginSource::File(path) => path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                crate::plugins::PluginSource::Bundled(name) => (*name).to_owned(),
            };
            let _ = writeln!(out, "{name}");
            let _ = writeln!(out, "  source:     {}", entry.source);
            let _ = writeln!(out, "  status:     error: {error}");
        }
    }
}

/// The user-facing name of an auth method.
pub fn auth_method_name(method: &AuthMethod) -> &'static str {
    match method {
        AuthMethod::OauthDeviceCode => "oauth device code",
        AuthMethod::OauthBrowser => "oauth browser",
        AuthMethod::ApiKey => "api key",
        AuthMethod::None => "none",
    }
}

fn join_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
