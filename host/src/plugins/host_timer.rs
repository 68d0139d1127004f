//! The `timer` import: a sleep that ends early when the call is cancelled.

use std::time::Duration;

use super::bindings::ouro::provider::timer::Host;
use super::sandbox::HostState;

impl Host for HostState {
    fn sleep(&mut self, milliseconds: u32) -> bool {
        let duration = Duration::from_millis(milliseconds.into());
        self.runtime
            .run_until_cancelled(&self.cancel, || tokio::time::sleep(duration))
            .is_some()
    }
}
