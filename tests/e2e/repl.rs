//! Interactive mode through the real binary: on a pseudo-terminal read
//! through a screen emulator (`terminal_tests`), and with piped stdin
//! (`piped_tests`). The scripted fixture plugin plays the model.

mod login_tests;
mod piped_tests;
mod snapshot;
mod terminal;
mod terminal_tests;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use ouro_tests::TestHome;
use serde_json::{Value, json};

/// Two models of the scripted provider, with alpha as the default.
const MODELS_YAML: &str = "models:\n  scripted/alpha: {}\n  scripted/beta: {}\ndefault: scripted/alpha\n";

/// The prompt with the default model, as the screen shows it.
const ALPHA_PROMPT: &str = "scripted/alpha ›";

/// Creates a home with the scripted plugin, `models` as models.yaml (none: ouro
/// writes its template) and `turns` as the script.
fn home_with(models: Option<&str>, turns: Value) -> TestHome {
    let home = TestHome::new();
    home.install("scripted");
    if let Some(models) = models {
        std::fs::write(home.path().join("models.yaml"), models).unwrap();
    }
    let data = home.plugin_data("scripted");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("script.json"), json!({ "turns": turns }).to_string()).unwrap();
    home
}

/// Returns one model response with reasoning, two text deltas and usage.
fn greeting_turn() -> Value {
    json!([
        {"reasoning": "Thinking about it."},
        {"text": "Hello "},
        {"text": "there!"},
        {"usage": {"input": 100, "cached": 40, "output": 20, "reasoning": 5}},
        {"stop": "end_turn"}
    ])
}

/// Returns a model response with `text` only.
fn text_turn(text: &str) -> Value {
    json!([{"text": text}, {"usage": {"input": 10, "output": 2}}, {"stop": "end_turn"}])
}

/// Reads the requests the scripted plugin received, oldest first.
fn requests(home: &TestHome) -> Vec<Value> {
    let path = home.plugin_data("scripted").join("requests.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// Returns the user messages of one recorded request, in order.
fn user_texts(request: &Value) -> Vec<String> {
    request["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|message| message["user"][0]["text"].as_str().map(str::to_owned))
        .collect()
}

fn models_yaml(home: &TestHome) -> String {
    std::fs::read_to_string(home.path().join("models.yaml")).unwrap()
}

/// Lists the saved session files.
fn session_files(home: &TestHome) -> Vec<PathBuf> {
    match std::fs::read_dir(home.path().join("sessions")) {
        Ok(entries) => entries.map(|entry| entry.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Runs `ouro args…` with `input` on a pipe as stdin and returns its
/// output. Fails the test if ouro is still running after the hang guard.
fn run_piped(home: &TestHome, args: &[&str], env: &[(&str, &str)], input: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ouro"));
    command
        .args(args)
        .env("OURO_HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("OURO_LOG")
        .envs(env.iter().copied())
        .current_dir(home.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let deadline = Instant::now() + terminal::HANG_GUARD;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() >= deadline {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "ouro did not exit after reading stdin to its end; stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}
