//! Resolution of the model's paths against the working directory, and their display.

use std::path::{Component, Path, PathBuf};

use super::args::ToolError;

/// Joins `raw` to `cwd` unless it is absolute, and drops `.` components.
///
/// `..` components stay, so the operating system resolves them through symlinks.
pub(crate) fn resolve_path(cwd: &Path, field: &str, raw: &str) -> Result<PathBuf, ToolError> {
    if raw.trim().is_empty() {
        return Err(ToolError::Failed(format!(
            "`{field}` is empty. Pass a path relative to {} or an absolute path.",
            cwd.display()
        )));
    }

    let joined = cwd.join(raw);
    let mut resolved = PathBuf::new();
    for component in joined.components() {
        if component != Component::CurDir {
            resolved.push(component);
        }
    }
    Ok(resolved)
}

/// Formats `path` relative to `cwd` when it lies inside it, and in full otherwise.
pub(crate) fn display_path(path: &Path, cwd: &Path) -> String {
    match path.strip_prefix(cwd) {
        Ok(relative) if relative.as_os_str().is_empty() => ".".to_string(),
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_joins_relative_path() {
        let resolved = resolve_path(Path::new("/work/project"), "path", "./src/./main.rs").unwrap();
        assert_eq!(resolved, PathBuf::from("/work/project/src/main.rs"));
    }

    #[test]
    fn resolve_keeps_absolute_path() {
        let resolved = resolve_path(Path::new("/work/project"), "path", "/etc/hosts").unwrap();
        assert_eq!(resolved, PathBuf::from("/etc/hosts"));
    }

    #[test]
    fn resolve_rejects_empty_path() {
        let error = resolve_path(Path::new("/work"), "path", " ").unwrap_err();
        assert!(error.to_string().contains("`path` is empty"));
    }

    #[test]
    fn display_is_relative_inside_cwd() {
        let cwd = Path::new("/work/project");
        assert_eq!(
            display_path(Path::new("/work/project/src/a.rs"), cwd),
            "src/a.rs"
        );
        assert_eq!(display_path(Path::new("/work/project"), cwd), ".");
        assert_eq!(display_path(Path::new("/etc/hosts"), cwd), "/etc/hosts");
    }
}
