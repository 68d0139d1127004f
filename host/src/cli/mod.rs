//! Command-line interface: argument parsing, logging setup and dispatch.
//!
//! Exit codes are stable and documented in the README: 0 success, 1 task
//! failed, 2 usage error, 3 login required.

mod plugins_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::OuroHome;
use crate::plugins::{PluginRegistry, RuntimeConfig};

/// Exit code of a failed command or task.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of invalid arguments or configuration.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the provider needs a login first.
pub const EXIT_LOGIN_REQUIRED: u8 = 3;

/// A terminal AI agent with sandboxed WebAssembly provider plugins.
#[derive(Debug, Parser)]
#[command(name = "ouro", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List installed plugins with their source, interface version, auth
    /// methods, allowed hosts and status.
    Plugins,
}

/// Runs the binary and returns its exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Some(Command::Plugins) => {
            let (runtime, registry) = load_plugins()?;
            let output = plugins_cmd::render(&registry);
            print!("{output}");
            drop(registry);
            drop(runtime);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            eprintln!("ouro: the agent modes are not available in this build yet; try `ouro plugins` or `ouro --help`.");
            Ok(ExitCode::from(EXIT_USAGE))
        }
    }
}

/// Creates the tokio runtime plugin I/O runs on and loads every plugin.
pub fn load_plugins() -> anyhow::Result<(tokio::runtime::Runtime, PluginRegistry)> {
    let home = OuroHome::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let registry = PluginRegistry::load(RuntimeConfig::new(home), runtime.handle().clone())?;
    Ok((runtime, registry))
}

/// Logs go to stderr; `OURO_LOG` sets the filter (default `warn`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("OURO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}
