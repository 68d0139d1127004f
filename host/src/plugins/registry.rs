//! Discovery and loading: bundled plugins plus `$OURO_HOME/plugins/*.wasm`.
//!
//! Every file is validated before it is trusted: it must be a component
//! (not a core module or other bytes), export a known major version of
//! `ouro:provider/provider`, link against the host's imports, and return
//! sane metadata. A file that fails is kept as a [`PluginStatus::Failed`]
//! entry with the reason, and the other plugins load normally. A user
//! plugin with a bundled plugin's id replaces the bundled one.

use std::collections::HashMap;
use std::sync::Arc;

use wasmtime::component::{Component, Linker};

use super::bindings::PluginPre;
use super::cache::{CacheStats, ComponentCache, sha256_hex};
use super::engine::{RuntimeConfig, new_engine, start_epoch_ticker};
use super::error::LoadError;
use super::host_http::new_client;
use super::instance::{Plugin, Shared, trap_message};
use super::sandbox::{HostState, PluginIdentity, SandboxSpec, configure_store};
use super::source::{BUNDLED, PluginSource, user_plugin_files};
use crate::config::paths::create_private_dir;

/// Name prefix of the interface every plugin exports.
const PROVIDER_EXPORT: &str = "ouro:provider/provider@";

/// One discovered plugin file and how loading it went.
pub struct PluginEntry {
    pub source: PluginSource,
    pub status: PluginStatus,
    /// Set when this user plugin replaced a bundled plugin with its id.
    pub replaces_bundled: bool,
}

/// Outcome of loading one plugin.
pub enum PluginStatus {
    Ready(Arc<Plugin>),
    Failed(LoadError),
}

/// All plugins of this process.
pub struct PluginRegistry {
    entries: Vec<PluginEntry>,
    cache: ComponentCache,
}

impl PluginRegistry {
    /// Loads the bundled plugins (unless disabled) and the user's plugins.
    pub fn load(config: RuntimeConfig) -> anyhow::Result<Self> {
        let runtime = Arc::new(super::engine::IoRuntime::new()?);
        let engine = new_engine().map_err(|error| anyhow::anyhow!("cannot create the WebAssembly engine: {error}"))?;
        let linker = super::sandbox::new_linker(&engine)?;

        let cache = ComponentCache::new(&engine, config.home.cache_dir());
        let plugins_dir = config.home.plugins_dir();
        let load_bundled = config.load_bundled;
        let shared = Arc::new(Shared {
            config,
            engine,
            http: new_client(),
            runtime,
        });
        let loader = Loader {
            shared: &shared,
            linker: &linker,
            cache: &cache,
        };

        let mut entries = Vec::new();
        if load_bundled {
            for bundled in BUNDLED {
                let source = PluginSource::Bundled(bundled.name);
                entries.push(loader.entry(source, Ok(bundled.wasm.to_vec())));
            }
        }
        let bundled_count = entries.len();
        for path in user_plugin_files(&plugins_dir) {
            let bytes = std::fs::read(&path).map_err(|source| LoadError::Read {
                path: path.clone(),
                source,
            });
            entries.push(loader.entry(PluginSource::File(path), bytes));
        }
        resolve_conflicts(&mut entries, bundled_count);
        for entry in &entries {
            if let PluginStatus::Failed(error) = &entry.status {
                tracing::warn!(source = %entry.source, %error, "skipping a plugin");
            }
        }
        Ok(Self { entries, cache })
    }

    /// Returns every discovered plugin, loaded or not, bundled ones first.
    pub fn entries(&self) -> &[PluginEntry] {
        &self.entries
    }

    /// Returns the loaded plugins.
    pub fn plugins(&self) -> impl Iterator<Item = &Arc<Plugin>> {
        self.entries.iter().filter_map(|entry| match &entry.status {
            PluginStatus::Ready(plugin) => Some(plugin),
            PluginStatus::Failed(_) => None,
        })
    }

    /// Returns the loaded plugin with `id`.
    pub fn get(&self, id: &str) -> Option<&Arc<Plugin>> {
        self.plugins().find(|plugin| plugin.id() == id)
    }

    /// Returns the counts of compiled, cached and rejected components.
    pub fn cache_stats(&self) -> &CacheStats {
        self.cache.stats()
    }
}

struct Loader<'a> {
    shared: &'a Arc<Shared>,
    linker: &'a Linker<HostState>,
    cache: &'a ComponentCache,
}

impl Loader<'_> {
    fn entry(&self, source: PluginSource, bytes: Result<Vec<u8>, LoadError>) -> PluginEntry {
        let status = match bytes.and_then(|bytes| self.load(&source, &bytes)) {
            Ok(plugin) => PluginStatus::Ready(Arc::new(plugin)),
            Err(error) => PluginStatus::Failed(error),
        };
        PluginEntry {
            source,
            status,
            replaces_bundled: false,
        }
    }

    fn load(&self, source: &PluginSource, bytes: &[u8]) -> Result<Plugin, LoadError> {
        check_header(bytes)?;
        let engine = &self.shared.engine;
        let digest = sha256_hex(bytes);
        let component = self
            .cache
            .load_or_compile(engine, bytes, &digest)
            .map_err(LoadError::Invalid)?;
        let interface_version = provider_version(engine, &component)?;
        let instance_pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|error| LoadError::Link(format!("{error:#}")))?;
        let pre = PluginPre::new(instance_pre).map_err(|error| LoadError::Link(format!("{error:#}")))?;
        let meta_path = super::metadata_cache::entry_path(&self.cache.entry_path(&digest));
        let metadata = match super::metadata_cache::load(&meta_path) {
            Some(metadata) => {
                self.cache.stats().count_cached_metadata();
                metadata
            }
            None => {
                let metadata = self.read_metadata(source, &pre)?;
                super::metadata_cache::store(&meta_path, &metadata);
                metadata
            }
        };
        if !valid_id(&metadata.id) {
            return Err(LoadError::InvalidId { id: metadata.id });
        }
        Ok(Plugin::new(metadata, source.clone(), interface_version, pre, Arc::clone(self.shared)))
    }

    /// Instantiates the plugin in a throwaway store to read its metadata.
    /// The store has no data folder beyond an empty scratch one, so
    /// metadata() cannot read or write the plugin's real files.
    fn read_metadata(&self, source: &PluginSource, pre: &PluginPre<HostState>) -> Result<super::PluginMetadata, LoadError> {
        start_epoch_ticker(&self.shared.engine);
        let scratch = self.shared.config.home.cache_dir().join("scratch");
        create_private_dir(&scratch).map_err(|error| LoadError::Metadata(error.to_string()))?;
        let state = HostState::new(SandboxSpec {
            identity: PluginIdentity {
                id: source.to_string().into(),
            },
            data_dir: &scratch,
            memory_limit: self.shared.config.memory_limit,
            policy: super::policy::HostPolicy::default(),
            ui: Arc::clone(&self.shared.config.ui),
            http: self.shared.http.clone(),
            runtime: self.shared.runtime.clone(),
        })
        .map_err(|error| LoadError::Metadata(error.to_string()))?;
        let mut store = wasmtime::Store::new(&self.shared.engine, state);
        configure_store(&mut store);
        store.data_mut().call.start(self.shared.config.cpu_limit);
        let metadata = pre
            .instantiate(&mut store)
            .and_then(|bindings| bindings.ouro_provider_provider().call_metadata(&mut store))
            .map_err(|error| LoadError::Metadata(trap_message(&error, &store.data().stderr.tail())))?;
        Ok(metadata)
    }
}

/// Rejects files that are not components before handing them to the
/// compiler, so the error names what the file is.
fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(LoadError::NotWasm);
    }
    // Bytes 4..8 are the version and layer: 1,0,0,0 for a core module and
    // 0x0d,0,1,0 for a component.
    if bytes[4..8] == [1, 0, 0, 0] {
        return Err(LoadError::CoreModule);
    }
    Ok(())
}

/// Finds the `ouro:provider/provider` export and checks its version.
fn provider_version(engine: &wasmtime::Engine, component: &Component) -> Result<String, LoadError> {
    let component_type = component.component_type();
    let exports: Vec<String> = component_type.exports(engine).map(|(name, _)| name.to_owned()).collect();
    let Some(version) = exports.iter().find_map(|name| name.strip_prefix(PROVIDER_EXPORT)) else {
        return Err(LoadError::OtherWorld {
            exports: if exports.is_empty() { "nothing".into() } else { exports.join(", ") },
        });
    };
    let supported = super::INTERFACE_VERSION;
    if !compatible(version, supported) {
        return Err(LoadError::UnsupportedVersion {
            found: version.to_owned(),
            supported: supported.to_owned(),
        });
    }
    Ok(version.to_owned())
}

/// Semver compatibility: same major, or for 0.x the same minor.
fn compatible(found: &str, supported: &str) -> bool {
    let parts = |version: &str| -> Vec<u64> { version.split('.').filter_map(|part| part.parse().ok()).collect() };
    let (found, supported) = (parts(found), parts(supported));
    if found.len() != 3 || supported.len() != 3 {
        return false;
    }
    if supported[0] == 0 {
        found[0] == 0 && found[1] == supported[1]
    } else {
        found[0] == supported[0]
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.chars().all(|character| character.is_ascii_lowercase() || character.is_ascii_digit() || character == '-')
}

/// Applies the id rules: two user plugins with one id are both rejected; a
/// user plugin with a bundled plugin's id replaces the bundled one.
fn resolve_conflicts(entries: &mut Vec<PluginEntry>, bundled_count: usize) {
    let id_of = |entry: &PluginEntry| match &entry.status {
        PluginStatus::Ready(plugin) => Some(plugin.id().to_owned()),
        PluginStatus::Failed(_) => None,
    };

    let mut user_ids: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, entry) in entries.iter().enumerate().skip(bundled_count) {
        if let Some(id) = id_of(entry) {
            user_ids.entry(id).or_default().push(index);
        }
    }
    for (id, indexes) in &user_ids {
        if indexes.len() < 2 {
            continue;
        }
        for &index in indexes {
            let other = indexes
                .iter()
                .find(|&&other| other != index)
                .map(|&other| entries[other].source.to_string())
                .unwrap_or_default();
            entries[index].status = PluginStatus::Failed(LoadError::DuplicateId { id: id.clone(), other });
        }
    }

    let mut replaced = Vec::new();
    for index in bundled_count..entries.len() {
        let Some(id) = id_of(&entries[index]) else { continue };
        if let Some(bundled) = (0..bundled_count).find(|&bundled| id_of(&entries[bundled]).as_deref() == Some(&id)) {
            tracing::warn!(plugin = id, file = %entries[index].source, "a user plugin replaces the bundled plugin");
            entries[index].replaces_bundled = true;
            replaced.push(bundled);
        }
    }
    replaced.sort_unstable();
    for index in replaced.into_iter().rev() {
        entries.remove(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_major_needs_same_minor() {
        assert!(compatible("0.1.0", "0.1.0"));
        assert!(compatible("0.1.7", "0.1.0"));
        assert!(!compatible("0.2.0", "0.1.0"));
        assert!(!compatible("1.0.0", "0.1.0"));
    }

    #[test]
    fn header_distinguishes_files() {
        assert!(matches!(check_header(b"hello world"), Err(LoadError::NotWasm)));
        assert!(matches!(check_header(b"\0asm\x01\0\0\0"), Err(LoadError::CoreModule)));
        assert!(check_header(b"\0asm\x0d\0\x01\0").is_ok());
    }

    #[test]
    fn ids_are_lowercase_words() {
        assert!(valid_id("chatgpt"));
        assert!(valid_id("open-ai2"));
        assert!(!valid_id("ChatGPT"));
        assert!(!valid_id("a/b"));
        assert!(!valid_id(""));
    }
}
