//! Where ouro keeps its files, and the user's model configuration.

pub mod models;
pub mod paths;

pub use paths::OuroHome;
