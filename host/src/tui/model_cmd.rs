//! `/model`: the picker, `/model <id>` and `/model edit`.

use std::process::Command;

use super::model_list::{self, ModelGroup};
use super::picker::{self, Group, Item};
use super::state::Repl;
use crate::config::models::{ModelsConfig, provider_of, set_current};
use crate::providers::{Readiness, readiness};

/// Runs `/model` with `argument` (empty, `edit` or a model id).
pub fn run(repl: &mut Repl<'_>, argument: &str) {
    match argument {
        "" if repl.interactive => pick(repl),
        "" => list(repl),
        "edit" => edit(repl),
        id => switch(repl, id),
    }
}

/// Returns the configured model groups, or prints why there are none and
/// returns `None`.
fn configured_groups(repl: &Repl<'_>) -> Option<Vec<ModelGroup>> {
    let Some(config) = &repl.config else {
        repl.style
            .print_error("models.yaml has errors, so no model can be chosen; fix it with /model edit.");
        return None;
    };
    if config.models.is_empty() {
        println!(
            "No models are configured in {}. Log in with /login, or add one with /model edit.",
            config.path.display()
        );
        return None;
    }
    Some(model_list::groups(&repl.loaded.registry, config))
}

fn active_id(repl: &Repl<'_>) -> Option<String> {
    repl.agent.as_ref().map(|agent| agent.model.id.clone())
}

/// Lists the models for input that is not a terminal, where no picker
/// can run.
fn list(repl: &Repl<'_>) {
    let Some(groups) = configured_groups(repl) else {
        return;
    };
    print!("{}", model_list::render_list(&groups, active_id(repl).as_deref()));
    println!("Switch with /model <id>.");
}

fn pick(repl: &mut Repl<'_>) {
    let Some(groups) = configured_groups(repl) else {
        return;
    };
    let active = active_id(repl);
    let width = model_list::id_width(&groups);
    let groups: Vec<Group> = groups
        .iter()
        .map(|group| Group {
            title: group.title(),
            items: group
                .models
                .iter()
                .map(|row| Item {
                    value: row.id.clone(),
                    text: format!("{:<width$}  {}", row.id, row.details),
                    marked: active.as_deref() == Some(row.id.as_str()),
                })
                .collect(),
        })
        .collect();
    match picker::pick("Select a model", &groups, active.as_deref(), repl.style) {
        Ok(Some(id)) => switch(repl, &id),
        Ok(None) => match active {
            Some(id) => println!("Cancelled; the model stays {id}."),
            None => println!("Cancelled."),
        },
        Err(error) => repl.style.print_error(&format!("the model picker failed: {error}")),
    }
}

/// Switches to model `id` and saves it as `current` in models.yaml.
fn switch(repl: &mut Repl<'_>, id: &str) {
    let Some(config) = &repl.config else {
        repl.style
            .print_error("models.yaml has errors, so no model can be chosen; fix it with /model edit.");
        return;
    };
    let Some(entry) = config.get(id) else {
        match similar_model(config, id) {
            Some(suggestion) => eprintln!("Unknown model {id}. Did you mean {suggestion}?"),
            None => eprintln!("Unknown model {id}. /model lists the configured models."),
        }
        return;
    };
    let id = entry.id.clone();
    let path = config.path.clone();
    let entry = entry.clone();
    let model = match repl.resolve(Some(&id)) {
        Ok(model) => model,
        Err(error) => {
            repl.style.print_error(&error.to_string());
            return;
        }
    };
    let name = model.info.as_ref().map(|info| info.name.clone());
    let state = readiness(&model.plugin, Some(&entry));
    repl.activate(model);
    match set_current(&path, &id) {
        Ok(()) => {
            if let Some(config) = &mut repl.config {
                config.current = Some(id.clone());
            }
        }
        Err(error) => repl.style.print_error(&format!(
            "{error}\nThe switch applies to this session only, because `current` could not be saved."
        )),
    }
    match name {
        Some(name) => println!("Model: {id} ({name})"),
        None => println!("Model: {id}"),
    }
    match state {
        Readiness::NeedsLogin => println!("Not logged in to {}; log in with /login.", entry.provider),
        Readiness::NeedsKey => println!("This model needs an api_key; add it with /model edit."),
        Readiness::Error(message) => println!("The provider reported an error: {message}"),
        Readiness::Ready(_) => {}
    }
}

/// Returns the configured id nearest to `typed`, comparing with both the whole
/// id and its model part (so `bta` finds `scripted/beta`). Only a near
/// miss counts: at most 2 edits, or a third of the typed length.
fn similar_model<'c>(config: &'c ModelsConfig, typed: &str) -> Option<&'c str> {
    let limit = (typed.chars().count() / 3).max(2);
    config
        .models
        .iter()
        .map(|entry| {
            let model = provider_of(&entry.id).map(|(_, model)| model).unwrap_or_default();
            let distance = strsim::levenshtein(typed, &entry.id).min(strsim::levenshtein(typed, &model));
            (distance, entry.id.as_str())
        })
        .filter(|&(distance, _)| distance <= limit)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, id)| id)
}

/// Opens models.yaml in `$EDITOR` (default `vi`) and reloads it.
fn edit(repl: &mut Repl<'_>) {
    let path = repl.loaded.home.models_file();
    if !path.exists() {
        // Loading creates the file from its commented template.
        if let Err(error) = ModelsConfig::load(&path) {
            repl.style.print_error(&error.to_string());
        }
    }
    let editor = std::env::var("EDITOR")
        .ok()
        .filter(|editor| !editor.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned());
    // Through the shell, as git does, so EDITOR may carry arguments
    // (`code --wait`). The path goes in as "$1", so the shell never parses it.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("ouro-edit")
        .arg(&path)
        .status();
    match status {
        Err(error) => {
            repl.style
                .print_error(&format!("failed to start the editor `{editor}`: {error}; set EDITOR to an installed editor"));
            return;
        }
        Ok(status) if !status.success() => {
            eprintln!("The editor `{editor}` exited with {status}; reloading the file anyway.");
        }
        Ok(_) => {}
    }
    if repl.reload_config() {
        println!("Reloaded {}.", path.display());
    }
}
