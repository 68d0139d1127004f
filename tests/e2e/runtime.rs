//! The plugin runtime against fixture plugins: sandbox, limits, isolation,
//! rejection of bad files, and the compiled-component cache.

use std::time::Duration;

use ouro::config::OuroHome;
use ouro::plugins::{AuthStatus, LoadError, PluginError, PluginRegistry, PluginStatus, RuntimeConfig};
use ouro_tests::TestHome;

struct Loaded {
    registry: PluginRegistry,
}

fn load(home: &TestHome) -> Loaded {
    let mut config = RuntimeConfig::new(OuroHome::new(home.path()));
    config.load_bundled = false;
    config.cpu_limit = Duration::from_millis(300);
    config.memory_limit = 64 << 20;
    let registry = PluginRegistry::load(config).unwrap();
    Loaded { registry }
}

fn status_error(loaded: &Loaded, id: &str) -> String {
    match loaded.registry.get(id).expect("plugin loaded").status() {
        Ok(AuthStatus::Error(message)) => message,
        other => panic!("expected a status error from {id}, got {other:?}"),
    }
}

/// Asserts the scripted plugin still answers, after another plugin failed.
fn assert_good_plugin_works(loaded: &Loaded) {
    let plugin = loaded.registry.get("scripted").expect("scripted plugin loaded");
    let models = plugin.models().expect("models() of the good plugin");
    assert_eq!(models.len(), 2);
    assert!(matches!(plugin.status(), Ok(AuthStatus::LoggedIn(_))));
}

fn load_error<'a>(loaded: &'a Loaded, file_name: &str) -> &'a LoadError {
    let entry = loaded
        .registry
        .entries()
        .iter()
        .find(|entry| entry.source.to_string().ends_with(file_name))
        .unwrap_or_else(|| panic!("no entry for {file_name}"));
    match &entry.status {
        PluginStatus::Failed(error) => error,
        PluginStatus::Ready(_) => panic!("{file_name} loaded but should have failed"),
    }
}

#[test]
fn good_plugin_loads_and_answers() {
    let home = TestHome::new();
    home.install("scripted");
    let loaded = load(&home);
    let plugin = loaded.registry.get("scripted").unwrap();
    assert_eq!(plugin.metadata().name, "Scripted test provider");
    assert_eq!(plugin.interface_version(), "0.1.0");
    assert_good_plugin_works(&loaded);
}

#[test]
fn reading_outside_data_folder_fails() {
    let home = TestHome::new();
    home.install("escape");
    home.install("scripted");
    std::fs::write(home.path().join("models.yaml"), "secret: 1\n").unwrap();
    let loaded = load(&home);
    let report = status_error(&loaded, "escape");
    // Absolute paths resolve inside the data folder (where nothing exists)
    // and `..` cannot leave it, so the plugin sees no host file.
    assert_eq!(
        report,
        "/etc/passwd: error: No such file or directory (os error 44)\n\
         ../models.yaml: error: Operation not permitted (os error 63)\n\
         /: error: Is a directory (os error 31)"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn undeclared_host_is_denied() {
    let home = TestHome::new();
    home.install("undeclared");
    home.install("scripted");
    let loaded = load(&home);
    assert_eq!(
        status_error(&loaded, "undeclared"),
        "denied: plugin 'undeclared' is not allowed to reach host \"undeclared.test\"; it declared only api.declared.test"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn declared_host_over_http_is_denied() {
    let home = TestHome::new();
    home.install("plain-http");
    home.install("scripted");
    let loaded = load(&home);
    assert_eq!(
        status_error(&loaded, "plain-http"),
        "denied: plugin 'plain-http' may reach plain.test only over https, not http"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn endless_loop_hits_cpu_limit() {
    let home = TestHome::new();
    home.install("spin");
    home.install("scripted");
    let loaded = load(&home);
    let spin = loaded.registry.get("spin").unwrap();
    let error = spin.status().unwrap_err();
    assert!(matches!(error, PluginError::CpuLimit { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "plugin 'spin' 0.1.0 exceeded its CPU time limit of 300 ms in status() and was stopped"
    );
    assert_good_plugin_works(&loaded);
    // The discarded instance is re-created for the next call.
    assert!(matches!(spin.status(), Err(PluginError::CpuLimit { .. })));
}

#[test]
fn allocation_past_limit_is_stopped() {
    let home = TestHome::new();
    home.install("hog");
    home.install("scripted");
    let loaded = load(&home);
    let error = loaded.registry.get("hog").unwrap().status().unwrap_err();
    assert_eq!(
        error.to_string(),
        "plugin 'hog' 0.1.0 exceeded its memory limit of 64 MiB and was stopped"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn trap_in_metadata_is_reported() {
    let home = TestHome::new();
    home.install("broken-metadata");
    home.install("scripted");
    let loaded = load(&home);
    let error = load_error(&loaded, "broken-metadata.wasm");
    let message = error.to_string();
    assert_eq!(
        message,
        "failed in metadata(): metadata is broken on purpose \
         (wasm trap: wasm `unreachable` instruction executed)"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn garbage_file_is_not_wasm() {
    let home = TestHome::new();
    home.install_bytes("garbage.wasm", b"this is not webassembly at all");
    home.install("scripted");
    let loaded = load(&home);
    assert_eq!(
        load_error(&loaded, "garbage.wasm").to_string(),
        "not a WebAssembly file; remove it from the plugins folder"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn core_module_is_rejected() {
    let home = TestHome::new();
    // The smallest valid core module: magic and version 1.
    home.install_bytes("core.wasm", b"\0asm\x01\0\0\0");
    home.install("scripted");
    let loaded = load(&home);
    assert!(matches!(load_error(&loaded, "core.wasm"), LoadError::CoreModule));
    assert_good_plugin_works(&loaded);
}

#[test]
fn future_major_version_is_rejected() {
    let home = TestHome::new();
    home.install("future");
    home.install("scripted");
    let loaded = load(&home);
    assert_eq!(
        load_error(&loaded, "future.wasm").to_string(),
        "was built for interface ouro:provider@1.0.0, but this ouro supports 0.1.0; \
         update ouro or use a plugin built for 0.1.0"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn other_world_is_rejected() {
    let home = TestHome::new();
    home.install("other-world");
    home.install("scripted");
    let loaded = load(&home);
    assert_eq!(
        load_error(&loaded, "other-world.wasm").to_string(),
        "does not export ouro:provider/provider (it exports: greet); it was built for \
         another world, so it is not an ouro provider plugin"
    );
    assert_good_plugin_works(&loaded);
}

#[test]
fn duplicate_user_ids_are_both_skipped() {
    let home = TestHome::new();
    home.install_as("escape", "one.wasm");
    home.install_as("escape", "two.wasm");
    home.install("scripted");
    let loaded = load(&home);
    let first = load_error(&loaded, "one.wasm").to_string();
    assert!(first.starts_with("has the same id \"escape\" as "), "{first}");
    assert!(first.ends_with("two.wasm; remove one of the two files"), "{first}");
    assert!(matches!(load_error(&loaded, "two.wasm"), LoadError::DuplicateId { .. }));
    assert!(loaded.registry.get("escape").is_none());
    assert_good_plugin_works(&loaded);
}

#[test]
fn second_start_loads_from_cache() {
    let home = TestHome::new();
    home.install("scripted");
    home.install("escape");
    let first = load(&home);
    assert_eq!(first.registry.cache_stats().compiled(), 2);
    assert_eq!(first.registry.cache_stats().loaded(), 0);
    drop(first);

    let second = load(&home);
    assert_eq!(second.registry.cache_stats().compiled(), 0);
    assert_eq!(second.registry.cache_stats().loaded(), 2);
    // Metadata came from the cache too, so no plugin was instantiated.
    assert_eq!(second.registry.cache_stats().cached_metadata(), 2);
    assert_good_plugin_works(&second);
}

#[test]
fn corrupt_cache_entry_is_recompiled() {
    let home = TestHome::new();
    home.install("scripted");
    drop(load(&home));
    let entry = std::fs::read_dir(home.path().join("cache"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.extension().is_some_and(|extension| extension == "cwasm"))
        .expect("a cache entry");
    let mut bytes = std::fs::read(&entry).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&entry, bytes).unwrap();

    let loaded = load(&home);
    assert_eq!(loaded.registry.cache_stats().rejected(), 1);
    assert_eq!(loaded.registry.cache_stats().compiled(), 1);
    assert_good_plugin_works(&loaded);
}

#[test]
fn cache_entries_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = TestHome::new();
    home.install("scripted");
    drop(load(&home));
    for entry in std::fs::read_dir(home.path().join("cache")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", path.display());
        }
    }
    // The data folder is created on first instantiation.
    let loaded = load(&home);
    assert_good_plugin_works(&loaded);
    let mode = std::fs::metadata(home.plugin_data("scripted")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}
