//! JSON paths (`state.blocks.a1.position.x`, `edges[3].source`) and finding them in source text.
//!
//! Errors found after a document has been read (a missing parent, a duplicate id) only know the
//! path of the offending value; `locate` walks the original text along that path so the error can
//! still name a line and column. It descends only along the path and skips everything else
//! without recursion, so it is safe on hostile nesting depths.

use serde::{Serialize, Serializer};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct JsonPath(pub Vec<Segment>);

impl JsonPath {
    pub fn root() -> Self {
        JsonPath(Vec::new())
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.0.push(Segment::Key(key.into()));
        self
    }

    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Segment::Index(index));
        self
    }

    /// Parses the rendering produced by `Display` (used for paths coming back from the UI).
    pub fn parse(text: &str) -> Option<JsonPath> {
        let mut path = JsonPath::root();
        let bytes = text.as_bytes();
        let mut i = 0;
        if text == "$" || text.is_empty() {
            return Some(path);
        }
        while i < bytes.len() {
            match bytes[i] {
                b'.' => i += 1,
                b'[' => {
                    let close = i + text[i..].find(']')?;
                    let inner = &text[i + 1..close];
                    if inner.starts_with('"') {
                        // A quoted key may itself contain `]`: read it as a JSON string.
                        let mut stream = serde_json::Deserializer::from_str(&text[i + 1..])
                            .into_iter::<String>();
                        let key = stream.next()?.ok()?;
                        let consumed = stream.byte_offset();
                        path = path.key(key);
                        i = i + 1 + consumed;
                        if bytes.get(i) != Some(&b']') {
                            return None;
                        }
                        i += 1;
                    } else {
                        path = path.index(inner.parse().ok()?);
                        i = close + 1;
                    }
                }
                _ => {
                    let end = text[i..].find(['.', '[']).map_or(text.len(), |n| i + n);
                    path = path.key(&text[i..end]);
                    i = end;
                }
            }
        }
        Some(path)
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("$");
        }
        for (n, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if is_plain_key(key) => {
                    if n > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Segment::Key(key) => {
                    write!(f, "[{}]", serde_json::Value::String(key.clone()))?;
                }
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

impl Serialize for JsonPath {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl From<&serde_path_to_error::Path> for JsonPath {
    fn from(path: &serde_path_to_error::Path) -> Self {
        use serde_path_to_error::Segment as S;
        JsonPath(
            path.iter()
                .filter_map(|segment| match segment {
                    S::Seq { index } => Some(Segment::Index(*index)),
                    S::Map { key } => Some(Segment::Key(key.clone())),
                    S::Enum { variant } => Some(Segment::Key(variant.clone())),
                    S::Unknown => None,
                })
                .collect(),
        )
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Byte offset where the value at `path` starts in `text`, if the path exists there.
pub fn locate(text: &str, path: &JsonPath) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = skip_ws(bytes, 0);
    for segment in &path.0 {
        match segment {
            Segment::Key(wanted) => {
                if bytes.get(i) != Some(&b'{') {
                    return None;
                }
                i += 1;
                loop {
                    i = skip_ws(bytes, i);
                    if bytes.get(i) != Some(&b'"') {
                        return None;
                    }
                    let end = string_end(bytes, i)?;
                    let key: String = serde_json::from_str(&text[i..end]).ok()?;
                    i = skip_ws(bytes, end);
                    if bytes.get(i) != Some(&b':') {
                        return None;
                    }
                    i = skip_ws(bytes, i + 1);
                    if &key == wanted {
                        break;
                    }
                    i = skip_ws(bytes, skip_value(bytes, i)?);
                    match bytes.get(i) {
                        Some(b',') => i += 1,
                        _ => return None,
                    }
                }
            }
            Segment::Index(wanted) => {
                if bytes.get(i) != Some(&b'[') {
                    return None;
                }
                i += 1;
                for _ in 0..*wanted {
                    i = skip_ws(bytes, i);
                    i = skip_ws(bytes, skip_value(bytes, i)?);
                    match bytes.get(i) {
                        Some(b',') => i += 1,
                        _ => return None,
                    }
                }
                i = skip_ws(bytes, i);
                if bytes.get(i) == Some(&b']') {
                    return None;
                }
            }
        }
    }
    Some(i)
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Offset just past the string starting at `start` (which must be a `"`).
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Offset just past the value starting at `start`, iteratively (no recursion on nesting).
fn skip_value(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => string_end(bytes, start),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = start;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = string_end(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        _ => {
            let mut i = start;
            while i < bytes.len()
                && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                i += 1;
            }
            Some(i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let path = JsonPath::root()
            .key("state")
            .key("blocks")
            .key("a b")
            .key("x")
            .index(3);
        assert_eq!(path.to_string(), r#"state.blocks["a b"].x[3]"#);
        assert_eq!(JsonPath::parse(&path.to_string()), Some(path));
    }

    #[test]
    fn locates_nested_values_past_siblings() {
        let text = "{\n  \"a\": [1, {\"x\": \"}\"}],\n  \"b\": {\"c\": [true, {\"d\": 5}]}\n}";
        let path = JsonPath::root().key("b").key("c").index(1).key("d");
        let offset = locate(text, &path).unwrap();
        assert_eq!(&text[offset..offset + 1], "5");
        assert_eq!(line_column(text, offset), (3, 27));
        assert_eq!(locate(text, &JsonPath::root().key("zzz")), None);
        assert_eq!(locate(text, &JsonPath::root().key("a").index(7)), None);
    }

    #[test]
    fn locate_survives_deep_nesting() {
        let depth = 100_000;
        let text = format!(
            "{{\"deep\": {}{}, \"k\": 1}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let offset = locate(&text, &JsonPath::root().key("k")).unwrap();
        assert_eq!(&text[offset..offset + 1], "1");
    }
}
