//! References inside sub-block values: `<block.path>`, `<loop.index>`, `<parallel.currentItem>`,
//! `<variable.name>` and `{{ENV_VAR}}`, found with Sim's own rules (`extractReferencePrefixes`
//! and `isLikelyReferenceSegment` in Sim's sanitization/references.ts), each with its byte span.

use crate::json::JsonPath;
use serde::Serialize;
use serde_json::Value;
use std::ops::Range;

/// Names a block may not take: they are reference prefixes.
pub const RESERVED_BLOCK_NAMES: [&str; 3] = ["loop", "parallel", "variable"];

/// Sim's `normalizeWorkflowBlockName`: lower-cased, whitespace and dots removed.
pub fn normalize_block_name(name: &str) -> String {
    normalized_chars(name).collect()
}

fn normalized_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .flat_map(char::to_lowercase)
}

/// Whether two block names are the same reference name (`normalize_block_name` equal), without
/// allocating.
pub fn same_reference_name(a: &str, b: &str) -> bool {
    normalized_chars(a).eq(normalized_chars(b))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum PathPart {
    Field(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefTarget {
    /// `<blockname.path>`; `name` is the prefix as written, matched against normalised block names.
    Block {
        name: String,
        path: Vec<PathPart>,
    },
    /// `<loop.index>`, `<loop.currentItem>`, `<loop.items>` (and deeper paths).
    Loop {
        path: Vec<PathPart>,
    },
    Parallel {
        path: Vec<PathPart>,
    },
    /// `<variable.name>`.
    Variable {
        name: String,
    },
    /// `{{NAME}}`.
    Env {
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// Byte range of the whole reference (`<...>` or `{{...}}`) in the string it came from.
    pub span: Range<usize>,
    pub raw: String,
    pub target: RefTarget,
}

/// Every reference in one string, in order of appearance.
pub fn parse_references(text: &str) -> Vec<Reference> {
    let mut out = block_references(text);
    out.extend(env_references(text));
    out.sort_by_key(|r| r.span.start);
    out
}

fn block_references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut search_from = 0;
    // Sim's pattern is /<[^>]+>/g: from each '<', the shortest run up to the next '>'.
    while let Some(open) = text[search_from..].find('<').map(|i| search_from + i) {
        let Some(close) = text[open + 1..].find('>').map(|i| open + 1 + i) else {
            break;
        };
        search_from = close + 1;
        if close == open + 1 {
            // "<>": [^>]+ needs at least one character; the regex moves on past this '<'.
            search_from = open + 1;
            continue;
        }
        let segment = &text[open..=close];
        let last_open = segment.rfind('<').unwrap_or(0);
        let leading = &segment[..last_open];
        if !leading
            .chars()
            .all(|c| matches!(c, '<' | '>' | '=' | '!') || c.is_whitespace())
        {
            continue;
        }
        let reference = &segment[last_open..];
        let inner = &reference[1..reference.len() - 1];
        if !is_likely_reference(inner) {
            continue;
        }
        let start = open + last_open;
        out.push(Reference {
            span: start..close + 1,
            raw: reference.to_string(),
            target: classify(inner),
        });
    }
    out
}

/// The references Sim's executor replaces: `createReferencePattern` (`<[^<>]+>`, Sim v0.8.9
/// `executor/utils/reference-validation.ts`) filtered by `isLikelyReferenceSegment`, plus
/// `{{ENV}}`. Unlike the editor's scan above, a `<` in code (`a < b`) never swallows a later
/// reference.
pub fn parse_executor_references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('<').map(|i| from + i) {
        let rest = &text[open + 1..];
        match rest.find(['<', '>']) {
            Some(p) if p > 0 && rest.as_bytes()[p] == b'>' => {
                let close = open + 1 + p;
                let inner = &text[open + 1..close];
                if is_likely_reference(inner) {
                    out.push(Reference {
                        span: open..close + 1,
                        raw: text[open..=close].to_string(),
                        target: classify(inner),
                    });
                }
                from = close + 1;
            }
            _ => from = open + 1,
        }
    }
    out.extend(env_references(text));
    out.sort_by_key(|r| r.span.start);
    out
}

const INVALID_CHARS: [char; 5] = ['+', '*', '/', '=', '<'];

fn has_invalid_char(s: &str) -> bool {
    s.chars()
        .any(|c| INVALID_CHARS.contains(&c) || c == '>' || c == '!')
}

/// Sim's `isLikelyReferenceSegment` on the text between `<` and `>`.
fn is_likely_reference(inner: &str) -> bool {
    if inner.is_empty() || inner.starts_with(' ') {
        return false;
    }
    let trimmed = inner.trim();
    let is_operator =
        |s: &str| !s.is_empty() && s.chars().all(|c| matches!(c, '<' | '>' | '=' | '!'));
    if is_operator(trimmed) {
        return false;
    }
    // /\s[<>=!]+\s/ : an operator surrounded by spaces means a comparison, not a reference.
    let words: Vec<&str> = inner.split(char::is_whitespace).collect();
    if words.len() > 2 && words[1..words.len() - 1].iter().any(|w| is_operator(w)) {
        return false;
    }
    // /^[<>=!]+\s/
    if let Some(first) = inner.split(char::is_whitespace).next() {
        if is_operator(first) && inner.len() > first.len() {
            return false;
        }
    }
    if let Some(dot) = inner.find('.') {
        let (before, after) = (&inner[..dot], &inner[dot + 1..]);
        if after.contains(' ') || has_invalid_char(before) || has_invalid_char(after) {
            return false;
        }
    } else {
        let all_digits = inner.chars().all(|c| c.is_ascii_digit());
        let space_digit = inner
            .as_bytes()
            .windows(2)
            .any(|w| (w[0] as char).is_whitespace() && w[1].is_ascii_digit());
        if has_invalid_char(inner) || all_digits || space_digit {
            return false;
        }
    }
    true
}

/// Splits `a.b[0].c` into parts; a malformed index is kept as a field so nothing is lost.
pub fn parse_path(path: &str) -> Vec<PathPart> {
    let mut parts = Vec::new();
    for piece in path.split('.').filter(|p| !p.is_empty()) {
        let (name, mut rest) = match piece.find('[') {
            Some(i) => (&piece[..i], &piece[i..]),
            None => (piece, ""),
        };
        if !name.is_empty() {
            parts.push(PathPart::Field(name.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let Some(end) = stripped.find(']') else {
                parts.push(PathPart::Field(rest.to_string()));
                break;
            };
            match stripped[..end].parse() {
                Ok(index) => parts.push(PathPart::Index(index)),
                Err(_) => parts.push(PathPart::Field(stripped[..end].to_string())),
            }
            rest = &stripped[end + 1..];
        }
    }
    parts
}

fn classify(inner: &str) -> RefTarget {
    let (prefix, rest) = inner.split_once('.').unwrap_or((inner, ""));
    match prefix {
        "loop" => RefTarget::Loop {
            path: parse_path(rest),
        },
        "parallel" => RefTarget::Parallel {
            path: parse_path(rest),
        },
        "variable" => RefTarget::Variable {
            name: rest.to_string(),
        },
        _ => RefTarget::Block {
            name: prefix.to_string(),
            path: parse_path(rest),
        },
    }
}

fn env_references(text: &str) -> Vec<Reference> {
    let mut out = Vec::new();
    let mut from = 0;
    // Sim's pattern is /\{\{([^}]+)\}\}/g.
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        let body_start = open + 2;
        let body_len = text[body_start..]
            .find('}')
            .unwrap_or(text.len() - body_start);
        let body_end = body_start + body_len;
        if body_len > 0 && text[body_end..].starts_with("}}") {
            let name = text[body_start..body_end].trim().to_string();
            out.push(Reference {
                span: open..body_end + 2,
                raw: text[open..body_end + 2].to_string(),
                target: RefTarget::Env { name },
            });
            from = body_end + 2;
        } else {
            from = open + 1;
        }
    }
    out
}

/// Every reference in a JSON value (strings at any depth), with the path of the string holding it.
pub fn references_in_value(value: &Value, at: &JsonPath) -> Vec<(JsonPath, Reference)> {
    let mut out = Vec::new();
    collect(value, at, &mut out);
    out
}

fn collect(value: &Value, at: &JsonPath, out: &mut Vec<(JsonPath, Reference)>) {
    match value {
        // Cheap pre-check: most strings hold no reference at all.
        Value::String(s) if s.contains('<') || s.contains("{{") => {
            out.extend(parse_references(s).into_iter().map(|r| (at.clone(), r)));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect(item, &at.clone().index(i), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                collect(v, &at.clone().key(k.clone()), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str) -> Vec<RefTarget> {
        parse_references(text)
            .into_iter()
            .map(|r| r.target)
            .collect()
    }

    #[test]
    fn the_executor_pattern_does_not_let_a_comparison_swallow_a_reference() {
        let code = "while (Date.now() < until) {} return <loop.index>";
        assert!(
            parse_references(code).is_empty(),
            "the editor's scan: /<[^>]+>/"
        );
        let found = parse_executor_references(code);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].raw, "<loop.index>");
        assert_eq!(parse_executor_references("<a.b> {{K}} <>").len(), 2);
    }

    #[test]
    fn block_references_with_paths_and_spans() {
        let text = "Hi <start.input>, see <agent.items[0].name>!";
        let refs = parse_references(text);
        assert_eq!(refs.len(), 2);
        assert_eq!(&text[refs[0].span.clone()], "<start.input>");
        assert_eq!(
            refs[1].target,
            RefTarget::Block {
                name: "agent".into(),
                path: vec![
                    PathPart::Field("items".into()),
                    PathPart::Index(0),
                    PathPart::Field("name".into())
                ]
            }
        );
    }

    #[test]
    fn special_prefixes_and_env() {
        assert_eq!(
            targets("<loop.index> <parallel.currentItem> <variable.apiBase> {{OPENAI_KEY}}"),
            vec![
                RefTarget::Loop {
                    path: vec![PathPart::Field("index".into())]
                },
                RefTarget::Parallel {
                    path: vec![PathPart::Field("currentItem".into())]
                },
                RefTarget::Variable {
                    name: "apiBase".into()
                },
                RefTarget::Env {
                    name: "OPENAI_KEY".into()
                },
            ]
        );
    }

    #[test]
    fn comparisons_are_not_references() {
        assert!(targets("a < b && c > d").is_empty());
        assert!(targets("x <= 3 >").is_empty());
        assert!(targets("<1>").is_empty());
        assert!(targets("< spaced.ref>").is_empty());
        assert_eq!(targets("<agent.content> === 'yes'").len(), 1);
        // A comparison in front of a reference is allowed (Sim's leading pattern).
        assert_eq!(targets("x <<agent.score>").len(), 1);
    }

    #[test]
    fn names_normalise_like_sim() {
        assert_eq!(normalize_block_name("Trigger.dev 1"), "triggerdev1");
        assert_eq!(normalize_block_name("My Agent"), "myagent");
    }

    #[test]
    fn unicode_text_keeps_byte_spans_valid() {
        let text = "مرحبا <start.input> 😀 {{KEY}}";
        for r in parse_references(text) {
            assert_eq!(&text[r.span.clone()], r.raw);
        }
    }
}
