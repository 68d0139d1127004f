//! The bundled catalog format (`plugins/chatgpt/catalog.json`), its rendering and comparison.
//!
//! Field order in the output follows the struct field order, and models are
//! sorted by id, so the same input always renders to the same bytes.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub source: Source,
    pub models: Vec<Model>,
}

/// The npm package version the catalog was generated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub package: String,
    /// Exact version, which is also the default input of the next update.
    pub version: String,
    /// Subresource Integrity string of the package tarball, as npm reports it.
    pub integrity: String,
    /// Path inside the tarball that the models were read from.
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub id: String,
    pub name: String,
    /// Maximum number of input plus output tokens.
    pub context_window: u64,
    pub max_output_tokens: u64,
    pub reasoning: bool,
    /// Values pi-ai sends as `reasoning.effort` for this model, from least to most effort.
    pub reasoning_efforts: Vec<String>,
    /// Input modalities, such as `text` and `image`.
    pub input: Vec<String>,
    pub cost: Cost,
}

/// Prices in US dollars per million tokens, the unit pi-ai's `calculateCost` assumes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
    /// Long-context prices, sorted by `above_input_tokens`.
    pub tiers: Vec<CostTier>,
}

/// Prices that replace the base prices once a request's input is large enough.
///
/// pi-ai (1.6.0, `calculateCost` in `dist/models.js`) applies the tier with the
/// highest `above_input_tokens` that is below the request's input + cache read +
/// cache write tokens, and charges every token of that request at the tier's prices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostTier {
    /// The tier applies when input + cache read + cache write tokens are strictly greater than this.
    pub above_input_tokens: u64,
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
}

impl Catalog {
    /// Renders the catalog as 2-space-indented JSON with a trailing newline.
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("catalog types always serialize");
        text.push('\n');
        text
    }

    pub fn parse(text: &str) -> Result<Catalog, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Differences between a catalog on disk and a freshly generated one.
#[derive(Debug, Default, PartialEq)]
pub struct CatalogDiff {
    /// Old and new `package@version`, when the source changed.
    pub source: Option<(String, String)>,
    pub integrity_changed: bool,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

impl CatalogDiff {
    pub fn between(old: &Catalog, new: &Catalog) -> CatalogDiff {
        let old_models: BTreeMap<&str, &Model> =
            old.models.iter().map(|m| (m.id.as_str(), m)).collect();
        let new_models: BTreeMap<&str, &Model> =
            new.models.iter().map(|m| (m.id.as_str(), m)).collect();

        let mut diff = CatalogDiff::default();
        let old_source = format!("{}@{}", old.source.package, old.source.version);
        let new_source = format!("{}@{}", new.source.package, new.source.version);
        if old_source != new_source {
            diff.source = Some((old_source, new_source));
        }
        diff.integrity_changed =
            old.source.integrity != new.source.integrity || old.source.file != new.source.file;

        for (id, model) in &new_models {
            match old_models.get(id) {
                None => diff.added.push(id.to_string()),
                Some(old_model) if old_model != model => diff.changed.push(id.to_string()),
                Some(_) => {}
            }
        }
        diff.removed = old_models
            .keys()
            .filter(|id| !new_models.contains_key(*id))
            .map(|id| id.to_string())
            .collect();
        diff
    }

    pub fn is_empty(&self) -> bool {
        *self == CatalogDiff::default()
    }
}

impl fmt::Display for CatalogDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((old, new)) = &self.source {
            writeln!(f, "  source: {old} -> {new}")?;
        } else if self.integrity_changed {
            writeln!(
                f,
                "  source: integrity or file changed for the same version"
            )?;
        }
        for (label, ids) in [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ] {
            if !ids.is_empty() {
                writeln!(f, "  {label}: {}", ids.join(", "))?;
            }
        }
        Ok(())
    }
}
