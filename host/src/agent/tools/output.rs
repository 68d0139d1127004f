//! Bounded capture of command output that keeps its start and its end, and small
//! text formatting helpers.

use std::collections::VecDeque;

/// Output bytes of a command, holding at most `max_bytes` of them in memory.
///
/// The first half of the limit keeps the start of the output and a ring buffer keeps
/// the most recent bytes. What falls between them is only counted, so a command that
/// prints gigabytes costs no more memory than one that prints the limit.
#[derive(Debug)]
pub(crate) struct OutputBuffer {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    head_limit: usize,
    tail_limit: usize,
    total_bytes: usize,
    total_newlines: usize,
}

impl OutputBuffer {
    pub(crate) fn new(max_bytes: usize) -> Self {
        let head_limit = max_bytes / 2;
        Self {
            head: Vec::new(),
            tail: VecDeque::new(),
            head_limit,
            tail_limit: max_bytes - head_limit,
            total_bytes: 0,
            total_newlines: 0,
        }
    }

    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        self.total_bytes += bytes.len();
        self.total_newlines += count_newlines(bytes);

        let head_room = self.head_limit - self.head.len();
        let into_head = head_room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];

        if bytes.len() >= self.tail_limit {
            self.tail.clear();
            self.tail.extend(&bytes[bytes.len() - self.tail_limit..]);
            return;
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.tail_limit);
        self.tail.drain(..overflow);
        self.tail.extend(bytes);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total_bytes == 0
    }

    /// Renders the output as text, with invalid UTF-8 replaced. When bytes were
    /// dropped, a note between start and end states how many bytes and lines are
    /// missing. Each cut moves to a line break when the nearer half of the kept
    /// bytes contains one, so lines are rarely shown in part.
    pub(crate) fn render(&self) -> String {
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        let buffered = self.head.len() + tail.len();
        if buffered == self.total_bytes {
            let mut all = self.head.clone();
            all.extend_from_slice(&tail);
            return String::from_utf8_lossy(&all).into_owned();
        }

        let head_end = cut_head(&self.head);
        let tail_start = cut_tail(&tail);
        let omitted_bytes = self.total_bytes - head_end - (tail.len() - tail_start);
        let rendered_newlines =
            count_newlines(&self.head[..head_end]) + count_newlines(&tail[tail_start..]);
        let omitted_lines = self.total_newlines - rendered_newlines;

        let mut text = String::from_utf8_lossy(&self.head[..head_end]).into_owned();
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "[… {omitted_bytes} bytes ({omitted_lines} lines) omitted from the middle \
             of the output …]\n"
        ));
        text.push_str(&String::from_utf8_lossy(&tail[tail_start..]));
        text
    }
}

/// Formats a count with its noun, adding "s" unless the count is 1.
pub(crate) fn count_of(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Returns where the kept start of the output ends: after the last line break in the
/// second half of `head`, or else before a character that the limit cut in two.
fn cut_head(head: &[u8]) -> usize {
    let half = head.len() / 2;
    if let Some(position) = head[half..].iter().rposition(|&byte| byte == b'\n') {
        return half + position + 1;
    }
    let Some(last_start) = head.iter().rposition(|&byte| !is_continuation(byte)) else {
        return head.len();
    };
    if last_start + utf8_length(head[last_start]) <= head.len() {
        head.len()
    } else {
        last_start
    }
}

/// Returns the byte length of the UTF-8 character that starts with `lead`, or 1 for
/// a byte that cannot start one.
fn utf8_length(lead: u8) -> usize {
    match lead {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Returns where the kept end of the output starts: after the first line break in the
/// first half of `tail`, or else at a UTF-8 character boundary.
fn cut_tail(tail: &[u8]) -> usize {
    let half = tail.len() / 2;
    if let Some(position) = tail[..half].iter().position(|&byte| byte == b'\n') {
        return position + 1;
    }
    tail.iter()
        .position(|&byte| !is_continuation(byte))
        .unwrap_or(tail.len())
}

fn is_continuation(byte: u8) -> bool {
    byte & 0b1100_0000 == 0b1000_0000
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&byte| byte == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap_text(text: &str, max_bytes: usize) -> String {
        let mut buffer = OutputBuffer::new(max_bytes);
        buffer.push(text.as_bytes());
        buffer.render()
    }

    #[test]
    fn buffer_keeps_short_output_whole() {
        let mut buffer = OutputBuffer::new(100);
        buffer.push(b"hello ");
        buffer.push(b"world\n");
        assert_eq!(buffer.render(), "hello world\n");
    }

    #[test]
    fn cap_text_keeps_head_and_tail() {
        let text: String = (1..=1000).map(|n| format!("line {n}\n")).collect();
        let capped = cap_text(&text, 200);

        assert!(capped.starts_with("line 1\n"), "{capped}");
        assert!(capped.ends_with("line 1000\n"), "{capped}");
        assert!(
            capped.contains("lines) omitted from the middle"),
            "{capped}"
        );
        assert!(capped.len() < 400, "{}", capped.len());
    }

    #[test]
    fn cap_text_counts_omitted_bytes() {
        let text: String = (1..=1000).map(|n| format!("line {n}\n")).collect();
        let capped = cap_text(&text, 200);

        let note_start = capped.find("[… ").unwrap();
        let note_end = capped[note_start..].find('\n').unwrap() + note_start + 1;
        let rendered_bytes = capped.len() - (note_end - note_start);
        let omitted: usize = capped[note_start + "[… ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(rendered_bytes + omitted, text.len());
    }

    #[test]
    fn buffer_handles_many_small_pushes() {
        let mut buffer = OutputBuffer::new(64);
        for n in 0..10_000 {
            buffer.push(format!("{n}\n").as_bytes());
        }
        let rendered = buffer.render();
        assert!(rendered.starts_with("0\n1\n"), "{rendered}");
        assert!(rendered.ends_with("9999\n"), "{rendered}");
    }

    #[test]
    fn cap_text_respects_char_boundaries() {
        let text = "é".repeat(500);
        let capped = cap_text(&text, 101);
        assert!(!capped.contains('\u{FFFD}'), "{capped}");
        assert!(capped.contains("omitted from the middle"), "{capped}");
    }
}
