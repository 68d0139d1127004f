//! One-shot mode: `ouro --task TEXT` runs one user turn and exits.

use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use super::output::{SessionSummary, TaskPrinter};
use super::{EXIT_FAILURE, EXIT_LOGIN_REQUIRED, EXIT_USAGE, Loaded, TaskArgs};
use crate::agent::{Agent, AgentError, AgentOptions, Session, StopKind};
use crate::config::models::ModelsConfig;
use crate::providers::resolve;

/// Runs the task and returns the exit code.
pub fn run(loaded: &Loaded, args: &TaskArgs, task: &str) -> anyhow::Result<ExitCode> {
    let mut printer = TaskPrinter::new(args.json);
    if task.trim().is_empty() {
        eprintln!("error: the task is empty; pass the request as --task \"...\"");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let usage_error = |printer: &mut TaskPrinter, message: String| {
        if args.json {
            printer.fail(&message, &SessionSummary::empty());
        } else {
            eprintln!("error: {message}");
        }
        Ok(ExitCode::from(EXIT_USAGE))
    };

    let config = match ModelsConfig::load(&loaded.home.models_file()) {
        Ok(config) => config,
        Err(error) => return usage_error(&mut printer, error.to_string()),
    };
    let session = match &args.resume {
        Some(id) => match Session::load(&loaded.home.sessions_dir(), id) {
            Ok(session) => Some(session),
            Err(error) => return usage_error(&mut printer, error.to_string()),
        },
        None => None,
    };
    let requested = args.model.as_deref().or(session.as_ref().map(|session| session.model.as_str()));
    let model = match resolve(&loaded.registry, &config, requested) {
        Ok(model) => model,
        Err(error) => return usage_error(&mut printer, error.to_string()),
    };
    let session = session.unwrap_or_else(|| Session::new(&model.id));
    let options = AgentOptions {
        max_turns: args.max_turns as usize,
        cwd: std::env::current_dir()?,
        reasoning_effort: None,
        home: Some(loaded.home.clone()),
    };
    let mut agent = Agent::new(model, session, options);
    agent.session.model = agent.model.id.clone();

    let cancel = CancellationToken::new();
    let watcher = {
        let cancel = cancel.clone();
        super::on_interrupt(&loaded.runtime, move || cancel.cancel())
    };
    let result = loaded.runtime.block_on(agent.run(task, &cancel, &mut |event| printer.event(&event)));
    watcher.abort();

    if let Err(error) = agent.session.save(&loaded.home.sessions_dir()) {
        tracing::warn!(%error, "could not save the session");
    }
    let summary = SessionSummary::from_agent(
        &agent,
        result.as_ref().map(|outcome| outcome.usage).unwrap_or_default(),
        result.as_ref().map(|outcome| outcome.cost_usd).unwrap_or_default(),
    );
    match result {
        Ok(outcome) => {
            printer.finish(&outcome, &summary);
            if !args.json {
                match outcome.stop {
                    StopKind::MaxTurns => eprintln!(
                        "Stopped after {} model responses (--max-turns). Continue with `ouro --resume {} --task ...`.",
                        args.max_turns, agent.session.id
                    ),
                    StopKind::Cancelled => eprintln!("Cancelled. Continue with `ouro --resume {} --task ...`.", agent.session.id),
                    StopKind::Length => eprintln!("The reply hit the model's output token limit."),
                    StopKind::ContentFilter => eprintln!("The provider's content filter stopped the reply."),
                    StopKind::EndTurn => {}
                }
            }
            Ok(match outcome.stop {
                StopKind::EndTurn | StopKind::Length | StopKind::ContentFilter => ExitCode::SUCCESS,
                StopKind::MaxTurns | StopKind::Cancelled => ExitCode::from(EXIT_FAILURE),
            })
        }
        Err(error) => {
            let message = describe(&error, &agent);
            printer.fail(&message, &summary);
            Ok(ExitCode::from(if error.is_auth_required() { EXIT_LOGIN_REQUIRED } else { EXIT_FAILURE }))
        }
    }
}

/// Builds the message for a failed turn, with what to do next.
fn describe(error: &AgentError, agent: &Agent) -> String {
    use crate::plugins::ProviderError;
    match error {
        AgentError::Provider(ProviderError::AuthRequired(message)) if agent.model.plugin.offers_login() => format!(
            "{message}\nLog in with `ouro --login --provider {}`.",
            agent.model.plugin.id()
        ),
        AgentError::Provider(ProviderError::AuthRequired(message)) => format!(
            "{message}\nCheck the `api_key` of {} in models.yaml.",
            agent.model.id
        ),
        AgentError::Provider(ProviderError::QuotaExhausted(info)) => match info.resets_at {
            Some(resets_at) => format!("{}; it resets {}", info.message, format_reset(resets_at)),
            None => info.message.clone(),
        },
        other => other.to_string(),
    }
}

/// Formats a unix time as UTC plus the time left.
pub fn format_reset(unix: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let left = unix.saturating_sub(now);
    let (hours, minutes) = (left / 3600, (left % 3600) / 60);
    format!("at {} UTC (in {hours} h {minutes} min)", format_utc(unix))
}

/// Formats unix seconds as `YYYY-MM-DD HH:MM`.
pub fn format_utc(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let seconds = unix % 86_400;
    // Civil-from-days conversion (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        seconds / 3600,
        (seconds % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting_matches_known_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00");
        assert_eq!(format_utc(1_796_342_400), "2026-12-04 00:00");
        assert_eq!(format_utc(951_782_400 + 3_723), "2000-02-29 01:02");
    }
}
