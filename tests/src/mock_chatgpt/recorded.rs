//! Requests as the mock received them, for assertions in tests.

use std::time::Duration;

use serde_json::Value;

use super::codec::parse_form;

/// One HTTP request as the mock received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Raw query string without the leading `?`, empty when absent.
    pub query: String,
    /// Headers in the order received, with lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Time between the server start and the arrival of this request.
    pub received_after: Duration,
}

impl RecordedRequest {
    /// Returns the first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(header, _)| *header == name)
            .map(|(_, value)| value.as_str())
    }

    /// Parses the body as JSON.
    ///
    /// # Panics
    ///
    /// Panics with the path and body when the body is not valid JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "body of {} {} is not valid JSON ({error}): {}",
                self.method,
                self.path,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Parses the body as form-urlencoded name/value pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_form(&String::from_utf8_lossy(&self.body))
    }

    /// Returns the first value of form field `name`.
    pub fn form_field(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value)
    }

    /// Returns the first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<String> {
        parse_form(&self.query)
            .into_iter()
            .find(|(param, _)| param == name)
            .map(|(_, value)| value)
    }

    /// Returns the media type of the `content-type` header in lowercase,
    /// without parameters such as `charset`.
    pub(super) fn media_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }
}
