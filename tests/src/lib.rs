//! Test harness for ouro's end-to-end tests (which live in `tests/e2e/` and
//! run as the `ouro` package's integration tests, so they can start the
//! real binary): compiled fixture plugins and a temporary ouro home.

use std::path::{Path, PathBuf};

/// Path of the compiled fixture plugin `name` (a folder of `tests/plugins/`).
pub fn fixture(name: &str) -> PathBuf {
    let path = Path::new(env!("OURO_FIXTURE_DIR")).join(format!("{name}.wasm"));
    assert!(path.is_file(), "fixture plugin {name} was not built: {}", path.display());
    path
}

/// A temporary `OURO_HOME`, removed when dropped.
pub struct TestHome {
    dir: tempfile::TempDir,
}

impl TestHome {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("creating a temporary ouro home"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn plugins_dir(&self) -> PathBuf {
        self.path().join("plugins")
    }

    /// Copies fixture `name` into the plugins folder as `<file_name>`.
    pub fn install_as(&self, name: &str, file_name: &str) -> PathBuf {
        std::fs::create_dir_all(self.plugins_dir()).unwrap();
        let target = self.plugins_dir().join(file_name);
        std::fs::copy(fixture(name), &target).unwrap();
        target
    }

    /// Copies fixture `name` into the plugins folder as `<name>.wasm`.
    pub fn install(&self, name: &str) -> PathBuf {
        self.install_as(name, &format!("{name}.wasm"))
    }

    /// Writes raw bytes as a plugin file.
    pub fn install_bytes(&self, file_name: &str, bytes: &[u8]) -> PathBuf {
        std::fs::create_dir_all(self.plugins_dir()).unwrap();
        let target = self.plugins_dir().join(file_name);
        std::fs::write(&target, bytes).unwrap();
        target
    }

    /// A plugin's data folder.
    pub fn plugin_data(&self, id: &str) -> PathBuf {
        self.path().join("auth").join(id)
    }
}

impl Default for TestHome {
    fn default() -> Self {
        Self::new()
    }
}
