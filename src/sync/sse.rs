//! Server-Sent Events framing (the WHATWG rules a client needs): bytes in, one `data` payload
//! per event out. Events end at a blank line; several `data:` lines of one event join with
//! `\n`; comment lines (`:`) and other fields (`event:`, `id:`, `retry:`) carry nothing Sim
//! sends on its execute stream and are skipped. Line ends may be `\n`, `\r\n` or `\r`, and a
//! network chunk may end anywhere (mid-line, mid-UTF-8 character).

#[derive(Default)]
pub struct SseDecoder {
    /// Bytes of the line being read (not yet ended).
    line: Vec<u8>,
    /// `data` lines of the event being read.
    data: Vec<String>,
    /// The previous byte was `\r` (a following `\n` belongs to the same line end).
    after_cr: bool,
}

impl SseDecoder {
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// Feeds bytes; returns the payloads of the events they completed, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
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
                _ => self.line.push(b),
            }
        }
        out
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
            let mut got = d.push(&stream[..cut]);
            got.extend(d.push(&stream[cut..]));
            assert_eq!(got, vec!["{\"a\":1}", "line1\nline2", "café", "[DONE]"], "cut at {cut}");
        }
    }

    #[test]
    fn lone_cr_ends_lines_and_an_unclosed_event_is_dropped() {
        let mut d = SseDecoder::new();
        assert_eq!(d.push(b"data: x\r\rdata: y"), vec!["x"]);
        assert_eq!(d.push(b"\n"), Vec::<String>::new());
        assert_eq!(d.finish(), 1, "`y` was never closed by a blank line");
    }
}
