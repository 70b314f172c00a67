//! The body walker: `$when` / `$each` sections and placeholders, checked statically (`lint`) and
//! expanded with parameter values (`expand`).
//!
//! A section is an object with a `$when` or `$each` key. Inside an array it is replaced by the
//! items it produces; as the value of an object member whose key starts with `$`, the members it
//! produces are merged into that object (so Sim's `blocks` map can hold optional blocks too).
//!
//! ```json
//! {"$when": "offer_callback && tier != 'free'", "$then": [...], "$else": [...]}
//! {"$each": "topics", "$as": "topic", "$position": "n", "$next": "following", "$when": "topic.enabled", "$do": [...]}
//! ```

use super::expr::{self, Expr};
use super::model::{ParamSpec, ParamType};
use super::params::Values;
use super::placeholder::{self, Piece};
use super::problem::Problem;
use crate::json::JsonPath;
use serde_json::{Map, Value};
use std::collections::HashSet;

const WHEN_KEYS: &[&str] = &["$when", "$then", "$else"];
const EACH_KEYS: &[&str] = &["$each", "$as", "$position", "$next", "$when", "$do"];

enum Section<'a> {
    When {
        condition: &'a str,
        then: &'a Value,
        otherwise: Option<&'a Value>,
    },
    Each {
        source: &'a str,
        as_name: &'a str,
        /// Bound to the item's 1-based position.
        position: Option<&'a str>,
        /// Bound to the following item (`null` for the last): chains items one after another.
        next: Option<&'a str>,
        filter: Option<&'a str>,
        body: &'a Value,
    },
}

/// The section an object describes, if it is one.
fn section(obj: &Map<String, Value>) -> Option<Result<Section<'_>, String>> {
    let text = |key: &str| -> Result<Option<&str>, String> {
        match obj.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(format!("`{key}` must be a text")),
        }
    };
    if obj.contains_key("$each") {
        return Some((|| {
            if let Some(key) = obj.keys().find(|k| !EACH_KEYS.contains(&k.as_str())) {
                return Err(format!(
                    "an `$each` section takes {} only; `{key}` does not belong here",
                    EACH_KEYS.join(", ")
                ));
            }
            let as_name = text("$as")?.unwrap_or("item");
            let position = text("$position")?;
            let next = text("$next")?;
            for name in std::iter::once(as_name).chain(position).chain(next) {
                if !placeholder::is_name(name) {
                    return Err(format!(
                        "`{name}` is not a valid name (letters, digits, `_`)"
                    ));
                }
            }
            Ok(Section::Each {
                source: text("$each")?.unwrap_or_default(),
                as_name,
                position,
                next,
                filter: text("$when")?,
                body: obj
                    .get("$do")
                    .ok_or("an `$each` section needs `$do`: what to repeat")?,
            })
        })());
    }
    if obj.contains_key("$when") {
        return Some((|| {
            if let Some(key) = obj.keys().find(|k| !WHEN_KEYS.contains(&k.as_str())) {
                return Err(format!(
                    "a `$when` section takes {} only; `{key}` does not belong here",
                    WHEN_KEYS.join(", ")
                ));
            }
            Ok(Section::When {
                condition: text("$when")?.unwrap_or_default(),
                then: obj
                    .get("$then")
                    .ok_or("a `$when` section needs `$then`: what to include when it holds")?,
                otherwise: obj.get("$else"),
            })
        })());
    }
    None
}

fn is_section_member(key: &str, value: &Value) -> bool {
    key.starts_with('$')
        && value
            .as_object()
            .is_some_and(|o| o.contains_key("$when") || o.contains_key("$each"))
}

/// Where a section sits decides what its content must be.
#[derive(Clone, Copy, PartialEq)]
enum Slot {
    ArrayItems,
    ObjectMembers,
}

fn content_ok(slot: Slot, value: &Value) -> Result<(), String> {
    match (slot, value) {
        (Slot::ArrayItems, Value::Array(_)) | (Slot::ObjectMembers, Value::Object(_)) => Ok(()),
        (Slot::ArrayItems, _) => Err("a section inside a list must give a list of items".into()),
        (Slot::ObjectMembers, _) => {
            Err("a section inside an object must give an object of members".into())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Static checks

/// A loop variable in scope: its name and, when known, what each item is.
#[derive(Clone)]
struct Var {
    name: String,
    item: Option<ParamSpec>,
}

pub struct Lint<'a> {
    params: &'a [ParamSpec],
    pub used: HashSet<String>,
    pub problems: Vec<Problem>,
}

impl<'a> Lint<'a> {
    pub fn new(params: &'a [ParamSpec]) -> Lint<'a> {
        Lint {
            params,
            used: HashSet::new(),
            problems: Vec::new(),
        }
    }

    /// Checks every placeholder, expression and section of `value` (at `path`).
    pub fn value(&mut self, value: &Value, path: &JsonPath) {
        self.walk(value, path, &mut Vec::new());
    }

    fn walk(&mut self, value: &Value, path: &JsonPath, scope: &mut Vec<Var>) {
        match value {
            Value::String(s) => self.string(s, path, scope),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let at = path.clone().index(i);
                    match item.as_object().and_then(section) {
                        Some(sec) => self.section(sec, Slot::ArrayItems, &at, scope),
                        None => self.walk(item, &at, scope),
                    }
                }
            }
            Value::Object(members) => {
                for (key, member) in members {
                    let at = path.clone().key(key);
                    if is_section_member(key, member) {
                        if let Some(sec) = member.as_object().and_then(section) {
                            self.section(sec, Slot::ObjectMembers, &at, scope);
                        }
                        continue;
                    }
                    self.string(key, &at, scope);
                    self.walk(member, &at, scope);
                }
            }
            _ => {}
        }
    }

    fn section(
        &mut self,
        sec: Result<Section, String>,
        slot: Slot,
        at: &JsonPath,
        scope: &mut Vec<Var>,
    ) {
        let sec = match sec {
            Ok(sec) => sec,
            Err(message) => return self.problems.push(Problem::new(at.to_string(), message)),
        };
        match sec {
            Section::When {
                condition,
                then,
                otherwise,
            } => {
                self.expression(condition, &at.clone().key("$when"), scope);
                for (key, content) in [("$then", Some(then)), ("$else", otherwise)] {
                    let Some(content) = content else { continue };
                    let content_at = at.clone().key(key);
                    match content_ok(slot, content) {
                        Ok(()) => self.walk(content, &content_at, scope),
                        Err(message) => self
                            .problems
                            .push(Problem::new(content_at.to_string(), message)),
                    }
                }
            }
            Section::Each {
                source,
                as_name,
                position,
                next,
                filter,
                body,
            } => {
                let source_at = at.clone().key("$each");
                let item = self.list_source(source, &source_at, scope);
                let depth = scope.len();
                if let Some(next) = next {
                    scope.push(Var {
                        name: next.to_string(),
                        item: item.clone(),
                    });
                }
                scope.push(Var {
                    name: as_name.to_string(),
                    item,
                });
                if let Some(position) = position {
                    scope.push(Var {
                        name: position.to_string(),
                        item: Some(ParamSpec {
                            kind: Some(ParamType::Number),
                            ..Default::default()
                        }),
                    });
                }
                if let Some(filter) = filter {
                    self.expression(filter, &at.clone().key("$when"), scope);
                }
                let body_at = at.clone().key("$do");
                match content_ok(slot, body) {
                    Ok(()) => self.walk(body, &body_at, scope),
                    Err(message) => self
                        .problems
                        .push(Problem::new(body_at.to_string(), message)),
                }
                scope.truncate(depth);
            }
        }
    }

    /// The item spec of the list an `$each` walks, checking that it is a list.
    fn list_source(&mut self, source: &str, at: &JsonPath, scope: &[Var]) -> Option<ParamSpec> {
        let path: Vec<String> = source.split('.').map(|s| s.trim().to_string()).collect();
        if source.trim().is_empty() || !path.iter().all(|p| placeholder::is_name(p)) {
            self.problems.push(Problem::new(
                at.to_string(),
                format!("`{source}` does not name a list parameter"),
            ));
            return None;
        }
        let spec = self.resolve(&path, at, scope)?;
        match spec.kind {
            Some(ParamType::List) => spec.items.map(|b| *b),
            Some(other) => {
                self.problems.push(Problem::new(
                    at.to_string(),
                    format!("`$each` needs a list, but `{source}` is {}", other.as_str()),
                ));
                None
            }
            None => None,
        }
    }

    fn expression(&mut self, text: &str, at: &JsonPath, scope: &[Var]) {
        match expr::parse(text) {
            Ok(e) => {
                let mut names = Vec::new();
                e.names(&mut names);
                for name in names {
                    self.resolve(&name, at, scope);
                }
            }
            Err(message) => self.problems.push(Problem::new(
                at.to_string(),
                format!("in `{text}`: {message}"),
            )),
        }
    }

    fn string(&mut self, text: &str, at: &JsonPath, scope: &[Var]) {
        if !text.contains("{{") {
            return;
        }
        match placeholder::split(text) {
            Ok(pieces) => {
                for piece in pieces {
                    if let Piece::Hole(hole) = piece {
                        self.resolve(&hole.path, at, scope);
                    }
                }
            }
            Err(message) => self.problems.push(Problem::new(at.to_string(), message)),
        }
    }

    /// What a name refers to; an undeclared name or unknown field is a problem. Marks use.
    fn resolve(&mut self, path: &[String], at: &JsonPath, scope: &[Var]) -> Option<ParamSpec> {
        let root = path.first()?;
        let spec = if let Some(var) = scope.iter().rev().find(|v| &v.name == root) {
            var.item.clone()
        } else if let Some(param) = self.params.iter().find(|p| &p.name == root) {
            self.used.insert(root.clone());
            Some(param.clone())
        } else {
            let mut known: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
            known.extend(scope.iter().map(|v| v.name.as_str()));
            self.problems.push(Problem::new(
                at.to_string(),
                format!(
                    "`{}` is not a declared parameter (declared: {})",
                    path.join("."),
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known
                            .iter()
                            .map(|n| format!("`{}`", crate::json::excerpt(n)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ));
            return None;
        };
        let mut spec = spec?;
        for field in &path[1..] {
            let fields = spec.fields.clone().unwrap_or_default();
            match fields.into_iter().find(|f| &f.name == field) {
                Some(f) if spec.kind == Some(ParamType::Object) => spec = f,
                _ => {
                    self.problems.push(Problem::new(
                        at.to_string(),
                        format!("`{}` has no field `{field}`", path.join(".")),
                    ));
                    return None;
                }
            }
        }
        Some(spec)
    }
}

// ---------------------------------------------------------------------------------------------
// Expansion

/// How many `$each` repetitions one instantiation may make in all: nested sections over long
/// lists multiply, and a hostile template must fail with a clear error, not exhaust memory.
pub const MAX_REPETITIONS: usize = 10_000;

pub struct Expand<'a> {
    values: &'a Values,
    scope: Vec<(String, Value)>,
    repetitions: usize,
    pub problems: Vec<Problem>,
}

impl<'a> Expand<'a> {
    pub fn new(values: &'a Values) -> Expand<'a> {
        Expand {
            values,
            scope: Vec::new(),
            repetitions: 0,
            problems: Vec::new(),
        }
    }

    pub fn value(&mut self, value: &Value, path: &JsonPath) -> Value {
        match value {
            Value::String(s) => self.string(s, path, true),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let at = path.clone().index(i);
                    match item.as_object().and_then(section) {
                        Some(sec) => {
                            for produced in self.section(sec, &at) {
                                if let Value::Array(produced) = produced {
                                    out.extend(produced);
                                }
                            }
                        }
                        None => out.push(self.value(item, &at)),
                    }
                }
                Value::Array(out)
            }
            Value::Object(members) => {
                let mut out = Map::new();
                for (key, member) in members {
                    let at = path.clone().key(key);
                    let produced: Vec<(String, Value)> = if is_section_member(key, member) {
                        match member.as_object().and_then(section) {
                            Some(sec) => self
                                .section(sec, &at)
                                .into_iter()
                                .flat_map(|v| match v {
                                    Value::Object(m) => m.into_iter().collect::<Vec<_>>(),
                                    _ => Vec::new(),
                                })
                                .collect(),
                            None => Vec::new(),
                        }
                    } else {
                        let key = match self.string(key, &at, false) {
                            Value::String(k) => k,
                            _ => key.clone(),
                        };
                        vec![(key, self.value(member, &at))]
                    };
                    for (key, value) in produced {
                        if out.contains_key(&key) {
                            self.problems.push(Problem::new(
                                at.to_string(),
                                format!("two members are named `{key}` once expanded"),
                            ));
                        }
                        out.insert(key, value);
                    }
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }

    /// The contents a section produces (each an array or an object, by its slot).
    fn section(&mut self, sec: Result<Section, String>, at: &JsonPath) -> Vec<Value> {
        let sec = match sec {
            Ok(sec) => sec,
            Err(message) => {
                self.problems.push(Problem::new(at.to_string(), message));
                return Vec::new();
            }
        };
        match sec {
            Section::When {
                condition,
                then,
                otherwise,
            } => match self.condition(condition, &at.clone().key("$when")) {
                Some(true) => vec![self.value(then, &at.clone().key("$then"))],
                Some(false) => otherwise
                    .map(|o| self.value(o, &at.clone().key("$else")))
                    .into_iter()
                    .collect(),
                None => Vec::new(),
            },
            Section::Each {
                source,
                as_name,
                position,
                next,
                filter,
                body,
            } => {
                let path: Vec<String> = source.split('.').map(|s| s.trim().to_string()).collect();
                let items = match self.lookup(&path) {
                    Some(Value::Array(items)) => items,
                    Some(Value::Null) | None => Vec::new(),
                    Some(other) => {
                        self.problems.push(Problem::new(
                            at.clone().key("$each").to_string(),
                            format!(
                                "`$each` needs a list, but `{source}` is {}",
                                super::params::type_name(&other)
                            ),
                        ));
                        Vec::new()
                    }
                };
                let mut out = Vec::new();
                if self.repetitions > MAX_REPETITIONS {
                    return Vec::new(); // already reported once
                }
                for (i, item) in items.iter().enumerate() {
                    self.repetitions += 1;
                    if self.repetitions > MAX_REPETITIONS {
                        self.problems.push(Problem::new(
                            at.to_string(),
                            format!("`$each` sections would repeat more than {MAX_REPETITIONS} times in all; use shorter lists"),
                        ));
                        break;
                    }
                    let depth = self.scope.len();
                    if let Some(next) = next {
                        self.scope.push((
                            next.to_string(),
                            items.get(i + 1).cloned().unwrap_or(Value::Null),
                        ));
                    }
                    self.scope.push((as_name.to_string(), item.clone()));
                    if let Some(position) = position {
                        self.scope.push((position.to_string(), Value::from(i + 1)));
                    }
                    let keep = match filter {
                        Some(filter) => {
                            self.condition(filter, &at.clone().key("$when")) == Some(true)
                        }
                        None => true,
                    };
                    if keep {
                        out.push(self.value(body, &at.clone().key("$do")));
                    }
                    self.scope.truncate(depth);
                }
                out
            }
        }
    }

    fn condition(&mut self, text: &str, at: &JsonPath) -> Option<bool> {
        let result =
            expr::parse(text).and_then(|e: Expr| e.eval(&|path: &[String]| self.lookup(path)));
        match result {
            Ok(v) => Some(expr::truthy(&v)),
            Err(message) => {
                self.problems.push(Problem::new(
                    at.to_string(),
                    format!("in `{text}`: {message}"),
                ));
                None
            }
        }
    }

    fn lookup(&self, path: &[String]) -> Option<Value> {
        let root = path.first()?;
        let mut value = match self.scope.iter().rev().find(|(name, _)| name == root) {
            Some((_, v)) => v.clone(),
            None => self.values.get(root)?.clone(),
        };
        for field in &path[1..] {
            value = match value {
                Value::Object(mut m) => m.remove(field).unwrap_or(Value::Null),
                _ => return None,
            };
        }
        Some(value)
    }

    /// A string with its placeholders filled. When the whole string is one placeholder without
    /// a filter and `typed` is set, the value keeps its JSON type (`"{{max_retries}}"` → `3`).
    fn string(&mut self, text: &str, at: &JsonPath, typed: bool) -> Value {
        if !text.contains("{{") {
            return Value::String(text.to_string());
        }
        let pieces = match placeholder::split(text) {
            Ok(pieces) => pieces,
            Err(message) => {
                self.problems.push(Problem::new(at.to_string(), message));
                return Value::String(text.to_string());
            }
        };
        if let [Piece::Hole(hole)] = pieces.as_slice() {
            if typed && hole.filter.is_none() {
                if let Some(value) = self.lookup(&hole.path) {
                    return value;
                }
            }
        }
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(&t),
                Piece::Hole(hole) => {
                    let Some(value) = self.lookup(&hole.path) else {
                        self.problems.push(Problem::new(
                            at.to_string(),
                            format!("`{}` is not a declared parameter", hole.path.join(".")),
                        ));
                        continue;
                    };
                    match placeholder::render(&value) {
                        Ok(text) => match &hole.filter {
                            Some(filter) => out.push_str(&placeholder::apply(filter, &text)),
                            None => out.push_str(&text),
                        },
                        Err(message) => self.problems.push(Problem::new(
                            at.to_string(),
                            format!("`{}`: {message}", hole.path.join(".")),
                        )),
                    }
                }
            }
        }
        Value::String(out)
    }
}
