//! Command-line interface: argument parsing, logging setup and dispatch.
//!
//! Exit codes are stable and documented in the README: 0 success, 1 task
//! failed, 2 usage error, 3 login required.

pub mod auth;
mod models_cmd;
pub mod output;
pub mod plugins_cmd;
mod task;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::OuroHome;
use crate::config::models::ModelsConfig;
use crate::plugins::{PluginRegistry, RuntimeConfig};

pub use task::{format_reset, format_utc};

/// Exit code of a failed command or task.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of invalid arguments or configuration.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the provider needs a login first.
pub const EXIT_LOGIN_REQUIRED: u8 = 3;

/// A terminal AI agent with sandboxed WebAssembly provider plugins.
///
/// Without a command or --task, ouro starts an interactive session.
#[derive(Debug, Parser)]
#[command(name = "ouro", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    task: TaskArgs,

    /// Log in to a provider (shows a picker unless --provider is given).
    #[arg(long, conflicts_with_all = ["logout", "task"], group = "auth_action")]
    login: bool,

    /// Log out of a provider and remove its managed models.
    #[arg(long, conflicts_with = "task", group = "auth_action")]
    logout: bool,

    /// Provider id for --login or --logout, such as `chatgpt`.
    #[arg(long, value_name = "ID", requires = "auth_action")]
    provider: Option<String>,

    /// Login method for --login: `device` (works over SSH and on headless
    /// machines) or `browser`.
    #[arg(long, value_name = "METHOD", value_parser = ["device", "browser"], requires = "login")]
    method: Option<String>,

    /// Write a debug log to $OURO_HOME/logs/ (never tokens, keys or prompts).
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// Options of a task or session.
#[derive(Debug, Args)]
pub struct TaskArgs {
    /// Run one task non-interactively: the answer goes to stdout, progress
    /// to stderr.
    #[arg(short, long, value_name = "TEXT")]
    pub task: Option<String>,

    /// Model to use, as <provider>/<model> (default: `current`, then
    /// `default` from models.yaml).
    #[arg(short, long, value_name = "ID")]
    pub model: Option<String>,

    /// With --task: print one JSON object per line on stdout.
    #[arg(long, requires = "task")]
    pub json: bool,

    /// Continue a saved session (`latest` when no id is given).
    #[arg(short, long, value_name = "ID", num_args = 0..=1, default_missing_value = "latest")]
    pub resume: Option<String>,

    /// Maximum model responses per task.
    #[arg(long, value_name = "N", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_turns: u32,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List installed plugins with their source, interface version, auth
    /// methods, allowed hosts and status.
    Plugins,
    /// List configured models grouped by provider, with readiness.
    Models,
    /// Show each provider's login state, account, plan, token expiry and
    /// last known plan usage.
    Status,
}

/// Everything a command needs: plugins and the home folder.
pub struct Loaded {
    pub home: OuroHome,
    pub runtime: tokio::runtime::Runtime,
    pub registry: PluginRegistry,
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
    let log_file = init_logging(cli.verbose);
    if let Some(path) = log_file {
        eprintln!("Writing a debug log to {}", path.display());
    }
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let loaded = load()?;
    if cli.login || cli.logout {
        let result = if cli.login {
            auth::login(&loaded, cli.provider.as_deref(), cli.method.as_deref())
        } else {
            auth::logout(&loaded, cli.provider.as_deref())
        };
        return Ok(match result {
            Ok(()) => {
                if cli.login {
                    println!("Next: run `ouro` to start a session, or `ouro --task \"...\"` for a single task.");
                }
                ExitCode::SUCCESS
            }
            Err(error) => match error.downcast_ref::<auth::AuthCommandError>() {
                Some(auth::AuthCommandError::Usage(message)) => {
                    eprintln!("error: {message}");
                    ExitCode::from(EXIT_USAGE)
                }
                Some(auth::AuthCommandError::Cancelled) => {
                    eprintln!("Login cancelled.");
                    ExitCode::from(EXIT_FAILURE)
                }
                None => {
                    eprintln!("error: {error:#}");
                    ExitCode::from(EXIT_FAILURE)
                }
            },
        });
    }
    match (&cli.command, &cli.task.task) {
        (Some(Command::Status), _) => {
            print!("{}", auth::status(&loaded));
            Ok(ExitCode::SUCCESS)
        }
        (Some(Command::Plugins), _) => {
            print!("{}", plugins_cmd::render(&loaded.registry));
            Ok(ExitCode::SUCCESS)
        }
        (Some(Command::Models), _) => {
            let config = match ModelsConfig::load(&loaded.home.models_file()) {
                Ok(config) => config,
                Err(error) => {
                    eprintln!("error: {error}");
                    return Ok(ExitCode::from(EXIT_USAGE));
                }
            };
            print!("{}", models_cmd::render(&loaded.registry, &config));
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(task)) => task::run(&loaded, &cli.task, task),
        (None, None) => crate::tui::run(&loaded, &cli.task),
    }
}

/// Runs `action` on the first Ctrl+C (SIGINT) until the returned handle is
/// aborted. The handler is registered before this returns, so a Ctrl+C right
/// after the call is not lost to the default handler, which would end the
/// process without cleanup.
pub fn on_interrupt(runtime: &tokio::runtime::Runtime, action: impl FnOnce() + Send + 'static) -> tokio::task::JoinHandle<()> {
    let _context = runtime.enter();
    let interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
    runtime.spawn(async move {
        if let Ok(mut interrupt) = interrupt
            && interrupt.recv().await.is_some() {
                action();
            }
    })
}

/// Creates the tokio runtime plugin I/O runs on and loads every plugin.
pub fn load() -> anyhow::Result<Loaded> {
    let home = OuroHome::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let registry = PluginRegistry::load(RuntimeConfig::new(home.clone()))?;
    Ok(Loaded { home, runtime, registry })
}

/// Logs go to stderr (`OURO_LOG` sets the filter, default `warn`); with
/// `--verbose` a debug log also goes to `$OURO_HOME/logs/`. Returns that
/// file's path.
fn init_logging(verbose: bool) -> Option<std::path::PathBuf> {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = tracing_subscriber::EnvFilter::try_from_env("OURO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let stderr_layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .with_ansi(color)
        .with_filter(filter);

    let mut log_path = None;
    let file_layer = verbose
        .then(|| {
            let home = OuroHome::from_env().ok()?;
            let dir = home.logs_dir();
            crate::config::paths::create_private_dir(&dir).ok()?;
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            let path = dir.join(format!("ouro-{stamp}-{}.log", std::process::id()));
            let file = std::fs::File::create(&path).ok()?;
            log_path = Some(path);
            Some(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::sync::Mutex::new(file))
                    .with_ansi(false)
                    .with_filter(tracing_subscriber::EnvFilter::new("debug")),
            )
        })
        .flatten();
    let _ = tracing_subscriber::registry().with(stderr_layer).with(file_layer).try_init();
    log_path
}
