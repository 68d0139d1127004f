//! Exclusive locks shared by all ouro processes, for state that must change
//! in one place at a time, such as single-use refresh tokens.

use crate::bindings::ouro::provider::storage_lock as host;

pub use host::LockGuard;

/// Takes the lock `name` in the plugin's data folder, waiting at most
/// `timeout_ms`. The lock is released when the guard is dropped.
pub fn acquire(name: &str, timeout_ms: u32) -> Result<LockGuard, String> {
    host::acquire(name, timeout_ms)
}
