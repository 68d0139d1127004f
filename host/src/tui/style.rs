//! Text styling for the interactive mode. Every SGR escape sequence the
//! mode prints comes from [`Style`], so `NO_COLOR` or output that is not a
//! terminal turns all of them off in one place.

use std::io::IsTerminal;

/// Whether to print colours and text attributes.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Enables styling when `NO_COLOR` is unset or empty (as no-color.org
    /// defines it) and both stdout and stderr are terminals.
    pub fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Self {
            color: !no_color && std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
        }
    }

    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }

    pub fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    pub fn cyan(self, text: &str) -> String {
        self.wrap("36", text)
    }

    /// Swapped foreground and background, for the selected picker row.
    pub fn reverse(self, text: &str) -> String {
        self.wrap("7", text)
    }

    /// Prints `message` as an error on stderr.
    pub fn print_error(self, message: &str) {
        eprintln!("{}", self.red(&format!("error: {message}")));
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}
