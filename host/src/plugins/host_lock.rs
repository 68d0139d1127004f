//! The `storage-lock` import: exclusive advisory file locks inside the
//! plugin's data folder, shared by every ouro process and every instance in
//! this one (each acquisition opens its own file description, so `flock`
//! excludes across threads too).

use std::fs::{File, OpenOptions};
use std::time::{Duration, Instant};

use wasmtime::component::Resource;

use super::bindings::ouro::provider::storage_lock::{Host, HostLockGuard};
use super::sandbox::HostState;

/// A held lock; dropping the file releases it.
pub struct LockGuard {
    _file: File,
}

const POLL_INTERVAL: Duration = Duration::from_millis(20);

impl Host for HostState {
    fn acquire(&mut self, name: String, timeout_ms: u32) -> Result<Resource<LockGuard>, String> {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || "-_.".contains(character))
            && !name.starts_with('.');
        if !valid {
            return Err(format!(
                "invalid lock name {name:?}; use letters, digits, '-', '_' and '.'"
            ));
        }
        let path = self.data_dir.join(format!("{name}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|error| format!("cannot open lock {name:?}: {error}"))?;

        let deadline = Instant::now() + Duration::from_millis(timeout_ms.into());
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    if self.cancel.is_cancelled() {
                        return Err("cancelled while waiting for a lock".into());
                    }
                    std::thread::sleep(POLL_INTERVAL);
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(format!(
                        "timed out after {timeout_ms} ms waiting for lock {name:?}; another ouro process holds it"
                    ));
                }
                Err(std::fs::TryLockError::Error(error)) => {
                    return Err(format!("cannot take lock {name:?}: {error}"));
                }
            }
        }
        tracing::debug!(plugin = %self.identity.id, lock = name, "lock acquired");
        self.table
            .push(LockGuard { _file: file })
            .map_err(|error| error.to_string())
    }
}

impl HostLockGuard for HostState {
    fn drop(&mut self, guard: Resource<LockGuard>) -> wasmtime::Result<()> {
        self.table.delete(guard)?;
        Ok(())
    }
}
