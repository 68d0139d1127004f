//! Validates raw pi-ai model records and converts them to catalog entries.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};
use thiserror::Error;

use crate::catalog::{Cost, CostTier, Model};
use crate::layouts::RawRecord;

/// pi-ai thinking levels above `off`, from least to most effort, as in
/// `EXTENDED_THINKING_LEVELS` of pi-ai 1.6.0 `dist/models.js`. pi-ai 0.73.1 has no `max`.
const THINKING_LEVELS: [&str; 6] = ["minimal", "low", "medium", "high", "xhigh", "max"];
/// Levels that pi-ai offers only when `thinkingLevelMap` names them.
const OPT_IN_LEVELS: [&str; 2] = ["xhigh", "max"];

#[derive(Debug, Error)]
#[error("model `{model}` at {location}: {problem}")]
pub struct RecordError {
    pub model: String,
    pub location: String,
    pub problem: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawModel {
    id: Option<String>,
    name: Option<String>,
    reasoning: Option<bool>,
    input: Option<Vec<String>>,
    cost: Option<RawCost>,
    context_window: Option<u64>,
    max_tokens: Option<u64>,
    thinking_level_map: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCost {
    input: Option<f64>,
    output: Option<f64>,
    cache_read: Option<f64>,
    cache_write: Option<f64>,
    tiers: Option<Vec<RawTier>>,
}

/// A long-context price tier, whose every field pi-ai's schema requires.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTier {
    input_tokens_above: u64,
    input: f64,
    output: f64,
    cache_read: f64,
    cache_write: f64,
}

/// Converts every record and sorts the models by id.
///
/// The same id may appear in several api blocks. Identical entries collapse
/// into one, while entries that differ are an error.
pub fn build_models(records: &[RawRecord]) -> Result<Vec<Model>, RecordError> {
    let mut models: BTreeMap<String, (Model, &str)> = BTreeMap::new();
    for record in records {
        let model = convert(record)?;
        if let Some((existing, first_location)) = models.get(&model.id) {
            if *existing != model {
                return Err(RecordError {
                    model: model.id.clone(),
                    location: record.location.clone(),
                    problem: format!("differs from the entry with the same id at {first_location}"),
                });
            }
            continue;
        }
        models.insert(model.id.clone(), (model, &record.location));
    }
    Ok(models.into_values().map(|(model, _)| model).collect())
}

/// Converts one record, filling in defaults for the optional fields.
///
/// Required: `id` (or the key it is stored under), `contextWindow` and
/// `maxTokens`. Defaults: `name` = id, `reasoning` = false, `input` = `["text"]`,
/// prices = 0, no tiers and no reasoning efforts.
pub fn convert(record: &RawRecord) -> Result<Model, RecordError> {
    let fail = |model: &str, problem: String| RecordError {
        model: model.to_string(),
        location: record.location.clone(),
        problem,
    };
    let raw: RawModel = serde_json::from_value(record.value.clone())
        .map_err(|error| fail(&record.fallback_id, format!("invalid record: {error}")))?;

    let id = raw.id.unwrap_or_else(|| record.fallback_id.clone());
    if id.trim().is_empty() {
        return Err(fail(&record.fallback_id, "`id` is empty".to_string()));
    }
    let context_window = raw
        .context_window
        .ok_or_else(|| fail(&id, "missing `contextWindow`".to_string()))?;
    let max_output_tokens = raw
        .max_tokens
        .ok_or_else(|| fail(&id, "missing `maxTokens`".to_string()))?;
    if context_window == 0 || max_output_tokens == 0 {
        return Err(fail(
            &id,
            "`contextWindow` and `maxTokens` must be greater than 0".to_string(),
        ));
    }

    let input = raw.input.unwrap_or_else(|| vec!["text".to_string()]);
    if input.is_empty() {
        return Err(fail(&id, "`input` lists no modalities".to_string()));
    }
    let reasoning = raw.reasoning.unwrap_or(false);
    let reasoning_efforts =
        reasoning_efforts(reasoning, raw.thinking_level_map.as_ref()).map_err(|p| fail(&id, p))?;
    let cost = convert_cost(raw.cost).map_err(|p| fail(&id, p))?;
    let name = raw
        .name
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| id.clone());

    Ok(Model {
        id,
        name,
        context_window,
        max_output_tokens,
        reasoning,
        reasoning_efforts,
        input,
        cost,
    })
}

/// Derives the `reasoning.effort` values a model accepts from pi-ai's `thinkingLevelMap`.
///
/// The rule mirrors `getSupportedThinkingLevels` and the Codex request builder in
/// pi-ai 1.6.0. A level is offered unless the map sets it to `null`, and
/// `xhigh`/`max` only when the map names them. An offered level is sent as the
/// string it maps to, or as its own name when unmapped. The result is the
/// distinct strings sent, so `{ "minimal": "low" }` yields `low` but never
/// `minimal`, which pi-ai never sends for that model. The `off` entry
/// only sets how reasoning is disabled and adds no effort.
fn reasoning_efforts(
    reasoning: bool,
    map: Option<&Map<String, Value>>,
) -> Result<Vec<String>, String> {
    if !reasoning {
        return Ok(Vec::new());
    }
    let empty = Map::new();
    let map = map.unwrap_or(&empty);
    if let Some(unknown) = map
        .keys()
        .find(|key| *key != "off" && !THINKING_LEVELS.contains(&key.as_str()))
    {
        return Err(format!(
            "unknown thinking level `{unknown}` in `thinkingLevelMap` (known levels: off, {})",
            THINKING_LEVELS.join(", ")
        ));
    }

    let mut efforts: Vec<String> = Vec::new();
    for level in THINKING_LEVELS {
        let effort = match map.get(level) {
            Some(Value::Null) => continue,
            None if OPT_IN_LEVELS.contains(&level) => continue,
            None => level.to_string(),
            Some(Value::String(mapped)) if !mapped.trim().is_empty() => mapped.clone(),
            Some(other) => {
                return Err(format!(
                    "`thinkingLevelMap.{level}` must be a non-empty string or null, found {other}"
                ));
            }
        };
        if !efforts.contains(&effort) {
            efforts.push(effort);
        }
    }
    Ok(efforts)
}

fn convert_cost(raw: Option<RawCost>) -> Result<Cost, String> {
    let Some(raw) = raw else {
        return Ok(Cost {
            input: 0.0,
            output: 0.0,
            cache_read: 0.0,
            cache_write: 0.0,
            tiers: Vec::new(),
        });
    };
    let mut tiers: Vec<CostTier> = raw
        .tiers
        .unwrap_or_default()
        .into_iter()
        .map(|tier| CostTier {
            above_input_tokens: tier.input_tokens_above,
            input: tier.input,
            output: tier.output,
            cache_read: tier.cache_read,
            cache_write: tier.cache_write,
        })
        .collect();
    tiers.sort_by_key(|tier| tier.above_input_tokens);

    let cost = Cost {
        input: raw.input.unwrap_or(0.0),
        output: raw.output.unwrap_or(0.0),
        cache_read: raw.cache_read.unwrap_or(0.0),
        cache_write: raw.cache_write.unwrap_or(0.0),
        tiers,
    };
    let prices = [cost.input, cost.output, cost.cache_read, cost.cache_write];
    let tier_prices = cost
        .tiers
        .iter()
        .flat_map(|t| [t.input, t.output, t.cache_read, t.cache_write]);
    if prices
        .into_iter()
        .chain(tier_prices)
        .any(|price| price < 0.0)
    {
        return Err("`cost` contains a negative price".to_string());
    }
    Ok(cost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn efforts(reasoning: bool, map: Value) -> Result<Vec<String>, String> {
        reasoning_efforts(reasoning, map.as_object())
    }

    #[test]
    fn efforts_without_map_stop_at_high() {
        assert_eq!(
            efforts(true, Value::Null).unwrap(),
            ["minimal", "low", "medium", "high"]
        );
    }

    #[test]
    fn efforts_follow_mapped_values() {
        let found = efforts(true, json!({"xhigh": "xhigh", "minimal": "low"})).unwrap();
        assert_eq!(found, ["low", "medium", "high", "xhigh"]);
    }

    #[test]
    fn efforts_collapse_to_distinct_values() {
        let found = efforts(
            true,
            json!({"minimal": "medium", "low": "medium", "medium": "medium", "high": "high"}),
        );
        assert_eq!(found.unwrap(), ["medium", "high"]);
    }

    #[test]
    fn efforts_skip_null_levels() {
        let found = efforts(
            true,
            json!({"off": null, "minimal": null, "low": "low", "max": "max"}),
        )
        .unwrap();
        assert_eq!(found, ["low", "medium", "high", "max"]);
    }

    #[test]
    fn efforts_empty_without_reasoning() {
        assert!(
            efforts(false, json!({"xhigh": "xhigh"}))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn efforts_reject_unknown_level() {
        let error = efforts(true, json!({"ultra": "ultra"})).unwrap_err();
        assert!(error.contains("`ultra`"), "{error}");
    }

    #[test]
    fn duplicate_ids_must_match() {
        let record = |location: &str, window: u64| RawRecord {
            location: location.to_string(),
            fallback_id: "m".to_string(),
            value: json!({"id": "m", "contextWindow": window, "maxTokens": 10}),
        };
        assert_eq!(
            build_models(&[record("a/m", 100), record("b/m", 100)])
                .unwrap()
                .len(),
            1
        );
        let error = build_models(&[record("a/m", 100), record("b/m", 200)]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("differs from the entry with the same id at a/m"),
            "{error}"
        );
    }
}
