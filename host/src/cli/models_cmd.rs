//! `ouro models`: configured models grouped by provider, with catalog data
//! and whether each provider is ready.

use std::fmt::Write;

use crate::config::models::{ModelsConfig, provider_of};
use crate::plugins::PluginRegistry;
use crate::providers::readiness;

/// Renders the model list.
pub fn render(registry: &PluginRegistry, config: &ModelsConfig) -> String {
    let mut out = String::new();
    if config.models.is_empty() {
        let _ = writeln!(
            out,
            "No models configured in {}.\nLog in with `ouro --login`, or add a model under `models:`.",
            config.path.display()
        );
        return out;
    }
    let mut providers: Vec<String> = Vec::new();
    for entry in &config.models {
        if !providers.contains(&entry.provider) {
            providers.push(entry.provider.clone());
        }
    }
    let active = config.active().map(|entry| entry.id.clone());
    for (index, provider) in providers.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let plugin = registry.get(provider);
        let entries: Vec<_> = config.models.iter().filter(|entry| &entry.provider == provider).collect();
        let status = match plugin {
            Some(plugin) => readiness(plugin, entries.first().copied()).to_string(),
            None => "no plugin installed for this provider".to_owned(),
        };
        let _ = writeln!(out, "{provider} — {status}");
        let catalog = plugin.and_then(|plugin| plugin.models().ok()).unwrap_or_default();
        for entry in entries {
            let marker = if active.as_deref() == Some(entry.id.as_str()) { "*" } else { " " };
            let model = provider_of(&entry.id).map(|(_, model)| model).unwrap_or_default();
            let details = match catalog.iter().find(|info| info.id == model) {
                Some(info) => format!(
                    "{}  context {}k  ${}/${} per 1M in/out{}",
                    info.name,
                    info.context_window / 1000,
                    trim_price(info.cost.input),
                    trim_price(info.cost.output),
                    if info.reasoning { "  reasoning" } else { "" }
                ),
                None => "not in the provider's catalog".to_owned(),
            };
            let _ = writeln!(out, " {marker} {:<32} {details}", entry.id);
        }
    }
    out
}

fn trim_price(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
