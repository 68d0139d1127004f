//! One user turn: run the agent, let Ctrl+C cancel it, save the session.

use std::task::{Context, Poll, Waker};

use tokio_util::sync::CancellationToken;

use super::printer::TurnPrinter;
use super::state::Repl;
use super::summary::status_line;
use crate::agent::{AgentError, StopKind};
use crate::plugins::ProviderError;

/// Sends `text` to the model and shows the reply. In setup mode it shows
/// how to configure a model instead.
///
/// Ctrl+C cancels the token, which drops the provider stream and kills a
/// running tool. The agent then closes open tool calls, so the saved
/// session stays valid for the next turn.
pub fn run(repl: &mut Repl<'_>, text: &str) {
    let style = repl.style;
    let Some(agent) = repl.agent.as_mut() else {
        repl.print_setup_help();
        return;
    };
    let runtime = &repl.loaded.runtime;
    let interrupts = &mut repl.interrupts;
    {
        let _context = runtime.enter();
        discard_pending(interrupts);
    }

    let cancel = CancellationToken::new();
    let mut printer = TurnPrinter::new(style);
    printer.wait_for_model();
    // The agent reads the provider stream in `block_in_place`, which blocks
    // its task, so Ctrl+C is watched by a task of its own.
    let watcher = {
        let cancel = cancel.clone();
        crate::cli::on_interrupt(runtime, move || cancel.cancel())
    };
    let result = runtime.block_on(async {
        let mut on_event = |event: crate::agent::AgentEvent| printer.event(&event);
        agent.run(text, &cancel, &mut on_event).await
    });
    watcher.abort();
    printer.finish();
    drop(printer);

    match &result {
        Ok(outcome) if outcome.stop == StopKind::Cancelled => println!("Cancelled."),
        Ok(outcome) => {
            match outcome.stop {
                StopKind::MaxTurns => eprintln!("Stopped after {} model responses (--max-turns).", repl.max_turns()),
                StopKind::Length => eprintln!("The reply hit the model's output token limit."),
                StopKind::ContentFilter => eprintln!("The provider's content filter stopped the reply."),
                StopKind::EndTurn | StopKind::Cancelled => {}
            }
            if let Some(agent) = &repl.agent {
                eprintln!("{}", style.dim(&status_line(agent, outcome)));
            }
        }
        Err(error) => style.print_error(&describe(error)),
    }
    repl.save_session();
}

/// Drops Ctrl+C presses that arrived while no turn ran (for example in an
/// editor started by `/model edit`), so they do not cancel this turn.
fn discard_pending(interrupts: &mut tokio::signal::unix::Signal) {
    let mut context = Context::from_waker(Waker::noop());
    while let Poll::Ready(Some(())) = interrupts.poll_recv(&mut context) {}
}

/// Describes a failed turn and what to do next.
fn describe(error: &AgentError) -> String {
    match error {
        AgentError::Provider(ProviderError::AuthRequired(message)) => {
            format!("{message}\nLog in with /login, then send the message again.")
        }
        AgentError::Provider(ProviderError::QuotaExhausted(info)) => match info.resets_at {
            Some(resets_at) => format!("{}; it resets {}", info.message, crate::cli::format_reset(resets_at)),
            None => info.message.clone(),
        },
        other => other.to_string(),
    }
}
