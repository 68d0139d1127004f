//! Browser login of the bundled ChatGPT plugin: the loopback callback with
//! a simulated browser, the paste fallback, a wrong `state`, and a
//! workspace without Codex.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use ouro_tests::mock_chatgpt::MockChatGpt;
use ouro_tests::{TestHome, http_get};

fn start_login(home: &TestHome, mock: &MockChatGpt) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ouro"))
        .args(["--login", "--provider", "chatgpt", "--method", "browser"])
        .env("OURO_HOME", home.path())
        .env("HOME", home.path())
        .env_remove("CODEX_HOME")
        .env("OURO_CHATGPT_ISSUER", mock.issuer())
        .env("OURO_CHATGPT_BASE_URL", mock.base_url())
        .env("OURO_NO_BROWSER", "1")
        .env("NO_COLOR", "1")
        .env_remove("OURO_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Reads stderr until the authorize URL appears and returns it.
fn authorize_url(child: &mut Child) -> (String, BufReader<std::process::ChildStderr>) {
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if let Some(url) = line.trim().strip_prefix("http").map(|rest| format!("http{rest}")) {
            if url.contains("/oauth/authorize?") {
                return (url, reader);
            }
        }
        line.clear();
    }
    panic!("the authorize URL was never shown");
}

fn finish(mut child: Child, mut stderr: BufReader<std::process::ChildStderr>) -> (Option<i32>, String, String) {
    drop(child.stdin.take());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned(), rest)
}

fn query_param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == key).then(|| value.to_owned())
    })
}

#[test]
fn browser_callback_completes_login() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    let mut child = start_login(&home, &mock);
    let (url, stderr) = authorize_url(&mut child);
    let redirect = mock.authorize(&url).expect("the authorize URL is valid");
    let (status, body) = http_get(&redirect);
    assert_eq!(status, 200);
    assert!(body.contains("Login complete."), "{body}");
    let (code, stdout, rest) = finish(child, stderr);
    assert_eq!(code, Some(0), "{rest}");
    assert!(stdout.contains("login completed."), "{stdout}");
    assert!(home.plugin_data("chatgpt").join("auth.json").exists());
}

#[test]
fn wrong_state_is_rejected() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    let mut child = start_login(&home, &mock);
    let (url, stderr) = authorize_url(&mut child);
    let redirect = mock.authorize(&url).unwrap();
    let state = query_param(&redirect, "state").unwrap();
    let forged = redirect.replace(&format!("state={state}"), "state=forged");
    let (status, body) = http_get(&forged);
    assert_eq!(status, 400);
    assert!(body.contains("State mismatch"), "{body}");
    // The genuine redirect still completes the login.
    assert_eq!(http_get(&redirect).0, 200);
    let (code, _, rest) = finish(child, stderr);
    assert_eq!(code, Some(0), "{rest}");
}

#[test]
fn pasted_redirect_completes_login() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    let mut child = start_login(&home, &mock);
    let (url, stderr) = authorize_url(&mut child);
    let redirect = mock.authorize(&url).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{redirect}").unwrap();
    let (code, stdout, rest) = finish(child, stderr);
    assert_eq!(code, Some(0), "{rest}");
    assert!(stdout.contains("login completed."), "{stdout}");
    drop(stdin);
}

#[test]
fn missing_entitlement_is_explained() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    mock.deny_entitlement();
    let mut child = start_login(&home, &mock);
    let (url, stderr) = authorize_url(&mut child);
    let redirect = mock.authorize(&url).unwrap();
    http_get(&redirect);
    let (code, _, rest) = finish(child, stderr);
    assert_eq!(code, Some(1), "{rest}");
    assert!(rest.contains("Codex is not enabled"), "{rest}");
    assert!(!home.plugin_data("chatgpt").join("auth.json").exists());
}
