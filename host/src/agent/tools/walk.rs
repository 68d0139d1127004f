//! Directory walks shared by `list_files` and `grep`: ignore rules and glob filters.

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};
use ignore::{Walk, WalkBuilder};

use super::args::ToolError;

/// Starts a depth-first walk of `root`, siblings sorted by name.
///
/// The walk skips hidden files and whatever `.gitignore`, `.ignore`,
/// `.git/info/exclude` and the global git excludes file list. `.gitignore` files apply
/// even outside a git repository. The root itself is always yielded.
pub(crate) fn walk(root: &Path) -> Walk {
    WalkBuilder::new(root)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build()
}

/// Glob filter for paths relative to the walk root.
///
/// A pattern without `/` matches the file name at any depth, as in `.gitignore`, so
/// `*.rs` finds every Rust file. A pattern with `/` matches the whole relative path,
/// where `*` stays within one directory and `**` spans any number of them.
pub(crate) struct GlobFilter {
    matcher: GlobMatcher,
    match_file_name: bool,
}

impl GlobFilter {
    pub(crate) fn new(field: &str, pattern: &str) -> Result<Self, ToolError> {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|error| {
                ToolError::Failed(format!(
                    "invalid glob in `{field}` \"{pattern}\": {error}. Pass a pattern such as \
                     \"*.rs\" or \"src/**/*.toml\"."
                ))
            })?;
        Ok(Self {
            matcher: glob.compile_matcher(),
            match_file_name: !pattern.contains('/'),
        })
    }

    pub(crate) fn matches(&self, relative: &Path) -> bool {
        if self.match_file_name {
            relative
                .file_name()
                .is_some_and(|name| self.matcher.is_match(name))
        } else {
            self.matcher.is_match(relative)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_without_slash_matches_name() {
        let filter = GlobFilter::new("pattern", "*.rs").unwrap();
        assert!(filter.matches(Path::new("main.rs")));
        assert!(filter.matches(Path::new("src/deep/lib.rs")));
        assert!(!filter.matches(Path::new("src/lib.rsx")));
    }

    #[test]
    fn glob_with_slash_matches_path() {
        let filter = GlobFilter::new("pattern", "src/*.rs").unwrap();
        assert!(filter.matches(Path::new("src/lib.rs")));
        assert!(!filter.matches(Path::new("src/deep/lib.rs")));
        assert!(!filter.matches(Path::new("lib.rs")));
    }

    #[test]
    fn glob_double_star_spans_dirs() {
        let filter = GlobFilter::new("pattern", "**/*.rs").unwrap();
        assert!(filter.matches(Path::new("main.rs")));
        assert!(filter.matches(Path::new("src/deep/lib.rs")));
    }

    #[test]
    fn glob_invalid_names_pattern() {
        let error = GlobFilter::new("glob", "src/[a").err().unwrap().to_string();
        assert!(
            error.contains("invalid glob in `glob` \"src/[a\""),
            "{error}"
        );
    }
}
