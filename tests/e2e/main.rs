//! End-to-end tests: the real `ouro` binary and the real plugin runtime with
//! compiled fixture plugins. Nothing here leaves 127.0.0.1.

mod chatgpt;
mod chatgpt_browser;
mod chatgpt_errors;
mod cli_plugins;
mod repl;
mod runtime;
mod task;
