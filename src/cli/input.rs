//! What the interactive commands (simulate's REPL, chat) read: one command a line.

use journey_studio::Error;

/// The lines typed on standard input, trimmed, blank ones skipped, ending at `/quit` or
/// `/exit` (or the end of input). A read error is the last item.
pub fn typed_lines() -> impl Iterator<Item = journey_studio::Result<String>> {
    std::io::stdin()
        .lines()
        .map(|line| {
            line.map(|l| l.trim().to_string()).map_err(|e| Error::Read {
                file: "standard input".into(),
                source: e,
            })
        })
        .filter(|line| !matches!(line, Ok(l) if l.is_empty()))
        .take_while(|line| !matches!(line, Ok(l) if l == "/quit" || l == "/exit"))
}
