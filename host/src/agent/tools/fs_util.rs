//! File helpers shared by the tools: binary detection, line counting and atomic
//! writes.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::AsyncWriteExt;

/// Number of leading bytes searched for a NUL byte to tell binary files from text.
pub(crate) const BINARY_SNIFF_BYTES: usize = 8 * 1024;

/// Returns whether `prefix`, the start of a file, contains a NUL byte.
pub(crate) fn looks_binary(prefix: &[u8]) -> bool {
    let end = prefix.len().min(BINARY_SNIFF_BYTES);
    prefix[..end].contains(&0)
}

/// Reads up to `BINARY_SNIFF_BYTES` from the start of `reader`, fewer only at the end
/// of the file.
pub(crate) fn read_prefix(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(BINARY_SNIFF_BYTES);
    reader
        .take(BINARY_SNIFF_BYTES as u64)
        .read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Counts lines the way editors number them: a final line without a newline counts,
/// and an empty text has no lines.
pub(crate) fn count_lines(text: &str) -> usize {
    let newlines = text.bytes().filter(|&byte| byte == b'\n').count();
    if text.is_empty() || text.ends_with('\n') {
        newlines
    } else {
        newlines + 1
    }
}

/// Writes `contents` to `path` through a temporary file in the same directory and a
/// rename, so readers see the old or the new file and never a partial one.
///
/// An existing file keeps its permissions. A symlink is followed and its target is
/// replaced, so the link stays. The parent directory must exist.
pub(crate) async fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let target = follow_symlink(path).await;
    let existing_permissions = tokio::fs::metadata(&target)
        .await
        .ok()
        .map(|m| m.permissions());
    let temp_path = temp_path_for(&target);

    let result = write_and_rename(&temp_path, &target, contents, existing_permissions).await;
    if result.is_err() {
        // The temporary file may not exist if creating it failed, so a second error
        // here is expected and carries no news.
        let _ = tokio::fs::remove_file(&temp_path).await;
    }
    result
}

async fn write_and_rename(
    temp_path: &Path,
    target: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> io::Result<()> {
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp_path)
        .await?;
    file.write_all(contents).await?;
    if let Some(permissions) = permissions {
        file.set_permissions(permissions).await?;
    }
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(temp_path, target).await
}

/// Returns the final target of `path` if it is a symlink that resolves, else `path`.
async fn follow_symlink(path: &Path) -> PathBuf {
    let is_symlink = tokio::fs::symlink_metadata(path)
        .await
        .is_ok_and(|metadata| metadata.file_type().is_symlink());
    if !is_symlink {
        return path.to_path_buf();
    }
    tokio::fs::canonicalize(path)
        .await
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Builds a hidden, unique name next to `target` for the temporary file.
fn temp_path_for(target: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let sequence = COUNTER.fetch_add(1, Ordering::Relaxed);
    let file_name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_name = format!(".{file_name}.{}.{sequence}.tmp", std::process::id());
    target.with_file_name(temp_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn count_lines_handles_final_newline() {
        assert_eq!(count_lines(""), 0);
        assert_eq!(count_lines("a"), 1);
        assert_eq!(count_lines("a\n"), 1);
        assert_eq!(count_lines("a\nb"), 2);
        assert_eq!(count_lines("a\r\nb\r\n"), 2);
    }

    #[test]
    fn looks_binary_detects_nul() {
        assert!(looks_binary(b"abc\0def"));
        assert!(!looks_binary(b"plain text\n"));
    }

    #[tokio::test]
    async fn write_atomic_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("script.sh");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();

        write_atomic(&path, b"new").await.unwrap();

        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
    }

    #[tokio::test]
    async fn write_atomic_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(&dir.path().join("a.txt"), b"text")
            .await
            .unwrap();

        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.txt"]);
    }

    #[tokio::test]
    async fn write_atomic_follows_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&target, "old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();

        write_atomic(&link, b"new").await.unwrap();

        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
