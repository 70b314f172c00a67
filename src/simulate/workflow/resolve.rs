//! References in block inputs, resolved and formatted the way Sim's `VariableResolver` does for
//! each consumer: plain text for most blocks, quoted literals for condition expressions, code
//! literals for function blocks, and Sim's own rules for loop conditions.

use super::ids;
use super::state::Store;
use crate::sim::references::{parse_executor_references, PathPart, RefTarget, Reference};
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

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

/// A workflow variable at run time (Sim's `ctx.workflowVariables` entry).
#[derive(Debug, Clone)]
pub struct RuntimeVariable {
    pub id: String,
    pub name: String,
    pub var_type: String,
    pub value: Value,
}

/// A loop's state during a run (Sim's `LoopScope`).
#[derive(Debug, Clone, Default)]
pub struct LoopScope {
    pub iteration: usize,
    /// Outputs of this pass by block id, in the order they first completed.
    pub current: indexmap::IndexMap<String, Rc<Value>>,
    /// One list per completed pass that produced outputs.
    pub all: Vec<Vec<Rc<Value>>>,
    pub max_iterations: Option<f64>,
    pub item: Option<Value>,
    /// The forEach collection, shared (never copied per pass).
    pub items: Option<Rc<Vec<Value>>>,
    /// The user's while/doWhile condition; `None` with `max_iterations` is `<loop.index> < max`.
    pub condition: Option<String>,
    pub loop_type: String,
    pub skipped_at_start: bool,
}

/// A parallel's state during a run (Sim's `ParallelScope`).
#[derive(Debug, Clone, Default)]
pub struct ParallelScope {
    pub total: i64,
    pub batch_size: i64,
    pub batch_start: i64,
    pub batch_len: i64,
    pub accumulated: BTreeMap<usize, Vec<Rc<Value>>>,
    pub branch_outputs: BTreeMap<usize, Vec<Rc<Value>>>,
    pub items: Option<Rc<Vec<Value>>>,
    pub is_empty: bool,
}

/// Where a cloned or nested container sits: its parent container and, in a parallel, the branch.
#[derive(Debug, Clone)]
pub struct ParentEntry {
    pub parent: String,
    pub parallel: bool,
    pub branch: Option<usize>,
}

/// A parallel branch node: which parallel and which global branch (`parallelBlockMapping`).
#[derive(Debug, Clone)]
pub struct BranchMapping {
    pub parallel: String,
    pub iteration: usize,
}

/// What never changes during a run: names and the workflow's own container tables.
#[derive(Debug, Default)]
pub struct WorkflowInfo {
    /// Normalised block name -> block id (Sim's `BlockResolver`: dot-free names win a collision).
    pub names: HashMap<String, String>,
    pub loop_names: HashMap<String, String>,
    pub parallel_names: HashMap<String, String>,
    /// Container id -> its direct children (as the workflow defines them).
    pub loops: HashMap<String, (Vec<String>, String)>,
    pub parallels: HashMap<String, (Vec<String>, String, Value)>,
    pub block_types: HashMap<String, String>,
}

impl WorkflowInfo {
    /// `subflowContainsBlock`: the block is inside the container, at any depth.
    pub fn contains(&self, container: &str, block: &str) -> bool {
        let direct = self
            .loops
            .get(container)
            .map(|l| &l.0)
            .or_else(|| self.parallels.get(container).map(|p| &p.0));
        if direct.is_some_and(|children| children.iter().any(|c| c == block)) {
            return true;
        }
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![container.to_string()];
        while let Some(c) = stack.pop() {
            if !seen.insert(c.clone()) {
                continue;
            }
            let children = self
                .loops
                .get(&c)
                .map(|l| &l.0)
                .or_else(|| self.parallels.get(&c).map(|p| &p.0));
            for child in children.into_iter().flatten() {
                if child == block {
                    return true;
                }
                if self.loops.contains_key(child) || self.parallels.contains_key(child) {
                    stack.push(child.clone());
                }
            }
        }
        false
    }

    /// The innermost loop (or parallel) holding a runtime node's block.
    fn innermost(&self, node: &str, parallel: bool) -> Option<String> {
        let base = ids::strip_clone_suffixes(node);
        let candidates: Vec<&String> = if parallel {
            self.parallels
                .keys()
                .filter(|p| self.contains(p, &base))
                .collect()
        } else {
            self.loops
                .keys()
                .filter(|l| self.contains(l, &base))
                .collect()
        };
        if candidates.len() <= 1 {
            return candidates.first().map(|s| s.to_string());
        }
        candidates
            .iter()
            .find(|c| candidates.iter().all(|o| o == *c || !self.contains(c, o)))
            .map(|s| s.to_string())
    }
}

/// What references are resolved against, seen from one node.
pub struct Scope<'a> {
    pub info: &'a WorkflowInfo,
    pub store: &'a Store,
    /// The node whose inputs are resolved (empty for a loop condition, as in Sim).
    pub current: &'a str,
    /// The loop scope a loop condition is evaluated with.
    pub loop_scope: Option<&'a LoopScope>,
    pub loops: &'a HashMap<String, LoopScope>,
    pub parallels: &'a HashMap<String, ParallelScope>,
    pub parents: &'a IndexMap<String, ParentEntry>,
    pub mapping: &'a HashMap<String, BranchMapping>,
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

/// Sim's `navigatePath`: object fields, array indexes (and an array's `length`).
pub fn navigate(value: &Value, path: &[PathPart]) -> Option<Value> {
    let mut current = value;
    for (at, part) in path.iter().enumerate() {
        current = match (part, current) {
            (_, Value::Null) => return None,
            (PathPart::Field(name), Value::Object(map)) => map.get(name)?,
            (PathPart::Index(i), Value::Array(items)) => items.get(*i)?,
            (PathPart::Field(name), Value::Array(items)) if name == "length" => {
                return (at + 1 == path.len()).then(|| Value::from(items.len()));
            }
            (PathPart::Field(name), Value::Array(items)) => {
                items.get(name.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(current.clone())
}

/// Sim's `InvalidFieldError` text.
fn invalid_field(prefix: &str, field: &str, available: &[&str]) -> String {
    let list = if available.is_empty() {
        "none".to_string()
    } else {
        available.join(", ")
    };
    format!("\"{field}\" doesn't exist on block \"{prefix}\". Available fields: {list}")
}

/// `VariableManager.resolveForExecution`: a stored variable value read by its type.
pub fn variable_for_execution(value: &Value, var_type: &str) -> Value {
    let var_type = match var_type {
        "" | "string" => "plain",
        t => t,
    };
    match value {
        Value::String(s) if s.is_empty() => return value.clone(),
        Value::Null => return Value::Null,
        _ => {}
    }
    if var_type == "plain" {
        return Value::String(js_string(value));
    }
    let unquoted = match value {
        Value::String(s) => {
            let b = s.as_bytes();
            if s.len() >= 2
                && matches!(b[0], b'"' | b'\'')
                && matches!(b[s.len() - 1], b'"' | b'\'')
            {
                Value::String(s[1..s.len() - 1].to_string())
            } else {
                value.clone()
            }
        }
        _ => value.clone(),
    };
    match var_type {
        "number" => match &unquoted {
            Value::Number(_) => unquoted,
            Value::String(s) if s.is_empty() => unquoted,
            other => js_number_from(&text_of(other))
                .map(number_value)
                .unwrap_or_else(|| Value::from(0)),
        },
        "boolean" => match &unquoted {
            Value::Bool(_) => unquoted,
            Value::String(s) if s == "anything else" => Value::Bool(true),
            other => Value::Bool(text_of(other).to_lowercase().trim() == "true"),
        },
        "object" => match &unquoted {
            Value::Object(_) => unquoted,
            Value::String(s) if s == "invalid json" => Value::Object(Default::default()),
            Value::String(s) if s.trim().starts_with('{') => {
                serde_json::from_str(s).unwrap_or_else(|_| Value::Object(Default::default()))
            }
            Value::Array(_) => unquoted,
            other => serde_json::json!({ "value": other }),
        },
        "array" => match &unquoted {
            Value::Array(_) => unquoted,
            Value::String(s) if s == "invalid json" => Value::Array(Vec::new()),
            Value::String(s) if s.trim().starts_with('[') => {
                serde_json::from_str(s).unwrap_or_else(|_| Value::Array(Vec::new()))
            }
            other => Value::Array(vec![other.clone()]),
        },
        _ => unquoted,
    }
}

/// JavaScript's `Number(text)`: trimmed; empty is 0; decimal, exponent, hex/octal/binary and
/// `Infinity`; anything else is NaN (`None`).
pub fn js_number_from(text: &str) -> Option<f64> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return Some(0.0);
    }
    let radix = |digits: &str, r: u32| u64::from_str_radix(digits, r).ok().map(|n| n as f64);
    if let Some(d) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return radix(d, 16);
    }
    if let Some(d) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        return radix(d, 8);
    }
    if let Some(d) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        return radix(d, 2);
    }
    match t {
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}

/// A number as JSON, integral values as integers (as JavaScript prints them).
pub fn number_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// The segments of a reference as Sim splits them (`<a.b.c>` -> `a`, `b`, `c`).
fn raw_segments(raw: &str) -> Vec<&str> {
    raw.trim_start_matches('<')
        .trim_end_matches('>')
        .split('.')
        .collect()
}

impl Scope<'_> {
    /// Resolves one reference; an error is a reference Sim refuses (an unknown loop property).
    pub fn resolve(&self, reference: &Reference) -> Result<Resolved, String> {
        let segments = raw_segments(&reference.raw);
        match &reference.target {
            RefTarget::Loop { path } => self.resolve_loop("loop", None, path, &segments),
            RefTarget::Parallel { path } => {
                self.resolve_parallel("parallel", None, path, &segments)
            }
            RefTarget::Variable { name } => {
                let (var, rest) = split_variable(name);
                let wanted = crate::sim::references::normalize_block_name(&var);
                let found = self.variables.iter().find(|v| {
                    crate::sim::references::normalize_block_name(&v.name) == wanted || v.id == var
                });
                Ok(match found {
                    None => Resolved::Unknown,
                    Some(v) => {
                        let value = variable_for_execution(&v.value, &v.var_type);
                        match navigate(&value, &rest) {
                            Some(x) => Resolved::Value(x),
                            None => Resolved::Unknown,
                        }
                    }
                })
            }
            RefTarget::Env { name } => Ok(match self.env.get(name) {
                Some(v) => Resolved::Value(Value::String(v.clone())),
                None => Resolved::Unknown,
            }),
            RefTarget::Block { name, path } => {
                // The loop and parallel resolvers match the prefix as written against the
                // normalised container names; the block resolver normalises it first.
                if let Some(id) = self.info.loop_names.get(name) {
                    return self.resolve_loop(name, Some(id), path, &segments);
                }
                if let Some(id) = self.info.parallel_names.get(name) {
                    return self.resolve_parallel(name, Some(id), path, &segments);
                }
                let normalised = crate::sim::references::normalize_block_name(name);
                let Some(id) = self.info.names.get(&normalised) else {
                    return Ok(Resolved::Unknown);
                };
                let Some(output) = self.store.lookup(id, self.current) else {
                    return Ok(Resolved::Empty);
                };
                if let Some(v) = navigate(output, path) {
                    return Ok(Resolved::Value(v));
                }
                // Sim's backwards-compatible paths: `<response.response.x>` and
                // `<workflow.result.response.x>`.
                let block_type = self
                    .info
                    .block_types
                    .get(id)
                    .map(String::as_str)
                    .unwrap_or("");
                if block_type == "response"
                    && matches!(path.first(), Some(PathPart::Field(f)) if f == "response")
                    && output.get("response").is_none()
                {
                    if path.len() == 1 {
                        return Ok(Resolved::Value((**output).clone()));
                    }
                    if let Some(v) = navigate(output, &path[1..]) {
                        return Ok(Resolved::Value(v));
                    }
                }
                Ok(Resolved::Empty)
            }
        }
    }

    fn mapped_branch(&self, generic: bool) -> Option<usize> {
        let from_id = if generic {
            ids::innermost_outer_branch_index(self.current)
        } else {
            ids::outer_branch_index(self.current)
        };
        from_id.or_else(|| self.mapping.get(self.current).map(|m| m.iteration))
    }

    /// Sim's `LoopResolver`.
    fn resolve_loop(
        &self,
        prefix: &str,
        named: Option<&String>,
        path: &[PathPart],
        segments: &[&str],
    ) -> Result<Resolved, String> {
        let generic = named.is_none();
        let mut target = match named {
            Some(id) => Some(id.clone()),
            None => self.info.innermost(self.current, false),
        };
        if generic && target.is_none() && self.loop_scope.is_none() {
            return Ok(Resolved::Unknown);
        }
        if let Some(t) = &target {
            target = Some(ids::effective_container(
                t,
                self.current,
                self.loops.keys(),
                self.mapped_branch(generic),
            ));
        }
        let property = match path.first() {
            Some(PathPart::Field(f)) => Some(f.as_str()),
            Some(PathPart::Index(_)) => Some(""),
            None => None,
        };
        let rest = path.get(1..).unwrap_or(&[]);
        if let Some(property) = property {
            let written = segments.get(1).copied().unwrap_or(property);
            if matches!(property, "result" | "results") {
                let Some(t) = &target else {
                    return Ok(Resolved::Unknown);
                };
                return Ok(self.container_results(t, rest));
            }
            let contextual = generic
                || target.as_ref().is_some_and(|t| {
                    self.info.contains(
                        &ids::strip_outer(t),
                        &ids::strip_clone_suffixes(self.current),
                    )
                });
            if !matches!(
                property,
                "iteration" | "index" | "item" | "currentItem" | "items"
            ) {
                let available: &[&str] = if !contextual {
                    &["results"]
                } else {
                    let for_each = match &target {
                        Some(t) => self
                            .info
                            .loops
                            .get(&ids::strip_outer(t))
                            .is_some_and(|l| l.1 == "forEach"),
                        None => self.loop_scope.is_some_and(|s| s.items.is_some()),
                    };
                    if for_each {
                        &["index", "currentItem", "items"]
                    } else {
                        &["index"]
                    }
                };
                return Err(invalid_field(prefix, written, available));
            }
            if !contextual {
                return Err(invalid_field(prefix, written, &["results"]));
            }
        }
        let scope = match (generic, self.loop_scope) {
            (true, Some(s)) => Some(s),
            _ => target.as_ref().and_then(|t| self.loops.get(t)),
        };
        let Some(scope) = scope else {
            return Ok(Resolved::Unknown);
        };
        let Some(property) = property else {
            let mut whole = serde_json::Map::new();
            whole.insert("index".into(), Value::from(scope.iteration));
            if let Some(item) = &scope.item {
                whole.insert("currentItem".into(), item.clone());
            }
            if let Some(items) = &scope.items {
                whole.insert("items".into(), Value::Array(items.as_ref().clone()));
            }
            return Ok(Resolved::Value(Value::Object(whole)));
        };
        let value = match property {
            "iteration" | "index" => Some(Value::from(scope.iteration)),
            "item" | "currentItem" => scope.item.clone(),
            _ => scope
                .items
                .as_ref()
                .map(|items| Value::Array(items.as_ref().clone())),
        };
        Ok(match value.and_then(|v| navigate(&v, rest)) {
            Some(v) => Resolved::Value(v),
            None => Resolved::Unknown,
        })
    }

    /// `<container.results...>`: the container's stored `{results}`.
    fn container_results(&self, container: &str, rest: &[PathPart]) -> Resolved {
        let Some(output) = self.store.raw(container).filter(|o| o.is_object()) else {
            return Resolved::Unknown;
        };
        match output.get("results").and_then(|r| navigate(r, rest)) {
            Some(v) => Resolved::Value(v),
            None => Resolved::Unknown,
        }
    }

    /// Sim's `ParallelResolver`.
    fn resolve_parallel(
        &self,
        prefix: &str,
        named: Option<&String>,
        path: &[PathPart],
        segments: &[&str],
    ) -> Result<Resolved, String> {
        let generic = named.is_none();
        let target = match named {
            Some(id) => Some(id.clone()),
            None => self.info.innermost(self.current, true),
        };
        let Some(target) = target else {
            return Ok(Resolved::Unknown);
        };
        let target = ids::effective_container(
            &target,
            self.current,
            self.parallels.keys(),
            self.mapped_branch(generic),
        );
        let property = match path.first() {
            Some(PathPart::Field(f)) => Some(f.as_str()),
            Some(PathPart::Index(_)) => Some(""),
            None => None,
        };
        let rest = path.get(1..).unwrap_or(&[]);
        if matches!(property, Some("result" | "results")) {
            return Ok(self.container_results(&target, rest));
        }
        let original = ids::strip_outer(&target);
        let Some((_, parallel_type, distribution)) = self.info.parallels.get(&original) else {
            return Ok(Resolved::Unknown);
        };
        let contextual = generic
            || self
                .info
                .contains(&original, &ids::strip_clone_suffixes(self.current));
        if let Some(p) = property {
            if !contextual {
                return Err(invalid_field(
                    prefix,
                    segments.get(1).copied().unwrap_or(p),
                    &["results"],
                ));
            }
        }
        let Some(branch) = self.branch_index(&target) else {
            return Ok(Resolved::Unknown);
        };
        let items: Rc<Vec<Value>> = match self.parallels.get(&target).and_then(|s| s.items.clone())
        {
            Some(items) => items,
            None => Rc::new(distribution_items(distribution)),
        };
        let current_item = items.get(branch).cloned();
        let Some(property) = property else {
            let mut whole = serde_json::Map::new();
            whole.insert("index".into(), Value::from(branch));
            whole.insert("items".into(), Value::Array(items.as_ref().clone()));
            if let Some(item) = current_item {
                whole.insert("currentItem".into(), item);
            }
            return Ok(Resolved::Value(Value::Object(whole)));
        };
        let value = match property {
            "index" => Value::from(branch),
            "currentItem" => match current_item {
                Some(v) => v,
                None => return Ok(Resolved::Unknown),
            },
            "items" => Value::Array(items.as_ref().clone()),
            _ => {
                let available: &[&str] = if parallel_type == "collection" {
                    &["index", "currentItem", "items"]
                } else {
                    &["index"]
                };
                return Err(invalid_field(
                    prefix,
                    segments.get(1).copied().unwrap_or(property),
                    available,
                ));
            }
        };
        Ok(match navigate(&value, rest) {
            Some(v) => Resolved::Value(v),
            None => Resolved::Unknown,
        })
    }

    /// `resolveBranchIndex`.
    fn branch_index(&self, target: &str) -> Option<usize> {
        let original = ids::strip_outer(target);
        if let Some(m) = self.mapping.get(self.current) {
            if m.parallel == target || m.parallel == original {
                return Some(m.iteration);
            }
        }
        let local = ids::branch_index(self.current);
        if target != original && local.is_some() {
            return local;
        }
        if let Some(outer) = ids::outer_branch_index(self.current) {
            return Some(outer);
        }
        let base = ids::strip_clone_suffixes(self.current);
        for (subflow, entry) in self.parents.iter() {
            if !entry.parallel || entry.parent != original {
                continue;
            }
            let Some(branch) = entry.branch else { continue };
            if self.info.contains(&ids::strip_outer(subflow), &base) {
                return Some(branch);
            }
        }
        local
    }
}

/// `getDistributionItems`: a parallel's configured collection when no run has resolved it.
fn distribution_items(distribution: &Value) -> Vec<Value> {
    match distribution {
        Value::Array(items) => items.clone(),
        Value::Object(map) => map.iter().map(|(k, v)| serde_json::json!([k, v])).collect(),
        Value::String(s) if !s.starts_with('<') => {
            match serde_json::from_str::<Value>(&s.replace('\'', "\"")) {
                Ok(Value::Array(items)) => items,
                Ok(Value::Object(map)) => map
                    .into_iter()
                    .map(|(k, v)| serde_json::json!([k, v]))
                    .collect(),
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

impl Scope<'_> {
    /// Replaces every reference in `text` for `style`. With `with_env` false, `{{ENV}}` stays as
    /// written (for traces: secrets never appear in them).
    pub fn render(&self, text: &str, style: Style, with_env: bool) -> Result<String, String> {
        if !text.contains('<') && !text.contains("{{") {
            return Ok(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut cursor = 0;
        for reference in parse_executor_references(text) {
            if matches!(reference.target, RefTarget::Env { .. }) || reference.span.start < cursor {
                continue;
            }
            out.push_str(&text[cursor..reference.span.start]);
            cursor = reference.span.end;
            let resolved = self.resolve(&reference)?;
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
                        let is_object_var = matches!(reference.target, RefTarget::Variable { .. })
                            && (v.is_object() || v.is_array());
                        match quote_context(text, reference.span.start) {
                            Some(q) if is_block || is_object_var => {
                                let quote = if q == '`' { None } else { Some(q) };
                                match quote {
                                    Some(q) => {
                                        format!("{q} + JSON.stringify({}) + {q}", code_literal(&v))
                                    }
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
        for reference in parse_executor_references(&out) {
            let RefTarget::Env { name } = &reference.target else {
                continue;
            };
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
                (Some(v), Style::Code) if quote_context(&out, reference.span.start).is_none() => {
                    code_literal(&Value::String(v.clone()))
                }
                (Some(v), _) => v.clone(),
            };
            result.push_str(&replacement);
        }
        result.push_str(&out[cursor..]);
        Ok(result)
    }

    /// Resolves every string inside a JSON value as text (Sim's `resolveValue`).
    pub fn render_value(
        &self,
        value: &Value,
        style: Style,
        with_env: bool,
    ) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => Value::String(self.render(s, style, with_env)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render_value(v, style, with_env))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.render_value(v, style, with_env)?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => other.clone(),
        })
    }

    /// A value that is exactly one reference resolves to the value itself (Sim's
    /// `resolveSingleReference`); anything else renders as text.
    pub fn single(&self, text: &str) -> Result<Resolved, String> {
        let trimmed = text.trim();
        if trimmed.starts_with('<')
            && trimmed.ends_with('>')
            && !trimmed[1..trimmed.len() - 1].contains(['<', '>'])
        {
            if let Some(reference) = parse_executor_references(trimmed).into_iter().next() {
                if reference.span == (0..trimmed.len()) {
                    return self.resolve(&reference);
                }
            }
        }
        Ok(Resolved::Value(Value::String(self.render(
            text,
            Style::Text,
            true,
        )?)))
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

/// JavaScript's `String(value)`: arrays joined by commas, objects as `[object Object]`.
pub fn js_string(value: &Value) -> String {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                other => js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".into(),
        other => text_of(other),
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
        let (int, frac) = mantissa
            .split_once('.')
            .map_or((mantissa, None), |(a, b)| (a, Some(b)));
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
            Mode::Normal | Mode::TemplateExpr(_) => match (c, next) {
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
            },
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
        let mut info = WorkflowInfo::default();
        info.names.insert("agent".into(), "a1".into());
        info.names.insert("skipped".into(), "s1".into());
        let mut store = Store::default();
        store.set(
            "a1",
            Rc::new(json!({"content": "it's \"ok\"\nbye", "n": 3.0, "obj": {"k": [1]}})),
        );
        let env: BTreeMap<String, String> = [
            ("LIMIT".to_string(), " 10 ".to_string()),
            ("TOKEN".to_string(), "x'); hack(".to_string()),
        ]
        .into();
        let (loops, parallels, parents, mapping) = (
            HashMap::new(),
            HashMap::new(),
            IndexMap::new(),
            HashMap::new(),
        );
        let scope = Scope {
            info: &info,
            store: &store,
            current: "f",
            loop_scope: None,
            loops: &loops,
            parallels: &parallels,
            parents: &parents,
            mapping: &mapping,
            variables: &[],
            env: &env,
        };
        f(&scope)
    }

    #[test]
    fn variables_read_by_type_as_sims_variable_manager() {
        assert_eq!(variable_for_execution(&json!("'42'"), "number"), json!(42));
        assert_eq!(variable_for_execution(&json!("abc"), "number"), json!(0));
        assert_eq!(
            variable_for_execution(&json!("TRUE "), "boolean"),
            json!(true)
        );
        assert_eq!(
            variable_for_execution(&json!("yes"), "boolean"),
            json!(false)
        );
        assert_eq!(
            variable_for_execution(&json!("{\"a\": 1}"), "object"),
            json!({"a": 1})
        );
        assert_eq!(
            variable_for_execution(&json!("plain"), "object"),
            json!({"value": "plain"})
        );
        assert_eq!(variable_for_execution(&json!("x"), "array"), json!(["x"]));
        assert_eq!(
            variable_for_execution(&json!({"a": 1}), "plain"),
            json!("[object Object]")
        );
        assert_eq!(variable_for_execution(&json!(""), "number"), json!(""));
        assert_eq!(js_number_from(" 0x1F "), Some(31.0));
        assert_eq!(js_number_from("1e3"), Some(1000.0));
        assert_eq!(js_number_from("12px"), None);
    }

    #[test]
    fn condition_inlining_follows_sim() {
        with_scope(|s| {
            let out = s.render("<agent.content> === 'x' && <agent.n> > 2 && <agent.obj>.k && <skipped.content> === null", Style::Condition, true).unwrap();
            assert_eq!(
                out,
                "'it\\'s \"ok\"\\nbye' === 'x' && 3 > 2 && {\"k\":[1]}.k && null === null"
            );
            assert_eq!(
                s.render("<unknown.x> {{LIMIT}} {{TOKEN}}", Style::Condition, true)
                    .unwrap(),
                "<unknown.x>  10  \"x'); hack(\""
            );
        });
    }

    #[test]
    fn text_and_code_styles() {
        with_scope(|s| {
            assert_eq!(
                s.render("n=<agent.n>, none=[<skipped.content>]", Style::Text, true)
                    .unwrap(),
                "n=3, none=[]"
            );
            assert_eq!(
                s.render(
                    "const a = <agent.n>; const b = '<agent.n>'",
                    Style::Code,
                    true
                )
                .unwrap(),
                "const a = 3; const b = '' + JSON.stringify(3) + ''"
            );
            assert_eq!(
                s.render("key {{TOKEN}}", Style::Text, false).unwrap(),
                "key {{TOKEN}}"
            );
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
