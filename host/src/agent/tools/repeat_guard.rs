//! Detection of a tool call that repeats the previous ones exactly.

use serde_json::Value;

/// Number of identical calls in a row that triggers the warning.
const REPEAT_LIMIT: usize = 3;

/// Tracks the streak of identical consecutive tool calls.
///
/// Arguments are compared as parsed JSON, so whitespace and key order do not matter.
/// Arguments that are not valid JSON are compared as trimmed text.
#[derive(Debug, Default)]
pub struct RepeatGuard {
    last_call: Option<(String, Value)>,
    streak: usize,
}

impl RepeatGuard {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a call and returns a warning, to send to the model instead of running the
    /// tool, when this is at least the third identical call in a row. Any different call
    /// starts a new streak.
    pub fn check(&mut self, name: &str, arguments: &str) -> Option<String> {
        let arguments = serde_json::from_str::<Value>(arguments)
            .unwrap_or_else(|_| Value::String(arguments.trim().to_string()));

        let same_as_last = self
            .last_call
            .as_ref()
            .is_some_and(|(last_name, last_arguments)| {
                last_name == name && *last_arguments == arguments
            });
        if same_as_last {
            self.streak += 1;
        } else {
            self.last_call = Some((name.to_string(), arguments));
            self.streak = 1;
        }

        (self.streak >= REPEAT_LIMIT).then(|| {
            format!(
                "You called {name} with the same arguments three times in a row; the result \
                 will not change. Try a different approach."
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_guard_warns_on_third_call() {
        let mut guard = RepeatGuard::new();
        assert_eq!(guard.check("grep", r#"{"pattern": "foo"}"#), None);
        assert_eq!(guard.check("grep", r#"{"pattern": "foo"}"#), None);
        let warning = guard.check("grep", r#"{"pattern": "foo"}"#);
        assert_eq!(
            warning.as_deref(),
            Some(
                "You called grep with the same arguments three times in a row; the result will \
                 not change. Try a different approach."
            )
        );
    }

    #[test]
    fn repeat_guard_keeps_warning_after_third() {
        let mut guard = RepeatGuard::new();
        for _ in 0..3 {
            guard.check("shell", r#"{"command": "ls"}"#);
        }
        assert!(guard.check("shell", r#"{"command": "ls"}"#).is_some());
    }

    #[test]
    fn repeat_guard_ignores_json_whitespace() {
        let mut guard = RepeatGuard::new();
        assert_eq!(
            guard.check("read_file", r#"{"path":"a","start_line":1}"#),
            None
        );
        assert_eq!(
            guard.check("read_file", r#"{ "start_line": 1, "path": "a" }"#),
            None
        );
        assert!(
            guard
                .check("read_file", "{\n  \"path\": \"a\",\n  \"start_line\": 1\n}")
                .is_some()
        );
    }

    #[test]
    fn repeat_guard_resets_on_different_call() {
        let mut guard = RepeatGuard::new();
        guard.check("shell", r#"{"command": "ls"}"#);
        guard.check("shell", r#"{"command": "ls"}"#);
        assert_eq!(guard.check("shell", r#"{"command": "pwd"}"#), None);
        assert_eq!(guard.check("shell", r#"{"command": "ls"}"#), None);
        assert_eq!(guard.check("shell", r#"{"command": "ls"}"#), None);
        assert!(guard.check("shell", r#"{"command": "ls"}"#).is_some());
    }

    #[test]
    fn repeat_guard_distinguishes_tool_names() {
        let mut guard = RepeatGuard::new();
        guard.check("grep", r#"{"pattern": "x"}"#);
        guard.check("grep", r#"{"pattern": "x"}"#);
        assert_eq!(guard.check("list_files", r#"{"pattern": "x"}"#), None);
    }

    #[test]
    fn repeat_guard_compares_invalid_json_text() {
        let mut guard = RepeatGuard::new();
        guard.check("shell", "{not json");
        guard.check("shell", "{not json ");
        assert!(guard.check("shell", " {not json").is_some());
    }
}
