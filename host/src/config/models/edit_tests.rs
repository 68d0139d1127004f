//! Tests of the lossless edits. Each checks the whole file text after the
//! edit, so any changed byte outside the intended lines fails the test.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::super::{ConfigError, ModelsConfig};
use super::*;

/// Comments before, inside and after entries, blank lines, a user entry
/// between two managed ones, and comments on the pointer lines.
pub(super) const FILE: &str = "\
# ouro models, edited by hand

# my models
models:
  # managed by login
  chatgpt/gpt-5.3-codex:        # id
    oauth_managed: true          # written by login
    # note inside a managed entry
    oauth_provider: chatgpt

  # my key
  openai/gpt-4.1:
    api_key: sk-abc   # secret
    timeout: 600
    my_extra: anything

  chatgpt/gpt-5:
    oauth_managed: true
    oauth_provider: chatgpt
  # trailing comment in models

# after models
default: openai/gpt-4.1  # d
current: chatgpt/gpt-5.3-codex # c
# end
";

pub(super) fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("models.yaml");
    fs::write(&path, text).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    (home, path)
}

pub(super) fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

pub(super) fn strings(models: &[&str]) -> Vec<String> {
    models.iter().map(|model| model.to_string()).collect()
}

#[test]
fn sync_keeps_every_other_byte() {
    let (_home, path) = write(FILE);

    let report = sync_managed(&path, "chatgpt", &strings(&["gpt-5", "o3"])).unwrap();

    assert_eq!(
        report,
        SyncReport {
            added: 1,
            removed: 1,
            kept: 1
        }
    );
    let expected = "\
# ouro models, edited by hand

# my models
models:
  # managed by login

  # my key
  openai/gpt-4.1:
    api_key: sk-abc   # secret
    timeout: 600
    my_extra: anything

  chatgpt/gpt-5:
    oauth_managed: true
    oauth_provider: chatgpt
  chatgpt/o3:
    oauth_managed: true
    oauth_provider: chatgpt
  # trailing comment in models

# after models
default: openai/gpt-4.1  # d
current: chatgpt/gpt-5 # c
# end
";
    assert_eq!(read(&path), expected);
    let config = ModelsConfig::load(&path).unwrap();
    assert_eq!(config.active().unwrap().id, "chatgpt/gpt-5");
}

#[test]
fn remove_keeps_every_other_byte() {
    let (_home, path) = write(FILE);

    let removed = remove_managed(&path, "chatgpt").unwrap();

    assert_eq!(removed, 2);
    let expected = "\
# ouro models, edited by hand

# my models
models:
  # managed by login

  # my key
  openai/gpt-4.1:
    api_key: sk-abc   # secret
    timeout: 600
    my_extra: anything

  # trailing comment in models

# after models
default: openai/gpt-4.1  # d
current: openai/gpt-4.1 # c
# end
";
    assert_eq!(read(&path), expected);
}

#[test]
fn set_current_keeps_every_other_byte() {
    let (_home, path) = write(FILE);
    set_current(&path, "openai/gpt-4.1").unwrap();
    let expected = FILE.replace(
        "current: chatgpt/gpt-5.3-codex # c",
        "current: openai/gpt-4.1 # c",
    );
    assert_eq!(read(&path), expected);
}

#[test]
fn set_default_resolves_alias() {
    let (_home, path) = write(FILE);
    set_default(&path, "codex/gpt-5").unwrap();
    let expected = FILE.replace(
        "default: openai/gpt-4.1  # d",
        "default: chatgpt/gpt-5  # d",
    );
    assert_eq!(read(&path), expected);
}

#[test]
fn set_current_unknown_model_rejected() {
    let (_home, path) = write(FILE);
    match set_current(&path, "openai/gpt-9").unwrap_err() {
        ConfigError::Invalid {
            model,
            key,
            message,
            ..
        } => {
            assert_eq!(model, "openai/gpt-9");
            assert_eq!(key, "current");
            assert!(
                message.contains("chatgpt/gpt-5.3-codex, openai/gpt-4.1, chatgpt/gpt-5"),
                "{message}"
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(read(&path), FILE);
}

#[test]
fn set_current_appends_missing_key() {
    let (_home, path) = write("models:\n  a/b:\n    timeout: 5\n# end\n");
    set_current(&path, "a/b").unwrap();
    assert_eq!(
        read(&path),
        "models:\n  a/b:\n    timeout: 5\ncurrent: a/b\n# end\n"
    );
}

#[test]
fn set_current_fills_empty_value() {
    let (_home, path) = write("models:\n  a/b:\ncurrent:   # none yet\n");
    set_current(&path, "a/b").unwrap();
    assert_eq!(read(&path), "models:\n  a/b:\ncurrent: a/b   # none yet\n");
}

#[test]
fn set_current_replaces_quoted_value() {
    let (_home, path) = write("models:\n  a/b:\n  c/d:\ncurrent: 'a/b'  # q\n");
    set_current(&path, "c/d").unwrap();
    assert_eq!(read(&path), "models:\n  a/b:\n  c/d:\ncurrent: c/d  # q\n");
}

#[test]
fn unchanged_edit_writes_nothing() {
    let (_home, path) = write(FILE);
    set_default(&path, "openai/gpt-4.1").unwrap();
    let report = sync_managed(&path, "chatgpt", &strings(&["gpt-5.3-codex", "gpt-5"])).unwrap();
    assert_eq!(
        report,
        SyncReport {
            added: 0,
            removed: 0,
            kept: 2
        }
    );
    assert_eq!(read(&path), FILE);
    // Not rewritten, so the mode set by the test is still there.
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

#[test]
fn writes_leave_mode_0600() {
    let (_home, path) = write(FILE);
    set_current(&path, "openai/gpt-4.1").unwrap();
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn malformed_file_left_unchanged() {
    let text = "# mine\nmodels:\n  a/b:\n    timeout: [1\ncurrent: a/b\n";
    let (_home, path) = write(text);
    let edits: [&dyn Fn() -> Result<(), ConfigError>; 4] = [
        &|| set_current(&path, "a/b"),
        &|| set_default(&path, "a/b"),
        &|| sync_managed(&path, "chatgpt", &strings(&["o3"])).map(|_| ()),
        &|| remove_managed(&path, "chatgpt").map(|_| ()),
    ];
    for edit in edits {
        match edit().unwrap_err() {
            ConfigError::Parse { line, column, .. } => assert_eq!((line, column), (5, 8)),
            other => panic!("expected Parse, got {other:?}"),
        }
        assert_eq!(read(&path), text);
    }
}

#[test]
fn wrong_type_blocks_edits() {
    let text = "models:\n  a/b:\n    drop_params: 3\n";
    let (_home, path) = write(text);
    match sync_managed(&path, "chatgpt", &strings(&["o3"])).unwrap_err() {
        ConfigError::Parse { line, column, .. } => assert_eq!((line, column), (3, 18)),
        other => panic!("expected Parse, got {other:?}"),
    }
    assert_eq!(read(&path), text);
}

#[test]
fn flow_models_not_rewritten() {
    let text = "models: {chatgpt/old: {oauth_managed: true}, a/b: {}}\n";
    let (_home, path) = write(text);
    match remove_managed(&path, "chatgpt").unwrap_err() {
        ConfigError::Unsupported { line, message, .. } => {
            assert_eq!(line, 1);
            assert!(message.contains("flow mapping"), "{message}");
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert_eq!(read(&path), text);
    // A flow entry value inside a block mapping is fine.
    let (_home, path) =
        write("models:\n  chatgpt/old: {oauth_managed: true}   # flow\n  a/b: {}\n");
    assert_eq!(remove_managed(&path, "chatgpt").unwrap(), 1);
    assert_eq!(read(&path), "models:\n  a/b: {}\n");
}

#[test]
fn set_current_replaces_double_quoted_value() {
    let text = "models:\n  'a\"/b':\n  c/d:\ncurrent: \"a\\\"/b\"   # q\n";
    let (_home, path) = write(text);
    assert_eq!(
        ModelsConfig::load(&path).unwrap().current.as_deref(),
        Some("a\"/b")
    );
    set_current(&path, "c/d").unwrap();
    assert_eq!(
        read(&path),
        "models:\n  'a\"/b':\n  c/d:\ncurrent: c/d   # q\n"
    );
}

#[test]
fn set_current_writes_quoted_id() {
    let text = "models:\n  'it''s/x':\n  c/d:\ncurrent: c/d  # q\n";
    let (_home, path) = write(text);
    set_current(&path, "it's/x").unwrap();
    assert_eq!(
        read(&path),
        "models:\n  'it''s/x':\n  c/d:\ncurrent: \"it's/x\"  # q\n"
    );
    set_current(&path, "c/d").unwrap();
    assert_eq!(read(&path), text);
}

#[test]
fn set_current_replaces_multiline_value() {
    let text = "models:\n  a/b:\n  c/d:\ncurrent: 'a/\n  b'  # q\ndefault: c/d\n";
    let (_home, path) = write(text);
    set_current(&path, "c/d").unwrap();
    assert_eq!(
        read(&path),
        "models:\n  a/b:\n  c/d:\ncurrent: c/d  # q\ndefault: c/d\n"
    );
}
