//! The `timer` import: a sleep that ends early when the call is cancelled.

use std::time::Duration;

use super::bindings::ouro::provider::timer::Host;
use super::sandbox::HostState;

impl Host for HostState {
    fn sleep(&mut self, milliseconds: u32) -> bool {
        let cancel = self.cancel.clone();
        let runtime = self.runtime.get();
        let _context = runtime.enter();
        runtime.block_on(async move {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(milliseconds.into())) => true,
                () = cancel.cancelled() => false,
            }
        })
    }
}
