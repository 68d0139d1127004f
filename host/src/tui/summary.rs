//! The status line after a turn and the `/stats` report.

use std::fmt::Write;

use crate::agent::history::Item;
use crate::agent::usage::format_cost;
use crate::cli::output::SessionSummary;
use crate::agent::{Agent, RunOutcome, Session};

/// Formats the status line: model, tokens this turn, session totals,
/// context used and cost, as one-shot mode prints it.
pub fn status_line(agent: &Agent, outcome: &RunOutcome) -> String {
    SessionSummary::from_agent(agent, outcome.usage, outcome.cost_usd).status_line(outcome)
}

/// Formats the `/stats` report of `session`. `agent` is `None` in setup
/// mode.
pub fn stats(agent: Option<&Agent>, session: Option<&Session>) -> String {
    let mut out = String::new();
    let model = match agent {
        Some(agent) => match &agent.model.info {
            Some(info) => format!("{} ({})", agent.model.id, info.name),
            None => agent.model.id.clone(),
        },
        None => "none (setup mode)".to_owned(),
    };

    let Some(session) = session else {
        let _ = writeln!(out, "Model     {model}");
        let _ = writeln!(out, "Session   none yet");
        return out;
    };

    let turns = session
        .items
        .iter()
        .filter(|item| matches!(item, Item::User { .. }))
        .count();
    let usage = session.usage;
    let subscription = agent.is_some_and(|agent| agent.model.is_subscription());

    let _ = writeln!(out, "Session   {}", session.id);
    let _ = writeln!(out, "Model     {model}");
    let _ = writeln!(out, "Turns     {turns}");
    let _ = writeln!(
        out,
        "Tokens    in {} (cached {}) · out {} (reasoning {})",
        usage.input, usage.cached_input, usage.output, usage.reasoning
    );
    let _ = write!(out, "Cost      {}", format_cost(session.cost_usd));
    if subscription {
        let _ = write!(out, " (API-equivalent, because the subscription is not billed per token)");
    }
    out.push('\n');
    out
}
