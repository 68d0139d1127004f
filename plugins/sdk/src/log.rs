//! Logging into the host's log. The host tags each record with the plugin id.

use crate::bindings::ouro::provider::log as host;

pub use host::Level;

/// Writes one record at `level`. Never pass secrets.
pub fn log(level: Level, message: &str) {
    host::log(level, message);
}

/// Writes a debug record.
pub fn debug(message: &str) {
    log(Level::Debug, message);
}

/// Writes an info record.
pub fn info(message: &str) {
    log(Level::Info, message);
}

/// Writes a warning record.
pub fn warn(message: &str) {
    log(Level::Warn, message);
}
