//! Runs of the binary against fixture tarballs of both package layouts (no network).

mod common;

use common::*;
use serde_json::{Value, json};

fn read_catalog(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn js_layout_writes_catalog() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = js_tarball(folder.path());
    let output_path = folder.path().join("catalog.json");

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let catalog = read_catalog(&output_path);
    assert_eq!(catalog["source"]["package"], "@mariozechner/pi-ai");
    assert_eq!(catalog["source"]["version"], "0.73.1");
    assert_eq!(catalog["source"]["file"], JS_FILE);
    let integrity = catalog["source"]["integrity"].as_str().unwrap();
    assert!(integrity.starts_with("sha512-"), "{integrity}");

    let models = catalog["models"].as_array().unwrap();
    assert_eq!(models.len(), 2, "only the openai-codex block is read");
    let expected_test_model = json!({
        "id": "gpt-test",
        "name": "GPT \"Test\" {1}",
        "context_window": 272000,
        "max_output_tokens": 128000,
        "reasoning": true,
        "reasoning_efforts": ["low", "medium", "high", "xhigh"],
        "input": ["text", "image"],
        "cost": { "input": 1.25, "output": 10.0, "cache_read": 0.125, "cache_write": 0.0, "tiers": [] }
    });
    assert_eq!(models[1], expected_test_model);
}

#[test]
fn js_layout_defaults_optional_fields() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = js_tarball(folder.path());
    let output_path = folder.path().join("catalog.json");

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    let minimal = &read_catalog(&output_path)["models"][0];
    let expected = json!({
        "id": "gpt-minimal",
        "name": "gpt-minimal",
        "context_window": 1000,
        "max_output_tokens": 500,
        "reasoning": false,
        "reasoning_efforts": [],
        "input": ["text"],
        "cost": { "input": 0.0, "output": 0.0, "cache_read": 0.0, "cache_write": 0.0, "tiers": [] }
    });
    assert_eq!(*minimal, expected);
}

#[test]
fn json_layout_reads_all_api_blocks() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = json_tarball(folder.path());
    let output_path = folder.path().join("catalog.json");

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("skipped openai-codex-responses/image:gpt-image"),
        "{}",
        stderr(&output)
    );

    let catalog = read_catalog(&output_path);
    assert_eq!(catalog["source"]["file"], JSON_FILE);
    let ids: Vec<&str> = catalog["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gpt-a", "gpt-b"]);

    let model_b = &catalog["models"][1];
    assert_eq!(
        model_b["reasoning_efforts"],
        json!(["low", "medium", "high", "max"])
    );
    assert_eq!(model_b["context_window"], 1000000);
    let expected_tiers = json!([
        { "above_input_tokens": 272000, "input": 4.0, "output": 15.0, "cache_read": 0.4, "cache_write": 5.0 },
        { "above_input_tokens": 500000, "input": 6.0, "output": 20.0, "cache_read": 0.6, "cache_write": 7.5 }
    ]);
    assert_eq!(model_b["cost"]["tiers"], expected_tiers);
    assert_eq!(catalog["models"][0]["name"], "gpt-a");
}

#[test]
fn output_is_deterministic() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = json_tarball(folder.path());
    let first = folder.path().join("first.json");
    let second = folder.path().join("second.json");

    for path in [&first, &second] {
        let output = run(&["--tarball", path_arg(&tgz), "--output", path_arg(path)]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let first_bytes = std::fs::read(&first).unwrap();
    assert_eq!(first_bytes, std::fs::read(&second).unwrap());
    assert!(first_bytes.ends_with(b"}\n"));
    assert!(
        String::from_utf8(first_bytes)
            .unwrap()
            .contains("\n  \"models\": [\n"),
        "2-space indentation"
    );
}

#[test]
fn unrecognised_layout_fails() {
    let folder = tempfile::tempdir().unwrap();
    let bytes = tarball(
        "@earendil-works/pi-ai",
        "9.0.0",
        &[("package/dist/index.js", "export {};\n")],
    );
    let tgz = write_tarball(folder.path(), "other.tgz", &bytes);
    let output_path = folder.path().join("catalog.json");

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unrecognised package layout"),
        "{}",
        stderr(&output)
    );
    assert!(!output_path.exists());
}

#[test]
fn empty_provider_block_fails() {
    let cases = [
        (
            JS_FILE,
            "export const MODELS = { \"openai-codex\": {}, \"openai\": { a: {} } };",
            "contains no chat models",
        ),
        (
            JS_FILE,
            "export const MODELS = { \"openai\": { a: {} } };",
            "provider block is missing",
        ),
        (JSON_FILE, "{}", "contains no chat models"),
        (
            JSON_FILE,
            "{\"openai-codex-responses\": {}}",
            "contains no chat models",
        ),
    ];
    for (file, contents, message) in cases {
        let folder = tempfile::tempdir().unwrap();
        let tgz = write_tarball(
            folder.path(),
            "p.tgz",
            &tarball("p", "1.0.0", &[(file, contents)]),
        );
        let output = run(&[
            "--tarball",
            path_arg(&tgz),
            "--output",
            path_arg(&folder.path().join("c.json")),
        ]);
        assert_eq!(output.status.code(), Some(2), "{contents}");
        assert!(
            stderr(&output).contains(message),
            "{contents}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(file),
            "{contents}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn provider_reference_fails() {
    let source = "import { OPENAI_CODEX_MODELS } from './x.js';\nexport const MODELS = {\n    \"openai-codex\": OPENAI_CODEX_MODELS,\n};\n";
    let folder = tempfile::tempdir().unwrap();
    let tgz = write_tarball(
        folder.path(),
        "p.tgz",
        &tarball("p", "1.0.0", &[(JS_FILE, source)]),
    );

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&folder.path().join("c.json")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("line 3, column 21"), "{message}");
    assert!(
        message.contains("identifier `OPENAI_CODEX_MODELS`, not an object literal"),
        "{message}"
    );
}

#[test]
fn missing_required_field_names_model() {
    let contents =
        r#"{"openai-codex-responses": {"chat:gpt-x": {"id": "gpt-x", "contextWindow": 1000}}}"#;
    let folder = tempfile::tempdir().unwrap();
    let tgz = write_tarball(
        folder.path(),
        "p.tgz",
        &tarball("p", "1.0.0", &[(JSON_FILE, contents)]),
    );

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&folder.path().join("c.json")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("model `gpt-x` at openai-codex-responses/chat:gpt-x: missing `maxTokens`"),
        "{message}"
    );
}

#[test]
fn failed_update_keeps_existing_catalog() {
    let folder = tempfile::tempdir().unwrap();
    let output_path = folder.path().join("catalog.json");
    std::fs::write(&output_path, "previous contents\n").unwrap();
    let tgz = write_tarball(
        folder.path(),
        "p.tgz",
        &tarball("p", "1.0.0", &[(JSON_FILE, "{\"broken\": ")]),
    );

    let output = run(&[
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid JSON"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&output_path).unwrap(),
        "previous contents\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(folder.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .filter(|name| name.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
