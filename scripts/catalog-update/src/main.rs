use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use ouro_catalog_update::catalog::{Catalog, CatalogDiff};
use ouro_catalog_update::{generate, npm, output, tarball};

/// Catalog path relative to the repository root.
const CATALOG_PATH: &str = "plugins/chatgpt/catalog.json";

/// Regenerates the ChatGPT OAuth model catalog from the `openai-codex`
/// provider of a pinned pi-ai npm package.
///
/// Exit status: 0 on success or when --check finds the catalog up to date,
/// 1 when --check finds it out of date, 2 on any error.
#[derive(Parser)]
#[command(name = "update-oauth-model-catalog", disable_version_flag = true)]
struct Args {
    /// npm package to read, such as @earendil-works/pi-ai [default: the package recorded in the catalog]
    #[arg(long, value_name = "NAME", requires = "version")]
    package: Option<String>,

    /// Exact version of the package, such as 1.6.0 (ranges and tags are rejected)
    /// [default: the version recorded in the catalog]
    #[arg(long, value_name = "X.Y.Z", requires = "package")]
    version: Option<String>,

    /// Compare the catalog on disk with what the package produces, without writing
    #[arg(long)]
    check: bool,

    /// Catalog file to write or check [default: plugins/chatgpt/catalog.json in the repository]
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// Read this local package tarball (.tgz) instead of downloading with npm
    #[arg(long, value_name = "FILE")]
    tarball: Option<PathBuf>,
}

enum Outcome {
    Written,
    UpToDate,
    OutOfDate,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(Outcome::Written | Outcome::UpToDate) => ExitCode::SUCCESS,
        Ok(Outcome::OutOfDate) => ExitCode::from(1),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<Outcome> {
    let output_path = args.output.unwrap_or_else(default_output_path);
    let requested = match (args.package, args.version) {
        (Some(package), Some(version)) => {
            if !is_exact_version(&version) {
                bail!("--version must be an exact version such as 1.6.0, not `{version}`");
            }
            Some((package, version))
        }
        _ => None,
    };

    let (tgz, integrity, requested) = match args.tarball {
        Some(path) => {
            let tgz = std::fs::read(&path)
                .with_context(|| format!("failed to read tarball {}", path.display()))?;
            let integrity = tarball::sha512_integrity(&tgz);
            (tgz, integrity, requested)
        }
        None => {
            let (package, version) = match requested {
                Some(pair) => pair,
                None => pinned_source(&output_path)?,
            };
            eprintln!("downloading {package}@{version} with npm pack");
            let download = npm::pack(&package, &version)?;
            (
                download.tarball,
                download.integrity,
                Some((package, version)),
            )
        }
    };

    let expected = requested
        .as_ref()
        .map(|(package, version)| (package.as_str(), version.as_str()));
    let generated = generate(&tgz, integrity, expected)?;
    for location in &generated.skipped {
        eprintln!("note: skipped {location}, which is not a chat model");
    }
    let catalog = generated.catalog;
    let rendered = catalog.render();
    let summary = format!(
        "{} models from {}@{} ({})",
        catalog.models.len(),
        catalog.source.package,
        catalog.source.version,
        catalog.source.file
    );

    if args.check {
        return check(&output_path, &catalog, &rendered, &summary);
    }
    output::write_atomically(&output_path, &rendered)?;
    println!("wrote {}: {summary}", output_path.display());
    Ok(Outcome::Written)
}

/// Compares the file on disk with the generated catalog and reports the differences.
fn check(path: &Path, catalog: &Catalog, rendered: &str, summary: &str) -> Result<Outcome> {
    let on_disk = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "{} does not exist. Run without --check to create it",
                path.display()
            );
            return Ok(Outcome::OutOfDate);
        }
        Err(error) => {
            return Err(error).with_context(|| format!("failed to read {}", path.display()));
        }
    };
    if on_disk == rendered {
        println!("{} is up to date: {summary}", path.display());
        return Ok(Outcome::UpToDate);
    }

    eprintln!("{} is out of date compared with {summary}", path.display());
    match Catalog::parse(&on_disk) {
        Ok(old) => {
            let diff = CatalogDiff::between(&old, catalog);
            if diff.is_empty() {
                eprintln!("  same models, but the file's formatting differs");
            } else {
                eprint!("{diff}");
            }
        }
        Err(error) => eprintln!("  the file on disk is not a valid catalog: {error}"),
    }
    eprintln!("run without --check to rewrite it");
    Ok(Outcome::OutOfDate)
}

/// Reads the package and version recorded in an existing catalog.
fn pinned_source(path: &Path) -> Result<(String, String)> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            bail!(
                "{} does not exist, so there is no pinned version. Pass --package and --version",
                path.display()
            )
        }
        Err(error) => {
            return Err(error).with_context(|| format!("failed to read {}", path.display()));
        }
    };
    let catalog = Catalog::parse(&text).with_context(|| {
        format!(
            "{} is not a valid catalog. Pass --package and --version",
            path.display()
        )
    })?;
    Ok((catalog.source.package, catalog.source.version))
}

/// Returns the catalog path in the repository this binary was built from.
fn default_output_path() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().unwrap_or(root);
    root.join(CATALOG_PATH)
}

/// Accepts `MAJOR.MINOR.PATCH` with an optional `-prerelease` and `+build` suffix.
fn is_exact_version(version: &str) -> bool {
    let core_end = version.find(['-', '+']).unwrap_or(version.len());
    let (core, suffix) = version.split_at(core_end);
    let parts: Vec<&str> = core.split('.').collect();
    let core_valid = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let suffix_valid = suffix
        .chars()
        .skip(1)
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+')
        && suffix.len() != 1;
    core_valid && suffix_valid
}

#[cfg(test)]
mod tests {
    use super::is_exact_version;

    #[test]
    fn exact_versions_accepted() {
        for version in [
            "1.6.0",
            "0.73.1",
            "2.0.0-beta.1",
            "1.0.0+build.5",
            "1.0.0-rc.1+build",
        ] {
            assert!(is_exact_version(version), "{version}");
        }
    }

    #[test]
    fn ranges_and_tags_rejected() {
        for version in [
            "latest", "^1.6.0", "~1.6.0", "1.6", "1.6.x", ">=1.0.0", "1.6.0-", "", "1..0",
        ] {
            assert!(!is_exact_version(version), "{version}");
        }
    }
}
