//! Tests of the streamed completion body: SSE framing, raw chunks that
//! arrive one by one, truncated and aborted streams.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::MockChatGpt;
use super::test_client::{post_responses, valid_body};

/// The raw bytes of one HTTP response, split into head and body.
struct RawResponse {
    head: String,
    body: Vec<u8>,
}

/// Sends a valid completion request over a plain socket and reads until the
/// server closes the connection or the read fails. Returns the bytes as
/// sent, so chunked framing stays visible.
fn raw_completion(mock: &MockChatGpt, tokens: &Value) -> RawResponse {
    let access_token = tokens["access_token"].as_str().unwrap();
    let claims = MockChatGpt::jwt_claims(access_token).unwrap();
    let account_id = claims["https://api.openai.com/auth"]["chatgpt_account_id"]
        .as_str()
        .unwrap();
    let body = valid_body().to_string();
    let host = mock.issuer().trim_start_matches("http://").to_owned();
    let request = format!(
        "POST /backend-api/codex/responses HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {access_token}\r\n\
         chatgpt-account-id: {account_id}\r\noriginator: ouro\r\naccept: text/event-stream\r\n\
         content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );

    let mut stream = TcpStream::connect(&host).expect("connecting to the mock");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => bytes.extend_from_slice(&buffer[..read]),
        }
    }

    let split = bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("no end of headers");
    RawResponse {
        head: String::from_utf8_lossy(&bytes[..split]).to_ascii_lowercase(),
        body: bytes[split + 4..].to_vec(),
    }
}

/// Decodes a chunked body into its chunks, and whether the terminating
/// zero-length chunk was present.
fn decode_chunks(mut body: &[u8]) -> (Vec<Vec<u8>>, bool) {
    let mut chunks = Vec::new();
    loop {
        let Some(line_end) = body.windows(2).position(|window| window == b"\r\n") else {
            return (chunks, false);
        };
        let size_text = std::str::from_utf8(&body[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.trim(), 16).unwrap();
        if size == 0 {
            return (chunks, true);
        }
        let data_start = line_end + 2;
        if body.len() < data_start + size + 2 {
            return (chunks, false);
        }
        chunks.push(body[data_start..data_start + size].to_vec());
        body = &body[data_start + size + 2..];
    }
}

#[test]
fn pushed_events_are_framed_exactly() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let mut events = vec![MockChatGpt::rate_limits_event(
        (12.5, 300, 1_900_000_000),
        None,
    )];
    events.extend(MockChatGpt::text_stream("Two words"));
    mock.push_stream(events.clone());

    let reply = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(reply.status, 200);
    let expected: Vec<u8> = events.iter().flat_map(MockChatGpt::sse_frame).collect();
    assert_eq!(reply.text(), String::from_utf8(expected).unwrap());
    assert!(
        reply
            .text()
            .starts_with("event: codex.rate_limits\ndata: {")
    );
}

#[test]
fn raw_chunks_arrive_one_by_one() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let chunks: Vec<Vec<u8>> = vec![
        b": keep-alive comment\r\n\r\nevent: response.created\r\nda".to_vec(),
        b"ta: {\"type\":\"response.created\",\"response\":{}}\r\n".to_vec(),
        b"\r\ndata: [DONE]\n\n".to_vec(),
    ];
    mock.push_raw_stream(chunks.clone());

    let started = Instant::now();
    let response = raw_completion(&mock, &tokens);
    assert!(
        response.head.starts_with("http/1.1 200"),
        "{}",
        response.head
    );
    assert!(
        response.head.contains("transfer-encoding: chunked"),
        "{}",
        response.head
    );
    assert!(
        response.head.contains("content-type: text/event-stream"),
        "{}",
        response.head
    );
    let (received, terminated) = decode_chunks(&response.body);
    assert_eq!(received, chunks);
    assert!(terminated);
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "chunks were not paused"
    );
}

#[test]
fn aborted_stream_lacks_final_chunk() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    let chunks = MockChatGpt::truncated_stream("Cut short here");
    mock.push_aborted_stream(chunks.clone());

    let response = raw_completion(&mock, &tokens);
    let (received, terminated) = decode_chunks(&response.body);
    assert_eq!(received, chunks);
    assert!(
        !terminated,
        "an aborted stream must not end the chunked body"
    );
}

#[test]
fn truncated_stream_ends_cleanly_without_completion() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    mock.push_raw_stream(MockChatGpt::truncated_stream("Partial answer text"));

    let reply = post_responses(&mock, &tokens, &valid_body());
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains("\"delta\":\"answer \""), "{text}");
    assert!(!text.contains("response.completed"), "{text}");
}

#[test]
fn failed_and_incomplete_streams_are_served() {
    let mock = MockChatGpt::start();
    let tokens = mock.issue_tokens(None);
    mock.push_stream(MockChatGpt::failed_stream(
        "server_error",
        "Something broke.",
    ));
    mock.push_stream(MockChatGpt::incomplete_stream("Long answer"));

    let failed = post_responses(&mock, &tokens, &valid_body()).text();
    let data = failed
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .next_back()
        .unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["type"], "response.failed");
    assert_eq!(
        event["response"]["error"],
        json!({"code": "server_error", "message": "Something broke."})
    );

    let incomplete = post_responses(&mock, &tokens, &valid_body()).text();
    assert!(
        incomplete.contains("event: response.incomplete\n"),
        "{incomplete}"
    );
    assert!(
        incomplete.contains("\"reason\":\"max_output_tokens\""),
        "{incomplete}"
    );
}

#[test]
fn server_stops_on_drop() {
    let mock = MockChatGpt::start();
    let address = mock.issuer().trim_start_matches("http://").to_owned();
    assert!(TcpStream::connect(&address).is_ok());
    drop(mock);
    assert!(
        TcpStream::connect(&address).is_err(),
        "the port still accepts connections"
    );
}
