//! Scripting of `POST /backend-api/codex/responses`: queued streams and
//! errors, canned errors of the Codex backend, rate-limit headers and model
//! availability.

use serde_json::{Value, json};

use super::MockChatGpt;
use super::codec::unix_now;
use super::state::Scripted;

impl MockChatGpt {
    fn enqueue(&self, response: Scripted) {
        self.state().queue.push_back(response);
    }

    /// Queues a 200 SSE response that sends each event as one frame,
    /// `event: <type>\ndata: <json>\n\n`. When the queue is empty, requests
    /// get [`Self::text_stream`] of "Hello from the mock.".
    pub fn push_stream(&self, events: Vec<Value>) {
        self.enqueue(Scripted::Events(events));
    }

    /// Queues a 200 SSE response whose body is `chunks` as they are, each
    /// its own HTTP chunk after a 15 ms pause, so tests can split events
    /// mid-line, use CRLF or comments, or end without a terminal event.
    pub fn push_raw_stream(&self, chunks: Vec<Vec<u8>>) {
        self.enqueue(Scripted::Raw {
            chunks,
            abort: false,
        });
    }

    /// Like [`Self::push_raw_stream`], but the connection is then cut
    /// without ending the chunked body, so the client sees a network error.
    pub fn push_aborted_stream(&self, chunks: Vec<Vec<u8>>) {
        self.enqueue(Scripted::Raw {
            chunks,
            abort: true,
        });
    }

    /// Queues an error response with a JSON body and extra headers.
    pub fn push_error(&self, status: u16, headers: Vec<(String, String)>, body: Value) {
        self.enqueue(Scripted::Error {
            status,
            headers,
            body,
        });
    }

    /// Returns how many queued responses no request has taken yet.
    pub fn queued_responses(&self) -> usize {
        self.state().queue.len()
    }

    /// Queues a 429 `usage_limit_reached` error for a plus plan that
    /// resets at `resets_at` (unix seconds).
    pub fn usage_limit_error(&self, resets_at: u64) {
        let resets_in_seconds = (resets_at as i64 - unix_now()).max(0);
        let body = json!({"error": {
            "type": "usage_limit_reached",
            "message": "The usage limit has been reached",
            "plan_type": "plus",
            "resets_at": resets_at,
            "resets_in_seconds": resets_in_seconds,
        }});
        self.push_error(429, Vec::new(), body);
    }

    /// Queues a 429 `usage_not_included` error: the plan does not include
    /// Codex.
    pub fn usage_not_included_error(&self) {
        let body = json!({"error": {
            "type": "usage_not_included",
            "message": "To use Codex with your ChatGPT plan, upgrade to Plus.",
            "plan_type": "free",
        }});
        self.push_error(429, Vec::new(), body);
    }

    /// Queues a 503 `server_is_overloaded` error.
    pub fn overloaded_error(&self) {
        let body = json!({"error": {
            "code": "server_is_overloaded",
            "message": "Our servers are currently overloaded. Please try again later.",
        }});
        self.push_error(503, Vec::new(), body);
    }

    /// Queues a plain 429 rate-limit error with `Retry-After` in seconds.
    pub fn rate_limit_error(&self, retry_after: u64) {
        let body = json!({"error": {
            "code": "rate_limit_exceeded",
            "message": "Rate limit reached. Please try again later.",
        }});
        let headers = vec![("retry-after".to_owned(), retry_after.to_string())];
        self.push_error(429, headers, body);
    }

    /// Adds `x-codex-primary-used-percent`, `-window-minutes` and
    /// `-reset-at` (unix seconds) to every later completion response,
    /// streams and errors alike.
    pub fn set_rate_limit_headers(
        &self,
        primary_used: f64,
        primary_window_minutes: u64,
        primary_reset_at: u64,
    ) {
        self.state().set_rate_limit_window(
            "primary",
            primary_used,
            primary_window_minutes,
            primary_reset_at,
        );
    }

    /// Adds the `x-codex-secondary-*` headers, like
    /// [`Self::set_rate_limit_headers`] does for the primary window.
    pub fn set_secondary_rate_limit_headers(&self, used: f64, window_minutes: u64, reset_at: u64) {
        self.state()
            .set_rate_limit_window("secondary", used, window_minutes, reset_at);
    }

    /// Makes requests for `model` fail with 400 "The '<model>' model is not
    /// supported when using Codex with a ChatGPT account.".
    pub fn reject_model(&self, model: &str) {
        self.state().rejected_models.insert(model.to_owned());
    }

    /// Accepts only `models` from now on. By default any model id is
    /// accepted unless [`Self::reject_model`] named it.
    pub fn allow_only_models(&self, models: &[&str]) {
        self.state().allowed_models =
            Some(models.iter().map(|model| (*model).to_owned()).collect());
    }
}
