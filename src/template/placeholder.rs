//! `{{placeholders}}` inside JSON string values.
//!
//! Substitution works on the parsed JSON, string value by string value, never on the raw file
//! text: a value containing quotes, backslashes or newlines cannot break the document's JSON,
//! and serialisation escapes it correctly. `\{{` writes a literal `{{` (for Sim's `{{ENV_VAR}}`).
//!
//! Syntax: `{{ name }}`, `{{ item.field }}`, and one optional filter: `{{ name | slug }}`
//! (`slug`, `lower`, `upper`).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Lowercase letters and digits joined by `-`: for ids made from texts.
    Slug,
    Lower,
    Upper,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub path: Vec<String>,
    pub filter: Option<Filter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Hole(Placeholder),
}

/// Splits a string into literal text and placeholders; an unclosed or malformed `{{` is an error.
pub fn split(text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if rest[..open].ends_with('\\') {
            literal.push_str(&rest[..open - 1]);
            literal.push_str("{{");
            rest = &rest[open + 2..];
            continue;
        }
        literal.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| format!("`{{{{` at character {} is not closed with `}}}}` (write `\\{{{{` for a literal `{{{{`)", text.len() - rest.len() + open))?;
        let inner = &after[..close];
        if !literal.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Hole(parse_inner(inner)?));
        rest = &after[close + 2..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(pieces)
}

fn parse_inner(inner: &str) -> Result<Placeholder, String> {
    let (name, filter) = match inner.split_once('|') {
        Some((name, filter)) => (name.trim(), Some(filter.trim())),
        None => (inner.trim(), None),
    };
    let path: Vec<String> = name.split('.').map(str::to_string).collect();
    if path.iter().any(|part| !is_name(part)) {
        return Err(format!("`{{{{{inner}}}}}` is not a placeholder: write `{{{{name}}}}` or `{{{{item.field}}}}` (letters, digits, `_`)"));
    }
    let filter = match filter {
        None => None,
        Some("slug") => Some(Filter::Slug),
        Some("lower") => Some(Filter::Lower),
        Some("upper") => Some(Filter::Upper),
        Some(other) => {
            return Err(format!(
                "unknown filter `{other}` in `{{{{{inner}}}}}` (filters: slug, lower, upper)"
            ))
        }
    };
    Ok(Placeholder { path, filter })
}

pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A value as text inside a longer string (`null` renders as nothing, a list as `a, b, c`).
pub fn render(value: &Value) -> Result<String, String> {
    Ok(match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
            _ => n.to_string(),
        },
        Value::Array(items) => items
            .iter()
            .map(render)
            .collect::<Result<Vec<_>, _>>()?
            .join(", "),
        Value::Object(_) => return Err(
            "an object cannot be written into a text; name one of its fields (`{{item.field}}`)"
                .into(),
        ),
    })
}

pub fn apply(filter: &Filter, text: &str) -> String {
    match filter {
        Filter::Lower => text.to_lowercase(),
        Filter::Upper => text.to_uppercase(),
        Filter::Slug => {
            let mut out = String::new();
            for c in text.chars() {
                if c.is_alphanumeric() {
                    out.extend(c.to_lowercase());
                } else if !out.is_empty() && !out.ends_with('-') {
                    out.push('-');
                }
            }
            while out.ends_with('-') {
                out.pop();
            }
            out
        }
    }
}

/// Escapes every `{{` of a literal text so it survives instantiation unchanged.
pub fn escape(text: &str) -> String {
    text.replace("{{", "\\{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_text_and_holes() {
        let pieces = split("Hi {{ name }}, from {{company|upper}}!").unwrap();
        assert_eq!(pieces.len(), 5);
        assert_eq!(
            pieces[1],
            Piece::Hole(Placeholder {
                path: vec!["name".into()],
                filter: None
            })
        );
        assert_eq!(
            pieces[3],
            Piece::Hole(Placeholder {
                path: vec!["company".into()],
                filter: Some(Filter::Upper)
            })
        );
    }

    #[test]
    fn escaped_braces_stay_literal() {
        assert_eq!(
            split("key {{x}} and \\{{OPENAI_KEY}}").unwrap().last(),
            Some(&Piece::Text(" and {{OPENAI_KEY}}".into()))
        );
        assert_eq!(
            split(&escape("a {{b}}")).unwrap(),
            vec![Piece::Text("a {{b}}".into())]
        );
    }

    #[test]
    fn malformed_placeholders_are_errors() {
        assert!(split("{{open").unwrap_err().contains("not closed"));
        assert!(split("{{a b}}").unwrap_err().contains("not a placeholder"));
        assert!(split("{{}}").unwrap_err().contains("not a placeholder"));
        assert!(split("{{a|shout}}").unwrap_err().contains("unknown filter"));
    }

    #[test]
    fn slugs() {
        assert_eq!(
            apply(&Filter::Slug, "  Billing & Payments!"),
            "billing-payments"
        );
        assert_eq!(apply(&Filter::Slug, "Été -- à Paris"), "été-à-paris");
    }
}
