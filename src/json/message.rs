//! Error messages fit for a person: serde's wording of what was expected without Rust's type
//! names ("expected struct Probe" becomes "expected an object"), and a value from the input
//! quoted by a short excerpt with its length ("string \"xxxx…\" (10000000 characters)"), never
//! whole: a 10 MB string where an object belongs must not make a 10 MB message.

use regex::{Captures, Regex};
use std::sync::OnceLock;

/// Characters of an input value a message quotes before it cuts with `…`.
pub const EXCERPT_CHARS: usize = 60;

/// The message of a serde_json error, readable: without its " at line L column C" suffix (the
/// location is reported apart), Rust type names replaced, quoted values cut to an excerpt.
pub fn serde_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let message = match full.rfind(" at line ") {
        Some(cut) if err.line() > 0 => &full[..cut],
        _ => full.as_str(),
    };
    readable(message)
}

/// `message` with Rust type names replaced by what they mean in JSON and every quoted value
/// (`"…"` or `` `…` ``) longer than [`EXCERPT_CHARS`] cut to an excerpt.
pub fn readable(message: &str) -> String {
    plain_types(&excerpts(message, EXCERPT_CHARS))
}

/// Characters of a quoted part that an error's message keeps (see [`bounded`]).
pub const QUOTED_CHARS: usize = 400;

/// `message` with every quoted part longer than [`QUOTED_CHARS`] cut to an excerpt: what every
/// `Error` shows, so a value of megabytes quoted by any code stays a few hundred characters,
/// while the names, conditions and commands a message quotes on purpose stay whole.
pub fn bounded(message: &str) -> String {
    plain_types(&excerpts(message, QUOTED_CHARS))
}

/// At most [`EXCERPT_CHARS`] characters of `text`, then `…` and the full length when cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} characters)", &text[..cut], text.chars().count()),
    }
}

/// Cuts the quoted parts of a message. A `"` region may hold `\"` escapes (serde quotes
/// strings with Rust's debug escapes); a `` ` `` region ends at the next backtick.
fn excerpts(message: &str, limit: usize) -> String {
    if message.len() <= limit {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len().min(1024));
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[open];
        out.push_str(&rest[..=open]);
        let inner = &rest[open + 1..];
        let close = if quote == b'"' {
            closing_quote(inner)
        } else {
            inner.find('`')
        };
        let (content, after) = match close {
            Some(c) => (&inner[..c], &inner[c + 1..]),
            None => (inner, ""),
        };
        match content.char_indices().nth(limit) {
            None => out.push_str(content),
            Some((cut, _)) => out.push_str(&content[..cut]),
        }
        let cut = content.chars().nth(limit).is_some();
        if cut {
            out.push('…');
        }
        if close.is_some() {
            out.push(quote as char);
        }
        if cut {
            out.push_str(&format!(" ({} characters)", content.chars().count()));
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The offset of the `"` that closes a debug-escaped string.
fn closing_quote(inner: &str) -> Option<usize> {
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

fn pattern(cell: &'static OnceLock<Regex>, source: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(source).unwrap_or_else(|e| unreachable!("a fixed pattern: {e}")))
}

/// Replaces the way serde names Rust types in "expected …" (the `expecting` of derived and
/// primitive visitors, serde 1.0) with the JSON they stand for.
fn plain_types(message: &str) -> String {
    static UNTAGGED: OnceLock<Regex> = OnceLock::new();
    static EXPECTED: OnceLock<Regex> = OnceLock::new();
    static LENGTH: OnceLock<Regex> = OnceLock::new();
    // serde's derive for an untagged enum.
    let untagged = pattern(
        &UNTAGGED,
        r"data did not match any variant of untagged enum [A-Za-z_][A-Za-z0-9_]*",
    );
    let message = untagged.replace_all(message, "the value has none of the shapes accepted here");
    // A struct read from an array of the wrong length.
    let length = pattern(
        &LENGTH,
        r"invalid length (\d+), expected (?:tuple )?struct [A-Za-z_][A-Za-z0-9_]*(?: with \d+ elements?)?",
    );
    let message = length.replace_all(&message, "invalid type: an array of $1, expected an object");
    let expected = pattern(
        &EXPECTED,
        r"expected (?:(struct|tuple struct|unit struct|enum|internally tagged enum|adjacently tagged enum|struct variant|tuple variant|newtype variant|unit variant) [A-Za-z_][A-Za-z0-9_:]*(?: with \d+ elements?)?|(variant identifier|field identifier|u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|a sequence|a map|option|unit|a borrowed string|a borrowed byte array|a char|a character|tag)\b|(an object) \([A-Za-z_][A-Za-z0-9_]*\))",
    );
    expected
        .replace_all(&message, |c: &Captures| {
            let meaning = match c
                .get(1)
                .or_else(|| c.get(2))
                .or_else(|| c.get(3))
                .map_or("", |m| m.as_str())
            {
                "struct"
                | "struct variant"
                | "internally tagged enum"
                | "adjacently tagged enum" => "an object",
                "tuple struct" | "tuple variant" | "a sequence" => "an array",
                "unit struct" | "unit variant" | "unit" => "null",
                "enum" => "one of the allowed values",
                "newtype variant" | "option" => "a value",
                "variant identifier" | "tag" => "one of the allowed names",
                "field identifier" => "a field name",
                "u8" => "a whole number from 0 to 255",
                "u16" => "a whole number from 0 to 65535",
                "u32" => "a whole number from 0 to 4294967295",
                "u64" | "usize" | "u128" => "a whole number from 0 to 18446744073709551615",
                "i8" => "a whole number from -128 to 127",
                "i16" => "a whole number from -32768 to 32767",
                "i32" => "a whole number from -2147483648 to 2147483647",
                "i64" | "isize" | "i128" => "a whole number",
                "f32" | "f64" => "a number",
                "a map" | "an object" => "an object",
                "a borrowed string" => "a string",
                "a borrowed byte array" => "a byte array",
                "a char" | "a character" => "a single character",
                other => return format!("expected {other}"),
            };
            format!("expected {meaning}")
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Probe {
        a: u32,
        b: Vec<String>,
        c: Kind,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    enum Kind {
        One,
        Two,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    enum Either {
        N(u8),
        S(Probe),
    }

    fn message_of<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        serde_message(&serde_json::from_str::<T>(text).unwrap_err())
    }

    #[test]
    fn no_rust_type_names() {
        let cases = [
            (
                message_of::<Probe>("5"),
                "invalid type: integer `5`, expected an object",
            ),
            (
                message_of::<Probe>("[1]"),
                "invalid type: an array of 1, expected an object",
            ),
            (
                message_of::<Probe>(r#"{"a": "x"}"#),
                r#"invalid type: string "x", expected a whole number from 0 to 4294967295"#,
            ),
            (
                message_of::<Probe>(r#"{"a": -1}"#),
                "invalid value: integer `-1`, expected a whole number from 0 to 4294967295",
            ),
            (
                message_of::<Probe>(r#"{"a": 1, "b": {}}"#),
                "invalid type: map, expected an array",
            ),
            (
                readable("invalid type: integer `3`, expected enum Kind"),
                "invalid type: integer `3`, expected one of the allowed values",
            ),
            (
                serde_message(
                    &serde_json::from_value::<Kind>(serde_json::json!({"One": 1, "Two": 2}))
                        .unwrap_err(),
                ),
                "invalid value: map, expected map with a single key",
            ),
            (
                readable("invalid type: integer `3`, expected variant identifier"),
                "invalid type: integer `3`, expected one of the allowed names",
            ),
            (
                readable("invalid type: null, expected an object (WorkflowState)"),
                "invalid type: null, expected an object",
            ),
            (
                message_of::<Probe>(r#"{"a": 1, "b": [], "c": "Three"}"#),
                "unknown variant `Three`, expected `One` or `Two`",
            ),
            (
                message_of::<Either>(r#""x""#),
                "the value has none of the shapes accepted here",
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
            assert!(
                !got.contains("Probe")
                    && !got.contains("Kind")
                    && !got.contains("Either")
                    && !got.contains("u32"),
                "{got}"
            );
        }
    }

    #[test]
    fn long_values_are_quoted_by_an_excerpt() {
        let big = "x".repeat(10_000_000);
        let got = message_of::<Probe>(&format!("\"{big}\""));
        assert!(got.len() < 200, "{} bytes", got.len());
        assert_eq!(
            got,
            format!(
                "invalid type: string \"{}…\" (10000000 characters), expected an object",
                "x".repeat(EXCERPT_CHARS)
            )
        );
        let got = message_of::<Probe>(&format!(r#"{{"a": 1, "b": [], "c": "{big}"}}"#));
        assert!(
            got.starts_with(&format!(
                "unknown variant `{}…` (10000000 characters), expected",
                "x".repeat(EXCERPT_CHARS)
            )),
            "{}",
            &got[..200.min(got.len())]
        );
        // Escaped quotes inside, multi-byte characters, an unclosed quote.
        let tricky = format!("\"{}\\\"{}\" and `short`", "é".repeat(70), "y".repeat(10));
        assert_eq!(
            readable(&tricky),
            format!(
                "\"{}…\" (82 characters) and `short`",
                "é".repeat(EXCERPT_CHARS)
            )
        );
        assert_eq!(
            readable(&format!("left open: \"{}", "z".repeat(100))),
            format!(
                "left open: \"{}… (100 characters)",
                "z".repeat(EXCERPT_CHARS)
            )
        );
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn other_messages_are_untouched() {
        for m in [
            "expected value",
            "expected `,` or `}`",
            "missing field `enabled`",
            "EOF while parsing an object",
            "expected a string",
            "expected a boolean",
        ] {
            assert_eq!(readable(m), m);
        }
    }
}
