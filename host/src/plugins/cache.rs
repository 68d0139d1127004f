//! On-disk cache of compiled components.
//!
//! Deserialising a compiled component runs native code produced from it, so
//! an entry is trusted only if it was written by this engine configuration
//! and is intact: the file name carries the wasm's SHA-256 and the engine's
//! compatibility hash, and the file itself starts with a magic tag and the
//! SHA-256 of the payload, which is checked before deserialising. A corrupt
//! or foreign entry is compiled again and replaced. Files are written to a
//! temporary file in the same folder (mode 0600) and renamed into place.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::config::paths::create_private_dir;

const MAGIC: &[u8; 12] = b"OURO-CWASM-1";
const HEADER_LEN: usize = MAGIC.len() + 32;

/// Counts of how components were obtained, for tests and `--verbose` logs.
#[derive(Debug, Default)]
pub struct CacheStats {
    compiled: AtomicUsize,
    loaded: AtomicUsize,
    rejected: AtomicUsize,
    cached_metadata: AtomicUsize,
}

impl CacheStats {
    /// Components compiled from wasm in this process.
    pub fn compiled(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }

    /// Components loaded from a valid cache entry.
    pub fn loaded(&self) -> usize {
        self.loaded.load(Ordering::Relaxed)
    }

    /// Plugins whose metadata came from the cache, so loading them
    /// instantiated nothing.
    pub fn cached_metadata(&self) -> usize {
        self.cached_metadata.load(Ordering::Relaxed)
    }

    pub(super) fn count_cached_metadata(&self) {
        self.cached_metadata.fetch_add(1, Ordering::Relaxed);
    }

    /// Cache entries found corrupt or incompatible and replaced.
    pub fn rejected(&self) -> usize {
        self.rejected.load(Ordering::Relaxed)
    }
}

/// The component cache in one folder.
pub struct ComponentCache {
    dir: PathBuf,
    engine_hash: u64,
    stats: CacheStats,
}

impl ComponentCache {
    pub fn new(engine: &Engine, dir: PathBuf) -> Self {
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self {
            dir,
            engine_hash: hasher.finish(),
            stats: CacheStats::default(),
        }
    }

    pub fn stats(&self) -> &CacheStats {
        &self.stats
    }

    /// Returns the compiled component for `wasm`, whose SHA-256 is `digest`,
    /// from the cache or by compiling it (and then caching it).
    pub fn load_or_compile(
        &self,
        engine: &Engine,
        wasm: &[u8],
        digest: &str,
    ) -> Result<Component, String> {
        let path = self.entry_path(digest);
        if let Some(component) = self.load(engine, &path) {
            self.stats.loaded.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(path = %path.display(), "loaded compiled component from cache");
            return Ok(component);
        }

        let component = Component::new(engine, wasm).map_err(|error| format!("{error:#}"))?;
        self.stats.compiled.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(digest, "compiled component");
        if let Err(error) = self.store(&path, &component) {
            // The cache is an optimisation: a read-only home still works.
            tracing::warn!(path = %path.display(), %error, "could not write the component cache");
        }
        Ok(component)
    }

    /// Path of the cache entry for a wasm file with SHA-256 `digest`.
    pub fn entry_path(&self, digest: &str) -> PathBuf {
        self.dir
            .join(format!("{digest}-{:016x}.cwasm", self.engine_hash))
    }

    fn load(&self, engine: &Engine, path: &Path) -> Option<Component> {
        let bytes = std::fs::read(path).ok()?;
        let Some(payload) = verified_payload(&bytes) else {
            self.stats.rejected.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(path = %path.display(), "cache entry is corrupt; compiling again");
            return None;
        };
        // SAFETY: the payload was written by `store` below from
        // `Component::serialize` of this engine configuration (the file name
        // includes the engine's compatibility hash) and its SHA-256 matches,
        // so it is the exact output of wasmtime's own serialisation.
        match unsafe { Component::deserialize(engine, payload) } {
            Ok(component) => Some(component),
            Err(error) => {
                self.stats.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(path = %path.display(), %error, "cache entry is incompatible; compiling again");
                None
            }
        }
    }

    fn store(&self, path: &Path, component: &Component) -> std::io::Result<()> {
        let payload = component
            .serialize()
            .map_err(|error| std::io::Error::other(error.to_string()))?;
        create_private_dir(&self.dir)?;
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
        file.write_all(MAGIC)?;
        file.write_all(&Sha256::digest(&payload))?;
        file.write_all(&payload)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|error| error.error)?;
        Ok(())
    }
}

/// Returns the payload of a cache file if its tag and checksum are valid.
fn verified_payload(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return None;
    }
    let (header, payload) = bytes.split_at(HEADER_LEN);
    let expected = &header[MAGIC.len()..];
    (Sha256::digest(payload).as_slice() == expected).then_some(payload)
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_with_valid_checksum_is_accepted() {
        let payload = b"component bytes";
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&Sha256::digest(payload));
        file.extend_from_slice(payload);
        assert_eq!(verified_payload(&file), Some(&payload[..]));
    }

    #[test]
    fn flipped_byte_is_rejected() {
        let payload = b"component bytes";
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&Sha256::digest(payload));
        file.extend_from_slice(payload);
        let last = file.len() - 1;
        file[last] ^= 1;
        assert_eq!(verified_payload(&file), None);
    }

    #[test]
    fn foreign_file_is_rejected() {
        assert_eq!(verified_payload(b"\x7fELF and then some bytes of a foreign file"), None);
        assert_eq!(verified_payload(b""), None);
    }
}
