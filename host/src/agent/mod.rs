//! The agent: the tool-calling loop, built-in tools, sessions, usage and cost.

pub mod history;
pub mod plan_usage;
pub mod prompt;
pub mod runner;
pub mod session;
pub mod tools;
pub mod usage;

pub use runner::{Agent, AgentError, AgentEvent, AgentOptions, RunOutcome, StopKind};
pub use session::Session;
