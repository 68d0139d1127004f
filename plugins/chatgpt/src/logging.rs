//! Log records for the host's log. Native builds (the unit tests) have no
//! host to import from, so there the records go to stderr instead.

#[cfg(target_arch = "wasm32")]
pub use ouro_plugin_sdk::log::{debug, info, warn};

#[cfg(not(target_arch = "wasm32"))]
pub fn debug(message: &str) {
    eprintln!("debug: {message}");
}

#[cfg(not(target_arch = "wasm32"))]
pub fn info(message: &str) {
    eprintln!("info: {message}");
}

#[cfg(not(target_arch = "wasm32"))]
pub fn warn(message: &str) {
    eprintln!("warn: {message}");
}
