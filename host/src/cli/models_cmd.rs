//! `ouro models`: configured models grouped by provider, with catalog data
//! and whether each provider is ready. It prints the same list as `/model`
//! without a terminal.

use crate::config::models::ModelsConfig;
use crate::plugins::PluginRegistry;
use crate::tui::model_list;

/// Renders the model list, marking the active model with `*`.
pub fn render(registry: &PluginRegistry, config: &ModelsConfig) -> String {
    if config.models.is_empty() {
        return format!(
            "No models configured in {}.\nLog in with `ouro --login`, or add a model under `models:`.\n",
            config.path.display()
        );
    }
    let active = config.active().map(|entry| entry.id.clone());
    model_list::render_list(&model_list::groups(registry, config), active.as_deref())
}
