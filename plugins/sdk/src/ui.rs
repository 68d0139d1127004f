//! Terminal interaction through the host, which owns the terminal.

use crate::bindings::ouro::provider::ui as host;

pub use host::{AuthorizationCallback, Level, UiError};

/// Shows a line of text to the user.
pub fn show_message(level: Level, text: &str) {
    host::show_message(level, text);
}

/// Shows a device-authorization code and the page to enter it on.
pub fn show_device_code(verification_url: &str, user_code: &str) {
    host::show_device_code(verification_url, user_code);
}

/// Opens `url` in the browser; returns false when none could be opened.
pub fn open_browser(url: &str) -> bool {
    host::open_browser(url)
}

/// Asks the user for a line of text.
pub fn prompt(question: &str, secret: bool) -> Result<String, UiError> {
    host::prompt(question, secret)
}

/// Asks a yes/no question.
pub fn confirm(question: &str, default_yes: bool) -> Result<bool, UiError> {
    host::confirm(question, default_yes)
}

/// Starts a loopback listener for an OAuth redirect on the first free port
/// of `ports`, or any free port when all are taken.
pub fn listen_for_callback(ports: &[u16], path: &str) -> Result<AuthorizationCallback, UiError> {
    host::listen_for_callback(ports, path)
}
