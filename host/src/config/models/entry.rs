//! Reads one model entry under `models:` and checks the type of each of
//! its settings.

use std::collections::{BTreeMap, HashSet};

use saphyr::MarkedYaml;

use super::parse::{ParsedEntry, Reader, Value, classify, describe};
use super::{ConfigError, DEFAULT_TIMEOUT_SECS, ModelEntry, Secret, provider_of};

impl Reader<'_> {
    pub(super) fn read_entry(
        &self,
        key: &MarkedYaml<'_>,
        value: &MarkedYaml<'_>,
    ) -> Result<ParsedEntry, ConfigError> {
        let id = match classify(key) {
            Value::Text { text, .. } => text.trim(),
            _ => {
                return Err(self.error_at(
                    key.span.start,
                    format!(
                        "expected a model id such as `openai/gpt-4.1`, but found {}",
                        describe(key)
                    ),
                ));
            }
        };
        let (provider, model) = provider_of(id).ok_or_else(|| {
            self.error_at(key.span.start, format!("expected a model id of the form `<provider>/<model>`, such as `openai/gpt-4.1`, but found {id:?}"))
        })?;
        let mut entry = ModelEntry {
            id: id.to_string(),
            provider,
            model,
            api_key: None,
            api_base: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            drop_params: true,
            oauth_managed: false,
            oauth_provider: None,
            extra: BTreeMap::new(),
        };
        let mut settings_column = None;
        match classify(value) {
            Value::Null => {}
            Value::Mapping(settings) => {
                if !self.locate.opens_flow(value.span.start) {
                    settings_column = settings.keys().next().map(|first| first.span.start.col());
                }
                let mut seen = HashSet::new();
                for (name, setting) in settings {
                    self.read_setting(&mut entry, &mut seen, name, setting)?;
                }
            }
            _ => {
                return Err(self.error_at(
                    value.span.start,
                    format!("expected the settings of model `{id}` as a mapping (one `key: value` per line), but found {}", describe(value)),
                ));
            }
        }
        Ok(ParsedEntry {
            entry,
            placement: self.locate.placement(key, value),
            settings_column,
        })
    }

    fn read_setting<'n>(
        &self,
        entry: &mut ModelEntry,
        seen: &mut HashSet<&'n str>,
        key: &'n MarkedYaml<'_>,
        value: &MarkedYaml<'_>,
    ) -> Result<(), ConfigError> {
        let Value::Text { text: name, .. } = classify(key) else {
            return Err(self.error_at(
                key.span.start,
                format!(
                    "expected a setting name under model `{}`, but found {}",
                    entry.id,
                    describe(key)
                ),
            ));
        };
        if !seen.insert(name) {
            return Err(self.error_at(
                key.span.start,
                format!(
                    "setting `{name}` of model `{}` appears twice; keep one",
                    entry.id
                ),
            ));
        }
        let id = entry.id.clone();
        let expected = |what: &str| {
            let found = describe(value);
            self.error_at(
                value.span.start,
                format!("expected {what} for `{name}` of model `{id}`, but found {found}"),
            )
        };
        match (name, classify(value)) {
            // An empty setting means the default.
            (_, Value::Null) => {}
            ("api_key", Value::Text { text, .. }) => {
                entry.api_key = Some(Secret(text.to_string())).filter(|key| !key.0.is_empty())
            }
            ("api_base", Value::Text { text, .. }) => {
                if !(text.starts_with("http://") || text.starts_with("https://")) {
                    return Err(expected(
                        "an http:// or https:// URL such as https://api.openai.com/v1",
                    ));
                }
                entry.api_base = Some(text.to_string());
            }
            ("oauth_provider", Value::Text { text, .. }) => {
                entry.oauth_provider = Some(text.to_string())
            }
            ("api_key" | "api_base" | "oauth_provider", _) => return Err(expected("a text value")),
            ("timeout", Value::Text { text, plain: true })
                if text.bytes().all(|byte| byte.is_ascii_digit()) =>
            {
                entry.timeout_secs = text
                    .parse()
                    .ok()
                    .filter(|secs| *secs > 0)
                    .ok_or_else(|| expected("a positive number of seconds such as 600"))?;
            }
            ("timeout", _) => return Err(expected("a number of seconds such as 600")),
            ("drop_params", value) => {
                entry.drop_params = read_bool(&value).ok_or_else(|| expected("true or false"))?
            }
            ("oauth_managed", value) => {
                entry.oauth_managed = read_bool(&value).ok_or_else(|| expected("true or false"))?
            }
            (_, Value::Text { text, .. }) => {
                entry.extra.insert(name.to_string(), text.to_string());
            }
            (_, _) => {
                let found = describe(value);
                return Err(self.error_at(
                    value.span.start,
                    format!("expected a single value (text, number or true/false) for `{name}` of model `{id}`, but found {found}; extra settings reach the provider plugin as text"),
                ));
            }
        }
        Ok(())
    }
}

/// Reads a YAML 1.2 core-schema boolean, which must be a plain scalar, and
/// returns `None` for anything else. `yes` and `no` are text in YAML 1.2, so
/// they are rejected rather than guessed.
fn read_bool(value: &Value<'_, '_>) -> Option<bool> {
    match value {
        Value::Text { text, plain: true } => match *text {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        },
        _ => None,
    }
}
