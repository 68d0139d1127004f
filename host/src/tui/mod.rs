//! Interactive mode: the REPL, slash commands and pickers.

use std::process::ExitCode;

use crate::cli::{Loaded, TaskArgs};

/// Runs an interactive session until the user exits.
pub fn run(_loaded: &Loaded, _args: &TaskArgs) -> anyhow::Result<ExitCode> {
    eprintln!("ouro: the interactive mode is not available in this build yet; run a task with `ouro --task TEXT`.");
    Ok(ExitCode::from(crate::cli::EXIT_USAGE))
}
