//! A loaded plugin and its lazily created instance.
//!
//! Calls are serialised per plugin (one `Store`, behind a mutex) and are
//! blocking: call them from a thread that may block, never from an async
//! task, because host imports wait on the tokio runtime. A call that traps,
//! hits a limit or is cancelled discards the instance; the next call
//! creates a fresh one from the pre-instantiated component.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio_util::sync::CancellationToken;
use wasmtime::Store;
use wasmtime::component::ResourceAny;

use super::bindings::{Plugin as Bindings, PluginPre};
use super::engine::{RuntimeConfig, start_epoch_ticker};
use super::error::PluginError;
use super::policy::HostPolicy;
use super::sandbox::{HostState, PluginIdentity, SandboxSpec, configure_store};
use super::source::PluginSource;
use super::{AuthMethod, AuthStatus, CompletionRequest, LoginOptions, ModelInfo, PluginMetadata, StreamEvent};
use crate::config::paths::create_private_dir;

/// Runtime pieces shared by every plugin.
pub(super) struct Shared {
    pub config: RuntimeConfig,
    pub engine: wasmtime::Engine,
    pub http: reqwest::Client,
    pub runtime: std::sync::Arc<super::engine::IoRuntime>,
}

struct Live {
    store: Store<HostState>,
    bindings: Bindings,
    generation: u64,
}

/// A loaded, validated plugin.
pub struct Plugin {
    metadata: PluginMetadata,
    source: PluginSource,
    interface_version: String,
    pre: PluginPre<HostState>,
    shared: Arc<Shared>,
    /// Base URL overrides from the environment, as `(setting key, URL)`.
    overrides: Vec<(String, String)>,
    live: Mutex<Option<Live>>,
    generation: AtomicU64,
    cancel: Mutex<CancellationToken>,
}

impl Plugin {
    pub(super) fn new(
        metadata: PluginMetadata,
        source: PluginSource,
        interface_version: String,
        pre: PluginPre<HostState>,
        shared: Arc<Shared>,
    ) -> Self {
        let overrides = env_overrides(&metadata.id);
        Self {
            metadata,
            source,
            interface_version,
            pre,
            shared,
            overrides,
            live: Mutex::new(None),
            generation: AtomicU64::new(0),
            cancel: Mutex::new(CancellationToken::new()),
        }
    }

    pub fn id(&self) -> &str {
        &self.metadata.id
    }

    pub fn metadata(&self) -> &PluginMetadata {
        &self.metadata
    }

    pub fn source(&self) -> &PluginSource {
        &self.source
    }

    /// The `ouro:provider` version the plugin was built against.
    pub fn interface_version(&self) -> &str {
        &self.interface_version
    }

    /// Base URL overrides taken from `OURO_<ID>_ISSUER` and
    /// `OURO_<ID>_BASE_URL`, as `(setting key, URL)`.
    pub fn overrides(&self) -> &[(String, String)] {
        &self.overrides
    }

    /// Whether the plugin offers any interactive login method.
    pub fn offers_login(&self) -> bool {
        self.metadata
            .auth_methods
            .iter()
            .any(|method| matches!(method, AuthMethod::OauthDeviceCode | AuthMethod::OauthBrowser))
    }

    /// Stops the call in progress, if any, at the next epoch tick or
    /// host-import wait.
    pub fn cancel(&self) {
        lock(&self.cancel).cancel();
    }

    pub fn login(&self, mut options: LoginOptions) -> Result<AuthStatus, PluginError> {
        options.settings.extend(self.overrides.iter().cloned());
        options.settings.push(("host-platform".to_owned(), host_platform()));
        let result = self.call("login", |store, bindings| {
            bindings.ouro_provider_provider().call_login(store, &options)
        })?;
        result.map_err(PluginError::Provider)
    }

    pub fn logout(&self) -> Result<bool, PluginError> {
        let result = self.call("logout", |store, bindings| {
            bindings.ouro_provider_provider().call_logout(store)
        })?;
        result.map_err(PluginError::Provider)
    }

    pub fn status(&self) -> Result<AuthStatus, PluginError> {
        self.call("status", |store, bindings| bindings.ouro_provider_provider().call_status(store))
    }

    pub fn models(&self) -> Result<Vec<ModelInfo>, PluginError> {
        self.call("models", |store, bindings| bindings.ouro_provider_provider().call_models(store))
    }

    /// Starts a streamed completion. A model's `api_base` setting is added
    /// to the hosts this plugin may reach.
    pub fn complete(self: &Arc<Self>, mut request: CompletionRequest) -> Result<CompletionStream, PluginError> {
        request.settings.extend(self.overrides.iter().cloned());
        request.settings.push(("host-platform".to_owned(), host_platform()));
        let api_base = request
            .settings
            .iter()
            .find(|(key, _)| key == "api_base")
            .map(|(_, value)| value.clone());
        let (resource, generation) = self.call("complete", |store, bindings| {
            if let Some(api_base) = &api_base
                && let Err(message) = store.data_mut().policy.allow_override(api_base) {
                    tracing::warn!(plugin = %store.data().identity.id, message, "ignoring api_base");
                }
            let generation = self.generation.load(Ordering::Relaxed);
            let result = bindings.ouro_provider_provider().call_complete(store, &request)?;
            Ok(result.map(|resource| (resource, generation)))
        })?
        .map_err(PluginError::Provider)?;
        Ok(CompletionStream {
            plugin: Arc::clone(self),
            resource: Some(resource),
            generation,
        })
    }

    /// Runs `call` on the live instance, creating it first if needed.
    fn call<R>(
        &self,
        name: &str,
        call: impl FnOnce(&mut Store<HostState>, &Bindings) -> wasmtime::Result<R>,
    ) -> Result<R, PluginError> {
        let mut live = lock(&self.live);
        if live.is_none() {
            *live = Some(self.instantiate()?);
        }
        let instance = live.as_mut().expect("instance was just created");
        let cancel = {
            let mut current = lock(&self.cancel);
            if current.is_cancelled() {
                *current = CancellationToken::new();
            }
            current.clone()
        };

        let state = instance.store.data_mut();
        state.cancel = cancel;
        state.call.start(self.shared.config.cpu_limit);
        instance.store.set_epoch_deadline(1);
        let result = call(&mut instance.store, &instance.bindings);
        instance.store.data_mut().call.stop();
        if name != "next" {
            restrict_permissions(&instance.store.data().data_dir);
        }

        match result {
            Ok(value) => Ok(value),
            Err(error) => {
                let failure = self.classify(name, &instance.store, &error);
                if matches!(failure, PluginError::Cancelled) {
                    tracing::debug!(plugin = self.id(), call = name, "plugin call cancelled; discarding the instance");
                } else {
                    tracing::warn!(plugin = self.id(), call = name, error = %failure, "plugin call failed; discarding the instance");
                }
                *live = None;
                self.generation.fetch_add(1, Ordering::Relaxed);
                Err(failure)
            }
        }
    }

    fn instantiate(&self) -> Result<Live, PluginError> {
        start_epoch_ticker(&self.shared.engine);
        let failed = |message: String| PluginError::Instantiate {
            plugin: self.metadata.id.clone(),
            message,
        };
        let data_dir = self.shared.config.home.plugin_data_dir(&self.metadata.id);
        create_private_dir(&data_dir)
            .map_err(|error| failed(format!("cannot create {}: {error}", data_dir.display())))?;

        let mut policy = HostPolicy::new(&self.metadata.id, &self.metadata.allowed_hosts);
        for (key, url) in &self.overrides {
            match policy.allow_override(url) {
                Ok(()) => tracing::info!(plugin = self.id(), key, url, "using a base URL override"),
                Err(message) => tracing::warn!(plugin = self.id(), key, message, "ignoring an override"),
            }
        }
        let state = HostState::new(SandboxSpec {
            identity: PluginIdentity {
                id: self.metadata.id.as_str().into(),
            },
            data_dir: &data_dir,
            memory_limit: self.shared.config.memory_limit,
            policy,
            ui: Arc::clone(&self.shared.config.ui),
            http: self.shared.http.clone(),
            runtime: self.shared.runtime.clone(),
        })
        .map_err(|error| failed(error.to_string()))?;

        let mut store = Store::new(&self.shared.engine, state);
        configure_store(&mut store);
        store.data_mut().call.start(self.shared.config.cpu_limit);
        let bindings = self.pre.instantiate(&mut store).map_err(|error| {
            let failure = self.classify("instantiate", &store, &error);
            failed(failure.to_string())
        })?;
        store.data_mut().call.stop();
        Ok(Live {
            store,
            bindings,
            generation: self.generation.load(Ordering::Relaxed),
        })
    }

    /// Explains why a call failed, from what the store observed.
    fn classify(&self, call: &str, store: &Store<HostState>, error: &wasmtime::Error) -> PluginError {
        let state = store.data();
        let plugin = self.metadata.id.clone();
        let version = self.metadata.version.clone();
        if state.limiter.exceeded {
            return PluginError::MemoryLimit {
                plugin,
                version,
                limit_mib: self.shared.config.memory_limit >> 20,
            };
        }
        if state.call.exceeded {
            return PluginError::CpuLimit {
                plugin,
                version,
                limit_ms: self.shared.config.cpu_limit.as_millis() as u64,
                call: call.to_owned(),
            };
        }
        if state.cancel.is_cancelled() {
            return PluginError::Cancelled;
        }
        PluginError::Trap {
            plugin,
            version,
            call: call.to_owned(),
            message: trap_message(error, &state.stderr.tail()),
        }
    }
}

/// Describes a trap, quoting the plugin's panic message when it printed one.
pub(super) fn trap_message(error: &wasmtime::Error, stderr_tail: &[String]) -> String {
    let trap = error
        .downcast_ref::<wasmtime::Trap>()
        .map(ToString::to_string)
        .unwrap_or_else(|| error.to_string());
    let panic = stderr_tail
        .iter()
        .position(|line| line.contains("panicked at"))
        .map(|start| {
            stderr_tail[start + 1..]
                .iter()
                .filter(|line| !line.starts_with("note:"))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|message| !message.is_empty());
    match panic {
        Some(message) => format!("{message} ({trap})"),
        None => trap,
    }
}

/// Sets mode 0600 on the files a plugin created in its data folder. WASI
/// cannot choose a file's mode, so files appear with the process umask
/// (often 0644). The folder itself is 0700, so no other user could read them
/// in between.
fn restrict_permissions(dir: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let Ok(metadata) = entry.metadata() else { continue };
        if metadata.is_file() && metadata.permissions().mode() & 0o077 != 0 {
            let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600));
        }
    }
}

/// Describes the user's OS, kernel release and CPU architecture, such as
/// `linux 6.1.0; x86_64`, which plugins cannot see from inside the sandbox.
fn host_platform() -> String {
    // SAFETY: `uname` fills a zeroed, caller-owned struct; its fields are
    // NUL-terminated C strings when the call succeeds.
    let release = unsafe {
        let mut name: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut name) == 0 {
            std::ffi::CStr::from_ptr(name.release.as_ptr()).to_string_lossy().into_owned()
        } else {
            String::new()
        }
    };
    let os = std::env::consts::OS;
    let arch = std::env::consts::ARCH;
    if release.is_empty() { format!("{os}; {arch}") } else { format!("{os} {release}; {arch}") }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Reads `OURO_<ID>_ISSUER` and `OURO_<ID>_BASE_URL` for plugin `id`.
fn env_overrides(id: &str) -> Vec<(String, String)> {
    let prefix = format!("OURO_{}_", id.to_ascii_uppercase().replace('-', "_"));
    [("ISSUER", "issuer"), ("BASE_URL", "base-url")]
        .into_iter()
        .filter_map(|(suffix, key)| {
            let value = std::env::var(format!("{prefix}{suffix}")).ok()?;
            (!value.is_empty()).then(|| (key.to_owned(), value))
        })
        .collect()
}

/// A streamed response from a plugin. Dropping it releases the plugin-side
/// stream.
pub struct CompletionStream {
    plugin: Arc<Plugin>,
    resource: Option<ResourceAny>,
    generation: u64,
}

impl CompletionStream {
    /// Returns the next event, or `None` at the end of the stream.
    pub fn next(&mut self) -> Result<Option<StreamEvent>, PluginError> {
        let Some(resource) = self.resource else {
            return Ok(None);
        };
        if self.plugin.generation.load(Ordering::Relaxed) != self.generation {
            self.resource = None;
            return Err(PluginError::Provider(super::ProviderError::Transient(
                "the plugin was restarted after a failure, so this response was lost".into(),
            )));
        }
        let result = self.plugin.call("next", |store, bindings| {
            bindings
                .ouro_provider_provider()
                .completion_stream()
                .call_next(store, resource)
        });
        match result {
            Ok(Ok(event)) => Ok(event),
            Ok(Err(error)) => Err(PluginError::Provider(error)),
            Err(error) => {
                // The instance is gone, and the resource with it.
                self.resource = None;
                Err(error)
            }
        }
    }

    /// Returns the plugin serving this stream.
    pub fn plugin(&self) -> &Arc<Plugin> {
        &self.plugin
    }
}

impl Drop for CompletionStream {
    fn drop(&mut self) {
        let Some(resource) = self.resource.take() else {
            return;
        };
        let mut live = lock(&self.plugin.live);
        if let Some(instance) = live.as_mut()
            && instance.generation == self.generation {
                instance.store.set_epoch_deadline(1);
                if let Err(error) = resource.resource_drop(&mut instance.store) {
                    tracing::debug!(%error, "dropping a completion stream failed");
                }
            }
    }
}
