//! One-shot mode through the real binary and the scripted fixture provider:
//! the tool loop, output channels, `--json`, exit codes, resume, retries
//! and cancellation.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use ouro_tests::TestHome;
use serde_json::{Value, json};

fn ouro(home: &TestHome) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ouro"));
    command
        .env("OURO_HOME", home.path())
        .env("NO_COLOR", "1")
        .env_remove("OURO_LOG")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null());
    command
}

fn run_task(home: &TestHome, args: &[&str]) -> Output {
    ouro(home).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn two_tool_script() -> Value {
    json!({"turns": [
        [{"text": "Looking."}, {"tool_call": {"id": "c1", "name": "list_files", "arguments": {"path": "src", "pattern": "*.rs"}}},
         {"usage": {"input": 100, "cached": 20, "output": 10}}, {"stop": "tool_calls"}],
        [{"tool_call": {"id": "c2", "name": "read_file", "arguments": {"path": "Cargo.toml", "end_line": 2}}},
         {"usage": {"input": 200, "output": 5}}, {"stop": "tool_calls"}],
        [{"text": "The crate "}, {"text": "is ouro."}, {"usage": {"input": 300, "cached": 100, "output": 20, "reasoning": 4}}, {"stop": "end_turn"}]
    ]})
}

#[test]
fn two_tool_calls_then_answer() {
    let home = TestHome::new();
    home.scripted(two_tool_script());
    let output = run_task(&home, &["--task", "what is this crate"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "The crate is ouro.\n");

    let stderr = text(&output.stderr);
    assert!(stderr.contains("→ list_files {\"path\":\"src\",\"pattern\":\"*.rs\"}"), "{stderr}");
    assert!(stderr.contains("→ read_file"), "{stderr}");
    assert!(stderr.contains("scripted/alpha · in 600 (cached 120) out 35 (reasoning 4)"), "{stderr}");

    let requests = home.scripted_requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0]["model"], "alpha");
    assert_eq!(requests[0]["instructions_present"], true);
    let tools: Vec<&str> = requests[0]["tools"].as_array().unwrap().iter().map(|tool| tool.as_str().unwrap()).collect();
    assert_eq!(tools, ["shell", "read_file", "write_file", "edit_file", "list_files", "grep"]);
    let last = requests[2]["messages"].as_array().unwrap();
    assert_eq!(last[0], json!({"user": [{"text": "what is this crate"}]}));
    assert_eq!(last[1], json!({"assistant": "Looking."}));
    assert_eq!(last[2]["tool_call"]["id"], "c1");
    assert_eq!(last[3]["tool_result"]["call_id"], "c1");
    assert_eq!(last[3]["tool_result"]["is_error"], false);
    assert!(last[3]["tool_result"]["output"].as_str().unwrap().contains("lib.rs"));
    assert_eq!(last[5]["tool_result"]["call_id"], "c2");
    assert!(last[5]["tool_result"]["output"].as_str().unwrap().contains("[package]"));
}

#[test]
fn json_output_follows_schema() {
    let home = TestHome::new();
    home.scripted(two_tool_script());
    let output = run_task(&home, &["--task", "hi", "--json"]);
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<Value> = text(&output.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    for line in &lines {
        assert!(line["type"].is_string(), "{line}");
    }
    // Deltas that arrive together may be merged into one event, so
    // consecutive text deltas count once.
    let mut types: Vec<&str> = lines.iter().map(|line| line["type"].as_str().unwrap()).collect();
    types.dedup_by(|next, previous| *next == "text_delta" && *previous == "text_delta");
    assert_eq!(
        types,
        ["text_delta", "usage", "tool_call", "tool_result", "usage", "tool_call", "tool_result", "text_delta", "usage", "done"]
    );
    let streamed: String = lines
        .iter()
        .filter(|line| line["type"] == "text_delta")
        .map(|line| line["text"].as_str().unwrap())
        .collect();
    assert_eq!(streamed, "Looking.The crate is ouro.");
    let done = lines.last().unwrap();
    assert_eq!(done["text"], "The crate is ouro.");
    assert_eq!(done["stop_reason"], "end_turn");
    assert_eq!(done["usage"], json!({"input_tokens": 600, "cached_input_tokens": 120, "output_tokens": 35, "reasoning_tokens": 4}));
    // alpha costs $1 in, $0.1 cached, $2 out per million tokens.
    let expected_cost = (480.0 * 1.0 + 120.0 * 0.1 + 35.0 * 2.0) / 1e6;
    assert!((done["cost_usd"].as_f64().unwrap() - expected_cost).abs() < 1e-12, "{done}");
    assert!(done["session_id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[test]
fn tool_error_returns_to_model() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [
        [{"tool_call": {"id": "c1", "name": "read_file", "arguments": {"path": "no/such/file.txt"}}}, {"stop": "tool_calls"}],
        [{"tool_call": {"id": "c2", "name": "edit_file", "arguments": {"path": "Cargo.toml", "old_string": "not present anywhere", "new_string": "x"}}}, {"stop": "tool_calls"}],
        [{"tool_call": {"id": "c3", "name": "no_such_tool", "arguments": {}}}, {"stop": "tool_calls"}],
        [{"text": "done"}, {"stop": "end_turn"}]
    ]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let messages = home.scripted_requests()[3]["messages"].as_array().unwrap().clone();
    let results: Vec<&Value> = messages.iter().filter_map(|message| message.get("tool_result")).collect();
    assert_eq!(results.len(), 3);
    for result in &results {
        assert_eq!(result["is_error"], true, "{result}");
    }
    assert!(results[0]["output"].as_str().unwrap().contains("no/such/file.txt"));
    assert!(results[2]["output"].as_str().unwrap().contains("no_such_tool"));
}

#[test]
fn repeated_call_gets_warning() {
    let home = TestHome::new();
    let call = json!({"tool_call": {"id": "c", "name": "list_files", "arguments": {"path": "src"}}});
    home.scripted(json!({"turns": [
        [call, {"stop": "tool_calls"}], [call, {"stop": "tool_calls"}], [call, {"stop": "tool_calls"}],
        [{"text": "ok"}, {"stop": "end_turn"}]
    ]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(0));
    let messages = home.scripted_requests()[3]["messages"].as_array().unwrap().clone();
    let results: Vec<&Value> = messages.iter().filter_map(|message| message.get("tool_result")).collect();
    assert_eq!(results[0]["is_error"], false);
    assert_eq!(results[1]["is_error"], false);
    assert_eq!(results[2]["is_error"], true);
    assert!(results[2]["output"].as_str().unwrap().contains("three times in a row"), "{}", results[2]);
}

#[test]
fn no_model_is_usage_error() {
    let home = TestHome::new();
    home.install("scripted");
    home.write_models("models: {}\n");
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("no model is configured; log in with `ouro --login`"), "{stderr}");
}

#[test]
fn unknown_model_is_usage_error() {
    let home = TestHome::new();
    home.scripted(two_tool_script());
    let output = run_task(&home, &["--task", "x", "--model", "scripted/gamma"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("model \"scripted/gamma\" is not in"));
}

#[test]
fn auth_required_exits_with_three() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [[{"fail_start": {"kind": "auth_required", "message": "token revoked"}}]]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: token revoked\nCheck the `api_key` of scripted/alpha in models.yaml.\n"),
        "{stderr}"
    );
}

#[test]
fn rate_limit_is_retried_then_fails() {
    let home = TestHome::new();
    let limited = json!([{"fail_start": {"kind": "rate_limited", "message": "slow down", "retry_after": 0}}]);
    home.scripted(json!({"turns": [limited, limited, limited, limited]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.matches("rate limited: slow down; retrying in 0 s").count(), 3, "{stderr}");
    assert_eq!(home.scripted_requests().len(), 4);
}

#[test]
fn transient_error_recovers_on_retry() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [
        [{"fail_start": {"kind": "rate_limited", "message": "busy", "retry_after": 0}}],
        [{"text": "fine"}, {"stop": "end_turn"}]
    ]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(text(&output.stdout), "fine\n");
}

#[test]
fn quota_exhausted_shows_reset() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [[{"fail_start": {"kind": "quota_exhausted", "message": "usage limit reached", "resets_at": 1_796_432_400u64}}]]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("usage limit reached; it resets at 2026-12-05 01:00 UTC (in "), "{stderr}");
}

#[test]
fn truncated_stream_keeps_text() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [[{"text": "partial answ"}, {"error": {"kind": "invalid_request", "message": "stream closed early"}}]]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("partial answ"), "{stderr}");
    assert!(stderr.contains("error: invalid request: stream closed early"), "{stderr}");
}

#[test]
fn resume_continues_latest_session() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [
        [{"text": "first answer"}, {"stop": "end_turn"}],
        [{"text": "second answer"}, {"stop": "end_turn"}]
    ]}));
    assert_eq!(run_task(&home, &["--task", "one"]).status.code(), Some(0));
    let output = run_task(&home, &["--resume", "--task", "two"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "second answer\n");
    let messages = home.scripted_requests()[1]["messages"].clone();
    assert_eq!(
        messages,
        json!([{"user": [{"text": "one"}]}, {"assistant": "first answer"}, {"user": [{"text": "two"}]}])
    );
    let sessions = std::fs::read_dir(home.path().join("sessions")).unwrap().count();
    assert_eq!(sessions, 1);
}

#[test]
fn resume_unknown_id_is_usage_error() {
    let home = TestHome::new();
    home.scripted(two_tool_script());
    let output = run_task(&home, &["--resume", "nope", "--task", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("session \"nope\" not found"));
}

#[test]
fn malformed_models_yaml_is_untouched() {
    let home = TestHome::new();
    home.install("scripted");
    let broken = "# mine\nmodels:\n  scripted/alpha:\n    timeout: [1, 2\n";
    let path = home.write_models(broken);
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("models.yaml:5:1: invalid YAML: while parsing a flow sequence"), "{stderr}");
    assert_eq!(std::fs::read_to_string(path).unwrap(), broken);
}

/// Starts a task, waits until stderr shows `marker`, then sends SIGINT.
fn interrupt_after(home: &TestHome, marker: &str) -> (Option<i32>, String, String) {
    let mut child = ouro(home)
        .args(["--task", "x"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut reader = BufReader::new(stderr);
    let mut seen = String::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if seen.contains(marker) {
            break;
        }
        line.clear();
    }
    assert!(seen.contains(marker), "never saw {marker:?}: {seen}");
    // SAFETY: kill(2) with a valid pid of our own child and SIGINT.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.code(), text(&output.stdout), seen + &rest)
}

#[test]
fn cancel_mid_tool_keeps_history() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [
        [{"tool_call": {"id": "c1", "name": "shell", "arguments": {"command": "echo started >&2; sleep 30"}}}, {"stop": "tool_calls"}],
        [{"text": "after"}, {"stop": "end_turn"}]
    ]}));
    let (code, _, stderr) = interrupt_after(&home, "→ shell");
    assert_eq!(code, Some(1), "{stderr}");
    let session_file = std::fs::read_dir(home.path().join("sessions")).unwrap().next().unwrap().unwrap().path();
    let session: Value = serde_json::from_str(&std::fs::read_to_string(session_file).unwrap()).unwrap();
    let items = session["items"].as_array().unwrap();
    assert_eq!(items[1]["type"], "tool_call");
    assert_eq!(items[2]["type"], "tool_result");
    assert_eq!(items[2]["is_error"], true);

    // The session goes on: resuming sends the consistent history.
    let output = run_task(&home, &["--resume", "--task", "again"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "after\n");
}

#[test]
fn cancel_mid_stream_keeps_partial_text() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [
        [{"text": "partial\n"}, {"sleep_ms": 20000}, {"text": "never"}, {"stop": "end_turn"}],
        [{"text": "next"}, {"stop": "end_turn"}]
    ]}));
    let (code, _, stderr) = interrupt_after(&home, "partial");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stderr.contains("never"));
    let output = run_task(&home, &["--resume", "--task", "again"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let messages = home.scripted_requests()[1]["messages"].clone();
    assert_eq!(
        messages,
        json!([{"user": [{"text": "x"}]}, {"assistant": "partial\n"}, {"user": [{"text": "again"}]}])
    );
}

#[test]
fn missing_models_yaml_gets_template() {
    use std::os::unix::fs::PermissionsExt;
    let home = TestHome::new();
    home.install("scripted");
    let output = ouro(&home).arg("models").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("No models configured in "));
    let path = home.path().join("models.yaml");
    let template = std::fs::read_to_string(&path).unwrap();
    assert!(template.starts_with('#'), "{template}");
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn max_turns_stop_is_explained() {
    let home = TestHome::new();
    home.scripted(two_tool_script());
    let output = run_task(&home, &["--task", "x", "--max-turns", "1"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Stopped after 1 model responses (--max-turns). Continue with `ouro --resume "), "{stderr}");
}

#[test]
fn invalid_arguments_are_usage_errors() {
    let home = TestHome::new();
    home.scripted(two_tool_script());
    for args in [
        &["--task", "  "][..],
        &["--task", "x", "--max-turns", "0"][..],
        &["--provider", "chatgpt"][..],
    ] {
        let output = run_task(&home, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output.stderr));
    }
    assert!(home.scripted_requests().is_empty());
}

#[test]
fn keyless_auth_error_points_to_settings() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [[{"fail_start": {"kind": "auth_required", "message": "bad key"}}]]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bad key\nCheck the `api_key` of scripted/alpha in models.yaml."), "{stderr}");
}

#[test]
fn read_only_calls_keep_their_order() {
    let home = TestHome::new();
    home.scripted(json!({"turns": [
        [{"tool_call": {"id": "a", "name": "grep", "arguments": {"pattern": "fn main", "path": "src"}}},
         {"tool_call": {"id": "b", "name": "read_file", "arguments": {"path": "Cargo.toml", "end_line": 1}}},
         {"stop": "tool_calls"}],
        [{"text": "done"}, {"stop": "end_turn"}]
    ]}));
    let output = run_task(&home, &["--task", "x"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let messages = home.scripted_requests()[1]["messages"].as_array().unwrap().clone();
    let order: Vec<String> = messages
        .iter()
        .filter_map(|message| {
            message
                .get("tool_call")
                .map(|call| format!("call {}", call["id"].as_str().unwrap()))
                .or_else(|| message.get("tool_result").map(|result| format!("result {}", result["call_id"].as_str().unwrap())))
        })
        .collect();
    assert_eq!(order, ["call a", "call b", "result a", "result b"]);
    let results: Vec<&Value> = messages.iter().filter_map(|message| message.get("tool_result")).collect();
    assert!(results[1]["output"].as_str().unwrap().contains("[package]"));
}
