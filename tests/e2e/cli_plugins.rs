//! `ouro plugins`, `--version` and `--help` through the real binary.

use std::process::Command;

use ouro_tests::TestHome;

fn ouro(home: &TestHome) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ouro"));
    command.env("OURO_HOME", home.path()).env("NO_COLOR", "1").env_remove("OURO_LOG");
    command
}

#[test]
fn version_prints_crate_version() {
    let output = ouro(&TestHome::new()).arg("--version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("ouro {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_commands() {
    let output = ouro(&TestHome::new()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("plugins"), "{text}");
}

#[test]
fn plugins_lists_good_and_broken() {
    let home = TestHome::new();
    let good = home.install("scripted");
    home.install_bytes("garbage.wasm", b"not wasm");
    let output = ouro(&home).arg("plugins").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let expected_good = format!(
        "scripted  Scripted test provider 0.1.0\n  source:     {}\n  interface:  ouro:provider@0.1.0\n  auth:       none\n  hosts:      none\n  status:     ok\n",
        good.display()
    );
    assert!(stdout.contains(&expected_good), "{stdout}");
    assert!(
        stdout.contains("garbage.wasm\n  source:     ")
            && stdout.contains("  status:     error: not a WebAssembly file; remove it from the plugins folder\n"),
        "{stdout}"
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("skipping a plugin"), "{stderr}");
}

#[test]
fn user_plugin_replaces_bundled() {
    let home = TestHome::new();
    let bundled = ouro::plugins::BUNDLED
        .iter()
        .find(|plugin| plugin.name == "ouro-plugin-chatgpt")
        .expect("the ChatGPT plugin is bundled");
    let file = home.install_bytes("my-chatgpt.wasm", bundled.wasm);
    let output = ouro(&home).arg("plugins").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains(&format!(
            "  source:     {}\n              (replaces the bundled plugin with this id)\n",
            file.display()
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("source:     bundled"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("a user plugin replaces the bundled plugin"), "{stderr}");
}

#[test]
fn bundled_plugin_listed_by_default() {
    let output = ouro(&TestHome::new()).arg("plugins").output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "chatgpt  ChatGPT Plus/Pro (Codex subscription) 0.1.0\n  source:     bundled\n  interface:  ouro:provider@0.1.0\n  auth:       oauth device code, oauth browser\n  hosts:      auth.openai.com, chatgpt.com\n  status:     ok\n"
        ),
        "{stdout}"
    );
}
