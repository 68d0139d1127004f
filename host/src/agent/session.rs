//! Saved sessions: one JSON file per session under `$OURO_HOME/sessions/`,
//! rewritten atomically after every turn so `--resume` can continue it.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::history::Item;
use super::usage::TokenUsage;
use crate::config::paths::create_private_dir;

/// A conversation and its totals.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    /// The model id the session last used.
    pub model: String,
    /// Unix seconds.
    pub created_at: u64,
    pub items: Vec<Item>,
    pub usage: TokenUsage,
    pub cost_usd: f64,
}

impl Session {
    /// Starts an empty session with a new id (time-ordered, so ids sort by
    /// creation).
    pub fn new(model: &str) -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let suffix: u32 = rand_suffix();
        Self {
            id: format!("{}-{suffix:08x}", now.as_secs()),
            model: model.to_owned(),
            created_at: now.as_secs(),
            items: Vec::new(),
            usage: TokenUsage::default(),
            cost_usd: 0.0,
        }
    }

    /// Writes the session to `dir/<id>.json` (mode 0600, atomically).
    pub fn save(&self, dir: &Path) -> std::io::Result<PathBuf> {
        create_private_dir(dir)?;
        let path = dir.join(format!("{}.json", self.id));
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut file, &text)?;
        file.as_file().sync_all()?;
        file.persist(&path).map_err(|error| error.error)?;
        Ok(path)
    }

    /// Loads session `id` from `dir`; `latest` picks the most recently
    /// saved one.
    pub fn load(dir: &Path, id: &str) -> Result<Self, SessionError> {
        let path = if id == "latest" {
            latest(dir).ok_or_else(|| SessionError::NoSessions { dir: dir.to_path_buf() })?
        } else {
            dir.join(format!("{id}.json"))
        };
        let text = std::fs::read_to_string(&path).map_err(|_| SessionError::NotFound {
            id: id.to_owned(),
            dir: dir.to_path_buf(),
        })?;
        serde_json::from_str(&text).map_err(|error| SessionError::Corrupt {
            path: path.clone(),
            message: error.to_string(),
        })
    }
}

/// Why a session could not be resumed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("no saved sessions in {dir}; start one with `ouro --task ...` first")]
    NoSessions { dir: PathBuf },
    #[error("session {id:?} not found in {dir}; use `--resume latest` or an id from that folder")]
    NotFound { id: String, dir: PathBuf },
    #[error("session file {path} is not valid ({message}); move it away to start fresh")]
    Corrupt { path: PathBuf, message: String },
}

fn latest(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "json"))
        .max_by_key(|path| {
            let modified = std::fs::metadata(path).and_then(|metadata| metadata.modified()).ok();
            (modified, path.clone())
        })
}

fn rand_suffix() -> u32 {
    let mut bytes = [0u8; 4];
    if let Ok(mut file) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut file, &mut bytes);
    }
    u32::from_le_bytes(bytes) ^ std::process::id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_session_loads_by_id_and_latest() {
        let dir = tempfile::tempdir().unwrap();
        let mut session = Session::new("scripted/alpha");
        session.items.push(Item::User { text: "hello".into() });
        session.save(dir.path()).unwrap();
        let by_id = Session::load(dir.path(), &session.id).unwrap();
        assert_eq!(by_id.items, session.items);
        let latest = Session::load(dir.path(), "latest").unwrap();
        assert_eq!(latest.id, session.id);
    }

    #[test]
    fn missing_session_names_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let error = Session::load(dir.path(), "nope").unwrap_err();
        assert!(error.to_string().starts_with("session \"nope\" not found in "));
    }
}
