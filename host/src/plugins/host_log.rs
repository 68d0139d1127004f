//! The `log` import: plugin log records go to the host's tracing, tagged
//! with the plugin id.

use super::bindings::ouro::provider::log::{Host, Level};
use super::sandbox::HostState;

impl Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        let plugin = &*self.identity.id;
        match level {
            Level::Trace => tracing::trace!(plugin, "{message}"),
            Level::Debug => tracing::debug!(plugin, "{message}"),
            Level::Info => tracing::info!(plugin, "{message}"),
            Level::Warn => tracing::warn!(plugin, "{message}"),
            Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}
