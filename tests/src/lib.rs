//! Test harness for ouro's end-to-end tests (which live in `tests/e2e/` and
//! run as the `ouro` package's integration tests, so they can start the
//! real binary): compiled fixture plugins and a temporary ouro home.

pub mod mock_chatgpt;

use std::path::{Path, PathBuf};

/// Path of the compiled fixture plugin `name` (a folder of `tests/plugins/`).
pub fn fixture(name: &str) -> PathBuf {
    let path = Path::new(env!("OURO_FIXTURE_DIR")).join(format!("{name}.wasm"));
    assert!(path.is_file(), "fixture plugin {name} was not built: {}", path.display());
    path
}

/// Sends `GET url` (plain http on loopback) as a browser would and returns
/// the status code and body.
pub fn http_get(url: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let address = authority.replace("localhost", "127.0.0.1");
    let mut stream = std::net::TcpStream::connect(&address).expect("connecting to the callback");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
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

    /// Writes `models.yaml`.
    pub fn write_models(&self, yaml: &str) -> PathBuf {
        let path = self.path().join("models.yaml");
        std::fs::write(&path, yaml).unwrap();
        path
    }

    /// Installs the scripted fixture with `script` (see
    /// `tests/plugins/scripted`) and a models.yaml that selects it.
    pub fn scripted(&self, script: serde_json::Value) {
        self.install("scripted");
        self.write_script(script);
        self.write_models(
            "# test models\nmodels:\n  scripted/alpha:\n    timeout: 30\n  scripted/beta: {}\ndefault: scripted/alpha\n",
        );
    }

    /// Replaces the scripted fixture's script and resets its turn counter.
    pub fn write_script(&self, script: serde_json::Value) {
        let data = self.plugin_data("scripted");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("script.json"), script.to_string()).unwrap();
        let _ = std::fs::remove_file(data.join("turn"));
    }

    /// The requests the scripted fixture received, oldest first.
    pub fn scripted_requests(&self) -> Vec<serde_json::Value> {
        let path = self.plugin_data("scripted").join("requests.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
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
