//! Replaces the catalog file without ever leaving it half-written.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `contents` to a temporary file next to `path`, then renames it over `path`.
///
/// The rename is atomic on the same file system, so readers see either the old
/// or the new file. Missing parent folders are created. On error the temporary
/// file is removed and `path` is left as it was.
pub fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(folder)
        .with_context(|| format!("failed to create folder {}", folder.display()))?;

    let mut temporary = tempfile::Builder::new()
        .prefix(".catalog-")
        .suffix(".json.tmp")
        .tempfile_in(folder)
        .with_context(|| format!("failed to create a temporary file in {}", folder.display()))?;
    temporary
        .write_all(contents.as_bytes())
        .context("failed to write the temporary catalog file")?;
    temporary
        .as_file()
        .sync_all()
        .context("failed to flush the temporary catalog file")?;

    // The temporary file is created with mode 0600, but a checked-in catalog should
    // be readable like any other source file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(temporary.path(), permissions)
            .context("failed to set catalog file permissions")?;
    }

    temporary.persist(path).with_context(|| {
        format!(
            "failed to move the new catalog into place at {}",
            path.display()
        )
    })?;
    Ok(())
}
