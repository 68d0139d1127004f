//! The line editor for a terminal: rustyline with history in
//! `$OURO_HOME/history`, multi-line input and Tab completion of slash
//! commands and model ids.
//!
//! Keys beyond rustyline's Emacs defaults: Alt+Enter inserts a newline, a
//! line ending in `\` continues on the next line, and Ctrl+C clears a
//! non-empty line (Ctrl+Y brings it back) or, on an empty line, returns
//! [`Input::Interrupted`].

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, CompletionType, ConditionalEventHandler, Config, Context, Editor, Event, EventContext, EventHandler, Helper,
    KeyCode, KeyEvent, Modifiers, Movement, RepeatCount,
};

use super::commands::COMMAND_NAMES;
use crate::config::paths::create_private_dir;

/// Entries kept in the history file.
const HISTORY_SIZE: usize = 1000;

/// User input from one prompt.
pub enum Input {
    /// A submitted line, with continuation backslashes removed.
    Line(String),
    /// Ctrl+C on an empty line.
    Interrupted,
    /// Ctrl+D on an empty line.
    Eof,
}

/// A rustyline editor with ouro's completion, key bindings and history.
pub struct LineEditor {
    editor: Editor<ReplHelper, FileHistory>,
    history_path: PathBuf,
}

impl LineEditor {
    /// Creates the editor and loads the history from `history_path`,
    /// creating that file with mode 0600 because typed messages can
    /// contain secrets.
    pub fn new(history_path: PathBuf) -> anyhow::Result<Self> {
        let config = Config::builder()
            .max_history_size(HISTORY_SIZE)?
            .history_ignore_dups(true)?
            .history_ignore_space(true)
            .auto_add_history(false)
            .completion_type(CompletionType::List)
            .build();
        let mut editor: Editor<ReplHelper, FileHistory> = Editor::with_config(config)?;
        editor.set_helper(Some(ReplHelper::default()));
        editor.bind_sequence(
            KeyEvent(KeyCode::Enter, Modifiers::ALT),
            EventHandler::Simple(Cmd::Newline),
        );
        editor.bind_sequence(
            KeyEvent::ctrl('C'),
            EventHandler::Conditional(Box::new(InterruptHandler)),
        );

        if let Err(error) = prepare_history_file(&history_path) {
            tracing::warn!(
                path = %history_path.display(),
                %error,
                "failed to create the history file, so history is not saved"
            );
        }
        if let Err(error) = editor.load_history(&history_path) {
            tracing::warn!(path = %history_path.display(), %error, "failed to read the history file");
        }
        Ok(Self { editor, history_path })
    }

    /// Sets the model ids that `/model <Tab>` completes.
    pub fn set_model_ids(&mut self, ids: Vec<String>) {
        if let Some(helper) = self.editor.helper_mut() {
            helper.model_ids = ids;
        }
    }

    /// Reads one input. `styled` is `raw` with escape sequences, shown
    /// when rustyline shows colours.
    pub fn read(&mut self, raw: &str, styled: &str) -> anyhow::Result<Input> {
        match self.editor.readline(&(raw, styled)) {
            Ok(line) => Ok(Input::Line(join_continued_lines(&line))),
            Err(ReadlineError::Interrupted) => Ok(Input::Interrupted),
            Err(ReadlineError::Eof) => Ok(Input::Eof),
            Err(error) => Err(error.into()),
        }
    }

    /// Adds `line` to the history and appends it to the history file at
    /// once, so a crash or a second ouro process loses nothing.
    pub fn remember(&mut self, line: &str) {
        if !matches!(self.editor.add_history_entry(line), Ok(true)) {
            return;
        }
        if let Err(error) = self.editor.append_history(&self.history_path) {
            tracing::warn!(path = %self.history_path.display(), %error, "failed to write the history file");
        }
    }
}

/// Removes the `\` that ends each continued line.
pub fn join_continued_lines(text: &str) -> String {
    text.replace("\\\n", "\n")
}

fn prepare_history_file(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent()
        && !parent.exists()
    {
        create_private_dir(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    file.flush()
}

/// Handles Ctrl+C: clears a line that has text, and interrupts on an
/// empty line.
struct InterruptHandler;

impl ConditionalEventHandler for InterruptHandler {
    fn handle(&self, _event: &Event, _count: RepeatCount, _positive: bool, context: &EventContext) -> Option<Cmd> {
        if context.line().is_empty() {
            Some(Cmd::Interrupt)
        } else {
            Some(Cmd::Kill(Movement::WholeBuffer))
        }
    }
}

#[derive(Default)]
struct ReplHelper {
    model_ids: Vec<String>,
}

impl Helper for ReplHelper {}
impl Highlighter for ReplHelper {}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Validator for ReplHelper {
    /// Marks a line ending in `\` as incomplete, so Enter inserts a newline.
    fn validate(&self, context: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        if context.input().ends_with('\\') {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    /// Completes a command name at the start of the line, and `edit` or a
    /// model id after `/model `.
    fn complete(&self, line: &str, position: usize, _context: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..position];
        if !before.starts_with('/') {
            return Ok((position, Vec::new()));
        }
        let pairs = |candidates: &mut dyn Iterator<Item = &str>, prefix: &str| -> Vec<Pair> {
            candidates
                .filter(|candidate| candidate.starts_with(prefix))
                .map(|candidate| Pair {
                    display: candidate.to_owned(),
                    replacement: candidate.to_owned(),
                })
                .collect()
        };
        match before.split_once(' ') {
            None => Ok((0, pairs(&mut COMMAND_NAMES.iter().copied(), before))),
            Some(("/model", argument)) if !argument.contains(' ') => {
                let mut candidates = std::iter::once("edit").chain(self.model_ids.iter().map(String::as_str));
                Ok(("/model ".len(), pairs(&mut candidates, argument)))
            }
            Some(_) => Ok((position, Vec::new())),
        }
    }
}
