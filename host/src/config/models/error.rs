//! Errors of loading, checking and editing `models.yaml`.

use std::io;
use std::path::PathBuf;

/// Reason why `models.yaml` could not be loaded, used or changed. Every
/// message names the file and the change to make in it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid YAML, or a value has the wrong type or form.
    /// `line` and `column` are 1-based, and `message` states what was expected.
    #[error(
        "{}:{line}:{column}: {message}. Correct the file by hand; ouro does not change it while it has this error.",
        path.display()
    )]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The file reads correctly, but a model cannot be used as configured.
    /// `key` is the setting to add or change, and `message` is a full
    /// sentence that names it and the fix.
    #[error("{}: model `{model}`: {message}", path.display())]
    Invalid {
        path: PathBuf,
        model: String,
        key: String,
        message: String,
    },

    /// The file is valid, but the part an edit must change is written in a
    /// form that the line-based editor does not rewrite, such as a flow
    /// mapping (`models: {a/b: {}}`). `line` is 1-based.
    #[error(
        "{}:{line}: ouro cannot change this file safely because {message}. The file was left unchanged.",
        path.display()
    )]
    Unsupported {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// Reading, writing, locking or creating the file or its folder failed.
    #[error(
        "failed to read or write {}; check that the file and its folder exist and belong to you",
        path.display()
    )]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ConfigError {
    pub(super) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ConfigError::Io {
            path: path.into(),
            source,
        }
    }
}
