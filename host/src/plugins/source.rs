//! Where a plugin's bytes come from: embedded in the binary at build time,
//! or a `*.wasm` file in the user's plugins folder.

use std::fmt;
use std::path::PathBuf;

/// A first-party plugin compiled into the `ouro` binary.
pub struct BundledPlugin {
    /// Crate name, used in messages until the plugin's metadata is read.
    pub name: &'static str,
    pub wasm: &'static [u8],
}

/// The bundled plugins, produced by `host/build.rs`.
pub static BUNDLED: &[BundledPlugin] = include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The origin of a loaded plugin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PluginSource {
    Bundled(&'static str),
    File(PathBuf),
}

impl fmt::Display for PluginSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginSource::Bundled(_) => f.write_str("bundled"),
            PluginSource::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Lists the user's plugin files (`*.wasm` in `dir`), sorted by name so the
/// load order is stable. A missing folder means no user plugins.
pub fn user_plugin_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "wasm") && path.is_file())
        .collect();
    files.sort();
    files
}
