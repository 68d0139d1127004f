//! Lossless edits of `models.yaml`.
//!
//! Each edit takes the file lock, reads and parses the file, and rejects a
//! file with errors. It then plans byte-range splices of the original text:
//! whole lines for removed entries and keys, one value span for a changed
//! `default` or `current`, new lines after the last entry for added ones.
//! Every other byte stays as it was. The edited text must parse back to
//! exactly the planned entries and pointers before it replaces the file.
//!
//! A removed entry takes its own lines with it, including comments between
//! its key and its last value line. Comments after its last value line are
//! kept, because they may describe the next entry.

use std::path::Path;

use super::plan::{Plan, Pointer};
use super::{ConfigError, canonical_provider, file, find_entry, parse, text};

/// Outcome of [`sync_managed`], in entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub added: usize,
    pub removed: usize,
    /// Managed entries that were already present and stay.
    pub kept: usize,
}

/// Sets `current` to the entry that `id` names (see `ModelsConfig::get`).
pub fn set_current(path: &Path, id: &str) -> Result<(), ConfigError> {
    set_pointer(path, Pointer::Current, id)
}

/// Sets `default` to the entry that `id` names (see `ModelsConfig::get`).
pub fn set_default(path: &Path, id: &str) -> Result<(), ConfigError> {
    set_pointer(path, Pointer::Default, id)
}

/// Makes the entries managed for `provider` match `models` (model names
/// without the `<provider>/` prefix), for example after a login.
///
/// Adds `<provider>/<model>` with `oauth_managed: true` for each model that
/// has no entry, and removes managed entries of `provider` that are not in
/// `models`. Entries of other providers, and entries without
/// `oauth_managed: true`, are never changed: a user entry with the id of a
/// listed model stays and no managed entry is added beside it. Sets
/// `default` to the first listed model when `default` is empty. A `default`
/// or `current` that named a removed entry moves to the first listed model,
/// or as in [`remove_managed`] when none is listed.
pub fn sync_managed(
    path: &Path,
    provider: &str,
    models: &[String],
) -> Result<SyncReport, ConfigError> {
    let provider = checked_provider(path, provider)?;
    let mut requested: Vec<&str> = Vec::with_capacity(models.len());
    for model in models {
        let usable =
            !model.is_empty() && model.trim() == model && !model.chars().any(char::is_control);
        if !usable {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                model: format!("{provider}/{model}"),
                key: "models".to_string(),
                message: format!(
                    "provider `{provider}` listed a model name {model:?}, which is empty or has surrounding spaces or control characters; the file was left unchanged."
                ),
            });
        }
        if !requested.contains(&model.as_str()) {
            requested.push(model);
        }
    }

    edit_file(path, |plan| {
        let file = plan.file;
        let mut report = SyncReport::default();
        for (index, parsed) in file.entries.iter().enumerate() {
            let entry = &parsed.entry;
            if !entry.is_managed_by(provider) {
                continue;
            }
            if requested.contains(&entry.model.as_str()) {
                report.kept += 1;
            } else {
                plan.remove_entry(index)?;
                report.removed += 1;
            }
        }

        let remaining = plan.entries_after();
        let missing: Vec<&str> = requested
            .iter()
            .copied()
            .filter(|model| find_entry(&remaining, &format!("{provider}/{model}")).is_none())
            .collect();
        report.added = missing.len();
        plan.add_managed(provider, &missing)?;

        let after = plan.entries_after();
        let preferred = requested
            .iter()
            .find_map(|model| find_entry(&after, &format!("{provider}/{model}")))
            .map(|index| after[index].id.clone());
        plan.repair_pointers(preferred.as_deref());
        if plan.default.is_none() {
            plan.default = preferred;
        }
        Ok(report)
    })
}

/// Removes every managed entry of `provider`, for example after a logout,
/// and returns how many were removed. Other entries stay.
///
/// A `default` that named a removed entry is set to the first remaining
/// entry, and such a `current` to the `default`. When no entry remains,
/// both keys are removed.
pub fn remove_managed(path: &Path, provider: &str) -> Result<usize, ConfigError> {
    let provider = checked_provider(path, provider)?;
    edit_file(path, |plan| {
        let managed: Vec<usize> = (0..plan.file.entries.len())
            .filter(|index| plan.file.entries[*index].entry.is_managed_by(provider))
            .collect();
        for index in &managed {
            plan.remove_entry(*index)?;
        }
        plan.repair_pointers(None);
        Ok(managed.len())
    })
}

fn set_pointer(path: &Path, pointer: Pointer, id: &str) -> Result<(), ConfigError> {
    edit_file(path, |plan| {
        let entries = plan.entries_after();
        let Some(index) = find_entry(&entries, id) else {
            let known: Vec<&str> = entries.iter().map(|entry| entry.id.as_str()).collect();
            let hint = if known.is_empty() {
                "none yet".to_string()
            } else {
                known.join(", ")
            };
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                model: id.to_string(),
                key: pointer.key().to_string(),
                message: format!(
                    "there is no entry for this model under `models:`, so `{}` was not changed; add the entry first (models: {hint}).",
                    pointer.key()
                ),
            });
        };
        let target = Some(entries[index].id.clone());
        match pointer {
            Pointer::Default => plan.default = target,
            Pointer::Current => plan.current = target,
        }
        Ok(())
    })
}

fn checked_provider<'a>(path: &Path, provider: &'a str) -> Result<&'a str, ConfigError> {
    let usable = !provider.is_empty()
        && !provider.contains('/')
        && !provider
            .chars()
            .any(|character| character.is_whitespace() || character.is_control());
    if usable {
        return Ok(canonical_provider(provider));
    }
    Err(ConfigError::Invalid {
        path: path.to_path_buf(),
        model: provider.to_string(),
        key: "oauth_provider".to_string(),
        message: format!(
            "{provider:?} is not a usable provider name: it must be non-empty, without `/` or spaces; the file was left unchanged."
        ),
    })
}

/// Runs one locked read-plan-verify-write cycle and returns what `build`
/// returned. Nothing is written when the plan changes nothing.
fn edit_file<R>(
    path: &Path,
    build: impl FnOnce(&mut Plan<'_>) -> Result<R, ConfigError>,
) -> Result<R, ConfigError> {
    let _lock = file::lock(path)?;
    let original = file::read_or_create(path)?;
    let parsed = parse::parse(path, &original)?;
    let mut plan = Plan::new(path, &original, &parsed);
    let result = build(&mut plan)?;
    let splices = plan.finish()?;
    if splices.is_empty() {
        return Ok(result);
    }
    let first_line = original[..splices.iter().map(|splice| splice.start).min().unwrap_or(0)]
        .matches('\n')
        .count()
        + 1;
    let edited = text::apply(&original, &splices)
        .ok_or_else(|| plan.unsupported(first_line, "two planned changes overlap".to_string()))?;
    plan.verify(&edited, first_line)?;
    if edited != original {
        file::write_atomic(path, &edited)?;
    }
    Ok(result)
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sync_tests.rs"]
mod sync_tests;
