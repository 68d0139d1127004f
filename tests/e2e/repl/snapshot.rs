//! Screen snapshots: expected screens stored as plain text under
//! `tests/e2e/snapshots/`, with volatile parts replaced by placeholders.
//! `UPDATE_SNAPSHOTS=1` rewrites the stored files instead of comparing.

use std::path::{Path, PathBuf};

/// Replaces what changes between runs: the home folder path, the ouro
/// version and session ids (`<unix seconds>-<8 hex digits>`).
pub fn normalize(screen: &str, home: &Path) -> String {
    let session_id = regex::Regex::new(r"\b\d{9,11}-[0-9a-f]{8}\b").expect("valid pattern");
    let text = screen.replace(&home.display().to_string(), "<home>");
    let text = text.replace(&format!("ouro {}", env!("CARGO_PKG_VERSION")), "ouro <version>");
    session_id.replace_all(&text, "<session>").into_owned()
}

/// Compares `actual` with the stored snapshot `name`, or stores it when
/// `UPDATE_SNAPSHOTS=1`.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = snapshot_path(name);
    let actual = format!("{}\n", actual.trim_end());
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|value| value == "1") {
        std::fs::create_dir_all(path.parent().expect("snapshot folder")).expect("creating the snapshot folder");
        std::fs::write(&path, &actual).expect("writing the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read snapshot {} ({error}); create it with UPDATE_SNAPSHOTS=1. The screen was:\n{actual}",
            path.display()
        )
    });
    if expected != actual {
        panic!(
            "screen differs from snapshot {} (rerun with UPDATE_SNAPSHOTS=1 to accept it):\n{}",
            path.display(),
            line_diff(&expected, &actual)
        );
    }
}

fn snapshot_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/e2e/snapshots")
        .join(format!("{name}.txt"))
}

/// Lists every line, marked `-` when only the snapshot has it, `+` when only
/// the screen has it, and unmarked when both have it at that position.
fn line_diff(expected: &str, actual: &str) -> String {
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    let mut out = String::new();
    for index in 0..expected.len().max(actual.len()) {
        match (expected.get(index), actual.get(index)) {
            (Some(old), Some(new)) if old == new => out.push_str(&format!("  {old}\n")),
            (old, new) => {
                if let Some(old) = old {
                    out.push_str(&format!("- {old}\n"));
                }
                if let Some(new) = new {
                    out.push_str(&format!("+ {new}\n"));
                }
            }
        }
    }
    out
}
