//! Server-Sent Events framing (the WHATWG rules a client needs): bytes in, one `data` payload
//! per event out. Events end at a blank line; several `data:` lines of one event join with
//! `\n`; comment lines (`:`) and other fields (`event:`, `id:`, `retry:`) carry nothing Sim
//! sends on its execute stream and are skipped. Line ends may be `\n`, `\r\n` or `\r`, and a
//! network chunk may end anywhere (mid-line, mid-UTF-8 character).
//!
//! One event is buffered until its blank line: it may hold at most `MAX_EVENT_BYTES` (a line
//! that never ends, or an event that never closes, is an error instead of a buffer that grows
//! without end).

/// The most one event may hold (its lines and `data` together). Sim's largest events carry a
/// block's output, far below this.
pub const MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

/// An event grew past the limit before its blank line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTooLarge {
    pub limit: usize,
}

impl std::fmt::Display for EventTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "a stream event is over {} without its closing blank line; the stream is refused",
            super::http::bytes(self.limit)
        )
    }
}

impl std::error::Error for EventTooLarge {}

pub struct SseDecoder {
    /// Bytes of the line being read (not yet ended).
    line: Vec<u8>,
    /// `data` lines of the event being read.
    data: Vec<String>,
    /// Bytes held in `data`.
    data_bytes: usize,
    /// The previous byte was `\r` (a following `\n` belongs to the same line end).
    after_cr: bool,
    limit: usize,
}

impl Default for SseDecoder {
    fn default() -> SseDecoder {
        SseDecoder::with_limit(MAX_EVENT_BYTES)
    }
}

impl SseDecoder {
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// A decoder whose events may hold at most `limit` bytes.
    pub fn with_limit(limit: usize) -> SseDecoder {
        SseDecoder {
            line: Vec::new(),
            data: Vec::new(),
            data_bytes: 0,
            after_cr: false,
            limit,
        }
    }

    /// Feeds bytes; returns the payloads of the events they completed, in order, or an error
    /// when the event being read passes the limit.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, EventTooLarge> {
        let mut out = Vec::new();
        for &b in bytes {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    self.end_line(&mut out);
                }
                _ => {
                    if self.line.len() + self.data_bytes >= self.limit {
                        return Err(EventTooLarge { limit: self.limit });
                    }
                    self.line.push(b)
                }
            }
        }
        Ok(out)
    }

    /// The end of the stream: an event not closed by a blank line is dropped, as the
    /// specification says.
    pub fn finish(self) -> usize {
        self.data.len()
    }

    fn end_line(&mut self, out: &mut Vec<String>) {
        let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
        if line.is_empty() {
            if !self.data.is_empty() {
                out.push(std::mem::take(&mut self.data).join("\n"));
                self.data_bytes = 0;
            }
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_str(), ""),
        };
        if field == "data" {
            // Each line costs at least its joining `\n`, so empty `data:` lines count too.
            self.data_bytes += value.len() + 1;
            self.data.push(value.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_still_decode() {
        let stream = b": keep-alive\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line1\ndata:line2\n\ndata: caf\xc3\xa9\n\ndata: [DONE]\n\n";
        for cut in 0..stream.len() {
            let mut d = SseDecoder::new();
            let mut got = d.push(&stream[..cut]).unwrap();
            got.extend(d.push(&stream[cut..]).unwrap());
            assert_eq!(
                got,
                vec!["{\"a\":1}", "line1\nline2", "café", "[DONE]"],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn lone_cr_ends_lines_and_an_unclosed_event_is_dropped() {
        let mut d = SseDecoder::new();
        assert_eq!(d.push(b"data: x\r\rdata: y"), Ok(vec!["x".to_string()]));
        assert_eq!(d.push(b"\n"), Ok(Vec::<String>::new()));
        assert_eq!(d.finish(), 1, "`y` was never closed by a blank line");
    }

    #[test]
    fn an_event_over_the_limit_is_refused() {
        // A line that never ends.
        let mut d = SseDecoder::with_limit(1000);
        assert_eq!(d.push(&[b'a'; 1000]), Ok(vec![]));
        assert_eq!(d.push(b"a"), Err(EventTooLarge { limit: 1000 }));
        // Many short data lines that never close the event.
        let mut d = SseDecoder::with_limit(1000);
        let mut failed = false;
        for _ in 0..200 {
            if d.push(b"data: 0123456789\n").is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "an unclosed event grew past the limit");
        // Events that close in time never add up, however many.
        let mut d = SseDecoder::with_limit(1000);
        for _ in 0..10_000 {
            assert_eq!(d.push(b"data: 0123456789\n\n").unwrap().len(), 1);
        }
        assert!(EventTooLarge {
            limit: MAX_EVENT_BYTES
        }
        .to_string()
        .contains("over 16 MiB"));
    }
}
