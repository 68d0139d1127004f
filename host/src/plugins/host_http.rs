//! The `http` import: outbound requests with streamed bodies, checked
//! against the plugin's [`HostPolicy`](super::policy::HostPolicy).
//!
//! Requests run on the tokio runtime; the plugin's thread blocks on them,
//! which does not count toward the plugin's CPU limit. Redirects are not
//! followed, so a declared host cannot bounce a plugin to another one.

use std::time::Duration;

use reqwest::Url;
use wasmtime::component::Resource;

use super::bindings::ouro::provider::http::{
    Host, HostResponseBody, HttpError, Method, Request, Response,
};
use super::sandbox::HostState;

/// Default wait for response headers.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Maximum silence between two body chunks.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// Largest response body a plugin may read.
const MAX_BODY_BYTES: u64 = 64 << 20;

/// A response body being read by a plugin.
pub struct ResponseBody {
    response: reqwest::Response,
    received: u64,
}

/// Builds the HTTP client shared by all plugins. It honours the usual proxy
/// variables (`HTTPS_PROXY`, `NO_PROXY`, ...).
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(30))
        .user_agent(concat!("ouro/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "falling back to a default HTTP client");
            reqwest::Client::new()
        })
}

impl Host for HostState {
    fn send(&mut self, request: Request) -> Result<Response, HttpError> {
        let url = Url::parse(&request.url)
            .map_err(|error| HttpError::InvalidRequest(format!("invalid URL: {error}")))?;
        if let Err(message) = self.policy.check(&url) {
            tracing::warn!(plugin = %self.identity.id, host = url.host_str().unwrap_or(""), "denied an HTTP request");
            return Err(HttpError::Denied(message));
        }

        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.http.request(method, url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.body(request.body);
        }
        let timeout = request
            .timeout_ms
            .map(|millis| Duration::from_millis(millis.into()))
            .unwrap_or(DEFAULT_TIMEOUT);

        tracing::debug!(plugin = %self.identity.id, host = url.host_str().unwrap_or(""), path = url.path(), "HTTP request");
        let outcome = self
            .runtime
            .run_until_cancelled(&self.cancel, || tokio::time::timeout(timeout, builder.send()))
            .ok_or_else(|| HttpError::Network("cancelled".into()))?;
        let response = match outcome {
            Err(_) => {
                return Err(HttpError::Timeout(format!(
                    "no response from {} within {} s",
                    url.host_str().unwrap_or(""),
                    timeout.as_secs()
                )));
            }
            Ok(Err(error)) => return Err(HttpError::Network(describe(error))),
            Ok(Ok(response)) => response,
        };

        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = self
            .table
            .push(ResponseBody { response, received: 0 })
            .map_err(|error| HttpError::Network(error.to_string()))?;
        Ok(Response { status, headers, body })
    }
}

impl HostResponseBody for HostState {
    fn next_chunk(&mut self, body: Resource<ResponseBody>) -> Result<Option<Vec<u8>>, HttpError> {
        let entry = self
            .table
            .get_mut(&body)
            .map_err(|error| HttpError::InvalidRequest(error.to_string()))?;
        let outcome = self
            .runtime
            .run_until_cancelled(&self.cancel, || tokio::time::timeout(IDLE_TIMEOUT, entry.response.chunk()));
        let chunk = match outcome {
            None => return Err(HttpError::Network("cancelled".into())),
            Some(Err(_)) => {
                return Err(HttpError::Timeout(format!(
                    "the response stalled for {} s",
                    IDLE_TIMEOUT.as_secs()
                )));
            }
            Some(Ok(Err(error))) => return Err(HttpError::Network(describe(error))),
            Some(Ok(Ok(chunk))) => chunk,
        };
        let Some(chunk) = chunk else {
            return Ok(None);
        };
        entry.received += chunk.len() as u64;
        if entry.received > MAX_BODY_BYTES {
            return Err(HttpError::TooLarge(format!(
                "the response body exceeded {} MiB",
                MAX_BODY_BYTES >> 20
            )));
        }
        Ok(Some(chunk.to_vec()))
    }

    fn drop(&mut self, body: Resource<ResponseBody>) -> wasmtime::Result<()> {
        self.table.delete(body)?;
        Ok(())
    }
}

/// Describes a reqwest error with its cause chain but without the URL,
/// whose query may carry codes or tokens.
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
