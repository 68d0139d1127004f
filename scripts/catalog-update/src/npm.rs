//! Downloads an exact package version with `npm pack`, so registry access,
//! proxies and `.npmrc` settings are those of the user's own npm.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::tarball::sha512_integrity;

/// A downloaded package tarball and the integrity string the registry published for it.
pub struct Download {
    pub tarball: Vec<u8>,
    pub integrity: String,
}

/// One element of the array that `npm pack --json` prints.
#[derive(Deserialize)]
struct PackResult {
    name: String,
    version: String,
    filename: String,
    integrity: String,
}

/// The object that `npm pack --json` prints on failure.
#[derive(Deserialize)]
struct PackFailure {
    error: PackError,
}

#[derive(Deserialize)]
struct PackError {
    code: Option<String>,
    summary: Option<String>,
}

/// Fetches `package@version` into a temporary folder and reads it into memory.
///
/// Checks that npm delivered the requested name and version and that the file
/// matches the integrity string npm reports.
pub fn pack(package: &str, version: &str) -> Result<Download> {
    let folder = tempfile::tempdir().context("failed to create a temporary folder for npm pack")?;
    let spec = format!("{package}@{version}");
    let output = Command::new("npm")
        .args(["pack", &spec, "--json", "--ignore-scripts", "--pack-destination"])
        .arg(folder.path())
        .current_dir(folder.path())
        .output()
        .context("failed to run `npm`. Install Node.js with npm, or pass --tarball with a downloaded .tgz")?;

    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(describe_failure(
            package,
            version,
            &stdout,
            &String::from_utf8_lossy(&output.stderr),
        ));
    }

    let results: Vec<PackResult> = serde_json::from_str(json_part(&stdout)).with_context(|| {
        format!("could not read the JSON output of `npm pack {spec} --json`: {stdout}")
    })?;
    let [result] = results.as_slice() else {
        bail!(
            "`npm pack {spec}` reported {} packages, expected 1",
            results.len()
        );
    };
    if result.name != package || result.version != version {
        bail!(
            "`npm pack {spec}` delivered {}@{} instead",
            result.name,
            result.version
        );
    }

    let path = folder
        .path()
        .join(Path::new(&result.filename).file_name().unwrap_or_default());
    let tarball =
        std::fs::read(&path).with_context(|| format!("failed to read {}", path.display()))?;
    let local = sha512_integrity(&tarball);
    if local != result.integrity {
        bail!(
            "integrity mismatch for {spec}: npm reported {}, the file hashes to {local}",
            result.integrity
        );
    }
    Ok(Download {
        tarball,
        integrity: result.integrity.clone(),
    })
}

/// Skips any text npm printed before its JSON document.
fn json_part(stdout: &str) -> &str {
    let start = stdout.find(['[', '{']).unwrap_or(0);
    &stdout[start..]
}

fn describe_failure(package: &str, version: &str, stdout: &str, stderr: &str) -> anyhow::Error {
    let error = serde_json::from_str::<PackFailure>(json_part(stdout))
        .ok()
        .map(|failure| failure.error);
    let code = error
        .as_ref()
        .and_then(|e| e.code.clone())
        .unwrap_or_default();
    let summary = error.and_then(|e| e.summary).unwrap_or_else(|| {
        stderr
            .lines()
            .filter(|line| !line.trim().is_empty())
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    });

    match code.as_str() {
        "ETARGET" => anyhow::anyhow!(
            "version {version} of npm package {package} does not exist. List the published versions with `npm view {package} versions` ({summary})"
        ),
        "E404" => anyhow::anyhow!(
            "npm package {package} (version {version}) was not found in the registry ({summary})"
        ),
        _ => anyhow::anyhow!("`npm pack {package}@{version}` failed: {summary}"),
    }
}
