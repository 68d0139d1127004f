use super::*;
use ouro_plugin_sdk::StopReason;

const NOW: u64 = 1_700_000_000;

/// A stream as the backend sends it: comments, `event:` lines, a text
/// delta, a tool call whose arguments only arrive as deltas, an empty
/// `output` array in the completed event, and a trailing `[DONE]`.
const SAMPLE: &str = ": ping\n\
event: response.created\n\
data: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\"}}\n\
\n\
event: response.output_text.delta\n\
data: {\"type\":\"response.output_text.delta\",\"delta\":\"Héllo\"}\n\
\n\
data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"delta\":\"{\\\"q\\\":\"}\n\
\n\
data: {\"type\":\"response.function_call_arguments.delta\",\"item_id\":\"fc_1\",\"delta\":\"1}\"}\n\
\n\
data: {\"type\":\"response.output_item.done\",\n\
data: \"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"find\"}}\n\
\n\
data: {\"type\":\"response.completed\",\"response\":{\"output\":[],\"usage\":{\"input_tokens\":9,\"output_tokens\":4}}}\n\
\n\
data: [DONE]\n\
\n";

/// Events as comparable strings, so a mismatch prints readably.
fn describe(item: Result<StreamEvent, ProviderError>) -> String {
    match item {
        Ok(StreamEvent::TextDelta(text)) => format!("text {text}"),
        Ok(StreamEvent::ReasoningDelta(text)) => format!("reasoning {text}"),
        Ok(StreamEvent::ToolCall(call)) => {
            format!("tool {} {} {}", call.id, call.name, call.arguments)
        }
        Ok(StreamEvent::Usage(usage)) => {
            format!("usage {} {}", usage.input_tokens, usage.output_tokens)
        }
        Ok(StreamEvent::RateLimits(_)) => "rate limits".into(),
        Ok(StreamEvent::Opaque(text)) => format!("opaque {text}"),
        Ok(StreamEvent::Stop(reason)) => format!("stop {reason:?}"),
        Err(ProviderError::Transient(message)) => format!("transient {message}"),
        Err(other) => format!("error {other:?}"),
    }
}

fn decode(chunks: &[&[u8]]) -> Vec<String> {
    let mut decoder = StreamDecoder::new(NOW, Vec::new());
    for chunk in chunks {
        decoder.push(chunk);
    }
    decoder.finish();
    std::iter::from_fn(|| decoder.pop()).map(describe).collect()
}

fn expected_sample() -> Vec<String> {
    vec![
        "text Héllo".to_owned(),
        "tool call_1 find {\"q\":1}".to_owned(),
        "usage 9 4".to_owned(),
        format!("stop {:?}", StopReason::ToolCalls),
    ]
}

#[test]
fn sample_stream_decoded() {
    assert_eq!(decode(&[SAMPLE.as_bytes()]), expected_sample());
}

#[test]
fn sample_split_at_every_byte() {
    let bytes = SAMPLE.as_bytes();
    for point in 1..bytes.len() {
        let (head, tail) = bytes.split_at(point);
        assert_eq!(
            decode(&[head, tail]),
            expected_sample(),
            "split at byte {point}"
        );
    }
}

#[test]
fn sample_with_crlf_lines() {
    let crlf = SAMPLE.replace('\n', "\r\n");
    let bytes = crlf.as_bytes();
    for point in (1..bytes.len()).step_by(7) {
        let (head, tail) = bytes.split_at(point);
        assert_eq!(
            decode(&[head, tail]),
            expected_sample(),
            "split at byte {point}"
        );
    }
}

#[test]
fn truncated_stream_is_transient() {
    let cut = SAMPLE
        .find("data: {\"type\":\"response.completed\"")
        .unwrap();
    let events = decode(&[&SAMPLE.as_bytes()[..cut]]);
    assert_eq!(events.first().map(String::as_str), Some("text Héllo"));
    assert_eq!(
        events.last().unwrap(),
        &format!("transient {TRUNCATED_MESSAGE}")
    );
}

#[test]
fn empty_body_is_transient() {
    assert_eq!(decode(&[]), vec![format!("transient {TRUNCATED_MESSAGE}")]);
}

#[test]
fn failure_after_streamed_text() {
    let stream = "data: {\"type\":\"response.output_text.delta\",\"delta\":\"part\"}\n\n\
        data: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"server_error\",\"message\":\"oops\"}}}\n\n\
        data: {\"type\":\"response.output_text.delta\",\"delta\":\"ignored\"}\n\n";
    let events = decode(&[stream.as_bytes()]);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0], "text part");
    assert!(
        events[1].starts_with("transient") && events[1].contains("oops"),
        "{}",
        events[1]
    );
}

#[test]
fn event_field_supplies_type() {
    let stream = "event: response.output_text.delta\ndata: {\"delta\":\"x\"}\n\n\
        event: response.completed\ndata: {}\n\n";
    assert_eq!(
        decode(&[stream.as_bytes()]),
        vec![
            "text x".to_owned(),
            format!("stop {:?}", StopReason::EndTurn)
        ]
    );
}

#[test]
fn non_json_data_skipped() {
    let stream = "data: not json\n\ndata: {\"type\":\"response.completed\"}\n\n";
    assert_eq!(
        decode(&[stream.as_bytes()]),
        vec![format!("stop {:?}", StopReason::EndTurn)]
    );
}

#[test]
fn initial_events_come_first() {
    let limits = ouro_plugin_sdk::RateLimits {
        primary: None,
        secondary: None,
    };
    let mut decoder = StreamDecoder::new(NOW, vec![StreamEvent::RateLimits(limits)]);
    decoder.push(b"data: {\"type\":\"response.completed\"}\n\n");
    let events: Vec<String> = std::iter::from_fn(|| decoder.pop()).map(describe).collect();
    assert_eq!(
        events,
        vec![
            "rate limits".to_owned(),
            format!("stop {:?}", StopReason::EndTurn)
        ]
    );
    assert!(decoder.done());
}
