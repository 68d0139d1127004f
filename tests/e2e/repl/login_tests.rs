//! `ouro --login` on a terminal: the provider and method pickers, driven
//! with arrow keys and filtering, against the ChatGPT mock.

use ouro_tests::TestHome;
use ouro_tests::mock_chatgpt::MockChatGpt;

use super::terminal::Terminal;

const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";

fn start(home: &TestHome, mock: &MockChatGpt) -> Terminal {
    let issuer = mock.issuer();
    let base_url = mock.base_url();
    Terminal::spawn(
        home.path(),
        &["--login"],
        &[
            ("OURO_CHATGPT_ISSUER", issuer.as_str()),
            ("OURO_CHATGPT_BASE_URL", base_url.as_str()),
            ("OURO_NO_BROWSER", "1"),
            ("NO_COLOR", "1"),
        ],
    )
}

#[test]
fn login_pickers_choose_device_code() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    mock.set_account("acct-9", "picker@example.com", "pro");
    let mut terminal = start(&home, &mock);
    terminal.wait_for("ChatGPT Plus/Pro (Codex subscription) (chatgpt) — not logged in");
    terminal.send(ENTER);
    let screen = terminal.wait_for("choose this over SSH or on a headless machine");
    assert!(screen.contains("Browser: log in in a browser on this machine"), "{screen}");
    terminal.send(DOWN);
    terminal.send(UP);
    terminal.send(ENTER);
    terminal.wait_for(&mock.user_code());
    terminal.wait_for("login completed.");
    terminal.wait_for("Account: picker@example.com (pro plan)");
    assert_eq!(terminal.wait_exit(), 0);
    assert!(home.plugin_data("chatgpt").join("auth.json").exists());
}

#[test]
fn login_picker_filters_and_cancels() {
    let home = TestHome::new();
    let mock = MockChatGpt::start();
    let mut terminal = start(&home, &mock);
    terminal.wait_for("(chatgpt) — not logged in");
    terminal.send(ENTER);
    terminal.wait_for("Device code:");
    terminal.send("browser:");
    terminal.wait_until("the filter to hide the device code", |screen| {
        screen.contains("Browser: log in") && !screen.contains("Device code:")
    });
    terminal.send(ESC);
    terminal.wait_for("Login cancelled.");
    assert_eq!(terminal.wait_exit(), 1);
    assert!(!home.plugin_data("chatgpt").join("auth.json").exists());
}

#[test]
fn repl_login_adds_models() {
    let home = TestHome::new();
    home.install("scripted");
    std::fs::write(home.path().join("models.yaml"), "models:\n  scripted/alpha: {}\ndefault: scripted/alpha\n").unwrap();
    let mock = MockChatGpt::start();
    mock.set_account("acct-7", "repl@example.com", "plus");
    let issuer = mock.issuer();
    let base_url = mock.base_url();
    let mut terminal = Terminal::spawn(
        home.path(),
        &[],
        &[
            ("OURO_CHATGPT_ISSUER", issuer.as_str()),
            ("OURO_CHATGPT_BASE_URL", base_url.as_str()),
            ("OURO_NO_BROWSER", "1"),
            ("NO_COLOR", "1"),
        ],
    );
    terminal.wait_for_prompt("scripted/alpha ›");
    terminal.line("/login");
    terminal.wait_for("(chatgpt) — not logged in");
    terminal.send(ENTER);
    terminal.wait_for("Device code:");
    terminal.send(ENTER);
    terminal.wait_for("login completed.");
    terminal.wait_for_prompt("scripted/alpha ›");
    let yaml = std::fs::read_to_string(home.path().join("models.yaml")).unwrap();
    assert!(yaml.contains("chatgpt/gpt-5.6-sol:"), "{yaml}");

    terminal.line("/logout");
    terminal.wait_for("Providers that offer a login");
    terminal.send(ENTER);
    terminal.wait_for("removed its credentials.");
    terminal.wait_for_prompt("scripted/alpha ›");
    assert!(!home.plugin_data("chatgpt").join("auth.json").exists());
    terminal.line("/exit");
    assert_eq!(terminal.wait_exit(), 0);
}
