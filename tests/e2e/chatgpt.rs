//! The bundled ChatGPT plugin through the real binary against the mock
//! issuer and backend: login, models.yaml entries, completions, refresh,
//! logout and the errors a user can see.

use std::process::{Command, Output, Stdio};

use ouro_tests::TestHome;
use ouro_tests::mock_chatgpt::MockChatGpt;
use serde_json::{Value, json};

/// A user's own models.yaml content, which login and logout must keep.
const USER_MODELS: &str = "# my models\nmodels:\n  # local model\n  scripted/alpha:\n    timeout: 30\n";

pub(crate) struct Setup {
    pub(crate) home: TestHome,
    pub(crate) mock: MockChatGpt,
}

impl Setup {
    pub(crate) fn new() -> Self {
        let home = TestHome::new();
        home.write_models(USER_MODELS);
        let mock = MockChatGpt::start();
        mock.set_account("acct-123", "user@example.com", "plus");
        Self { home, mock }
    }

    pub(crate) fn ouro(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ouro"));
        command
            .env("OURO_HOME", self.home.path())
            .env("HOME", self.home.path())
            .env_remove("CODEX_HOME")
            .env("OURO_CHATGPT_ISSUER", self.mock.issuer())
            .env("OURO_CHATGPT_BASE_URL", self.mock.base_url())
            .env("OURO_NO_BROWSER", "1")
            .env("NO_COLOR", "1")
            .env_remove("OURO_LOG")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null());
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.ouro().args(args).output().unwrap()
    }

    pub(crate) fn login(&self) -> Output {
        let output = self.run(&["--login", "--provider", "chatgpt", "--method", "device"]);
        assert_eq!(output.status.code(), Some(0), "login failed: {}", text(&output.stderr));
        output
    }

    pub(crate) fn auth_file(&self) -> std::path::PathBuf {
        self.home.plugin_data("chatgpt").join("auth.json")
    }

    pub(crate) fn models_yaml(&self) -> String {
        std::fs::read_to_string(self.home.path().join("models.yaml")).unwrap()
    }

    pub(crate) fn task(&self, task: &str) -> Output {
        self.run(&["--task", task, "--model", "chatgpt/gpt-5.6-sol"])
    }
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn catalog_ids() -> Vec<String> {
    let catalog: Value = serde_json::from_str(include_str!("../../plugins/chatgpt/catalog.json")).unwrap();
    catalog["models"].as_array().unwrap().iter().map(|model| model["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn device_login_adds_managed_models() {
    let setup = Setup::new();
    let output = setup.login();
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&format!("{}/codex/device", setup.mock.issuer())), "{stderr}");
    assert!(stderr.contains(&setup.mock.user_code()), "{stderr}");
    assert!(stdout.contains("ChatGPT Plus/Pro (Codex subscription) login completed.\n"), "{stdout}");
    assert!(stdout.contains("Account: user@example.com (plus plan)\n"), "{stdout}");
    let models_path = setup.home.path().join("models.yaml");
    assert!(
        stdout.contains(&format!("Added {} models to {}.\n", catalog_ids().len(), models_path.display())),
        "{stdout}"
    );

    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(setup.auth_file()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let auth: Value = serde_json::from_str(&std::fs::read_to_string(setup.auth_file()).unwrap()).unwrap();
    for field in ["access_token", "refresh_token", "id_token", "account_id", "expires_at"] {
        assert!(!auth[field].is_null(), "auth.json lacks {field}: {auth}");
    }
    assert_eq!(auth["account_id"], "acct-123");

    let yaml = setup.models_yaml();
    assert!(yaml.starts_with(USER_MODELS), "{yaml}");
    for id in catalog_ids() {
        assert!(yaml.contains(&format!("chatgpt/{id}:")), "{id} missing in {yaml}");
    }
    assert!(yaml.contains("oauth_managed: true"));
    assert!(yaml.contains("oauth_provider: chatgpt"));

    let models = setup.run(&["models"]);
    let listing = text(&models.stdout);
    assert!(listing.contains("chatgpt · logged in as user@example.com"), "{listing}");
    assert!(listing.contains("chatgpt/gpt-5.6-sol"), "{listing}");
}

#[test]
fn task_streams_text_from_backend() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_stream(MockChatGpt::text_stream("Hello from the Codex mock."));
    let output = setup.task("say hello");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "Hello from the Codex mock.\n");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("API-equivalent cost"), "{stderr}");

    let request = setup.mock.requests().into_iter().rfind(|request| request.path.ends_with("/codex/responses")).unwrap();
    assert_eq!(request.header("chatgpt-account-id"), Some("acct-123"));
    assert_eq!(request.header("originator"), Some("ouro"));
    let agent = request.header("user-agent").unwrap();
    assert!(agent.starts_with(&format!("ouro/0.1.0 ({} ", std::env::consts::OS)), "{agent}");
    assert!(agent.ends_with(&format!("; {})", std::env::consts::ARCH)), "{agent}");
    let body = request.json();
    assert_eq!(body["model"], "gpt-5.6-sol");
    assert_eq!(body["store"], false);
    assert_eq!(body["stream"], true);
    assert!(body["instructions"].as_str().is_some_and(|instructions| !instructions.is_empty()));
    assert_eq!(body["prompt_cache_key"], request.header("session_id").unwrap());
}

#[test]
fn tool_call_round_trip() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_stream(MockChatGpt::tool_call_stream("call_1", "read_file", "{\"path\":\"Cargo.toml\",\"end_line\":1}"));
    setup.mock.push_stream(MockChatGpt::text_stream("It is a Cargo manifest."));
    let output = setup.task("what is Cargo.toml");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "It is a Cargo manifest.\n");
    let requests: Vec<_> = setup
        .mock
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with("/codex/responses"))
        .collect();
    assert_eq!(requests.len(), 2);
    let input = requests[1].json()["input"].clone();
    let items = input.as_array().unwrap();
    let call = items.iter().find(|item| item["type"] == "function_call").expect("function_call sent back");
    assert_eq!(call["call_id"], "call_1");
    let result = items.iter().find(|item| item["type"] == "function_call_output").expect("tool output sent");
    assert_eq!(result["call_id"], "call_1");
    assert!(result["output"].as_str().unwrap().contains("[package]"));
}

#[test]
fn expired_token_is_refreshed() {
    let setup = Setup::new();
    setup.mock.set_access_token_ttl(-30);
    setup.login();
    setup.mock.set_access_token_ttl(3600);
    let refreshes_before = setup.mock.count("/oauth/token");
    setup.mock.push_stream(MockChatGpt::text_stream("fresh"));
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "fresh\n");
    assert_eq!(setup.mock.count("/oauth/token"), refreshes_before + 1);
}

#[test]
fn concurrent_refresh_both_succeed() {
    let setup = Setup::new();
    setup.mock.set_access_token_ttl(-30);
    setup.login();
    setup.mock.set_access_token_ttl(3600);
    let refreshes_before = setup.mock.count("/oauth/token");
    setup.mock.push_stream(MockChatGpt::text_stream("one"));
    setup.mock.push_stream(MockChatGpt::text_stream("two"));
    let spawn = || {
        setup
            .ouro()
            .args(["--task", "hi", "--model", "chatgpt/gpt-5.6-sol"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (first, second) = (spawn(), spawn());
    for child in [first, second] {
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    }
    // The second process found the tokens the first one refreshed.
    assert_eq!(setup.mock.count("/oauth/token"), refreshes_before + 1);
}

#[test]
fn logout_removes_only_managed_state() {
    let setup = Setup::new();
    setup.login();
    let output = setup.run(&["--logout", "--provider", "chatgpt"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("Logged out of ChatGPT Plus/Pro (Codex subscription); removed its credentials."), "{stdout}");
    assert!(!setup.auth_file().exists());
    // Login set the empty `default` to a ChatGPT model; logout points it at
    // the remaining user entry and changes nothing else.
    assert_eq!(setup.models_yaml(), format!("{USER_MODELS}default: scripted/alpha\n"));

    let again = setup.run(&["--logout"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(text(&again.stdout).contains("You are not logged in to any provider. Log in with `ouro --login` (or /login in a session)."));
}

#[test]
fn login_without_terminal_lists_providers() {
    let setup = Setup::new();
    let output = setup.run(&["--login"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("error: no terminal to choose a provider; pass --provider with one of: chatgpt"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn status_shows_account_and_plan() {
    let setup = Setup::new();
    let before = text(&setup.run(&["status"]).stdout);
    assert!(before.contains("not logged in; run `ouro --login --provider chatgpt`"), "{before}");
    setup.login();
    setup.mock.set_rate_limit_headers(42.0, 300, 1_900_000_000);
    setup.mock.push_stream(MockChatGpt::text_stream("ok"));
    assert_eq!(setup.task("hi").status.code(), Some(0));
    let after = text(&setup.run(&["status"]).stdout);
    assert!(after.contains("logged in as user@example.com"), "{after}");
    assert!(after.contains("plan: plus"), "{after}");
    assert!(after.contains("account: acct-123"), "{after}");
    assert!(after.contains("plan usage (primary): 42% used, resets at 2030-03-17"), "{after}");
}

#[test]
fn task_without_login_needs_login() {
    let setup = Setup::new();
    setup.home.write_models("models:\n  chatgpt/gpt-5.6-sol: {}\n");
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("ouro --login --provider chatgpt"), "{}", text(&output.stderr));
}

#[test]
fn usage_limit_shows_reset_time() {
    let setup = Setup::new();
    setup.login();
    setup.mock.usage_limit_error(1_900_000_000);
    let output = setup.task("hi");
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("resets at 2030-03-17"), "{stderr}");
    let _ = json!({});
}

#[test]
fn ctrl_c_cancels_login_cleanly() {
    use std::io::{BufRead, BufReader};
    let setup = Setup::new();
    setup.mock.device_pending_polls(10_000);
    let mut child = setup
        .ouro()
        .args(["--login", "--provider", "chatgpt", "--method", "device"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        seen.push_str(&line);
        if line.contains(&setup.mock.user_code()) {
            break;
        }
        line.clear();
    }
    // SAFETY: kill(2) with our own child's pid and SIGINT.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{seen}{rest}");
    assert!(rest.contains("Login cancelled."), "{rest}");
    let leftovers: Vec<String> = std::fs::read_dir(setup.home.plugin_data("chatgpt"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| !name.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(setup.models_yaml(), USER_MODELS);
}

#[test]
fn codex_login_not_imported_without_yes() {
    let setup = Setup::new();
    let codex = setup.home.path().join(".codex");
    std::fs::create_dir_all(&codex).unwrap();
    let tokens = setup.mock.issue_tokens(Some("ouro"));
    let codex_file = json!({"tokens": {
        "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
        "id_token": tokens["id_token"], "account_id": "acct-123"}, "last_refresh": "2026-12-01T00:00:00Z"});
    std::fs::write(codex.join("auth.json"), codex_file.to_string()).unwrap();
    // Without a terminal nobody can say yes, so ouro runs the normal login.
    setup.login();
    assert!(setup.mock.count("/api/accounts/deviceauth/usercode") == 1);
}

#[test]
fn verbose_log_has_no_secrets() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_stream(MockChatGpt::text_stream("logged"));
    let output = setup.run(&["--task", "secret prompt words", "--model", "chatgpt/gpt-5.6-sol", "-v"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let logs = setup.home.path().join("logs");
    let file = std::fs::read_dir(&logs).unwrap().next().expect("a log file").unwrap().path();
    let log = std::fs::read_to_string(file).unwrap();
    assert!(log.contains("HTTP request"), "{log}");
    let auth: Value = serde_json::from_str(&std::fs::read_to_string(setup.auth_file()).unwrap()).unwrap();
    for field in ["access_token", "refresh_token", "id_token"] {
        let secret = auth[field].as_str().unwrap();
        assert!(!log.contains(secret), "the log contains the {field}");
    }
    assert!(!log.contains("secret prompt words"));
}

#[test]
fn reasoning_is_sent_back_without_ids() {
    let setup = Setup::new();
    setup.login();
    setup.mock.push_stream(MockChatGpt::reasoning_stream("Thinking it over", "gAAAA-encrypted", "First."));
    let first = setup.run(&["--task", "one", "--model", "chatgpt/gpt-5.6-sol", "--json"]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let lines: Vec<Value> = text(&first.stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let reasoning: String = lines
        .iter()
        .filter(|line| line["type"] == "reasoning_delta")
        .map(|line| line["text"].as_str().unwrap())
        .collect();
    assert_eq!(reasoning, "Thinking it over");

    setup.mock.push_stream(MockChatGpt::text_stream("Second."));
    let second = setup.run(&["--resume", "--task", "two", "--model", "chatgpt/gpt-5.6-sol"]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    let request = setup.mock.requests().into_iter().rfind(|request| request.path.ends_with("/codex/responses")).unwrap();
    let body = request.json();
    let input = body["input"].as_array().unwrap();
    let item = input.iter().find(|item| item["type"] == "reasoning").expect("the reasoning item is sent back");
    assert_eq!(item["encrypted_content"], "gAAAA-encrypted");
    for item in input {
        assert!(item.get("id").is_none(), "an item id was sent: {item}");
    }
    assert_eq!(body["include"], json!(["reasoning.encrypted_content"]));
}

#[test]
fn events_split_at_any_byte() {
    let setup = Setup::new();
    setup.login();
    // The whole stream with CRLF line ends and a comment line, cut into
    // 7-byte chunks so events and lines break at arbitrary places.
    let mut bytes = b": keep-alive comment\r\n\r\n".to_vec();
    for event in MockChatGpt::tool_call_stream("call_9", "list_files", "{\"path\":\"src\"}") {
        let frame = String::from_utf8(MockChatGpt::sse_frame(&event)).unwrap();
        bytes.extend_from_slice(frame.replace('\n', "\r\n").as_bytes());
    }
    let chunks: Vec<Vec<u8>> = bytes.chunks(7).map(<[u8]>::to_vec).collect();
    setup.mock.push_raw_stream(chunks);
    setup.mock.push_stream(MockChatGpt::text_stream("Listed."));
    let output = setup.task("list");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("→ list_files {\"path\":\"src\"}"), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "Listed.\n");
}

#[test]
fn login_refuses_malformed_models_yaml() {
    let setup = Setup::new();
    let broken = "models:\n  chatgpt/x: [\n";
    setup.home.write_models(broken);
    let output = setup.run(&["--login", "--provider", "chatgpt", "--method", "device"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("models.yaml:"), "{}", text(&output.stderr));
    assert!(setup.mock.requests().is_empty(), "login reached the issuer");
    assert_eq!(setup.models_yaml(), broken);
}
