//! Entry points for the runtime benchmark (`host/benches/plugin_runtime.rs`).
//! They run the same code paths as [`PluginRegistry`](super::PluginRegistry),
//! split into the steps the benchmark times separately.

use std::path::Path;
use std::sync::Arc;

use wasmtime::Store;
use wasmtime::component::{Component, Linker};

use super::bindings::{Plugin as Bindings, PluginPre};
use super::cache::{ComponentCache, sha256_hex};
use super::engine::{RuntimeConfig, new_engine, start_epoch_ticker};
use super::host_http::new_client;
use super::policy::HostPolicy;
use super::sandbox::{HostState, PluginIdentity, SandboxSpec, configure_store};
use crate::config::OuroHome;
use crate::config::paths::create_private_dir;

/// Engine, linker and cache as the registry sets them up.
pub struct Harness {
    engine: wasmtime::Engine,
    linker: Linker<HostState>,
    config: RuntimeConfig,
    runtime: Arc<super::engine::IoRuntime>,
}

impl Harness {
    pub fn new(home: &Path) -> Self {
        let engine = new_engine().expect("engine");
        let linker = super::sandbox::new_linker(&engine).expect("linker");
        start_epoch_ticker(&engine);
        Self {
            engine,
            linker,
            config: RuntimeConfig::new(OuroHome::new(home)),
            runtime: Arc::new(super::engine::IoRuntime::new().expect("runtime")),
        }
    }

    /// Compiles without any cache.
    pub fn compile(&self, wasm: &[u8]) -> Component {
        Component::new(&self.engine, wasm).expect("compile")
    }

    /// Loads through the on-disk cache in `dir` (compiling on a miss).
    pub fn load_cached(&self, dir: &Path, wasm: &[u8]) -> Component {
        let cache = ComponentCache::new(&self.engine, dir.to_path_buf());
        cache
            .load_or_compile(&self.engine, wasm, &sha256_hex(wasm))
            .expect("load")
    }

    /// Links a component for repeated instantiation.
    pub fn prepare(&self, component: &Component) -> PluginPre<HostState> {
        PluginPre::new(self.linker.instantiate_pre(component).expect("link")).expect("pre")
    }

    /// Creates a sandboxed store and instance, as the first call does.
    pub fn instantiate(&self, pre: &PluginPre<HostState>) -> (Store<HostState>, Arc<Bindings>) {
        let data_dir = self.config.home.plugin_data_dir("bench");
        create_private_dir(&data_dir).expect("data dir");
        let state = HostState::new(SandboxSpec {
            identity: PluginIdentity { id: "bench".into() },
            data_dir: &data_dir,
            memory_limit: self.config.memory_limit,
            policy: HostPolicy::default(),
            ui: Arc::clone(&self.config.ui),
            http: new_client(),
            runtime: Arc::clone(&self.runtime),
        })
        .expect("state");
        let mut store = Store::new(&self.engine, state);
        configure_store(&mut store);
        let bindings = pre.instantiate(&mut store).expect("instantiate");
        (store, Arc::new(bindings))
    }

    /// Calls `metadata()` and returns the plugin id.
    pub fn metadata(&self, store: &mut Store<HostState>, bindings: &Bindings) -> String {
        store.set_epoch_deadline(1);
        bindings
            .ouro_provider_provider()
            .call_metadata(store)
            .expect("metadata")
            .id
    }
}
