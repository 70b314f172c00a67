//! Parameter values: checked against their specs (type, required, enum values, pattern, bounds),
//! every problem collected, defaults filled in.

use super::model::{ParamSpec, ParamType};
use super::problem::Problem;
use serde_json::{Map, Value};

/// The values a template is instantiated with: every declared parameter, by name (an optional
/// parameter with no value and no default is `null`).
pub type Values = Map<String, Value>;

/// Checks `given` against `specs`: unknown names, missing required values and every constraint.
/// Returns the complete values (defaults filled in) and all problems found.
pub fn resolve_values(specs: &[ParamSpec], given: &Map<String, Value>) -> (Values, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut values = Map::new();
    for name in given.keys() {
        if !specs.iter().any(|s| &s.name == name) {
            let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
            problems.push(Problem::new(
                format!("parameters.{name}"),
                format!(
                    "this template has no parameter `{name}` (it has: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
    for spec in specs {
        let at = format!("parameters.{}", spec.name);
        let value = match given.get(&spec.name).filter(|v| !v.is_null()) {
            Some(v) => v.clone(),
            None => match &spec.default {
                Some(d) => d.clone(),
                None if spec.is_required() => {
                    problems.push(Problem::new(
                        &at,
                        format!("a value is required{}", describe(spec)),
                    ));
                    continue;
                }
                None => Value::Null,
            },
        };
        if !value.is_null() {
            check_value(spec, &value, &at, &mut problems);
        }
        values.insert(spec.name.clone(), value);
    }
    (values, problems)
}

fn describe(spec: &ParamSpec) -> String {
    let mut out = String::new();
    if let Some(kind) = spec.kind {
        out.push_str(&format!(" ({}", kind.as_str()));
        if let Some(values) = &spec.values {
            out.push_str(&format!(": one of {}", values.join(", ")));
        }
        out.push(')');
    }
    if !spec.description.is_empty() {
        out.push_str(&format!(": {}", spec.description));
    }
    out
}

/// Checks one value against its spec, pushing a problem for each constraint it breaks.
pub fn check_value(spec: &ParamSpec, value: &Value, at: &str, problems: &mut Vec<Problem>) {
    let Some(kind) = spec.kind else {
        problems.push(Problem::new(at, "the parameter declares no `type`"));
        return;
    };
    let mut fail = |message: String| problems.push(Problem::new(at, message));
    match (kind, value) {
        (ParamType::String, Value::String(s)) => {
            let len = s.chars().count() as f64;
            check_bounds(spec, len, "characters", &mut fail);
            if let Some(pattern) = &spec.pattern {
                match anchored(pattern) {
                    Ok(re) if !re.is_match(s) => fail(format!(
                        "`{}` does not match the pattern `{pattern}`",
                        clip(s)
                    )),
                    Ok(_) => {}
                    // An invalid pattern is reported once, by `lint`, which always runs first.
                    Err(_) => {}
                }
            }
        }
        (ParamType::Number, Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            if spec.integer == Some(true) && x.fract() != 0.0 {
                fail(format!("{n} is not a whole number"));
            }
            check_bounds(spec, x, "", &mut fail);
        }
        (ParamType::Boolean, Value::Bool(_)) => {}
        (ParamType::Enum, Value::String(s)) => {
            let values = spec.values.as_deref().unwrap_or(&[]);
            if !values.iter().any(|v| v == s) {
                fail(format!(
                    "`{}` is not one of the allowed values: {}",
                    clip(s),
                    values.join(", ")
                ));
            }
        }
        (ParamType::List, Value::Array(items)) => {
            check_bounds(spec, items.len() as f64, "items", &mut fail);
            match &spec.items {
                Some(item_spec) => {
                    for (i, item) in items.iter().enumerate() {
                        check_value(item_spec, item, &format!("{at}[{i}]"), problems);
                    }
                }
                None => fail("a list parameter must say what its `items` are".into()),
            }
        }
        (ParamType::Object, Value::Object(map)) => {
            let fields = spec.fields.as_deref().unwrap_or(&[]);
            for key in map.keys() {
                if !fields.iter().any(|f| &f.name == key) {
                    let known: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                    fail(format!(
                        "unknown field `{key}` (fields: {})",
                        known.join(", ")
                    ));
                }
            }
            for field in fields {
                let field_at = format!("{at}.{}", field.name);
                match map.get(&field.name).filter(|v| !v.is_null()) {
                    Some(v) => check_value(field, v, &field_at, problems),
                    None if field.is_required() && field.default.is_none() => {
                        problems.push(Problem::new(field_at, "a value is required"))
                    }
                    None => {}
                }
            }
        }
        (kind, other) => fail(format!(
            "expected {} {}, got {}",
            article(kind),
            kind.as_str(),
            type_name(other)
        )),
    }
}

fn check_bounds(spec: &ParamSpec, x: f64, unit: &str, fail: &mut impl FnMut(String)) {
    let unit = match unit {
        "" => String::new(),
        // "1 character", "1 item"
        _ if x == 1.0 => format!(" {}", unit.trim_end_matches('s')),
        _ => format!(" {unit}"),
    };
    if let Some(min) = spec.min {
        if x < min {
            fail(format!("{x}{unit} is less than the minimum {min}"));
        }
    }
    if let Some(max) = spec.max {
        if x > max {
            fail(format!("{x}{unit} is more than the maximum {max}"));
        }
    }
}

/// A pattern must match the whole value, as form validation usually means.
pub fn anchored(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(1 << 20)
        .build()
}

fn article(kind: ParamType) -> &'static str {
    match kind {
        ParamType::Enum | ParamType::Object => "an",
        _ => "a",
    }
}

pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

/// A value typed on a command line (`--set name=value`), read as the parameter's type says:
/// numbers and booleans parsed, lists as a JSON array or comma-separated items.
pub fn value_from_text(spec: Option<&ParamSpec>, text: &str) -> Value {
    let parse_json = || serde_json::from_str::<Value>(text).ok();
    match spec.and_then(|s| s.kind) {
        Some(ParamType::Number) => parse_json()
            .filter(Value::is_number)
            .unwrap_or_else(|| Value::String(text.into())),
        Some(ParamType::Boolean) => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Value::Bool(true),
            "false" | "no" | "off" | "0" => Value::Bool(false),
            _ => Value::String(text.into()),
        },
        Some(ParamType::List) if text.trim_start().starts_with('[') => {
            parse_json().unwrap_or_else(|| Value::String(text.into()))
        }
        Some(ParamType::List) => {
            let item_spec = spec.and_then(|s| s.items.as_deref());
            Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|item| value_from_text(item_spec, item))
                    .collect(),
            )
        }
        Some(ParamType::Object) => parse_json().unwrap_or_else(|| Value::String(text.into())),
        _ => Value::String(text.into()),
    }
}
