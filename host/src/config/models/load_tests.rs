//! Tests of loading `models.yaml`: the template, typed values, errors with
//! positions, provider aliases, and the settings passed to plugins.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::*;

const EXAMPLE: &str = "\
# comments anywhere
models:
  chatgpt/gpt-5.3-codex:        # id
    oauth_managed: true
    oauth_provider: chatgpt
  openai/gpt-4.1:
    api_key: sk-test-123
    api_base: https://api.example.com/v1
    timeout: 120
    drop_params: false
    my_extra: anything
    version: 1.10
    hex: 0x1F
    empty:
  ollama/llama3:
default: openai/gpt-4.1
current: chatgpt/gpt-5.3-codex
";

fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("models.yaml");
    fs::write(&path, text).unwrap();
    (home, path)
}

fn parse_error(text: &str) -> (usize, usize, String) {
    let (_home, path) = write(text);
    match ModelsConfig::load(&path) {
        Err(ConfigError::Parse {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected a Parse error for {text:?}, got {other:?}"),
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn missing_file_creates_template() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(".ouro").join("models.yaml");

    let config = ModelsConfig::load(&path).unwrap();

    assert!(config.models.is_empty());
    assert_eq!(config.default, None);
    assert_eq!(config.current, None);
    assert!(config.active().is_none());
    assert_eq!(config.path, path);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# ouro model configuration."), "{text}");
    assert!(text.ends_with("models:\n"), "{text}");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
}

#[test]
fn entries_load_in_file_order() {
    let (_home, path) = write(EXAMPLE);
    let config = ModelsConfig::load(&path).unwrap();
    let ids: Vec<&str> = config
        .models
        .iter()
        .map(|entry| entry.id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["chatgpt/gpt-5.3-codex", "openai/gpt-4.1", "ollama/llama3"]
    );
    assert_eq!(config.default.as_deref(), Some("openai/gpt-4.1"));
    assert_eq!(config.current.as_deref(), Some("chatgpt/gpt-5.3-codex"));
}

#[test]
fn entry_values_typed() {
    let (_home, path) = write(EXAMPLE);
    let config = ModelsConfig::load(&path).unwrap();
    let openai = config.get("openai/gpt-4.1").unwrap();
    assert_eq!(openai.provider, "openai");
    assert_eq!(openai.model, "gpt-4.1");
    assert_eq!(
        openai.api_key.as_ref().map(Secret::expose),
        Some("sk-test-123")
    );
    assert_eq!(
        openai.api_base.as_deref(),
        Some("https://api.example.com/v1")
    );
    assert_eq!(openai.timeout_secs, 120);
    assert!(!openai.drop_params);
    assert!(!openai.oauth_managed);
    // Extra values stay as written, and an empty one is left out.
    let extra: Vec<(&str, &str)> = openai
        .extra
        .iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        extra,
        [
            ("hex", "0x1F"),
            ("my_extra", "anything"),
            ("version", "1.10")
        ]
    );

    let managed = config.get("chatgpt/gpt-5.3-codex").unwrap();
    assert!(managed.oauth_managed);
    assert_eq!(managed.oauth_provider.as_deref(), Some("chatgpt"));
}

#[test]
fn entry_without_settings_gets_defaults() {
    let (_home, path) = write(EXAMPLE);
    let config = ModelsConfig::load(&path).unwrap();
    let ollama = config.get("ollama/llama3").unwrap();
    assert_eq!(ollama.api_key, None);
    assert_eq!(ollama.api_base, None);
    assert_eq!(ollama.timeout_secs, DEFAULT_TIMEOUT_SECS);
    assert!(ollama.drop_params);
    assert!(ollama.extra.is_empty());
}

#[test]
fn active_prefers_current_then_default() {
    let (_home, path) = write(EXAMPLE);
    let mut config = ModelsConfig::load(&path).unwrap();
    assert_eq!(config.active().unwrap().id, "chatgpt/gpt-5.3-codex");
    config.current = None;
    assert_eq!(config.active().unwrap().id, "openai/gpt-4.1");
    config.default = None;
    assert!(config.active().is_none());
}

#[test]
fn settings_for_plugin() {
    let (_home, path) = write(EXAMPLE);
    let config = ModelsConfig::load(&path).unwrap();
    let settings = config.settings(config.get("openai/gpt-4.1").unwrap());
    let expected = [
        ("api_key", "sk-test-123"),
        ("api_base", "https://api.example.com/v1"),
        ("timeout", "120"),
        ("drop_params", "false"),
        ("hex", "0x1F"),
        ("my_extra", "anything"),
        ("version", "1.10"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    assert_eq!(settings, expected);

    let defaults = config.settings(config.get("ollama/llama3").unwrap());
    assert_eq!(
        defaults,
        [
            ("timeout".to_string(), "600".to_string()),
            ("drop_params".to_string(), "true".to_string())
        ]
    );
}

#[test]
fn secret_debug_hides_value() {
    let (_home, path) = write(EXAMPLE);
    let config = ModelsConfig::load(&path).unwrap();
    let printed = format!("{config:?}");
    assert!(!printed.contains("sk-test-123"), "{printed}");
    assert!(printed.contains("***"), "{printed}");
    assert_eq!(format!("{:?}", Secret::new("sk-live")), "***");
}

#[test]
fn provider_aliases() {
    assert_eq!(
        provider_of("codex/gpt-5"),
        Some(("chatgpt".into(), "gpt-5".into()))
    );
    assert_eq!(
        provider_of("openai-codex/gpt-5"),
        Some(("chatgpt".into(), "gpt-5".into()))
    );
    assert_eq!(
        provider_of("openai/gpt-4.1"),
        Some(("openai".into(), "gpt-4.1".into()))
    );
    assert_eq!(
        provider_of("openrouter/meta/llama-3"),
        Some(("openrouter".into(), "meta/llama-3".into()))
    );
}

#[test]
fn provider_of_rejects_malformed_ids() {
    for id in ["gpt-4.1", "/gpt-4.1", "openai/", ""] {
        assert_eq!(provider_of(id), None, "{id:?}");
    }
}

#[test]
fn alias_entry_found_by_plugin_name() {
    let (_home, path) = write("models:\n  codex/gpt-5:\n    timeout: 5\ncurrent: chatgpt/gpt-5\n");
    let config = ModelsConfig::load(&path).unwrap();
    let entry = config.get("chatgpt/gpt-5").unwrap();
    assert_eq!(entry.id, "codex/gpt-5");
    assert_eq!(entry.provider, "chatgpt");
    assert_eq!(config.active().unwrap().id, "codex/gpt-5");
    assert_eq!(config.get("openai-codex/gpt-5").unwrap().id, "codex/gpt-5");
}

#[test]
fn syntax_error_has_position() {
    let (line, column, message) = parse_error("models:\n  a/b:\n    timeout: [1\ndefault: a/b\n");
    assert_eq!((line, column), (4, 8));
    assert!(message.starts_with("invalid YAML"), "{message}");

    let (line, column, _) = parse_error("models:\n  a/b: 1\n c/d: 2\n");
    assert_eq!((line, column), (3, 2));
}

#[test]
fn models_list_rejected() {
    let (line, column, message) = parse_error("models:\n  - openai/gpt-4.1\n");
    assert_eq!((line, column), (2, 3));
    assert!(
        message.contains("expected `models` to be a mapping"),
        "{message}"
    );
    assert!(message.contains("found a list"), "{message}");
}

#[test]
fn timeout_text_rejected() {
    let (line, column, message) = parse_error("models:\n  openai/gpt-4.1:\n    timeout: \"abc\"\n");
    assert_eq!((line, column), (3, 14));
    assert_eq!(
        message,
        "expected a number of seconds such as 600 for `timeout` of model `openai/gpt-4.1`, but found \"abc\""
    );
}

#[test]
fn timeout_quoted_number_and_zero_rejected() {
    let (line, _, message) = parse_error("models:\n  a/b:\n    timeout: \"600\"\n");
    assert_eq!(line, 3);
    assert!(message.contains("a number of seconds"), "{message}");
    let (_, _, message) = parse_error("models:\n  a/b:\n    timeout: 0\n");
    assert!(
        message.contains("a positive number of seconds"),
        "{message}"
    );
    let (_, _, message) = parse_error("models:\n  a/b:\n    timeout: 99999999999999999999999\n");
    assert!(
        message.contains("a positive number of seconds"),
        "{message}"
    );
}

#[test]
fn drop_params_number_rejected() {
    let (line, column, message) = parse_error("models:\n  a/b:\n    drop_params: 3\n");
    assert_eq!((line, column), (3, 18));
    assert_eq!(
        message,
        "expected true or false for `drop_params` of model `a/b`, but found \"3\""
    );
}

#[test]
fn default_list_rejected() {
    let (line, column, message) = parse_error("models:\n  a/b:\ndefault: [x]\n");
    assert_eq!((line, column), (3, 10));
    assert!(
        message.contains("expected a model id such as `openai/gpt-4.1` for `default`"),
        "{message}"
    );
}

#[test]
fn id_without_provider_rejected() {
    let (line, column, message) = parse_error("models:\n  gpt-4.1:\n    timeout: 5\n");
    assert_eq!((line, column), (2, 3));
    assert!(message.contains("`<provider>/<model>`"), "{message}");
}

#[test]
fn nested_extra_rejected() {
    let (line, column, message) = parse_error("models:\n  a/b:\n    headers:\n      x: y\n");
    assert_eq!((line, column), (4, 7));
    assert!(message.contains("expected a single value"), "{message}");
}

#[test]
fn api_base_needs_scheme() {
    let (line, _, message) = parse_error("models:\n  a/b:\n    api_base: localhost:8080\n");
    assert_eq!(line, 3);
    assert!(message.contains("http:// or https:// URL"), "{message}");
}

#[test]
fn long_values_not_echoed() {
    let (_, _, message) =
        parse_error("models:\n  a/b:\n    timeout: sk-proj-0123456789abcdefghijklmnop\n");
    assert!(!message.contains("sk-proj"), "{message}");
    assert!(message.contains("a text of 34 characters"), "{message}");
}

#[test]
fn duplicate_ids_rejected() {
    let (line, _, message) = parse_error("models:\n  a/b:\n  \"a/b\":\n");
    assert_eq!(line, 3);
    assert!(message.contains("appears twice"), "{message}");
}

#[test]
fn second_document_rejected() {
    let (line, _, message) = parse_error("models:\n---\ndefault: a/b\n");
    assert_eq!(line, 3);
    assert!(message.contains("one YAML document"), "{message}");
}

#[test]
fn parse_error_display_names_file_and_fix() {
    let (_home, path) = write("models:\n  a/b:\n    timeout: x\n");
    let message = ModelsConfig::load(&path).unwrap_err().to_string();
    assert!(
        message.starts_with(&format!(
            "{}:3:14: expected a number of seconds",
            path.display()
        )),
        "{message}"
    );
    assert!(message.contains("Correct the file by hand"), "{message}");
}

#[test]
fn dangling_current_is_invalid() {
    let (_home, path) = write("models:\n  a/b:\ncurrent: c/d\n");
    match ModelsConfig::load(&path).unwrap_err() {
        ConfigError::Invalid {
            model,
            key,
            message,
            ..
        } => {
            assert_eq!(model, "c/d");
            assert_eq!(key, "current");
            assert!(message.contains("set `current` to one of a/b"), "{message}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn empty_and_comment_only_files_load() {
    for text in [
        "",
        "# nothing yet\n",
        "models:\n",
        "models: {}\ndefault:\n",
        "---\n",
    ] {
        let (_home, path) = write(text);
        let config = ModelsConfig::load(&path).unwrap();
        assert!(config.models.is_empty(), "{text:?}");
        assert_eq!(config.default, None, "{text:?}");
    }
}

#[test]
fn unknown_top_level_keys_ignored() {
    let (_home, path) = write("version: 2\nmodels:\n  a/b:\n");
    let config = ModelsConfig::load(&path).unwrap();
    assert_eq!(config.models.len(), 1);
}
