//! The process-wide `Engine` and the settings every plugin store gets.
//!
//! Epoch interruption is on: a ticker thread advances the epoch every
//! [`TICK`], and each store's epoch callback checks the plugin's CPU time and
//! cancellation at that rate.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use wasmtime::{Config, Engine};

use super::host_ui::{TerminalUi, UserInterface};
use crate::config::OuroHome;

/// How often the epoch advances, which bounds how late a CPU limit or a
/// cancellation is noticed.
pub const TICK: Duration = Duration::from_millis(10);

/// Default memory limit of one plugin instance.
pub const DEFAULT_MEMORY_LIMIT: u64 = 256 << 20;

/// Default CPU time one call into a plugin may use. Time spent waiting on
/// host I/O (HTTP, prompts, sleeps) is not counted.
pub const DEFAULT_CPU_LIMIT: Duration = Duration::from_secs(10);

/// Settings of the plugin runtime.
#[derive(Clone)]
pub struct RuntimeConfig {
    pub home: OuroHome,
    /// Maximum linear memory per instance, in bytes.
    pub memory_limit: u64,
    /// CPU time per call.
    pub cpu_limit: Duration,
    /// Whether bundled plugins are loaded (tests may turn them off).
    pub load_bundled: bool,
    /// The terminal interface plugins talk to during login.
    pub ui: Arc<dyn UserInterface>,
}

impl RuntimeConfig {
    /// Default settings for `home`; `OURO_PLUGIN_CPU_LIMIT_MS` and
    /// `OURO_PLUGIN_MEMORY_LIMIT_MIB` override the limits.
    pub fn new(home: OuroHome) -> Self {
        let cpu_limit = env_number("OURO_PLUGIN_CPU_LIMIT_MS")
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_CPU_LIMIT);
        let memory_limit = env_number("OURO_PLUGIN_MEMORY_LIMIT_MIB")
            .map(|mib| mib << 20)
            .unwrap_or(DEFAULT_MEMORY_LIMIT);
        Self {
            home,
            memory_limit,
            cpu_limit,
            load_bundled: true,
            ui: Arc::new(TerminalUi),
        }
    }
}

fn env_number(key: &str) -> Option<u64> {
    let value = std::env::var(key).ok()?;
    match value.trim().parse() {
        Ok(number) => Some(number),
        Err(_) => {
            tracing::warn!(key, value, "ignoring a non-numeric setting");
            None
        }
    }
}

/// Creates the engine. Compilation settings here are part of the cache key,
/// through the engine's compatibility hash.
pub fn new_engine() -> wasmtime::Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    Engine::new(&config)
}

/// Starts the epoch ticker once per process. It runs until the process ends.
pub fn start_epoch_ticker(engine: &Engine) {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let engine = engine.clone();
        std::thread::Builder::new()
            .name("ouro-epoch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
    });
}

/// CPU time consumed by the calling thread. Plugin code runs on the thread
/// that called into it, and waiting on host I/O parks that thread, so the
/// difference of two readings is the plugin's own CPU time plus the small
/// cost of host functions.
pub fn thread_cpu_time() -> Duration {
    let mut spec = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `spec` is a valid, writable timespec and the clock id is a
    // constant the kernel supports on every Linux and macOS version we run on.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut spec) };
    if result != 0 {
        return Duration::ZERO;
    }
    Duration::new(spec.tv_sec as u64, spec.tv_nsec as u32)
}

/// The tokio runtime that runs plugins' HTTP requests. It is a
/// current-thread runtime driven by the thread that calls into the plugin,
/// so reading a response chunk does not hand work to another thread and
/// back: at thousands of stream events per reply those hops cost more than
/// the parsing.
pub struct IoRuntime(Option<tokio::runtime::Runtime>);

impl IoRuntime {
    pub fn new() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        Ok(Self(Some(runtime)))
    }

    pub fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("present until dropped")
    }

    /// Blocks on the future that `make` builds, or returns `None` as soon as
    /// `cancel` fires. `make` runs inside the runtime's context because
    /// timers and sockets can only be created there.
    pub fn run_until_cancelled<F: Future>(
        &self,
        cancel: &tokio_util::sync::CancellationToken,
        make: impl FnOnce() -> F,
    ) -> Option<F::Output> {
        let runtime = self.get();
        let _context = runtime.enter();
        let future = make();
        runtime.block_on(cancel.run_until_cancelled(future))
    }
}

impl Drop for IoRuntime {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which panics inside async code; the
        // last plugin handle may be released there.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}
