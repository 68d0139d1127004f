//! The HTTP/1.1 server: a thread with its own tokio runtime that records
//! every request, routes it and writes the reply, streaming SSE bodies
//! chunk by chunk.

use std::convert::Infallible;
use std::io;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::channel::Channel;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::recorded::RecordedRequest;
use super::state::{State, lock};
use super::{authorize, backend, device, token};

/// Pause between raw stream chunks, so that each usually reaches the client
/// in its own read. TCP may still merge them.
const RAW_CHUNK_PAUSE: Duration = Duration::from_millis(15);

/// What a handler sends back.
pub(super) enum Reply {
    Json {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    Text {
        status: u16,
        body: String,
    },
    Redirect {
        location: String,
    },
    Stream {
        headers: Vec<(String, String)>,
        chunks: Vec<Vec<u8>>,
        pause: Duration,
        abort: bool,
    },
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Self::Json {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// Returns the status and body of an error reply (4xx or 5xx).
    fn error_summary(&self) -> Option<(u16, String)> {
        match self {
            Self::Json { status, body, .. } if *status >= 400 => Some((*status, body.to_string())),
            Self::Text { status, body } if *status >= 400 => Some((*status, body.clone())),
            _ => None,
        }
    }

    /// Builds an SSE stream of pre-framed chunks sent without pauses.
    pub fn event_stream(headers: Vec<(String, String)>, chunks: Vec<Vec<u8>>) -> Self {
        Self::Stream {
            headers,
            chunks,
            pause: Duration::ZERO,
            abort: false,
        }
    }

    /// Builds an SSE stream of raw chunks with a pause between chunks.
    pub fn raw_stream(headers: Vec<(String, String)>, chunks: Vec<Vec<u8>>, abort: bool) -> Self {
        Self::Stream {
            headers,
            chunks,
            pause: RAW_CHUNK_PAUSE,
            abort,
        }
    }
}

/// A running server thread.
pub(super) struct Server {
    pub port: u16,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts serving `state` on `listener` in a new thread.
    pub fn start(listener: TcpListener, state: Arc<Mutex<State>>) -> Self {
        let port = listener
            .local_addr()
            .expect("reading the mock server's address")
            .port();
        listener
            .set_nonblocking(true)
            .expect("making the mock server's listener non-blocking");
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("mock-chatgpt-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("building the mock server's tokio runtime");
                runtime.block_on(accept_connections(listener, state, stopped));
            })
            .expect("spawning the mock server thread");
        Self {
            port,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    /// Stops accepting, drops open connections and waits for the thread.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn accept_connections(
    listener: TcpListener,
    state: Arc<Mutex<State>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener)
        .expect("registering the mock server's listener");
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        eprintln!("mock ChatGPT server: accept failed: {error}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let state = state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(state.clone(), request));
                    // Clients that drop a stream early end up here, which is normal.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        }
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    request: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, io::Error>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(error) => {
            eprintln!(
                "mock ChatGPT server: reading the body of {} {} failed: {error}",
                parts.method, parts.uri
            );
            Vec::new()
        }
    };

    let reply = {
        let mut state = lock(&state);
        let recorded = RecordedRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().unwrap_or("").to_owned(),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body,
            received_after: state.started.elapsed(),
        };
        state.requests.push(recorded.clone());
        route(&mut state, &recorded)
    };
    // Error bodies carry no tokens, so they are safe to log. Test output
    // shows them only when a test fails.
    if let Some((status, body)) = reply.error_summary() {
        eprintln!(
            "mock ChatGPT server: {} {} returned {status}: {body}",
            parts.method,
            parts.uri.path()
        );
    }
    Ok(into_response(reply))
}

fn route(state: &mut State, request: &RecordedRequest) -> Reply {
    let handler: fn(&mut State, &RecordedRequest) -> Reply = match request.path.as_str() {
        "/api/accounts/deviceauth/usercode" => device::start_device_login,
        "/api/accounts/deviceauth/token" => device::poll_device_login,
        "/oauth/authorize" => authorize::authorize_over_http,
        "/oauth/token" => token::exchange_or_refresh,
        "/backend-api/codex/responses" => backend::create_response,
        _ => return Reply::json(404, json!({"detail": "Not Found"})),
    };
    let expected_method = if request.path == "/oauth/authorize" {
        "GET"
    } else {
        "POST"
    };
    if request.method != expected_method {
        return Reply::json(405, json!({"detail": "Method Not Allowed"}));
    }
    handler(state, request)
}

fn into_response(reply: Reply) -> Response<BoxBody<Bytes, io::Error>> {
    let builder = Response::builder();
    let (builder, body) = match reply {
        Reply::Json {
            status,
            headers,
            body,
        } => {
            let mut builder = builder
                .status(status)
                .header("content-type", "application/json");
            for (name, value) in headers {
                builder = builder.header(name, value);
            }
            (builder, full_body(body.to_string().into_bytes()))
        }
        Reply::Text { status, body } => (
            builder
                .status(status)
                .header("content-type", "text/plain; charset=utf-8"),
            full_body(body.into_bytes()),
        ),
        Reply::Redirect { location } => (
            builder
                .status(StatusCode::FOUND)
                .header("location", location),
            full_body(Vec::new()),
        ),
        Reply::Stream {
            headers,
            chunks,
            pause,
            abort,
        } => {
            let mut builder = builder
                .status(200)
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache");
            for (name, value) in headers {
                builder = builder.header(name, value);
            }
            (builder, streamed_body(chunks, pause, abort))
        }
    };
    builder.body(body).unwrap_or_else(|error| {
        // Only a test's invalid header name or value can get here.
        let message = format!("mock ChatGPT server: invalid scripted response: {error}");
        eprintln!("{message}");
        Response::builder()
            .status(500)
            .body(full_body(message.into_bytes()))
            .unwrap()
    })
}

fn full_body(bytes: Vec<u8>) -> BoxBody<Bytes, io::Error> {
    Full::new(Bytes::from(bytes))
        .map_err(|never| match never {})
        .boxed()
}

/// Returns a chunked body that a background task fills with `chunks`. Each
/// chunk becomes one HTTP chunk, and an aborted body makes hyper close the
/// connection without the terminating zero-length chunk.
fn streamed_body(chunks: Vec<Vec<u8>>, pause: Duration, abort: bool) -> BoxBody<Bytes, io::Error> {
    let (mut sender, body) = Channel::<Bytes, io::Error>::new(4);
    tokio::spawn(async move {
        for (index, chunk) in chunks.into_iter().enumerate() {
            if index > 0 && !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            if sender.send_data(Bytes::from(chunk)).await.is_err() {
                return;
            }
        }
        if abort {
            tokio::time::sleep(pause).await;
            sender.abort(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "scripted stream abort",
            ));
        }
    });
    body.boxed()
}
