//! The configured models grouped by provider, with each provider's
//! readiness and each model's catalog entry: the rows of the `/model`
//! picker and of the plain list shown without a terminal.

use std::fmt::Write;
use std::sync::Arc;

use crate::config::models::{ModelEntry, ModelsConfig, provider_of};
use crate::plugins::{AuthMethod, ModelInfo, Plugin, PluginRegistry};
use crate::providers::readiness;

/// One provider and its configured models, in models.yaml order.
pub struct ModelGroup {
    pub provider: String,
    /// Readiness of the first entry, such as "logged in as …" or "not
    /// logged in".
    pub status: String,
    pub models: Vec<ModelRow>,
}

pub struct ModelRow {
    pub id: String,
    /// Catalog name, context window, prices and reasoning support, plus the
    /// entry's readiness where it differs from the group's.
    pub details: String,
}

impl ModelGroup {
    /// Formats the group's header line.
    pub fn title(&self) -> String {
        format!("{} · {}", self.provider, self.status)
    }
}

/// Groups the models of `config` by provider. Asks each provider plugin
/// for its status and catalog once.
pub fn groups(registry: &PluginRegistry, config: &ModelsConfig) -> Vec<ModelGroup> {
    let mut providers: Vec<&str> = Vec::new();
    for entry in &config.models {
        if !providers.contains(&entry.provider.as_str()) {
            providers.push(&entry.provider);
        }
    }
    providers
        .into_iter()
        .map(|provider| {
            let entries: Vec<&ModelEntry> = config.models.iter().filter(|entry| entry.provider == provider).collect();
            let plugin = registry.get(provider).map(Arc::as_ref);
            let status = match plugin {
                Some(plugin) => readiness(plugin, entries.first().copied()).to_string(),
                None => "no plugin installed for this provider".to_owned(),
            };
            let catalog = plugin.and_then(|plugin| plugin.models().ok()).unwrap_or_default();
            let models = entries
                .iter()
                .map(|entry| model_row(entry, plugin, &catalog, &status))
                .collect();
            ModelGroup {
                provider: provider.to_owned(),
                status,
                models,
            }
        })
        .collect()
}

fn model_row(entry: &ModelEntry, plugin: Option<&Plugin>, catalog: &[ModelInfo], group_status: &str) -> ModelRow {
    let model = provider_of(&entry.id).map(|(_, model)| model).unwrap_or_default();
    let mut details = match catalog.iter().find(|info| info.id == model) {
        Some(info) => format!(
            "{} · {}k context · ${}/${} per 1M tokens in/out{}",
            info.name,
            info.context_window / 1000,
            format_price(info.cost.input),
            format_price(info.cost.output),
            if info.reasoning { " · reasoning" } else { "" }
        ),
        None => "not in the provider's catalog".to_owned(),
    };
    // Readiness differs between entries only for API-key providers, where
    // it checks the entry's `api_key` without calling the plugin.
    if let Some(plugin) = plugin
        && plugin.metadata().auth_methods.contains(&AuthMethod::ApiKey)
    {
        let status = readiness(plugin, Some(entry)).to_string();
        if status != group_status {
            details = format!("{details} · {status}");
        }
    }
    ModelRow {
        id: entry.id.clone(),
        details,
    }
}

/// Width of the id column: the longest id.
pub fn id_width(groups: &[ModelGroup]) -> usize {
    groups
        .iter()
        .flat_map(|group| group.models.iter().map(|row| row.id.chars().count()))
        .max()
        .unwrap_or(0)
}

/// Renders the list that `/model` shows without a terminal, with `*`
/// marking `active`.
pub fn render_list(groups: &[ModelGroup], active: Option<&str>) -> String {
    let width = id_width(groups);
    let mut out = String::new();
    for group in groups {
        let _ = writeln!(out, "{}", group.title());
        for row in &group.models {
            let marker = if active == Some(row.id.as_str()) { '*' } else { ' ' };
            let _ = writeln!(out, "  {marker} {:<width$}  {}", row.id, row.details);
        }
    }
    out
}

/// Formats a price in USD without trailing zeros: 1.25, 10, 0.075.
fn format_price(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
