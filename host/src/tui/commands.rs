//! Slash commands: the list `/help` prints, dispatch, and suggestions for
//! mistyped names.

use super::state::Repl;
use super::style::Style;
use super::{model_cmd, summary};
use crate::cli::auth::AuthCommandError;

/// Command names in suggestion order: on equal edit distance the earlier
/// name wins, so the most used commands come first.
pub const COMMAND_NAMES: &[&str] = &[
    "/model", "/login", "/logout", "/stats", "/reset", "/plugins", "/help", "/exit", "/quit",
];

/// The rows of `/help`: usage and a one-line description.
const HELP_ROWS: &[(&str, &str)] = &[
    ("/model", "Pick a model from a list (arrow keys, type to filter)"),
    ("/model <id>", "Switch to model <id>"),
    ("/model edit", "Edit models.yaml in $EDITOR and reload it"),
    ("/login", "Log in to a provider and add its models to models.yaml"),
    ("/logout", "Log out of a provider and remove its models"),
    ("/stats", "Show the session's model, turns, tokens and cost"),
    ("/reset", "Start a new, empty session"),
    ("/plugins", "List the installed plugins"),
    ("/help", "List the commands"),
    ("/exit, /quit", "Leave ouro"),
];

/// Whether the prompt loop goes on after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Exit,
}

/// Runs the slash command in `line` (which starts with `/`).
pub fn dispatch(repl: &mut Repl<'_>, line: &str) -> Flow {
    let (name, argument) = match line.split_once(char::is_whitespace) {
        Some((name, argument)) => (name, argument.trim()),
        None => (line, ""),
    };
    let takes_argument = name == "/model";
    if !takes_argument && !argument.is_empty() && COMMAND_NAMES.contains(&name) {
        repl.style
            .print_error(&format!("{name} takes no arguments; run {name} alone."));
        return Flow::Continue;
    }
    match name {
        "/help" => print_help(repl.style),
        "/model" => model_cmd::run(repl, argument),
        // Login and logout handle Ctrl+C themselves: their prompts read keys
        // in raw mode, and the login wait listens for SIGINT.
        "/login" => {
            let result = crate::cli::auth::login(repl.loaded, None, None);
            after_account_change(repl, result);
        }
        "/logout" => {
            let result = crate::cli::auth::logout(repl.loaded, None);
            after_account_change(repl, result);
        }
        "/stats" => print!("{}", summary::stats(repl.agent.as_ref(), repl.session())),
        "/reset" => {
            repl.reset_session();
            println!("Started a new session.");
        }
        "/plugins" => print!("{}", crate::cli::plugins_cmd::render(&repl.loaded.registry)),
        "/exit" | "/quit" => return Flow::Exit,
        _ => {
            let typed = name.trim_start_matches('/');
            let names = COMMAND_NAMES.iter().map(|name| name.trim_start_matches('/'));
            match closest(typed, names) {
                Some(suggestion) => eprintln!("Unknown command {name}. Did you mean /{suggestion}?"),
                None => eprintln!("Unknown command {name}. /help lists the commands."),
            }
        }
    }
    Flow::Continue
}

fn print_help(style: Style) {
    println!("Commands:");
    for (usage, description) in HELP_ROWS {
        println!("  {usage:<14} {description}");
    }
    println!();
    println!("Keys:");
    println!(
        "  {}",
        style.dim("Enter sends the message; Alt+Enter, or \\ at the end of a line, starts a new line.")
    );
    println!(
        "  {}",
        style.dim("Tab completes commands and model ids; Up and Down browse the history.")
    );
    println!(
        "  {}",
        style.dim("Ctrl+C cancels a running turn or clears the line; Ctrl+D exits.")
    );
}

/// Reloads models.yaml after `/login` or `/logout`, which may have added
/// or removed models, and shows a failure.
fn after_account_change(repl: &mut Repl<'_>, result: anyhow::Result<()>) {
    match result {
        Ok(()) => {}
        Err(error) if matches!(error.downcast_ref(), Some(AuthCommandError::Cancelled)) => println!("{error}"),
        Err(error) => repl.style.print_error(&format!("{error:#}")),
    }
    // A parse error is already shown, and the previous models stay.
    let _ = repl.reload_config();
}

/// Returns the candidate nearest to `typed` by edit distance, or `None`
/// when none shares an aligned character with it (distance below the
/// longer length). Ties go to the earlier candidate.
pub fn closest<'c>(typed: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let mut best: Option<(usize, &'c str)> = None;
    for candidate in candidates {
        let distance = strsim::levenshtein(typed, candidate);
        let longer = typed.chars().count().max(candidate.chars().count());
        if distance >= longer {
            continue;
        }
        if best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_prefers_smaller_distance() {
        let names = ["model", "login", "help"];
        assert_eq!(closest("modle", names), Some("model"));
        assert_eq!(closest("hlep", names), Some("help"));
    }

    #[test]
    fn closest_breaks_ties_by_order() {
        assert_eq!(closest("foo", ["model", "login", "logout"]), Some("model"));
    }

    #[test]
    fn closest_rejects_unrelated_words() {
        assert_eq!(closest("xyz", ["model", "help"]), None);
    }
}
