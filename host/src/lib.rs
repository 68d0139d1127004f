//! ouro: a terminal AI agent whose LLM providers are sandboxed WebAssembly
//! plugins.
//!
//! - [`plugins`]: the plugin runtime (engine, cache, sandbox, host imports).
//! - [`config`]: the ouro home folder and the user's model configuration.
//! - [`cli`]: command-line parsing and the commands.

pub mod agent;
pub mod cli;
pub mod config;
pub mod plugins;
pub mod providers;
pub mod tui;
