//! Waiting that the user can interrupt.

use std::time::Duration;

use crate::bindings::ouro::provider::timer as host;

/// Waits for `duration`, or less when the user cancels the current call.
/// Returns false when it was cancelled; the plugin should then return
/// `ProviderError::Cancelled`. Use it instead of `std::thread::sleep`, which
/// cannot be interrupted.
pub fn sleep(duration: Duration) -> bool {
    let milliseconds = u32::try_from(duration.as_millis()).unwrap_or(u32::MAX);
    host::sleep(milliseconds)
}
