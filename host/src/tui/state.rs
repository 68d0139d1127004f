//! The interactive session's state: the loaded models.yaml, the agent with
//! its conversation, and setup mode while no model is usable.

use std::process::ExitCode;

use tokio::signal::unix::{Signal, SignalKind, signal};

use super::style::Style;
use crate::agent::history::Item;
use crate::agent::{Agent, AgentOptions, Session};
use crate::cli::{EXIT_USAGE, Loaded, TaskArgs};
use crate::config::models::ModelsConfig;
use crate::providers::{ResolveError, ResolvedModel, resolve};

/// Everything the prompt loop, the commands and the turns share.
pub struct Repl<'a> {
    pub loaded: &'a Loaded,
    pub style: Style,
    /// Whether stdin is a terminal, so pickers and the line editor work.
    pub interactive: bool,
    /// The last models.yaml that loaded, or `None` while none has loaded.
    pub config: Option<ModelsConfig>,
    /// The agent, or `None` in setup mode.
    pub agent: Option<Agent>,
    /// The conversation in setup mode. It moves into the agent once a
    /// model is usable, so `--resume` keeps working through setup.
    idle_session: Option<Session>,
    /// The reason no model is usable, shown in setup mode.
    setup_reason: Option<String>,
    options: AgentOptions,
    /// SIGINT, registered for the whole session: it cancels a running turn
    /// (see `turn::run`) and ends piped input.
    pub interrupts: Signal,
}

impl<'a> Repl<'a> {
    /// Loads models.yaml and the session to resume, and resolves the model.
    /// Returns the exit code instead when `--model` or `--resume` names
    /// something that does not exist.
    pub fn start(loaded: &'a Loaded, args: &TaskArgs, interactive: bool) -> anyhow::Result<Result<Self, ExitCode>> {
        let style = Style::detect();
        let interrupts = {
            let _context = loaded.runtime.enter();
            signal(SignalKind::interrupt())?
        };
        let session = match &args.resume {
            Some(id) => match Session::load(&loaded.home.sessions_dir(), id) {
                Ok(session) => Some(session),
                Err(error) => {
                    style.print_error(&error.to_string());
                    return Ok(Err(ExitCode::from(EXIT_USAGE)));
                }
            },
            None => None,
        };
        let config = match ModelsConfig::load(&loaded.home.models_file()) {
            Ok(config) => Some(config),
            Err(error) => {
                style.print_error(&error.to_string());
                None
            }
        };
        let mut repl = Self {
            loaded,
            style,
            interactive,
            config,
            agent: None,
            idle_session: session,
            setup_reason: None,
            options: AgentOptions {
                max_turns: args.max_turns as usize,
                cwd: std::env::current_dir()?,
                reasoning_effort: None,
                home: Some(loaded.home.clone()),
            },
            interrupts,
        };

        if let Some(id) = &args.model {
            match repl.resolve(Some(id)) {
                Ok(model) => repl.activate(model),
                Err(error) => {
                    style.print_error(&error.to_string());
                    return Ok(Err(ExitCode::from(EXIT_USAGE)));
                }
            }
            return Ok(Ok(repl));
        }
        let session_model = repl.idle_session.as_ref().map(|session| session.model.clone());
        if let Some(id) = session_model.filter(|id| !id.is_empty()) {
            match repl.resolve(Some(&id)) {
                Ok(model) => {
                    repl.activate(model);
                    return Ok(Ok(repl));
                }
                Err(error) => eprintln!(
                    "{}",
                    style.dim(&format!(
                        "The session's model is not usable, so the active model is used: {error}"
                    ))
                ),
            }
        }
        repl.select_active_model();
        Ok(Ok(repl))
    }

    /// Resolves `id`, or the active model of models.yaml when `None`.
    pub fn resolve(&self, id: Option<&str>) -> Result<ResolvedModel, ResolveError> {
        match &self.config {
            Some(config) => resolve(&self.loaded.registry, config, id),
            None => Err(ResolveError::NoModel {
                path: self.loaded.home.models_file().display().to_string(),
            }),
        }
    }

    /// Returns the current conversation, in setup mode too.
    pub fn session(&self) -> Option<&Session> {
        self.agent
            .as_ref()
            .map(|agent| &agent.session)
            .or(self.idle_session.as_ref())
    }

    /// Makes `model` the model of the agent, creating the agent from the
    /// setup-mode conversation when there is none.
    pub fn activate(&mut self, model: ResolvedModel) {
        self.setup_reason = None;
        match &mut self.agent {
            Some(agent) => agent.set_model(model),
            None => {
                let session = self.idle_session.take().unwrap_or_else(|| Session::new(&model.id));
                let mut agent = Agent::new(model, session, self.options.clone());
                agent.session.model = agent.model.id.clone();
                self.agent = Some(agent);
            }
        }
    }

    /// Switches to setup mode, keeping the conversation for later.
    fn deactivate(&mut self, reason: String) {
        if let Some(agent) = self.agent.take() {
            self.idle_session = Some(agent.session);
        }
        self.setup_reason = Some(reason);
    }

    /// Resolves the active model of models.yaml, or enters setup mode.
    fn select_active_model(&mut self) {
        if self.config.is_none() {
            self.deactivate(format!(
                "{} has errors (shown above).",
                self.loaded.home.models_file().display()
            ));
            return;
        }
        match self.resolve(None) {
            Ok(model) => self.activate(model),
            Err(ResolveError::NoModel { .. }) => self.deactivate("No model is configured yet.".to_owned()),
            Err(error) => self.deactivate(format!("The configured model is not usable: {error}")),
        }
    }

    /// Reloads models.yaml after it may have changed. Takes the file's
    /// active model (`current`, else `default`) when that changed or the
    /// model in use is gone, and otherwise keeps the model in use. On a
    /// parse error the previous configuration stays and this returns false.
    pub fn reload_config(&mut self) -> bool {
        let config = match ModelsConfig::load(&self.loaded.home.models_file()) {
            Ok(config) => config,
            Err(error) => {
                self.style.print_error(&error.to_string());
                if self.config.is_some() {
                    eprintln!("The previous configuration stays in use. Fix the file with /model edit.");
                } else {
                    eprintln!("Fix the file with /model edit.");
                }
                return false;
            }
        };
        let active_id = |config: &ModelsConfig| config.active().map(|entry| entry.id.clone());
        let active_changed = self.config.as_ref().and_then(active_id) != active_id(&config);
        self.config = Some(config);
        let before = self.agent.as_ref().map(|agent| agent.model.id.clone());
        let kept_model = match &before {
            Some(id) if !active_changed => self.resolve(Some(id)).ok(),
            _ => None,
        };
        match kept_model {
            Some(model) => self.activate(model),
            None => self.select_active_model(),
        }
        let after = self.agent.as_ref().map(|agent| agent.model.id.clone());
        if before != after {
            match &after {
                Some(id) => println!("Model: {id}"),
                None => self.print_setup_help(),
            }
        }
        true
    }

    /// Starts a new, empty conversation with the same model.
    pub fn reset_session(&mut self) {
        // A new agent also starts with an empty repeated-tool-call history.
        match self.agent.take() {
            Some(old) => {
                let session = Session::new(&old.model.id);
                self.agent = Some(Agent::new(old.model, session, self.options.clone()));
            }
            None => self.idle_session = None,
        }
    }

    /// Saves the conversation to `$OURO_HOME/sessions/`. A failure is shown,
    /// because the user would otherwise lose the session without notice.
    pub fn save_session(&self) {
        let Some(session) = self.session() else {
            return;
        };
        if let Err(error) = session.save(&self.loaded.home.sessions_dir()) {
            self.style
                .print_error(&format!("failed to save session {}: {error}", session.id));
        }
    }

    /// Maximum model responses per turn (`--max-turns`).
    pub fn max_turns(&self) -> usize {
        self.options.max_turns
    }

    /// Lists every model id in models.yaml, for completion.
    pub fn model_ids(&self) -> Vec<String> {
        self.config
            .iter()
            .flat_map(|config| config.models.iter().map(|entry| entry.id.clone()))
            .collect()
    }

    /// Builds the prompt without and with styling: the model id, or `setup`.
    pub fn prompt(&self) -> (String, String) {
        let label = self.agent.as_ref().map_or("setup", |agent| agent.model.id.as_str());
        (format!("{label} › "), format!("{} › ", self.style.cyan(label)))
    }

    /// Explains how to get a usable model.
    pub fn print_setup_help(&self) {
        let reason = self.setup_reason.as_deref().unwrap_or("No model is configured yet.");
        println!("{reason}");
        println!("  /login        log in to a provider; its models are added to models.yaml");
        println!(
            "  /model edit   add a model to {} by hand",
            self.loaded.home.models_file().display()
        );
    }

    /// Prints the first lines of the session: version, model, resumed session.
    pub fn print_banner(&self) {
        let model = match &self.agent {
            Some(agent) => agent.model.id.clone(),
            None => "no model".to_owned(),
        };
        println!(
            "{}",
            self.style.dim(&format!(
                "ouro {} · {model} · /help lists the commands",
                env!("CARGO_PKG_VERSION")
            ))
        );
        if let Some(session) = self.session().filter(|session| !session.items.is_empty()) {
            let turns = session.items.iter().filter(|item| matches!(item, Item::User { .. })).count();
            let noun = if turns == 1 { "turn" } else { "turns" };
            println!("Resumed session {} ({turns} {noun} so far).", session.id);
        }
        if self.agent.is_none() {
            self.print_setup_help();
        }
    }
}
