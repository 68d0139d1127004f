//! The completion stream: response body bytes in, host stream events out.

use std::collections::VecDeque;

use ouro_plugin_sdk::http::Response;
use ouro_plugin_sdk::{CompletionStream, ProviderError, StreamEvent};
use serde_json::Value;

use crate::events::EventMapper;
use crate::logging as log;
use crate::sse::SseParser;

/// Error for a body that ends before a terminal event.
pub const TRUNCATED_MESSAGE: &str = "stream closed before response.completed";

/// Byte-to-event decoding without I/O, so it can be tested natively.
/// Events and at most one error queue up in arrival order.
pub struct StreamDecoder {
    parser: SseParser,
    mapper: EventMapper,
    queue: VecDeque<Result<StreamEvent, ProviderError>>,
    failed: bool,
}

impl StreamDecoder {
    /// Creates a decoder whose `initial` events (rate limits from the
    /// response headers) come first.
    pub fn new(now: u64, initial: Vec<StreamEvent>) -> Self {
        Self {
            parser: SseParser::default(),
            mapper: EventMapper::new(now),
            queue: initial.into_iter().map(Ok).collect(),
            failed: false,
        }
    }

    /// Returns whether decoding is over, because a terminal event or an
    /// error arrived.
    pub fn done(&self) -> bool {
        self.failed || self.mapper.finished()
    }

    /// Consumes a body chunk.
    pub fn push(&mut self, chunk: &[u8]) {
        let events = self.parser.push(chunk);
        self.handle(events);
    }

    /// Ends the body; a missing terminal event becomes a transient error.
    pub fn finish(&mut self) {
        let events = self.parser.finish();
        self.handle(events);
        if !self.done() {
            self.fail(ProviderError::Transient(TRUNCATED_MESSAGE.into()));
        }
    }

    /// Records a failure to read the body.
    pub fn fail(&mut self, error: ProviderError) {
        if !self.failed {
            self.failed = true;
            self.queue.push_back(Err(error));
        }
    }

    /// Takes the next decoded event or error.
    pub fn pop(&mut self) -> Option<Result<StreamEvent, ProviderError>> {
        self.queue.pop_front()
    }

    fn handle(&mut self, events: Vec<crate::sse::SseEvent>) {
        for event in events {
            if self.done() {
                return;
            }
            if event.data.trim() == "[DONE]" {
                continue;
            }
            let Ok(mut payload) = serde_json::from_str::<Value>(&event.data) else {
                log::debug("skipping a stream event whose data is not JSON");
                continue;
            };
            // Payloads normally name their type; the SSE `event:` field is the fallback.
            if payload.get("type").is_none()
                && let (Some(kind), Some(object)) = (event.event, payload.as_object_mut())
            {
                object.insert("type".into(), Value::String(kind));
            }
            match self.mapper.map(&payload) {
                Ok(mapped) => self.queue.extend(mapped.into_iter().map(Ok)),
                Err(error) => self.fail(error),
            }
        }
    }
}

/// A streamed response read from the host chunk by chunk.
pub struct ResponseStream {
    response: Option<Response>,
    decoder: StreamDecoder,
}

impl ResponseStream {
    pub fn new(response: Response, decoder: StreamDecoder) -> Self {
        Self {
            response: Some(response),
            decoder,
        }
    }
}

impl CompletionStream for ResponseStream {
    fn next(&mut self) -> Result<Option<StreamEvent>, ProviderError> {
        loop {
            if let Some(item) = self.decoder.pop() {
                return item.map(Some);
            }
            if self.decoder.done() {
                // Dropping the response closes the connection early when a
                // terminal event arrived before the body ended.
                self.response = None;
                return Ok(None);
            }
            let Some(response) = &self.response else {
                return Ok(None);
            };
            match response.body.next_chunk() {
                Ok(Some(chunk)) => self.decoder.push(&chunk),
                Ok(None) => self.decoder.finish(),
                Err(error) => {
                    let error = crate::net::http_error("reading the ChatGPT response", error);
                    log::debug(&format!("the response stream broke off: {error:?}"));
                    self.decoder.fail(error);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
