//! References in block inputs, resolved and formatted the way Sim's `VariableResolver` does for
//! each consumer: plain text for most blocks, quoted literals for condition expressions, code
//! literals for function blocks, and Sim's own rules for loop conditions.

use crate::sim::references::{parse_references, PathPart, RefTarget};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// What a reference resolved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// No resolver knows it (an unknown block name): the text stays as written.
    Unknown,
    /// A known block that produced no output on this path, or a path it does not have
    /// (Sim's `RESOLVED_EMPTY`).
    Empty,
    Value(Value),
}

/// A loop iteration or parallel branch the current block runs in.
#[derive(Debug, Clone)]
pub struct Frame {
    pub parallel: bool,
    pub container: String,
    pub index: usize,
    pub item: Option<Value>,
    pub items: Option<Value>,
    /// Outputs of the blocks completed in this iteration / branch, in order.
    pub outputs: Vec<Value>,
}

/// A workflow variable at run time.
#[derive(Debug, Clone)]
pub struct RuntimeVariable {
    pub id: String,
    pub name: String,
    pub var_type: String,
    pub value: Value,
}

/// What references are resolved against.
pub struct Scope<'a> {
    /// Normalised block name -> block id.
    pub names: &'a HashMap<String, String>,
    /// Container id -> `loop` / `parallel`.
    pub containers: &'a HashMap<String, bool>,
    pub outputs: &'a HashMap<String, Value>,
    pub frames: &'a [Frame],
    pub variables: &'a [RuntimeVariable],
    pub env: &'a BTreeMap<String, String>,
}

/// How resolved values are written into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Most blocks: strings raw, objects as JSON, empty as nothing.
    Text,
    /// Response blocks: like text.
    Response,
    /// A condition block's expression: strings single-quoted and escaped, objects as JSON,
    /// empty as `null`; env values only when they are inert literals.
    Condition,
    /// A loop's while/doWhile condition (Sim's loop orchestrator rules).
    LoopCondition,
    /// A JavaScript function body: code literals, quoted context respected.
    Code,
}

pub fn navigate(value: &Value, path: &[PathPart]) -> Option<Value> {
    let mut current = value;
    for part in path {
        current = match (part, current) {
            (PathPart::Field(name), Value::Object(map)) => map.get(name)?,
            (PathPart::Index(i), Value::Array(items)) => items.get(*i)?,
            (PathPart::Field(name), Value::Array(items)) => items.get(name.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current.clone())
}

impl Scope<'_> {
    /// Resolves one reference; an error is a reference Sim refuses (an unknown loop property).
    pub fn resolve(&self, target: &RefTarget) -> Result<Resolved, String> {
        match target {
            RefTarget::Loop { path } => self.resolve_frame(false, None, path),
            RefTarget::Parallel { path } => self.resolve_frame(true, None, path),
            RefTarget::Variable { name } => {
                let (var, rest) = split_variable(name);
                let wanted = crate::sim::references::normalize_block_name(&var);
                let found = self
                    .variables
                    .iter()
                    .find(|v| crate::sim::references::normalize_block_name(&v.name) == wanted || v.id == var);
                Ok(match found {
                    None => Resolved::Unknown,
                    Some(v) => match navigate(&v.value, &rest) {
                        Some(x) => Resolved::Value(x),
                        None => Resolved::Value(Value::Null),
                    },
                })
            }
            RefTarget::Env { name } => Ok(match self.env.get(name) {
                Some(v) => Resolved::Value(Value::String(v.clone())),
                None => Resolved::Unknown,
            }),
            RefTarget::Block { name, path } => {
                let normalised = crate::sim::references::normalize_block_name(name);
                let Some(id) = self.names.get(&normalised) else { return Ok(Resolved::Unknown) };
                if let Some(&parallel) = self.containers.get(id) {
                    let first = match path.first() {
                        Some(PathPart::Field(f)) => f.as_str(),
                        _ => "",
                    };
                    if matches!(first, "index" | "iteration" | "item" | "currentItem" | "items") {
                        return self.resolve_frame(parallel, Some(id), path);
                    }
                }
                let Some(output) = self.outputs.get(id) else { return Ok(Resolved::Empty) };
                Ok(match navigate(output, path) {
                    Some(v) => Resolved::Value(v),
                    None => Resolved::Empty,
                })
            }
        }
    }

    fn resolve_frame(&self, parallel: bool, container: Option<&str>, path: &[PathPart]) -> Result<Resolved, String> {
        let kind = if parallel { "parallel" } else { "loop" };
        let frame = self
            .frames
            .iter()
            .rev()
            .find(|f| f.parallel == parallel && container.is_none_or(|c| f.container == c));
        let Some(frame) = frame else {
            return match container {
                Some(_) => Err(format!("this block is not inside that {kind}: only `results` can be read from outside it")),
                None => Ok(Resolved::Unknown),
            };
        };
        let (property, rest) = match path.split_first() {
            Some((PathPart::Field(p), rest)) => (p.as_str(), rest),
            None => {
                let mut whole = serde_json::Map::new();
                whole.insert("index".into(), Value::from(frame.index));
                if let Some(items) = &frame.items {
                    whole.insert("items".into(), items.clone());
                    whole.insert("currentItem".into(), frame.item.clone().unwrap_or(Value::Null));
                }
                return Ok(Resolved::Value(Value::Object(whole)));
            }
            Some((PathPart::Index(_), _)) => ("", path),
        };
        let value = match property {
            "index" | "iteration" => Value::from(frame.index),
            "currentItem" | "item" => match &frame.item {
                Some(item) => item.clone(),
                None => return Ok(Resolved::Unknown),
            },
            "items" => frame.items.clone().unwrap_or(Value::Null),
            other => {
                return Err(format!(
                    "\"{other}\" doesn't exist on {kind}. Available fields: index, currentItem, items"
                ))
            }
        };
        Ok(match navigate(&value, rest) {
            Some(v) => Resolved::Value(v),
            None => Resolved::Empty,
        })
    }

    /// Replaces every reference in `text` for `style`. With `with_env` false, `{{ENV}}` stays as
    /// written (for traces: secrets never appear in them).
    pub fn render(&self, text: &str, style: Style, with_env: bool) -> Result<String, String> {
        if !text.contains('<') && !text.contains("{{") {
            return Ok(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut cursor = 0;
        for reference in parse_references(text) {
            if matches!(reference.target, RefTarget::Env { .. }) || reference.span.start < cursor {
                continue;
            }
            out.push_str(&text[cursor..reference.span.start]);
            cursor = reference.span.end;
            let resolved = self.resolve(&reference.target).map_err(|e| format!("{}: {e}", reference.raw))?;
            let formatted = match resolved {
                Resolved::Unknown => reference.raw.clone(),
                Resolved::Empty => match style {
                    Style::Text | Style::Response => String::new(),
                    Style::Condition | Style::LoopCondition | Style::Code => "null".into(),
                },
                Resolved::Value(v) => match style {
                    Style::Text | Style::Response => text_of(&v),
                    Style::Condition => condition_literal(&v),
                    Style::LoopCondition => loop_condition_literal(&v),
                    Style::Code => {
                        let is_block = matches!(reference.target, RefTarget::Block { .. });
                        let is_object_var = matches!(reference.target, RefTarget::Variable { .. }) && (v.is_object() || v.is_array());
                        match quote_context(text, reference.span.start) {
                            Some(q) if is_block || is_object_var => {
                                let quote = if q == '`' { None } else { Some(q) };
                                match quote {
                                    Some(q) => format!("{q} + JSON.stringify({}) + {q}", code_literal(&v)),
                                    None => format!("${{JSON.stringify({})}}", code_literal(&v)),
                                }
                            }
                            _ => code_literal(&v),
                        }
                    }
                },
            };
            out.push_str(&formatted);
        }
        out.push_str(&text[cursor..]);
        if !with_env || !out.contains("{{") {
            return Ok(out);
        }
        let mut result = String::with_capacity(out.len());
        let mut cursor = 0;
        for reference in parse_references(&out) {
            let RefTarget::Env { name } = &reference.target else { continue };
            if reference.span.start < cursor {
                continue;
            }
            result.push_str(&out[cursor..reference.span.start]);
            cursor = reference.span.end;
            let replacement = match (self.env.get(name), style) {
                (None, _) => reference.raw.clone(),
                (Some(v), Style::Condition) if is_inert_literal(v) => v.clone(),
                // Sim binds any other value as a string at the execution boundary.
                (Some(v), Style::Condition) => code_literal(&Value::String(v.clone())),
                (Some(v), Style::Code) if quote_context(&out, reference.span.start).is_none() => code_literal(&Value::String(v.clone())),
                (Some(v), _) => v.clone(),
            };
            result.push_str(&replacement);
        }
        result.push_str(&out[cursor..]);
        Ok(result)
    }

    /// Resolves every string inside a JSON value as text (Sim's `resolveValue`).
    pub fn render_value(&self, value: &Value, style: Style, with_env: bool) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => Value::String(self.render(s, style, with_env)?),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.render_value(v, style, with_env)).collect::<Result<_, _>>()?),
            Value::Object(map) => Value::Object(
                map.iter().map(|(k, v)| Ok((k.clone(), self.render_value(v, style, with_env)?))).collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    /// A value that is exactly one reference resolves to the value itself (Sim's
    /// `resolveSingleReference`); anything else renders as text.
    pub fn single(&self, text: &str) -> Result<Resolved, String> {
        let trimmed = text.trim();
        if trimmed.starts_with('<') && trimmed.ends_with('>') && !trimmed[1..trimmed.len() - 1].contains(['<', '>']) {
            if let Some(reference) = parse_references(trimmed).into_iter().next() {
                if reference.span == (0..trimmed.len()) {
                    return self.resolve(&reference.target).map_err(|e| format!("{}: {e}", reference.raw));
                }
            }
        }
        Ok(Resolved::Value(Value::String(self.render(text, Style::Text, true)?)))
    }
}

fn split_variable(name: &str) -> (String, Vec<PathPart>) {
    let parts = crate::sim::references::parse_path(name);
    match parts.split_first() {
        Some((PathPart::Field(first), rest)) => (first.clone(), rest.to_vec()),
        _ => (name.to_string(), Vec::new()),
    }
}

/// A number as JavaScript prints it (`3`, not `3.0`).
pub fn js_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 && n.is_f64() => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

/// `String(value)` for scalars, JSON for objects and arrays.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => js_number(n),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Sim's condition inlining: a string as a single-quoted escaped literal.
pub fn condition_literal(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
                .replace('\u{2028}', "\\u2028")
                .replace('\u{2029}', "\\u2029");
            format!("'{escaped}'")
        }
        Value::Object(_) | Value::Array(_) => value.to_string(),
        other => text_of(other),
    }
}

/// Sim's loop-condition inlining: `"true"`/`"false"` strings become booleans, other strings
/// JSON strings.
fn loop_condition_literal(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let lower = s.trim().to_lowercase();
            if lower == "true" || lower == "false" {
                lower
            } else {
                value.to_string()
            }
        }
        Value::Bool(_) | Value::Number(_) => text_of(value),
        other => other.to_string(),
    }
}

/// A JavaScript literal (Sim's `formatLiteralForCode`).
pub fn code_literal(value: &Value) -> String {
    match value {
        Value::Number(n) => js_number(n),
        other => other.to_string(),
    }
}

/// Sim's `STRUCTURALLY_INERT_CONDITION_LITERAL`: a number, boolean or null, padded with spaces
/// or tabs only.
fn is_inert_literal(value: &str) -> bool {
    let core = value.trim_matches([' ', '\t']);
    if matches!(core, "true" | "false" | "null") {
        return true;
    }
    let body = core.strip_prefix('-').unwrap_or(core);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = {
        let (int, frac) = mantissa.split_once('.').map_or((mantissa, None), |(a, b)| (a, Some(b)));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        match frac {
            None => !int.is_empty() && digits(int),
            Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
        }
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

/// Whether position `at` of JavaScript source is inside a string: the quote character
/// (`'`, `"` or `` ` ``), or none (Sim's `getCodeStringQuoteContext`).
pub fn quote_context(code: &str, at: usize) -> Option<char> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Normal,
        Single,
        Double,
        Template,
        TemplateExpr(u32),
        Line,
        Block,
    }
    let mut modes = vec![Mode::Normal];
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < at.min(bytes.len()) {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        let mode = *modes.last().unwrap_or(&Mode::Normal);
        match mode {
            Mode::Line => {
                if c == b'\n' {
                    modes.pop();
                }
            }
            Mode::Block => {
                if c == b'*' && next == Some(b'/') {
                    modes.pop();
                    i += 1;
                }
            }
            Mode::Single | Mode::Double => {
                let quote = if mode == Mode::Single { b'\'' } else { b'"' };
                if c == b'\\' {
                    i += 1;
                } else if c == quote || c == b'\n' {
                    modes.pop();
                }
            }
            Mode::Template => {
                if c == b'\\' {
                    i += 1;
                } else if c == b'`' {
                    modes.pop();
                } else if c == b'$' && next == Some(b'{') {
                    modes.push(Mode::TemplateExpr(1));
                    i += 1;
                }
            }
            Mode::Normal | Mode::TemplateExpr(_) => {
                match (c, next) {
                    (b'/', Some(b'/')) => {
                        modes.push(Mode::Line);
                        i += 1;
                    }
                    (b'/', Some(b'*')) => {
                        modes.push(Mode::Block);
                        i += 1;
                    }
                    (b'\'', _) => modes.push(Mode::Single),
                    (b'"', _) => modes.push(Mode::Double),
                    (b'`', _) => modes.push(Mode::Template),
                    (b'{', _) => {
                        if let Some(Mode::TemplateExpr(depth)) = modes.last_mut() {
                            *depth += 1;
                        }
                    }
                    (b'}', _) => {
                        if let Some(Mode::TemplateExpr(depth)) = modes.last_mut() {
                            *depth -= 1;
                            if *depth == 0 {
                                modes.pop();
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    match modes.last() {
        Some(Mode::Single) => Some('\''),
        Some(Mode::Double) => Some('"'),
        Some(Mode::Template) => Some('`'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with_scope<T>(f: impl FnOnce(&Scope) -> T) -> T {
        let names: HashMap<String, String> = [("agent".to_string(), "a1".to_string()), ("skipped".to_string(), "s1".to_string())].into();
        let outputs: HashMap<String, Value> = [("a1".to_string(), json!({"content": "it's \"ok\"\nbye", "n": 3.0, "obj": {"k": [1]}}))].into();
        let containers = HashMap::new();
        let env: BTreeMap<String, String> = [("LIMIT".to_string(), " 10 ".to_string()), ("TOKEN".to_string(), "x'); hack(".to_string())].into();
        let scope = Scope { names: &names, containers: &containers, outputs: &outputs, frames: &[], variables: &[], env: &env };
        f(&scope)
    }

    #[test]
    fn condition_inlining_follows_sim() {
        with_scope(|s| {
            let out = s.render("<agent.content> === 'x' && <agent.n> > 2 && <agent.obj>.k && <skipped.content> === null", Style::Condition, true).unwrap();
            assert_eq!(out, "'it\\'s \"ok\"\\nbye' === 'x' && 3 > 2 && {\"k\":[1]}.k && null === null");
            assert_eq!(s.render("<unknown.x> {{LIMIT}} {{TOKEN}}", Style::Condition, true).unwrap(), "<unknown.x>  10  \"x'); hack(\"");
        });
    }

    #[test]
    fn text_and_code_styles() {
        with_scope(|s| {
            assert_eq!(s.render("n=<agent.n>, none=[<skipped.content>]", Style::Text, true).unwrap(), "n=3, none=[]");
            assert_eq!(s.render("const a = <agent.n>; const b = '<agent.n>'", Style::Code, true).unwrap(), "const a = 3; const b = '' + JSON.stringify(3) + ''");
            assert_eq!(s.render("key {{TOKEN}}", Style::Text, false).unwrap(), "key {{TOKEN}}");
        });
    }

    #[test]
    fn quote_context_tracks_strings_comments_and_templates() {
        let code = "a = 'x' + \"y\" // 'z\n b = `t ${ '<' } ";
        assert_eq!(quote_context(code, 5), Some('\''));
        assert_eq!(quote_context(code, 8), None);
        assert_eq!(quote_context(code, code.len() - 1), Some('`'));
    }

    #[test]
    fn inert_literals() {
        for ok in ["1", " -2.5e3\t", "true", "null", ".5"] {
            assert!(is_inert_literal(ok), "{ok}");
        }
        for bad in ["1;x", "'a'", "", "1\n", "e5"] {
            assert!(!is_inert_literal(bad), "{bad}");
        }
    }
}
