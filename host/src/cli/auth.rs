//! `--login`, `--logout` and `ouro status`: choosing a provider and a
//! method, running the plugin's login, and keeping the provider's managed
//! entries in models.yaml in step with its credentials.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::cli::Loaded;
use crate::cli::task::format_reset;
use crate::config::models::{remove_managed, sync_managed};
use crate::plugins::{AuthMethod, AuthStatus, LoginOptions, Plugin, PluginError, ProviderError};

/// A failed login or logout that maps to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum AuthCommandError {
    /// Bad arguments or no terminal to ask: exit code 2.
    #[error("{0}")]
    Usage(String),
    /// The user pressed Ctrl+C: exit code 1 after "Login cancelled.".
    #[error("Login cancelled.")]
    Cancelled,
}

/// Logs in to `provider` (or asks which one) with `method` (`device` or
/// `browser`, or asks), then adds the provider's models to models.yaml.
pub fn login(loaded: &Loaded, provider: Option<&str>, method: Option<&str>) -> anyhow::Result<()> {
    check_models_file(loaded)?;
    let candidates: Vec<&Arc<Plugin>> = loaded.registry.plugins().filter(|plugin| plugin.offers_login()).collect();
    if candidates.is_empty() {
        bail!(AuthCommandError::Usage("no installed plugin offers a login; run `ouro plugins` to see them".into()));
    }
    let plugin = choose_provider(&candidates, provider)?;
    let method = choose_method(plugin, method)?;

    let mut settings = Vec::new();
    if matches!(plugin.status(), Ok(AuthStatus::LoggedOut))
        && let Some(text) = codex_cli_credentials() {
            settings.push(("codex-auth-json".to_owned(), text));
        }
    let data_dir = loaded.home.plugin_data_dir(plugin.id());
    let before = list_files(&data_dir);

    let spinner = start_spinner("Waiting for the login to finish (Ctrl+C cancels)");
    let cancel_watch = {
        let plugin = Arc::clone(plugin);
        crate::cli::on_interrupt(&loaded.runtime, move || plugin.cancel())
    };
    let result = plugin.login(LoginOptions { method, settings });
    cancel_watch.abort();
    drop(spinner);

    let status = match result {
        Ok(status) => status,
        Err(error) => {
            remove_new_files(&data_dir, &before);
            if matches!(error, PluginError::Cancelled | PluginError::Provider(ProviderError::Cancelled)) {
                bail!(AuthCommandError::Cancelled);
            }
            bail!("{} login failed: {error}", plugin.metadata().name);
        }
    };

    println!("{} login completed.", plugin.metadata().name);
    let auth_file = data_dir.join("auth.json");
    if auth_file.exists() {
        println!("Credentials: {}", auth_file.display());
    }
    if let AuthStatus::LoggedIn(account) | AuthStatus::Expired(account) = &status {
        let label = account.label.clone().unwrap_or_else(|| "unknown account".into());
        match &account.plan {
            Some(plan) => println!("Account: {label} ({plan} plan)"),
            None => println!("Account: {label}"),
        }
    }
    let models_file = loaded.home.models_file();
    let models: Vec<String> = plugin.models()?.into_iter().map(|model| model.id).collect();
    let report = sync_managed(&models_file, plugin.id(), &models)
        .with_context(|| format!("logged in, but could not add the models to {}", models_file.display()))?;
    println!("Added {} models to {}.", report.added, models_file.display());
    if report.removed > 0 {
        println!("Removed {} models the provider no longer offers.", report.removed);
    }
    Ok(())
}

/// Logs out of `provider` (or asks which logged-in one) and removes its
/// managed models from models.yaml.
pub fn logout(loaded: &Loaded, provider: Option<&str>) -> anyhow::Result<()> {
    check_models_file(loaded)?;
    let logged_in: Vec<&Arc<Plugin>> = loaded
        .registry
        .plugins()
        .filter(|plugin| plugin.offers_login())
        .filter(|plugin| matches!(plugin.status(), Ok(AuthStatus::LoggedIn(_) | AuthStatus::Expired(_))))
        .collect();
    let plugin = match provider {
        Some(id) => loaded
            .registry
            .get(id)
            .ok_or_else(|| AuthCommandError::Usage(format!("no plugin with id {id:?}; run `ouro plugins` to see them")))?,
        None if logged_in.is_empty() => {
            println!("You are not logged in to any provider. Log in with `ouro --login` (or /login in a session).");
            return Ok(());
        }
        None => choose_provider(&logged_in, None)?,
    };
    let had_credentials = plugin.logout()?;
    if had_credentials {
        println!("Logged out of {}; removed its credentials.", plugin.metadata().name);
    } else {
        println!("{} had no stored credentials.", plugin.metadata().name);
    }
    let models_file = loaded.home.models_file();
    if models_file.exists() {
        let removed = remove_managed(&models_file, plugin.id())?;
        println!("Removed {removed} models from {}.", models_file.display());
    }
    Ok(())
}

/// `ouro status`: login state, account, plan, token expiry and the last
/// plan usage of each provider that offers a login.
pub fn status(loaded: &Loaded) -> String {
    let mut out = String::new();
    let plugins: Vec<&Arc<Plugin>> = loaded.registry.plugins().filter(|plugin| plugin.offers_login()).collect();
    if plugins.is_empty() {
        out.push_str("No installed plugin offers a login.\n");
    }
    for plugin in plugins {
        out.push_str(&format!("{} ({})\n", plugin.metadata().name, plugin.id()));
        match plugin.status() {
            Ok(AuthStatus::LoggedOut) => {
                out.push_str(&format!("  not logged in; run `ouro --login --provider {}`\n", plugin.id()));
            }
            Ok(AuthStatus::LoggedIn(account)) => describe_account(&mut out, &account, false),
            Ok(AuthStatus::Expired(account)) => describe_account(&mut out, &account, true),
            Ok(AuthStatus::Error(message)) => out.push_str(&format!("  error: {message}\n")),
            Err(error) => out.push_str(&format!("  error: {error}\n")),
        }
        if let Some(usage) = crate::agent::plan_usage::load(&loaded.home, plugin.id()) {
            for (name, window) in [("primary", usage.primary), ("secondary", usage.secondary)] {
                if let Some(window) = window {
                    let reset = window.resets_at.map(|at| format!(", resets {}", format_reset(at))).unwrap_or_default();
                    out.push_str(&format!("  plan usage ({name}): {:.0}% used{reset}\n", window.used_percent));
                }
            }
        }
    }
    out
}

/// Appends the account lines of `ouro status`.
fn describe_account(out: &mut String, account: &crate::plugins::Account, expired: bool) {
    out.push_str(&format!("  logged in as {}\n", account.label.as_deref().unwrap_or("unknown account")));
    if let Some(plan) = &account.plan {
        out.push_str(&format!("  plan: {plan}\n"));
    }
    if let Some(id) = &account.account_id {
        out.push_str(&format!("  account: {id}\n"));
    }
    if let Some(expires_at) = account.expires_at {
        let note = if expired { " (expired; refreshed on next use)" } else { "" };
        out.push_str(&format!("  token expires {}{note}\n", crate::cli::format_utc(expires_at)));
    }
}

/// Fails before any login or logout work when models.yaml cannot be
/// parsed, because ouro would then be unable to add or remove the
/// provider's models afterwards.
fn check_models_file(loaded: &Loaded) -> anyhow::Result<()> {
    let path = loaded.home.models_file();
    match crate::config::models::ModelsConfig::load(&path) {
        Ok(_) => Ok(()),
        Err(error @ crate::config::models::ConfigError::Parse { .. }) => {
            bail!(AuthCommandError::Usage(error.to_string()))
        }
        Err(_) => Ok(()),
    }
}

fn choose_provider<'a>(candidates: &[&'a Arc<Plugin>], requested: Option<&str>) -> anyhow::Result<&'a Arc<Plugin>> {
    let ids: Vec<&str> = candidates.iter().map(|plugin| plugin.id()).collect();
    if let Some(id) = requested {
        return candidates.iter().find(|plugin| plugin.id() == id).copied().ok_or_else(|| {
            AuthCommandError::Usage(format!("no provider {id:?} offers a login; choose one of: {}", ids.join(", ")))
                .into()
        });
    }
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(AuthCommandError::Usage(format!(
            "no terminal to choose a provider; pass --provider with one of: {}",
            ids.join(", ")
        )));
    }
    let labels: Vec<String> = candidates
        .iter()
        .map(|plugin| {
            let state = match plugin.status() {
                Ok(AuthStatus::LoggedIn(account)) | Ok(AuthStatus::Expired(account)) => {
                    format!("logged in as {}", account.label.unwrap_or_else(|| "unknown account".into()))
                }
                Ok(AuthStatus::LoggedOut) => "not logged in".into(),
                Ok(AuthStatus::Error(message)) => format!("error: {message}"),
                Err(error) => format!("error: {error}"),
            };
            format!("{} ({}) — {state}", plugin.metadata().name, plugin.id())
        })
        .collect();
    let index = pick("Choose a provider", "Providers that offer a login", labels)?;
    Ok(candidates[index])
}

fn choose_method(plugin: &Plugin, requested: Option<&str>) -> anyhow::Result<AuthMethod> {
    let offered: Vec<AuthMethod> = plugin
        .metadata()
        .auth_methods
        .iter()
        .copied()
        .filter(|method| matches!(method, AuthMethod::OauthDeviceCode | AuthMethod::OauthBrowser))
        .collect();
    if let Some(name) = requested {
        let method = match name {
            "device" => AuthMethod::OauthDeviceCode,
            "browser" => AuthMethod::OauthBrowser,
            other => bail!(AuthCommandError::Usage(format!("unknown login method {other:?}; use device or browser"))),
        };
        if !offered.contains(&method) {
            bail!(AuthCommandError::Usage(format!("{} does not offer {name} login", plugin.metadata().name)));
        }
        return Ok(method);
    }
    if offered.len() == 1 || !std::io::stdin().is_terminal() {
        // Without a terminal the device code is the method that works.
        return Ok(offered
            .iter()
            .copied()
            .find(|method| *method == AuthMethod::OauthDeviceCode)
            .unwrap_or(offered[0]));
    }
    let labels: Vec<String> = offered
        .iter()
        .map(|method| match method {
            AuthMethod::OauthDeviceCode => "Device code: enter a code in any browser (choose this over SSH or on a headless machine)".to_owned(),
            _ => "Browser: log in in a browser on this machine".to_owned(),
        })
        .collect();
    Ok(offered[pick("Choose how to log in", "Login methods", labels)?])
}

/// Shows the arrow-key picker with type-to-filter; returns the chosen index.
fn pick(title: &str, group_title: &str, labels: Vec<String>) -> anyhow::Result<usize> {
    use crate::tui::picker::{Group, Item};
    let group = Group {
        title: group_title.to_owned(),
        items: labels
            .iter()
            .enumerate()
            .map(|(index, label)| Item {
                value: index.to_string(),
                text: label.clone(),
                marked: false,
            })
            .collect(),
    };
    let style = crate::tui::style::Style::detect();
    match crate::tui::picker::pick(title, &[group], None, style) {
        Ok(Some(value)) => Ok(value.parse().unwrap_or(0)),
        Ok(None) => bail!(AuthCommandError::Cancelled),
        Err(error) => bail!("cannot show the picker: {error}"),
    }
}

/// Codex CLI's stored login (`$CODEX_HOME/auth.json`, default
/// `~/.codex/auth.json`), passed to the plugin, which asks before importing.
fn codex_cli_credentials() -> Option<String> {
    let dir = std::env::var_os("CODEX_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".codex")))?;
    std::fs::read_to_string(dir.join("auth.json")).ok()
}

fn list_files(dir: &Path) -> BTreeSet<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|entry| entry.path()).collect())
        .unwrap_or_default()
}

/// Removes files a failed login left behind, so it leaves no partial state.
fn remove_new_files(dir: &Path, before: &BTreeSet<std::path::PathBuf>) {
    for path in list_files(dir) {
        let is_lock = path.extension().is_some_and(|extension| extension == "lock");
        if !before.contains(&path) && !is_lock && path.is_file() {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Starts a spinner on stderr while a long call runs. It draws nothing when
/// stderr is not a terminal and is cleared when dropped.
fn start_spinner(message: &str) -> SpinnerGuard {
    let spinner = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    spinner.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    spinner.set_message(message.to_owned());
    spinner.enable_steady_tick(std::time::Duration::from_millis(100));
    SpinnerGuard(spinner)
}

/// Clears the spinner when the call ends, whichever way it ends.
struct SpinnerGuard(indicatif::ProgressBar);

impl Drop for SpinnerGuard {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
