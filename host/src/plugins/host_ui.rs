//! The `ui` import: the host owns the terminal, a plugin only says what to
//! show or ask. [`UserInterface`] is the seam between the two, so the CLI,
//! the REPL and tests can each supply their own.

use std::io::{BufRead, IsTerminal, Write};

use wasmtime::component::Resource;

use super::bindings::ouro::provider::ui::{Host, HostAuthorizationCallback, Level, UiError};
use super::sandbox::HostState;

pub use super::callback::CallbackListener;

/// Severity of a message shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageLevel {
    Info,
    Warning,
    Error,
}

/// Why an interaction produced no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UiFailure {
    #[error("cancelled by the user")]
    Cancelled,
    #[error("no terminal is attached to ask the user")]
    NotInteractive,
    #[error("{0}")]
    Failed(String),
}

/// Terminal interaction on behalf of plugins.
pub trait UserInterface: Send + Sync {
    fn show_message(&self, plugin: &str, level: MessageLevel, text: &str);
    fn show_device_code(&self, plugin: &str, verification_url: &str, user_code: &str);
    /// Opens `url` in a browser; false when none could be opened.
    fn open_browser(&self, url: &str) -> bool;
    fn prompt(&self, question: &str, secret: bool) -> Result<String, UiFailure>;
    fn confirm(&self, question: &str, default_yes: bool) -> Result<bool, UiFailure>;
    /// Lets the user finish a browser authorization: opens or shows
    /// `authorize_url`, then returns the redirect's query parameters from the
    /// listener or from text the user pastes.
    fn wait_for_redirect(
        &self,
        listener: &CallbackListener,
        authorize_url: &str,
        expected_state: &str,
    ) -> Result<Vec<(String, String)>, UiFailure>;
}

/// Plain terminal interaction on stderr and stdin. It never waits for
/// input when stdin is not a terminal, except for pasted redirects, which
/// can arrive on a pipe.
#[derive(Default)]
pub struct TerminalUi;

impl UserInterface for TerminalUi {
    fn show_message(&self, _plugin: &str, level: MessageLevel, text: &str) {
        clear_spinner_line();
        match level {
            MessageLevel::Info => eprintln!("{text}"),
            MessageLevel::Warning => eprintln!("warning: {text}"),
            MessageLevel::Error => eprintln!("error: {text}"),
        }
    }

    fn show_device_code(&self, _plugin: &str, verification_url: &str, user_code: &str) {
        clear_spinner_line();
        eprintln!("Open {verification_url} in a browser and enter the code {user_code}");
        eprintln!("(the code is valid for 15 minutes)");
    }

    fn open_browser(&self, url: &str) -> bool {
        open_in_browser(url)
    }

    fn prompt(&self, question: &str, _secret: bool) -> Result<String, UiFailure> {
        if !std::io::stdin().is_terminal() {
            return Err(UiFailure::NotInteractive);
        }
        eprint!("{question} ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) => Err(UiFailure::Cancelled),
            Ok(_) => Ok(line.trim().to_owned()),
            Err(error) => Err(UiFailure::Failed(error.to_string())),
        }
    }

    fn confirm(&self, question: &str, default_yes: bool) -> Result<bool, UiFailure> {
        let hint = if default_yes { "[Y/n]" } else { "[y/N]" };
        let answer = self.prompt(&format!("{question} {hint}"), false)?;
        Ok(match answer.to_ascii_lowercase().as_str() {
            "" => default_yes,
            "y" | "yes" => true,
            _ => false,
        })
    }

    fn wait_for_redirect(
        &self,
        listener: &CallbackListener,
        authorize_url: &str,
        expected_state: &str,
    ) -> Result<Vec<(String, String)>, UiFailure> {
        let opened = self.open_browser(authorize_url);
        if opened {
            eprintln!("Opened the browser to log in. If it did not open, visit:");
        } else {
            eprintln!("Open this URL in a browser to log in:");
        }
        eprintln!("  {authorize_url}");
        eprintln!(
            "Waiting for the browser to return to {}. On another machine, paste the URL \
             the browser ends on (or the code) here and press Enter.",
            listener.redirect_uri()
        );
        listener.wait(expected_state, true)
    }
}

/// Clears a spinner the CLI may be drawing on the current stderr line.
fn clear_spinner_line() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[2K");
    }
}

/// Opens `url` with the platform's opener unless `OURO_NO_BROWSER=1`.
pub fn open_in_browser(url: &str) -> bool {
    if std::env::var("OURO_NO_BROWSER").is_ok_and(|value| value == "1") {
        return false;
    }
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

impl From<UiFailure> for UiError {
    fn from(failure: UiFailure) -> Self {
        match failure {
            UiFailure::Cancelled => UiError::Cancelled,
            UiFailure::NotInteractive => UiError::NotInteractive,
            UiFailure::Failed(message) => UiError::Failed(message),
        }
    }
}

impl Host for HostState {
    fn show_message(&mut self, level: Level, text: String) {
        let level = match level {
            Level::Info => MessageLevel::Info,
            Level::Warning => MessageLevel::Warning,
            Level::Error => MessageLevel::Error,
        };
        self.ui.show_message(&self.identity.id, level, &text);
    }

    fn show_device_code(&mut self, verification_url: String, user_code: String) {
        self.ui.show_device_code(&self.identity.id, &verification_url, &user_code);
    }

    fn open_browser(&mut self, url: String) -> bool {
        self.ui.open_browser(&url)
    }

    fn prompt(&mut self, question: String, secret: bool) -> Result<String, UiError> {
        Ok(self.ui.prompt(&question, secret)?)
    }

    fn confirm(&mut self, question: String, default_yes: bool) -> Result<bool, UiError> {
        Ok(self.ui.confirm(&question, default_yes)?)
    }

    fn listen_for_callback(
        &mut self,
        ports: Vec<u16>,
        path: String,
    ) -> Result<Resource<CallbackListener>, UiError> {
        let listener = CallbackListener::bind(&ports, &path).map_err(UiError::from)?;
        self.table
            .push(listener)
            .map_err(|error| UiError::Failed(error.to_string()))
    }
}

impl HostAuthorizationCallback for HostState {
    fn redirect_uri(&mut self, listener: Resource<CallbackListener>) -> String {
        self.table
            .get(&listener)
            .map(CallbackListener::redirect_uri)
            .unwrap_or_default()
    }

    fn wait(
        &mut self,
        listener: Resource<CallbackListener>,
        authorize_url: String,
        expected_state: String,
    ) -> Result<Vec<(String, String)>, UiError> {
        let listener = self
            .table
            .get(&listener)
            .map_err(|error| UiError::Failed(error.to_string()))?;
        Ok(self
            .ui
            .wait_for_redirect(listener, &authorize_url, &expected_state)?)
    }

    fn drop(&mut self, listener: Resource<CallbackListener>) -> wasmtime::Result<()> {
        self.table.delete(listener)?;
        Ok(())
    }
}
