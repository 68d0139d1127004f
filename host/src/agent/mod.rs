//! The agent: the tool-calling loop, built-in tools, usage and cost.

pub mod tools;
