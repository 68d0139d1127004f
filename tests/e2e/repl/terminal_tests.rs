//! The interactive mode on a pseudo-terminal: keys in, screens out.

use serde_json::json;

use super::snapshot::{assert_snapshot, normalize};
use super::terminal::Terminal;
use super::*;

const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
const ESCAPE: &str = "\x1b";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";
const ALT_ENTER: &str = "\x1b\r";

/// Starts ouro on a terminal in `home` and waits for the first prompt.
fn start(home: &TestHome, prompt: &str) -> Terminal {
    start_with(home, &[], prompt)
}

fn start_with(home: &TestHome, env: &[(&str, &str)], prompt: &str) -> Terminal {
    let terminal = Terminal::spawn(home.path(), &[], env);
    terminal.wait_for_prompt(prompt);
    terminal
}

#[test]
fn help_lists_every_command() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let mut terminal = start(&home, ALPHA_PROMPT);
    terminal.line("/help");
    terminal.wait_for("Ctrl+D exits.");
    let screen = terminal.wait_for_prompt(ALPHA_PROMPT);
    assert_snapshot("help", &normalize(&screen, home.path()));

    terminal.send(CTRL_D);
    assert_eq!(terminal.wait_exit(), 0);
}

#[test]
fn turn_streams_reasoning_and_status() {
    let home = home_with(Some(MODELS_YAML), json!([greeting_turn()]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.line("hello");
    terminal.wait_for("session in 100 out 20");
    let screen = terminal.wait_for_prompt(ALPHA_PROMPT);
    assert_snapshot("turn", &normalize(&screen, home.path()));
    assert_eq!(session_files(&home).len(), 1, "the session is saved after the turn");
}

#[test]
fn picker_arrow_keys_switch_model() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.line("/model");
    terminal.wait_for("> * scripted/alpha");
    terminal.send(DOWN);
    let screen = terminal.wait_for(">   scripted/beta");
    assert_snapshot("model_picker", &normalize(&screen, home.path()));

    terminal.send("\r");
    terminal.wait_for("Model: scripted/beta (Beta)");
    terminal.wait_for_prompt("scripted/beta ›");
    assert!(
        models_yaml(&home).contains("current: scripted/beta\n"),
        "{}",
        models_yaml(&home)
    );
}

#[test]
fn picker_typing_filters_rows() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.line("/model");
    terminal.wait_for("> * scripted/alpha");
    terminal.send("bet");
    let screen = terminal.wait_until("the filtered picker", |screen| {
        screen.contains("Filter: bet") && screen.contains(">   scripted/beta") && !screen.contains("* scripted/alpha")
    });
    assert_snapshot("model_picker_filtered", &normalize(&screen, home.path()));

    terminal.send("\r");
    terminal.wait_for_prompt("scripted/beta ›");
    assert!(models_yaml(&home).contains("current: scripted/beta\n"));
}

#[test]
fn picker_escape_keeps_model() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.line("/model");
    terminal.wait_for("> * scripted/alpha");
    terminal.send(DOWN);
    terminal.wait_for(">   scripted/beta");
    terminal.send(ESCAPE);
    let screen = terminal.wait_for("Cancelled; the model stays scripted/alpha.");
    assert!(!screen.contains("Filter:"), "the picker is erased:\n{screen}");
    terminal.wait_for_prompt(ALPHA_PROMPT);
    assert_eq!(models_yaml(&home), MODELS_YAML);
}

#[test]
fn ctrl_c_cancels_streaming_turn() {
    // Many short pauses, so the test also passes with a plugin that sleeps
    // through WASI, which cannot be interrupted.
    let mut slow = vec![json!({"text": "Counting: 1"})];
    slow.extend(std::iter::repeat_n(json!({"sleep_ms": 100}), 300));
    slow.push(json!({"text": " never shown"}));
    slow.push(json!({"stop": "end_turn"}));
    let home = home_with(Some(MODELS_YAML), json!([slow, text_turn("Second answer.")]));
    let terminal = start(&home, ALPHA_PROMPT);

    terminal.line("count slowly");
    terminal.wait_for("Counting: 1");
    terminal.send(CTRL_C);
    terminal.wait_for("Cancelled.");
    terminal.wait_for_prompt(ALPHA_PROMPT);

    terminal.line("and now?");
    let screen = terminal.wait_for("Second answer.");
    assert!(!screen.contains("never shown"), "{screen}");
    terminal.wait_for_prompt(ALPHA_PROMPT);

    let requests = requests(&home);
    assert_eq!(requests.len(), 2);
    assert_eq!(user_texts(&requests[1]), ["count slowly", "and now?"]);
    assert_eq!(requests[0]["session_id"], requests[1]["session_id"]);
    let saved = session_files(&home);
    assert_eq!(saved.len(), 1);
    let session: Value = serde_json::from_str(&std::fs::read_to_string(&saved[0]).unwrap()).unwrap();
    let users = session["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "user")
        .count();
    assert_eq!(users, 2, "{session}");
}

#[test]
fn ctrl_c_then_ctrl_d_exits() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let mut terminal = start(&home, ALPHA_PROMPT);
    terminal.send(CTRL_C);
    terminal.wait_for("Press Ctrl+C again or Ctrl+D to exit");
    terminal.wait_for_prompt(ALPHA_PROMPT);
    terminal.send(CTRL_D);
    assert_eq!(terminal.wait_exit(), 0);
}

#[test]
fn second_ctrl_c_exits() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let mut terminal = start(&home, ALPHA_PROMPT);
    terminal.send("typed text");
    terminal.wait_for("› typed text");
    terminal.send(CTRL_C);
    let screen = terminal.wait_for_prompt(ALPHA_PROMPT);
    assert!(
        !screen.contains("Press Ctrl+C again"),
        "Ctrl+C first clears the line:\n{screen}"
    );
    terminal.send(CTRL_C);
    terminal.wait_for("Press Ctrl+C again or Ctrl+D to exit");
    terminal.send(CTRL_C);
    assert_eq!(terminal.wait_exit(), 0);
}

#[test]
fn unknown_command_suggests_nearest() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.line("/foo");
    terminal.wait_for("Unknown command /foo. Did you mean /model?");
    terminal.line("/hlep");
    terminal.wait_for("Unknown command /hlep. Did you mean /help?");
    terminal.line("/model bta");
    terminal.wait_for("Unknown model bta. Did you mean scripted/beta?");
    let screen = terminal.wait_for_prompt(ALPHA_PROMPT);
    assert_snapshot("unknown_command", &normalize(&screen, home.path()));
}

#[test]
fn setup_mode_without_models() {
    let home = home_with(None, json!([]));
    let terminal = start(&home, "setup ›");
    terminal.line("hello");
    terminal.wait_until("the setup help twice", |screen| {
        screen.matches("No model is configured yet.").count() == 2
    });
    terminal.line("/model");
    terminal.wait_for("No models are configured in");
    let screen = terminal.wait_for_prompt("setup ›");
    assert_snapshot("setup_mode", &normalize(&screen, home.path()));
    assert!(requests(&home).is_empty(), "no request reaches a provider");
}

#[test]
fn tab_completes_command_names() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.send("/he\t");
    terminal.wait_for("› /help");
    terminal.send("\r");
    terminal.wait_for("Commands:");
}

#[test]
fn multi_line_input_reaches_model() {
    let home = home_with(Some(MODELS_YAML), json!([text_turn("First."), text_turn("Second.")]));
    let terminal = start(&home, ALPHA_PROMPT);
    terminal.send("first line\\\r");
    terminal.wait_for("first line\\");
    terminal.line("second line");
    terminal.wait_for("First.");
    terminal.wait_for_prompt(ALPHA_PROMPT);
    terminal.send(&format!("one{ALT_ENTER}"));
    terminal.line("two");
    terminal.wait_for("Second.");
    terminal.wait_for_prompt(ALPHA_PROMPT);

    let requests = requests(&home);
    assert_eq!(user_texts(&requests[1]), ["first line\nsecond line", "one\ntwo"]);
}

#[test]
fn history_persists_across_sessions() {
    let home = home_with(Some(MODELS_YAML), json!([]));
    let mut first = start(&home, ALPHA_PROMPT);
    first.line("/stats");
    first.wait_for("Turns     0");
    first.send(CTRL_D);
    assert_eq!(first.wait_exit(), 0);

    let history = home.path().join("history");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&history).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    assert!(std::fs::read_to_string(&history).unwrap().contains("/stats"));

    let second = start(&home, ALPHA_PROMPT);
    second.send(UP);
    second.wait_for(&format!("{ALPHA_PROMPT} /stats"));
}

#[test]
fn no_color_disables_all_styling() {
    let home = home_with(Some(MODELS_YAML), json!([greeting_turn(), greeting_turn()]));
    let plain = start_with(&home, &[("NO_COLOR", "1")], ALPHA_PROMPT);
    plain.line("hello");
    plain.wait_for("session in 100 out 20");
    plain.wait_for_prompt(ALPHA_PROMPT);
    let transcript = String::from_utf8_lossy(&plain.transcript()).into_owned();
    let style = regex::Regex::new(r"\x1b\[[0-9;]*m").unwrap();
    let found: Vec<&str> = style.find_iter(&transcript).map(|found| found.as_str()).collect();
    assert!(found.is_empty(), "NO_COLOR output has style sequences {found:?}");

    let styled = start(&home, ALPHA_PROMPT);
    styled.line("hello");
    styled.wait_for("Hello there!");
    styled.wait_for_prompt(ALPHA_PROMPT);
    let transcript = String::from_utf8_lossy(&styled.transcript()).into_owned();
    assert!(
        transcript.contains("\x1b[2m"),
        "without NO_COLOR the reasoning is dimmed"
    );
}
