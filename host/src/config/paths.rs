//! The ouro home folder (`$OURO_HOME`, default `~/.ouro`) and its layout.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The ouro home folder. Every path ouro writes to is derived from it, so
/// tests redirect everything by setting `OURO_HOME`.
#[derive(Clone, Debug)]
pub struct OuroHome {
    root: PathBuf,
}

impl OuroHome {
    /// Uses `root` as the home folder.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Resolves the home folder from `OURO_HOME`, falling back to `~/.ouro`.
    pub fn from_env() -> io::Result<Self> {
        if let Some(root) = std::env::var_os("OURO_HOME").filter(|value| !value.is_empty()) {
            return Ok(Self::new(root));
        }
        let home = std::env::var_os("HOME").filter(|value| !value.is_empty()).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "neither OURO_HOME nor HOME is set; set OURO_HOME to the folder ouro should use",
            )
        })?;
        Ok(Self::new(PathBuf::from(home).join(".ouro")))
    }

    /// The home folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// User plugins: every `*.wasm` file in this folder is loaded.
    pub fn plugins_dir(&self) -> PathBuf {
        self.root.join("plugins")
    }

    /// Compiled-component cache.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join("cache")
    }

    /// A plugin's private data folder, the only folder it can see.
    pub fn plugin_data_dir(&self, plugin_id: &str) -> PathBuf {
        self.root.join("auth").join(plugin_id)
    }

    /// The user's model configuration.
    pub fn models_file(&self) -> PathBuf {
        self.root.join("models.yaml")
    }

    /// Saved sessions.
    pub fn sessions_dir(&self) -> PathBuf {
        self.root.join("sessions")
    }

    /// Debug logs written with `--verbose`.
    pub fn logs_dir(&self) -> PathBuf {
        self.root.join("logs")
    }

    /// Line-editor history of the interactive mode.
    pub fn history_file(&self) -> PathBuf {
        self.root.join("history")
    }
}

/// Creates `path` and its missing parents; `path` itself gets mode 0700 and
/// is tightened to 0700 if it already existed with wider permissions.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(path)?;
    let mode = fs::metadata(path)?.permissions().mode() & 0o777;
    if mode != 0o700 {
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}
