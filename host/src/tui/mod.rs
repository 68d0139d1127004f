//! Interactive mode: `ouro` with no command and no `--task`.
//!
//! On a terminal, a line editor reads messages and slash commands (see
//! `commands`). When stdin is not a terminal, each line of stdin is a
//! message or command until end of input, and nothing waits for keys.

mod commands;
mod editor;
mod model_cmd;
pub mod model_list;
pub mod picker;
mod printer;
mod state;
pub mod style;
mod summary;
mod turn;

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use commands::Flow;
use editor::{Input, LineEditor, join_continued_lines};
use state::Repl;

use crate::cli::{Loaded, TaskArgs};

/// Exit status after a Ctrl+C while waiting for piped input, as a shell
/// reports death by SIGINT (128 + 2).
const EXIT_INTERRUPTED: u8 = 130;

/// Runs an interactive session until the user exits.
pub fn run(loaded: &Loaded, args: &TaskArgs) -> anyhow::Result<ExitCode> {
    let interactive = std::io::stdin().is_terminal();
    let mut repl = match Repl::start(loaded, args, interactive)? {
        Ok(repl) => repl,
        Err(code) => return Ok(code),
    };
    repl.print_banner();
    if interactive {
        run_terminal(&mut repl)
    } else {
        run_piped(&mut repl)
    }
}

/// Runs the prompt loop on a terminal. The first Ctrl+C on an empty line
/// prints a hint, and a second Ctrl+C or a Ctrl+D exits.
fn run_terminal(repl: &mut Repl<'_>) -> anyhow::Result<ExitCode> {
    let mut editor = LineEditor::new(repl.loaded.home.history_file())?;
    let mut exit_requested = false;
    loop {
        editor.set_model_ids(repl.model_ids());
        let (raw, styled) = repl.prompt();
        match editor.read(&raw, &styled)? {
            Input::Eof => break,
            Input::Interrupted if exit_requested => break,
            Input::Interrupted => {
                exit_requested = true;
                println!("{}", repl.style.dim("Press Ctrl+C again or Ctrl+D to exit"));
            }
            Input::Line(line) => {
                exit_requested = false;
                if line.trim().is_empty() {
                    continue;
                }
                editor.remember(&line);
                if handle_line(repl, &line) == Flow::Exit {
                    break;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads stdin to its end without prompts. A line ending in `\` continues
/// on the next one, as in the terminal editor. Ctrl+C while waiting for
/// input exits with status 130.
fn run_piped(repl: &mut Repl<'_>) -> anyhow::Result<ExitCode> {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
    // A detached thread, because a blocking stdin read cannot be cancelled.
    // It ends at end of input or when the receiver is gone.
    std::thread::spawn(move || {
        let mut pending = String::new();
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else {
                break;
            };
            pending.push_str(&line);
            if pending.ends_with('\\') {
                pending.push('\n');
                continue;
            }
            if sender.send(join_continued_lines(&pending)).is_err() {
                return;
            }
            pending.clear();
        }
        if !pending.is_empty() {
            let _ = sender.send(join_continued_lines(pending.trim_end_matches(['\\', '\n'])));
        }
    });

    loop {
        let runtime = &repl.loaded.runtime;
        let interrupts = &mut repl.interrupts;
        let next = runtime.block_on(async {
            tokio::select! {
                line = receiver.recv() => Ok(line),
                _ = interrupts.recv() => Err(()),
            }
        });
        let line = match next {
            Ok(Some(line)) => line,
            Ok(None) => return Ok(ExitCode::SUCCESS),
            Err(()) => return Ok(ExitCode::from(EXIT_INTERRUPTED)),
        };
        if line.trim().is_empty() {
            continue;
        }
        if handle_line(repl, &line) == Flow::Exit {
            return Ok(ExitCode::SUCCESS);
        }
    }
}

/// Runs a slash command, or sends the line to the model.
fn handle_line(repl: &mut Repl<'_>, line: &str) -> Flow {
    let trimmed = line.trim();
    if trimmed.starts_with('/') {
        return commands::dispatch(repl, trimmed);
    }
    turn::run(repl, line.trim_end());
    Flow::Continue
}
