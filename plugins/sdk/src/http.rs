//! Outbound HTTP through the host. Only hosts declared in the plugin's
//! metadata are reachable, over HTTPS (plain HTTP only for loopback
//! overrides the host allowed).

use crate::bindings::ouro::provider::http as host;

pub use host::{HttpError, Method, Response, ResponseBody};

/// Builder for a request.
pub struct Request {
    inner: host::Request,
}

impl Request {
    /// Starts a request with `method` to `url`.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            inner: host::Request {
                method,
                url: url.into(),
                headers: Vec::new(),
                body: Vec::new(),
                timeout_ms: None,
            },
        }
    }

    /// Starts a GET request.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    /// Starts a POST request.
    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.inner.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body and its content type.
    pub fn json(self, body: impl Into<String>) -> Self {
        let mut request = self.header("content-type", "application/json");
        request.inner.body = body.into().into_bytes();
        request
    }

    /// Sets a form-urlencoded body (already encoded) and its content type.
    pub fn form(self, body: impl Into<String>) -> Self {
        let mut request = self.header("content-type", "application/x-www-form-urlencoded");
        request.inner.body = body.into().into_bytes();
        request
    }

    /// Limits the wait for response headers.
    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.inner.timeout_ms = Some(timeout_ms);
        self
    }

    /// Sends the request and returns once the response headers arrived.
    pub fn send(self) -> Result<Response, HttpError> {
        host::send(&self.inner)
    }
}

impl Response {
    /// Returns the value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Reads the whole body.
    pub fn bytes(&self) -> Result<Vec<u8>, HttpError> {
        let mut body = Vec::new();
        while let Some(chunk) = self.body.next_chunk()? {
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Reads the whole body as text, replacing invalid UTF-8.
    pub fn text(&self) -> Result<String, HttpError> {
        Ok(String::from_utf8_lossy(&self.bytes()?).into_owned())
    }
}
