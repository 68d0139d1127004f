//! Byte-level server-sent events parser (the WHATWG `text/event-stream`
//! format). Chunks may split lines, CRLF pairs and UTF-8 characters anywhere.

/// One dispatched event.
#[derive(Clone, Debug, PartialEq)]
pub struct SseEvent {
    /// Value of the `event:` field, if any.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Incremental parser: feed chunks with [`SseParser::push`], then call
/// [`SseParser::finish`] at the end of the body.
#[derive(Default)]
pub struct SseParser {
    /// Bytes of the line being read, without its terminator.
    line: Vec<u8>,
    /// The previous byte was a CR, so an LF right after it completes a CRLF.
    after_cr: bool,
    event: Option<String>,
    data: Vec<String>,
}

impl SseParser {
    /// Consumes a chunk and returns the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' => self.end_line(&mut events),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut events);
                }
                _ => self.line.push(byte),
            }
        }
        events
    }

    /// Ends the body. A last event without its closing blank line is still
    /// dispatched (the standard drops it), because a server that closes right
    /// after its final event should not lose that event.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut events = Vec::new();
        if !self.line.is_empty() {
            self.end_line(&mut events);
        }
        self.dispatch(&mut events);
        events
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();

        if line.is_empty() {
            self.dispatch(events);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => self.data.push(value.to_owned()),
            "event" => self.event = Some(value.to_owned()),
            // `id` and `retry` only matter for reconnecting, which this client never does.
            _ => {}
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        let event = self.event.take();
        if self.data.is_empty() {
            return;
        }
        events.push(SseEvent {
            event,
            data: self.data.join("\n"),
        });
        self.data.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = ": keep-alive comment\n\
        event: response.created\n\
        data: {\"type\":\"response.created\"}\n\
        \n\
        data: first line\n\
        data: second ✓ line\n\
        id: 7\n\
        \n\
        data: [DONE]\n\
        \n";

    fn expected_sample() -> Vec<SseEvent> {
        vec![
            SseEvent {
                event: Some("response.created".into()),
                data: "{\"type\":\"response.created\"}".into(),
            },
            SseEvent {
                event: None,
                data: "first line\nsecond ✓ line".into(),
            },
            SseEvent {
                event: None,
                data: "[DONE]".into(),
            },
        ]
    }

    fn parse_in_pieces(bytes: &[u8], split_points: &[usize]) -> Vec<SseEvent> {
        let mut parser = SseParser::default();
        let mut events = Vec::new();
        let mut start = 0;
        for &point in split_points.iter().chain(std::iter::once(&bytes.len())) {
            events.extend(parser.push(&bytes[start..point]));
            start = point;
        }
        events.extend(parser.finish());
        events
    }

    #[test]
    fn sample_in_one_chunk() {
        assert_eq!(parse_in_pieces(SAMPLE.as_bytes(), &[]), expected_sample());
    }

    #[test]
    fn split_at_every_byte() {
        let bytes = SAMPLE.as_bytes();
        for point in 1..bytes.len() {
            assert_eq!(
                parse_in_pieces(bytes, &[point]),
                expected_sample(),
                "split at byte {point}"
            );
        }
    }

    #[test]
    fn one_byte_chunks() {
        let bytes = SAMPLE.as_bytes();
        let points: Vec<usize> = (1..bytes.len()).collect();
        assert_eq!(parse_in_pieces(bytes, &points), expected_sample());
    }

    #[test]
    fn crlf_split_everywhere() {
        let crlf = SAMPLE.replace('\n', "\r\n");
        let bytes = crlf.as_bytes();
        for point in 1..bytes.len() {
            assert_eq!(
                parse_in_pieces(bytes, &[point]),
                expected_sample(),
                "split at byte {point}"
            );
        }
    }

    #[test]
    fn bare_cr_line_endings() {
        let cr = SAMPLE.replace('\n', "\r");
        assert_eq!(parse_in_pieces(cr.as_bytes(), &[]), expected_sample());
    }

    #[test]
    fn comments_only_yield_nothing() {
        assert!(parse_in_pieces(b": ping\n\n:another\n\n", &[]).is_empty());
    }

    #[test]
    fn data_without_space_or_value() {
        let events = parse_in_pieces(b"data:x\ndata\ndata: y\n\n", &[]);
        assert_eq!(
            events,
            vec![SseEvent {
                event: None,
                data: "x\n\ny".into()
            }]
        );
    }

    #[test]
    fn event_type_resets_after_dispatch() {
        let events = parse_in_pieces(b"event: a\ndata: 1\n\ndata: 2\n\n", &[]);
        assert_eq!(events[0].event.as_deref(), Some("a"));
        assert_eq!(events[1].event, None);
    }

    #[test]
    fn unterminated_last_event_kept() {
        let events = parse_in_pieces(b"data: {\"a\":1}", &[]);
        assert_eq!(
            events,
            vec![SseEvent {
                event: None,
                data: "{\"a\":1}".into()
            }]
        );
    }
}
