//! Runs of the binary for `--check` and for the package and version flags.

mod common;

use common::*;
use ouro_catalog_update::catalog::Catalog;

#[test]
fn tarball_must_match_requested_package() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = json_tarball(folder.path());
    let args = [
        "--package",
        "@earendil-works/pi-ai",
        "--version",
        "1.5.0",
        "--tarball",
        path_arg(&tgz),
    ];

    let output = run(&[
        &args[..],
        &["--output", path_arg(&folder.path().join("c.json"))],
    ]
    .concat());
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains(
            "contains @earendil-works/pi-ai@1.6.0, but @earendil-works/pi-ai@1.5.0 was requested"
        ),
        "{message}"
    );
}

#[test]
fn version_range_is_rejected() {
    let output = run(&[
        "--package",
        "@earendil-works/pi-ai",
        "--version",
        "^1.6.0",
        "--output",
        "/nonexistent/c.json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("exact version such as 1.6.0, not `^1.6.0`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn missing_catalog_requires_flags() {
    let folder = tempfile::tempdir().unwrap();
    let output_path = folder.path().join("absent.json");

    let output = run(&["--output", path_arg(&output_path)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Pass --package and --version"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_clean_exits_zero() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = json_tarball(folder.path());
    let output_path = folder.path().join("catalog.json");
    assert!(
        run(&[
            "--tarball",
            path_arg(&tgz),
            "--output",
            path_arg(&output_path)
        ])
        .status
        .success()
    );
    let before = std::fs::read(&output_path).unwrap();

    let output = run(&[
        "--check",
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("is up to date"));
    assert_eq!(std::fs::read(&output_path).unwrap(), before);
}

#[test]
fn check_dirty_lists_model_changes() {
    let folder = tempfile::tempdir().unwrap();
    let output_path = folder.path().join("catalog.json");
    let old = write_tarball(
        folder.path(),
        "old.tgz",
        &tarball("p", "1.0.0", &[(JSON_FILE, JSON_MODELS)]),
    );
    assert!(
        run(&[
            "--tarball",
            path_arg(&old),
            "--output",
            path_arg(&output_path)
        ])
        .status
        .success()
    );
    let before = std::fs::read(&output_path).unwrap();

    let changed = JSON_MODELS
        .replace("\"contextWindow\": 1000000", "\"contextWindow\": 2000000")
        .replace("chat:gpt-a", "chat:gpt-c");
    let new = write_tarball(
        folder.path(),
        "new.tgz",
        &tarball("p", "1.1.0", &[(JSON_FILE, &changed)]),
    );
    let output = run(&[
        "--check",
        "--tarball",
        path_arg(&new),
        "--output",
        path_arg(&output_path),
    ]);

    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("source: p@1.0.0 -> p@1.1.0"), "{message}");
    assert!(message.contains("added: gpt-c"), "{message}");
    assert!(message.contains("removed: gpt-a"), "{message}");
    assert!(message.contains("changed: gpt-b"), "{message}");
    assert_eq!(
        std::fs::read(&output_path).unwrap(),
        before,
        "--check never writes"
    );
}

#[test]
fn check_missing_file_exits_one() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = json_tarball(folder.path());
    let output_path = folder.path().join("absent.json");

    let output = run(&[
        "--check",
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("does not exist"),
        "{}",
        stderr(&output)
    );
    assert!(!output_path.exists());
}

#[test]
fn check_reports_formatting_drift() {
    let folder = tempfile::tempdir().unwrap();
    let tgz = json_tarball(folder.path());
    let output_path = folder.path().join("catalog.json");
    assert!(
        run(&[
            "--tarball",
            path_arg(&tgz),
            "--output",
            path_arg(&output_path)
        ])
        .status
        .success()
    );
    let catalog = Catalog::parse(&std::fs::read_to_string(&output_path).unwrap()).unwrap();
    std::fs::write(&output_path, serde_json::to_string(&catalog).unwrap()).unwrap();

    let output = run(&[
        "--check",
        "--tarball",
        path_arg(&tgz),
        "--output",
        path_arg(&output_path),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("same models, but the file's formatting differs"),
        "{}",
        stderr(&output)
    );
}

/// Needs the npm registry, so it runs only with `cargo test -- --ignored`.
#[test]
#[ignore = "needs network access to the npm registry"]
fn npm_missing_version_is_reported() {
    let folder = tempfile::tempdir().unwrap();
    let args = ["--package", "@earendil-works/pi-ai", "--version", "99.0.0"];
    let output = run(&[
        &args[..],
        &["--output", path_arg(&folder.path().join("c.json"))],
    ]
    .concat());

    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("version 99.0.0 of npm package @earendil-works/pi-ai does not exist"),
        "{message}"
    );
}
