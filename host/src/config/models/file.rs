//! File access for `models.yaml`: creating it from a template, reading it,
//! replacing it atomically with mode 0600, and locking it across processes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::super::paths::create_private_dir;
use super::ConfigError;

/// Content of a new `models.yaml`. It reads as an empty configuration.
pub(super) const TEMPLATE: &str = "\
# ouro model configuration.
#
# Each entry under `models:` is a model id, `<provider>/<model>`, where
# <provider> names a provider plugin (`ouro plugins` lists them). Logging in
# with `ouro --login` adds a subscription's models here. Every setting is
# optional; for an API-key provider plugin named `example`:
#
#   example/model-name:
#     api_key: your-key            # needed unless api_base is a local address
#     api_base: https://api.example.com/v1
#     timeout: 600                 # request timeout in seconds
#     drop_params: true            # drop parameters the model does not support
#     reasoning_effort: high       # any other key reaches the plugin as text
#
# Entries with `oauth_managed: true` belong to a provider login: ouro adds
# and removes them. Delete that line to make an entry your own.
#
# `default` names the model ouro starts with. `current`, when set, names the
# model in use and takes precedence over `default`.
#
# When ouro edits this file, it keeps your comments, blank lines and the
# order of entries, except inside the entries it removes.

models:
";

/// Reads the file at `path`, creating it from [`TEMPLATE`] first if it does
/// not exist.
pub(super) fn read_or_create(path: &Path) -> Result<String, ConfigError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            create_template(path)?;
            fs::read(path).map_err(|error| ConfigError::io(path, error))?
        }
        Err(error) => return Err(ConfigError::io(path, error)),
    };
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|byte| **byte == b'\n').count() + 1;
        let line_start = valid
            .iter()
            .rposition(|byte| *byte == b'\n')
            .map_or(0, |offset| offset + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message: "expected UTF-8 text, but found a byte sequence that is not UTF-8".to_string(),
        }
    })
}

/// Writes [`TEMPLATE`] to `path` with mode 0600, creating its folder with
/// mode 0700. A file that another process created meanwhile is kept.
fn create_template(path: &Path) -> Result<(), ConfigError> {
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        create_private_dir(parent).map_err(|error| ConfigError::io(parent, error))?;
    }
    let created = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    let mut file = match created {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        Err(error) => return Err(ConfigError::io(path, error)),
    };
    file.write_all(TEMPLATE.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| ConfigError::io(path, error))
}

/// Replaces the file at `path` with `text` through a temporary file in the
/// same folder and a rename, so readers see the old or the new content and
/// never a part. The result has mode 0600. A symlink at `path` is followed
/// and its target replaced, so the link stays.
pub(super) fn write_atomic(path: &Path, text: &str) -> Result<(), ConfigError> {
    let target = follow_symlink(path);
    let folder = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".models.yaml.")
        .tempfile_in(&folder)
        .map_err(|error| ConfigError::io(&folder, error))?;
    let file = temporary.as_file_mut();
    file.set_permissions(fs::Permissions::from_mode(0o600))
        .and_then(|()| file.write_all(text.as_bytes()))
        .and_then(|()| file.sync_all())
        .map_err(|error| ConfigError::io(&target, error))?;
    temporary
        .persist(&target)
        .map_err(|error| ConfigError::io(&target, error.error))?;
    Ok(())
}

fn follow_symlink(path: &Path) -> PathBuf {
    let is_symlink =
        fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_symlink());
    if is_symlink {
        fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
    } else {
        path.to_path_buf()
    }
}

/// Takes an exclusive lock that serialises edits of `path` across ouro
/// processes, held until the returned file is dropped. It lives in `<path>.lock`,
/// because the rename in [`write_atomic`] replaces the file itself.
pub(super) fn lock(path: &Path) -> Result<File, ConfigError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    if let Some(parent) = lock_path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        create_private_dir(parent).map_err(|error| ConfigError::io(parent, error))?;
    }
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&lock_path)
        .map_err(|error| ConfigError::io(&lock_path, error))?;
    file.lock()
        .map_err(|error| ConfigError::io(&lock_path, error))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn template_created_private() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("ouro").join("models.yaml");
        let text = read_or_create(&path).unwrap();
        assert_eq!(text, TEMPLATE);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }

    #[test]
    fn existing_file_not_replaced() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("models.yaml");
        fs::write(&path, "default: a/b\n").unwrap();
        create_template(&path).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "default: a/b\n");
    }

    #[test]
    fn write_atomic_sets_mode_0600() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("models.yaml");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&path, "new\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(mode(&path), 0o600);
        let leftovers: Vec<_> = fs::read_dir(home.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            1,
            "temporary file left behind: {leftovers:?}"
        );
    }

    #[test]
    fn write_atomic_keeps_symlink() {
        let home = tempfile::tempdir().unwrap();
        let target = home.path().join("dotfiles-models.yaml");
        let link = home.path().join("models.yaml");
        fs::write(&target, "old\n").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, "new\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
    }

    #[test]
    fn invalid_utf8_reported_with_position() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join("models.yaml");
        fs::write(&path, b"models:\n  a/b:\n    x: \xff\n").unwrap();
        match read_or_create(&path).unwrap_err() {
            ConfigError::Parse { line, column, .. } => {
                assert_eq!(line, 3);
                assert_eq!(column, 8);
            }
            other => panic!("expected Parse, got {other:?}"),
        }
    }
}
