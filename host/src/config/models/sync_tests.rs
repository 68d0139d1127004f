//! Tests of `sync_managed` and `remove_managed` on files of many shapes.
//! Each checks the whole file text after the edit.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use super::super::file::TEMPLATE;
use super::super::{ConfigError, ModelsConfig};
use super::tests::{FILE, read, strings, write};
use super::*;

#[test]
fn remove_repairs_default_and_current() {
    let text = "\
models:
  chatgpt/gpt-5:
    oauth_managed: true
    oauth_provider: chatgpt
  openai/gpt-4.1:
    api_key: sk-1
default: chatgpt/gpt-5
current: chatgpt/gpt-5
";
    let (_home, path) = write(text);
    assert_eq!(remove_managed(&path, "chatgpt").unwrap(), 1);
    let expected = "\
models:
  openai/gpt-4.1:
    api_key: sk-1
default: openai/gpt-4.1
current: openai/gpt-4.1
";
    assert_eq!(read(&path), expected);
}

#[test]
fn remove_last_entry_removes_pointers() {
    let text = "\
models:
  codex/gpt-5:   # alias id
    oauth_managed: true
default: codex/gpt-5
# keep me
current: chatgpt/gpt-5   # c
";
    let (_home, path) = write(text);
    assert_eq!(remove_managed(&path, "chatgpt").unwrap(), 1);
    assert_eq!(read(&path), "models:\n# keep me\n");
    let config = ModelsConfig::load(&path).unwrap();
    assert!(config.models.is_empty());
    assert!(config.active().is_none());
}

#[test]
fn remove_leaves_user_and_other_entries() {
    let text = "\
models:
  chatgpt/gpt-5:       # mine, no oauth_managed
    timeout: 30
  anthropic/claude:
    oauth_managed: true
    oauth_provider: anthropic
  chatgpt/o3:
    oauth_managed: false
";
    let (_home, path) = write(text);
    assert_eq!(remove_managed(&path, "chatgpt").unwrap(), 0);
    assert_eq!(read(&path), text);
}

#[test]
fn sync_user_entry_wins() {
    let text = "\
models:
  chatgpt/gpt-5:       # mine
    timeout: 30
  chatgpt/old-user-model:
    timeout: 10
";
    let (_home, path) = write(text);
    let report = sync_managed(&path, "chatgpt", &strings(&["gpt-5"])).unwrap();
    assert_eq!(
        report,
        SyncReport {
            added: 0,
            removed: 0,
            kept: 0
        }
    );
    assert_eq!(read(&path), format!("{text}default: chatgpt/gpt-5\n"));
}

#[test]
fn sync_into_template() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("ouro").join("models.yaml");

    let report = sync_managed(
        &path,
        "codex",
        &strings(&["gpt-5.3-codex", "gpt-5", "gpt-5"]),
    )
    .unwrap();

    assert_eq!(
        report,
        SyncReport {
            added: 2,
            removed: 0,
            kept: 0
        }
    );
    let expected = format!(
        "{TEMPLATE}  chatgpt/gpt-5.3-codex:\n    oauth_managed: true\n    oauth_provider: chatgpt\n  chatgpt/gpt-5:\n    oauth_managed: true\n    oauth_provider: chatgpt\ndefault: chatgpt/gpt-5.3-codex\n"
    );
    assert_eq!(read(&path), expected);
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn sync_follows_four_space_indent() {
    let text = "models:\n    openai/gpt-4.1:\n        timeout: 5\ndefault: openai/gpt-4.1\n";
    let (_home, path) = write(text);
    sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap();
    let expected = "models:\n    openai/gpt-4.1:\n        timeout: 5\n    chatgpt/o3:\n        oauth_managed: true\n        oauth_provider: chatgpt\ndefault: openai/gpt-4.1\n";
    assert_eq!(read(&path), expected);
}

#[test]
fn sync_replaces_empty_models_values() {
    let cases = [
        ("models: {}   # none\n", "models:   # none\n"),
        ("models: ~\n", "models:\n"),
        ("models:\n", "models:\n"),
    ];
    for (text, head) in cases {
        let (_home, path) = write(text);
        sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap();
        let expected = format!(
            "{head}  chatgpt/o3:\n    oauth_managed: true\n    oauth_provider: chatgpt\ndefault: chatgpt/o3\n"
        );
        assert_eq!(read(&path), expected, "from {text:?}");
    }
}

#[test]
fn sync_adds_missing_models_key() {
    let (_home, path) = write("# only a comment");
    sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap();
    let expected = "# only a comment\nmodels:\n  chatgpt/o3:\n    oauth_managed: true\n    oauth_provider: chatgpt\ndefault: chatgpt/o3\n";
    assert_eq!(read(&path), expected);
}

#[test]
fn sync_without_final_newline() {
    let (_home, path) = write("models:\n  a/b:\n    timeout: 5");
    sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap();
    let expected = "models:\n  a/b:\n    timeout: 5\n  chatgpt/o3:\n    oauth_managed: true\n    oauth_provider: chatgpt\ndefault: chatgpt/o3\n";
    assert_eq!(read(&path), expected);
}

#[test]
fn sync_keeps_crlf_line_endings() {
    let (_home, path) = write("models:\r\n  a/b:\r\n    timeout: 5\r\ndefault: a/b\r\n");
    sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap();
    let expected = "models:\r\n  a/b:\r\n    timeout: 5\r\n  chatgpt/o3:\r\n    oauth_managed: true\r\n    oauth_provider: chatgpt\r\ndefault: a/b\r\n";
    assert_eq!(read(&path), expected);
}

#[test]
fn sync_removes_entry_with_block_scalar() {
    let text = "\
models:
  chatgpt/old:
    oauth_managed: true
    oauth_provider: chatgpt
    note: |
      # not a comment, part of the text

  # about a/b
  a/b:
";
    let (_home, path) = write(text);
    let report = sync_managed(&path, "chatgpt", &[]).unwrap();
    assert_eq!(
        report,
        SyncReport {
            added: 0,
            removed: 1,
            kept: 0
        }
    );
    assert_eq!(read(&path), "models:\n\n  # about a/b\n  a/b:\n");
}

#[test]
fn sync_quotes_unusual_ids() {
    let (_home, path) = write("models:\n  a/b:\n");
    sync_managed(&path, "chatgpt", &strings(&["x: y #z"])).unwrap();
    let config = ModelsConfig::load(&path).unwrap();
    assert_eq!(config.models[1].id, "chatgpt/x: y #z");
    assert!(read(&path).contains("  \"chatgpt/x: y #z\":\n"));
}

#[test]
fn sync_rejects_unusable_names() {
    let (_home, path) = write(FILE);
    assert!(matches!(
        sync_managed(&path, "chat gpt", &strings(&["o3"])),
        Err(ConfigError::Invalid { .. })
    ));
    assert!(matches!(
        sync_managed(&path, "chatgpt", &strings(&[""])),
        Err(ConfigError::Invalid { .. })
    ));
    assert_eq!(read(&path), FILE);
}

#[test]
fn sync_works_with_dangling_current() {
    let (_home, path) = write("models:\n  a/b:\ncurrent: typo/x\n");
    sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap();
    let expected = "models:\n  a/b:\n  chatgpt/o3:\n    oauth_managed: true\n    oauth_provider: chatgpt\ncurrent: typo/x\ndefault: chatgpt/o3\n";
    assert_eq!(read(&path), expected);
}

#[test]
fn concurrent_syncs_keep_both_edits() {
    let (_home, path) = write("models:\n  user/own:\n");
    let workers: Vec<_> = ["alpha", "beta"]
        .into_iter()
        .map(|provider| {
            let path = path.clone();
            std::thread::spawn(move || {
                for round in 0..20 {
                    let model = format!("m{round}");
                    sync_managed(&path, provider, &[model]).unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }

    let config = ModelsConfig::load(&path).unwrap();
    let ids: Vec<&str> = config
        .models
        .iter()
        .map(|entry| entry.id.as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"user/own"), "{ids:?}");
    assert!(ids.contains(&"alpha/m19"), "{ids:?}");
    assert!(ids.contains(&"beta/m19"), "{ids:?}");
}
