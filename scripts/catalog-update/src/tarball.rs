//! Reads the few files the catalog needs out of an npm package tarball (`.tgz`).

use std::io::Read;

use anyhow::{Context, Result};
use base64::Engine;
use flate2::read::GzDecoder;
use serde::Deserialize;
use sha2::{Digest, Sha512};

use crate::layouts::{JS_LAYOUT_FILE, JSON_LAYOUT_FILE};

const PACKAGE_JSON: &str = "package/package.json";

/// Files read from a package tarball, with `None` for a file the tarball lacks.
#[derive(Debug, Default)]
pub struct PackageFiles {
    pub name: String,
    pub version: String,
    pub json_layout: Option<String>,
    pub js_layout: Option<String>,
}

#[derive(Deserialize)]
struct PackageJson {
    name: String,
    version: String,
}

/// Unpacks `package.json` and the catalog source files from a gzip-compressed tarball.
///
/// Entry paths are compared after removing a leading `./`, as npm writes them
/// under `package/`.
pub fn read_package_files(tgz: &[u8]) -> Result<PackageFiles> {
    let mut archive = tar::Archive::new(GzDecoder::new(tgz));
    let mut package_json = None;
    let mut files = PackageFiles::default();

    for entry in archive.entries().context("failed to read the tarball")? {
        let mut entry = entry.context("failed to read a tarball entry")?;
        let path = entry.path().context("invalid path in the tarball")?;
        let path = path.to_string_lossy();
        let path = path.strip_prefix("./").unwrap_or(&path).to_string();

        let slot = match path.as_str() {
            PACKAGE_JSON => &mut package_json,
            JSON_LAYOUT_FILE => &mut files.json_layout,
            JS_LAYOUT_FILE => &mut files.js_layout,
            _ => continue,
        };
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .with_context(|| format!("failed to read {path} from the tarball as UTF-8 text"))?;
        *slot = Some(text);
    }

    let package_json =
        package_json.with_context(|| format!("{PACKAGE_JSON} is missing from the tarball"))?;
    let manifest: PackageJson = serde_json::from_str(&package_json)
        .with_context(|| format!("{PACKAGE_JSON} in the tarball is invalid"))?;
    files.name = manifest.name;
    files.version = manifest.version;
    Ok(files)
}

/// Computes the Subresource Integrity string (`sha512-<base64>`) that npm reports for a tarball.
pub fn sha512_integrity(bytes: &[u8]) -> String {
    let digest = Sha512::digest(bytes);
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}
