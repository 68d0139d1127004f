//! The per-instance state a plugin's `Store` carries, and the WASI sandbox
//! it runs in: no environment, no arguments, no stdin, stdout and stderr
//! into the log, one preopened folder (the plugin's data folder, seen by
//! the plugin as `.`), and no sockets or name lookups.

use std::path::Path;
use std::sync::Arc;

use std::time::Duration;

use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Store};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxView, WasiView};

use super::engine::thread_cpu_time;
use super::host_ui::UserInterface;
use super::policy::HostPolicy;
use super::stdio::LogStream;

/// Identity of a loaded plugin, shared by all of its instances.
#[derive(Clone, Debug)]
pub struct PluginIdentity {
    pub id: Arc<str>,
}

/// State of one plugin instance's `Store`.
pub struct HostState {
    wasi: WasiCtx,
    pub(super) table: ResourceTable,
    pub(super) limiter: MemoryLimiter,
    pub(super) identity: PluginIdentity,
    pub(super) policy: HostPolicy,
    pub(super) ui: Arc<dyn UserInterface>,
    pub(super) data_dir: std::path::PathBuf,
    pub(super) http: reqwest::Client,
    pub(super) runtime: std::sync::Arc<super::engine::IoRuntime>,
    pub(super) call: CallClock,
    /// Set by the host to stop the current call at the next epoch tick.
    pub(super) cancel: tokio_util::sync::CancellationToken,
    /// The plugin's stderr, read back to explain a crash.
    pub(super) stderr: LogStream,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl super::bindings::ouro::provider::types::Host for HostState {}

/// Everything needed to build a [`HostState`].
pub struct SandboxSpec<'a> {
    pub identity: PluginIdentity,
    pub data_dir: &'a Path,
    pub memory_limit: u64,
    pub policy: HostPolicy,
    pub ui: Arc<dyn UserInterface>,
    pub http: reqwest::Client,
    pub runtime: std::sync::Arc<super::engine::IoRuntime>,
}

impl HostState {
    pub fn new(spec: SandboxSpec<'_>) -> std::io::Result<Self> {
        let stderr = LogStream::new(spec.identity.id.clone(), "stderr");
        let mut builder = WasiCtx::builder();
        builder
            .stdout(LogStream::new(spec.identity.id.clone(), "stdout"))
            .stderr(stderr.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .socket_addr_check(|_, _| Box::pin(async { false }));
        builder
            .preopened_dir(spec.data_dir, ".", FsPerms::ReadWrite)
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        Ok(Self {
            wasi: builder.build(),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(spec.memory_limit),
            identity: spec.identity,
            policy: spec.policy,
            ui: spec.ui,
            data_dir: spec.data_dir.to_path_buf(),
            http: spec.http,
            runtime: spec.runtime,
            call: CallClock::default(),
            cancel: tokio_util::sync::CancellationToken::new(),
            stderr,
        })
    }
}

/// Caps linear memory and table growth of one instance, and remembers
/// whether the cap was hit so a resulting trap can be explained.
pub struct MemoryLimiter {
    limit: u64,
    pub(super) exceeded: bool,
}

impl MemoryLimiter {
    fn new(limit: u64) -> Self {
        Self { limit, exceeded: false }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired as u64 > self.limit {
            self.exceeded = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// CPU accounting of the call in progress.
#[derive(Default)]
pub struct CallClock {
    started: Option<Duration>,
    pub(super) limit: Duration,
    pub(super) exceeded: bool,
}

impl CallClock {
    pub fn start(&mut self, limit: Duration) {
        self.started = Some(thread_cpu_time());
        self.limit = limit;
        self.exceeded = false;
    }

    pub fn stop(&mut self) {
        self.started = None;
    }

    /// Returns whether the call has used more CPU time than its limit.
    pub fn over_limit(&self) -> bool {
        self.started
            .is_some_and(|started| thread_cpu_time().saturating_sub(started) > self.limit)
    }
}

/// Creates the linker every plugin is instantiated with: WASI (sync) and
/// the host imports of the `plugin` world.
pub fn new_linker(engine: &wasmtime::Engine) -> anyhow::Result<wasmtime::component::Linker<HostState>> {
    let mut linker = wasmtime::component::Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
        .map_err(|error| anyhow::anyhow!("cannot link WASI: {error}"))?;
    super::bindings::Plugin::add_to_linker::<HostState, wasmtime::component::HasSelf<HostState>>(&mut linker, |state| state)
        .map_err(|error| anyhow::anyhow!("cannot link the host imports: {error}"))?;
    Ok(linker)
}

/// Installs the store's memory limiter and the epoch callback that enforces
/// the CPU limit and cancellation.
pub fn configure_store(store: &mut Store<HostState>) {
    store.limiter(|state| &mut state.limiter);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(|mut context| {
        let state = context.data_mut();
        if state.cancel.is_cancelled() {
            return Err(wasmtime::Error::msg("cancelled"));
        }
        if state.call.over_limit() {
            state.call.exceeded = true;
            return Err(wasmtime::Error::msg("CPU time limit exceeded"));
        }
        Ok(wasmtime::UpdateDeadline::Continue(1))
    });
}
