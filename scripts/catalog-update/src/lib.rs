//! Regenerates the bundled ChatGPT OAuth model catalog from a pinned pi-ai npm package.
//!
//! pi-ai lists the models that a ChatGPT subscription reaches through the Codex
//! backend under its `openai-codex` provider. This crate reads that list out of
//! the package tarball without running any of its JavaScript.

pub mod catalog;
pub mod js_lexer;
pub mod js_literal;
pub mod layouts;
pub mod npm;
pub mod output;
pub mod records;
pub mod tarball;

use anyhow::{Context, Result, bail};

use crate::catalog::{Catalog, Source};

/// A generated catalog and the records that were left out of it.
pub struct Generated {
    pub catalog: Catalog,
    /// Locations of records that are not chat models.
    pub skipped: Vec<String>,
}

/// Builds a catalog from the bytes of a package tarball.
///
/// When `expected` is given as (package, version), the tarball's `package.json`
/// must name exactly that package and version.
pub fn generate(
    tgz: &[u8],
    integrity: String,
    expected: Option<(&str, &str)>,
) -> Result<Generated> {
    let files = tarball::read_package_files(tgz)?;
    if let Some((package, version)) = expected
        && (files.name != package || files.version != version)
    {
        bail!(
            "the tarball contains {}@{}, but {package}@{version} was requested",
            files.name,
            files.version
        );
    }
    let label = format!("{}@{}", files.name, files.version);

    let extracted =
        layouts::extract(&files).with_context(|| format!("cannot read models from {label}"))?;
    let models = records::build_models(&extracted.records)
        .with_context(|| format!("invalid model record in {label} ({})", extracted.file))?;

    let source = Source {
        package: files.name,
        version: files.version,
        integrity,
        file: extracted.file.to_string(),
    };
    Ok(Generated {
        catalog: Catalog { source, models },
        skipped: extracted.skipped,
    })
}
