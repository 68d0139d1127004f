//! The interactive mode with stdin on a pipe: lines are messages and
//! commands, and end of input exits.

use serde_json::json;

use super::*;

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Writes an executable `$EDITOR` script that replaces the edited file
/// with `contents`.
fn editor_writing(home: &TestHome, contents: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = home.path().join("test-editor.sh");
    let script = format!("#!/bin/sh\ncat > \"$1\" <<'EOF'\n{contents}EOF\n");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[test]
fn piped_stdin_exits_at_end() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let output = run_piped(&home, &[], &[], "/help\n/exit\n");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("  /model edit    Edit models.yaml in $EDITOR and reload it\n"));

    let output = run_piped(&home, &[], &[], "/help\n");
    assert_eq!(output.status.code(), Some(0), "end of input without /exit");
}

#[test]
fn piped_model_lists_instead_of_picker() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let output = run_piped(&home, &[], &[], "/model\n/model scripted/beta\n");
    let text = stdout(&output);
    assert!(text.contains("scripted · ready (fixture)\n"), "{text}");
    assert!(
        text.contains("  * scripted/alpha  Alpha · 128k context · $1/$2 per 1M tokens in/out\n"),
        "{text}"
    );
    assert!(text.contains("Switch with /model <id>.\n"), "{text}");
    assert!(text.contains("Model: scripted/beta (Beta)\n"), "{text}");
    assert!(models_yaml(&home).ends_with("current: scripted/beta\n"));
}

#[test]
fn piped_turn_prints_answer_and_stats() {
    let home = home_with(Some(MODELS_YAML), json!([greeting_turn()]));
    let output = run_piped(&home, &[], &[], "hello\n/stats\n");
    let text = stdout(&output);
    assert!(text.contains("Hello there!\n"), "{text}");
    assert!(text.contains("Model     scripted/alpha (Alpha)\n"), "{text}");
    assert!(text.contains("Turns     1\n"), "{text}");
    assert!(
        text.contains("Tokens    in 100 (cached 40) · out 20 (reasoning 5)\n"),
        "{text}"
    );
    let progress = stderr(&output);
    assert!(
        progress.contains("Thinking about it."),
        "reasoning goes to stderr: {progress}"
    );
    assert!(
        progress.contains("scripted/alpha · in 100 (cached 40) out 20 (reasoning 5)"),
        "{progress}"
    );
}

#[test]
fn repl_plugins_matches_cli() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    home.install_bytes("garbage.wasm", b"not wasm");
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_ouro"))
        .arg("plugins")
        .env("OURO_HOME", home.path())
        .output()
        .unwrap();
    let expected = String::from_utf8(cli.stdout).unwrap();
    assert!(expected.contains("garbage.wasm"), "{expected}");

    let output = run_piped(&home, &[], &[], "/plugins\n");
    assert!(stdout(&output).contains(&expected), "{}", stdout(&output));
}

#[test]
fn model_edit_keeps_config_on_error() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let editor = editor_writing(&home, "models: [unclosed\n");
    let output = run_piped(&home, &[], &[("EDITOR", &editor)], "/model edit\n/stats\n");
    let errors = stderr(&output);
    assert!(errors.contains("invalid YAML"), "{errors}");
    assert!(errors.contains("The previous configuration stays in use."), "{errors}");
    assert!(
        stdout(&output).contains("Model     scripted/alpha (Alpha)\n"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn model_edit_reloads_valid_file() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let editor = editor_writing(&home, &format!("{MODELS_YAML}current: scripted/beta\n"));
    let output = run_piped(&home, &[], &[("EDITOR", &editor)], "/model edit\n");
    let text = stdout(&output);
    assert!(text.contains("Model: scripted/beta\n"), "{text}");
    assert!(text.contains("Reloaded "), "{text}");
}

#[test]
fn resume_continues_saved_session() {
    let home = home_with(Some(MODELS_YAML), json!([text_turn("First."), text_turn("Second.")]));
    let output = run_piped(&home, &[], &[], "remember this\n");
    assert!(stdout(&output).contains("First."), "{}", stderr(&output));

    let output = run_piped(&home, &["--resume"], &[], "and this\n");
    assert!(stdout(&output).contains(" (1 turn so far).\n"), "{}", stdout(&output));
    let requests = requests(&home);
    assert_eq!(user_texts(&requests[1]), ["remember this", "and this"]);
    assert_eq!(session_files(&home).len(), 1);
}

#[test]
fn setup_mode_answers_plain_message() {
    let home = home_with(None, json!([]));
    let output = run_piped(&home, &[], &[], "hello\n");
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert_eq!(text.matches("No model is configured yet.").count(), 2, "{text}");
    assert!(text.contains("  /login        log in to a provider"), "{text}");
}
