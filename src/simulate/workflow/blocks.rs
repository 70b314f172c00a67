//! What each kind of block does in a local run, handler by handler as in Sim v0.8.9
//! (`executor/handlers/*`): triggers take the run's input, conditions and function blocks run in
//! the sandbox, responses, variables and waits build their values as Sim does (its error texts
//! verbatim), human-in-the-loop and async waits pause, workflow blocks run the child workflow,
//! and the blocks that need the outside world (agents, routers' models, evaluators, APIs,
//! integrations) answer from mocks.

use super::dag::Kind;
use super::engine::{BlockRun, Engine, NodeCtx, Outcome};
use super::ids;
use super::resolve::{js_number_from, js_string, number_value, text_of, Style};
use super::{RunOptions, RunStatus, MAX_CALL_CHAIN_DEPTH};
use crate::sim::branches::{branch_items, parse_branches, Branch, BranchListError};
use crate::sim::{Block, BlockFamily};
use crate::simulate::mocks::MockResult;
use serde_json::{json, Map, Value};

/// Output keys Sim's condition handler drops from the source block's output.
const CONDITION_DROPPED_KEYS: [&str; 7] = [
    "_pauseMetadata",
    "error",
    "providerTiming",
    "tokens",
    "toolCalls",
    "model",
    "cost",
];

const MAX_INPROCESS_WAIT_MS: f64 = 5.0 * 60.0 * 1000.0;
const MAX_ASYNC_WAIT_MS: f64 = 30.0 * 24.0 * 60.0 * 60.0 * 1000.0;

fn error_run(inputs: Value, message: String) -> BlockRun {
    BlockRun::new(inputs, Outcome::Error(message))
}

fn mocked_run(inputs: Value, answer: MockResult, shape: impl FnOnce(Value) -> Value) -> BlockRun {
    let outcome = match answer {
        MockResult::Output(v) => Outcome::Output(shape(v)),
        MockResult::Error(e) => Outcome::Error(e),
    };
    BlockRun {
        mocked: true,
        ..BlockRun::new(inputs, outcome)
    }
}

/// A JSON array stored either as an array or as JSON text.
fn list(value: Option<&Value>) -> Vec<Value> {
    branch_items(value).unwrap_or_default()
}

/// `JSON.parse` that reports what failed.
fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
}

/// `parseObjectStrings`: strings that parse as JSON become that JSON, recursively.
fn parse_object_strings(value: Value) -> Value {
    match value {
        Value::String(s) => match serde_json::from_str::<Value>(&s) {
            Ok(parsed @ (Value::Object(_) | Value::Array(_))) => parse_object_strings(parsed),
            Ok(parsed) => parsed,
            Err(_) => Value::String(s),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(parse_object_strings).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, parse_object_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

fn is_variable_reference(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.trim().starts_with('<') && s.trim().contains('>'))
}

/// `convertPropertyValue` (executor/utils/builder-data.ts).
fn convert_property(prop: &Value) -> Value {
    let value = prop.get("value").cloned().unwrap_or(Value::Null);
    match prop.get("type").and_then(Value::as_str).unwrap_or("") {
        "object" => match &value {
            Value::Array(props) => builder_to_json(props),
            Value::String(s) if !is_variable_reference(&value) => {
                serde_json::from_str(s).unwrap_or(value)
            }
            _ => value,
        },
        "array" => match &value {
            Value::Array(items) => Value::Array(items.iter().map(convert_array_item).collect()),
            Value::String(s) if !is_variable_reference(&value) => {
                match serde_json::from_str::<Value>(s) {
                    Ok(parsed @ Value::Array(_)) => parsed,
                    _ => value,
                }
            }
            _ => value,
        },
        "number" => {
            if is_variable_reference(&value) {
                return value;
            }
            match &value {
                Value::Number(_) => value,
                Value::String(s) => js_number_from(s).map(number_value).unwrap_or(value),
                Value::Bool(b) => Value::from(u8::from(*b)),
                Value::Null => Value::from(0),
                _ => value,
            }
        }
        "boolean" => {
            if is_variable_reference(&value) {
                return value;
            }
            Value::Bool(value == Value::Bool(true) || value.as_str() == Some("true"))
        }
        _ => value,
    }
}

fn convert_array_item(item: &Value) -> Value {
    let Some(t) = item.get("type").and_then(Value::as_str) else {
        return item.clone();
    };
    let value = item.get("value").cloned().unwrap_or(Value::Null);
    match (t, &value) {
        ("object", Value::Array(props)) => builder_to_json(props),
        ("array", Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|s| s.get("value").cloned().unwrap_or_else(|| s.clone()))
                .collect(),
        ),
        _ => value,
    }
}

/// `convertBuilderDataToJson`.
fn builder_to_json(props: &[Value]) -> Value {
    let mut out = Map::new();
    for prop in props {
        let Some(name) = prop
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
        else {
            continue;
        };
        out.insert(name.to_string(), convert_property(prop));
    }
    Value::Object(out)
}

/// Sim's response / human-in-the-loop status rule.
fn parse_status(status: Option<&Value>) -> i64 {
    let text = match status {
        None | Some(Value::Null) => return 200,
        Some(Value::String(s)) if s.is_empty() => return 200,
        Some(v) => text_of(v),
    };
    match js_number_from(&text) {
        Some(n) if (100.0..=599.0).contains(&n) && n.fract() == 0.0 => n as i64,
        _ => 200,
    }
}

/// Sim's response / human-in-the-loop headers: `Content-Type` plus each row with a key and value.
fn parse_headers(rows: &[Value]) -> Value {
    let mut headers = Map::new();
    headers.insert("Content-Type".into(), json!("application/json"));
    for row in rows {
        let cells = row.get("cells");
        let key = cells
            .and_then(|c| c.get("Key"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let value = cells
            .and_then(|c| c.get("Value"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if !key.is_empty() && !value.is_empty() {
            headers.insert(key.to_string(), Value::String(value.to_string()));
        }
    }
    Value::Object(headers)
}

/// JavaScript's `parseFloat`: the longest numeric prefix.
fn parse_float(text: &str) -> Option<f64> {
    let t = text.trim_start();
    let mut end = 0;
    let bytes = t.as_bytes();
    let mut seen_digit = false;
    let mut seen_dot = false;
    let mut seen_exp = false;
    while end < bytes.len() {
        let c = bytes[end];
        match c {
            b'0'..=b'9' => seen_digit = true,
            b'+' | b'-' if end == 0 || matches!(bytes[end - 1], b'e' | b'E') => {}
            b'.' if !seen_dot && !seen_exp => seen_dot = true,
            b'e' | b'E' if seen_digit && !seen_exp => seen_exp = true,
            _ => break,
        }
        end += 1;
    }
    let mut candidate = &t[..end];
    while !candidate.is_empty() && candidate.parse::<f64>().is_err() {
        candidate = &candidate[..candidate.len() - 1];
    }
    if t.starts_with("Infinity") || t.starts_with("+Infinity") {
        return Some(f64::INFINITY);
    }
    candidate.parse::<f64>().ok()
}

impl Engine<'_> {
    fn mock_answer(&mut self, block: &Block) -> Option<MockResult> {
        let mock = self.options.mocks.block(&block.id, &block.name)?;
        let calls = self.mock_calls.entry(block.id.clone()).or_insert(0);
        let answer = mock.answer(*calls);
        *calls += 1;
        Some(answer)
    }

    /// Every sub-block value with its references resolved (env left as written), for the trace.
    fn trace_inputs(&self, block: &Block, node: &str) -> Value {
        let scope = self.scope(node);
        let mut inputs = Map::new();
        for (id, sub) in block.sub_blocks.iter() {
            let Some(value) = sub
                .value
                .get()
                .filter(|v| !v.is_null() && *v != &Value::String(String::new()))
            else {
                continue;
            };
            let rendered = scope
                .render_value(value, Style::Text, false)
                .unwrap_or_else(|_| value.clone());
            inputs.insert(id.clone(), rendered);
        }
        Value::Object(inputs)
    }

    /// A sub-block resolved as Sim's `resolveInputs` resolves it for this block (strings as
    /// text templates, env values in).
    fn input(
        &self,
        block: &Block,
        node: &str,
        id: &str,
        style: Style,
    ) -> Result<Option<Value>, String> {
        match block.sub_value(id) {
            None => Ok(None),
            Some(v) => self.scope(node).render_value(v, style, true).map(Some),
        }
    }

    pub(super) fn run_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        match BlockFamily::of(block) {
            BlockFamily::Trigger => self.trigger_block(block),
            BlockFamily::Condition => self.condition_block(block, node),
            BlockFamily::Function => self.function_block(block, node),
            BlockFamily::Router => self.router_block(block, node),
            BlockFamily::Response => self.response_block(block, node),
            BlockFamily::Variables => self.variables_block(block, node),
            BlockFamily::Wait => self.wait_block(block, node),
            BlockFamily::HumanInTheLoop => self.human_block(block, node),
            BlockFamily::WorkflowInput => self.workflow_block(block, node),
            BlockFamily::Agent => {
                let placeholder = json!({ "content": format!("[{}: no mock]", block.name), "model": block.sub_str("model"), "tokens": {"prompt": 0, "completion": 0, "total": 0} });
                self.mocked_block(block, node, placeholder)
            }
            BlockFamily::Api => self.mocked_block(
                block,
                node,
                json!({ "data": null, "status": 200, "headers": {} }),
            ),
            _ => self.mocked_block(block, node, json!({})),
        }
    }

    /// The start block's output (Sim's `buildUnifiedStartOutput`): typed input-format fields,
    /// then every other input key, and `input`.
    fn trigger_block(&mut self, block: &Block) -> BlockRun {
        let input = self.options.input.clone();
        let mut output = Map::new();
        for field in list(block.sub_value("inputFormat")) {
            let Some(name) = field
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
            else {
                continue;
            };
            let from_input = input
                .get("input")
                .and_then(Value::as_object)
                .and_then(|m| m.get(name))
                .or_else(|| input.get(name));
            let value = match from_input {
                Some(v) if !v.is_null() => v.clone(),
                // A field with no value and no input is `undefined` in Sim: absent.
                _ => match field.get("value") {
                    Some(v) => v.clone(),
                    None => continue,
                },
            };
            output.insert(
                name.to_string(),
                coerce(
                    field.get("type").and_then(Value::as_str).unwrap_or(""),
                    value,
                ),
            );
        }
        let structured: Vec<String> = output.keys().cloned().collect();
        if let Value::Object(map) = &input {
            for (k, v) in map {
                if k == "onUploadError" || structured.contains(k) {
                    continue;
                }
                if !v.is_null() || !output.contains_key(k) {
                    output.insert(k.clone(), v.clone());
                }
            }
        }
        match output.get("input") {
            None => {
                if let Some(v) = input.get("input").filter(|v| !v.is_null()) {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    if !text.is_empty() {
                        output.insert("input".into(), Value::String(text));
                    }
                }
            }
            Some(Value::String(s)) if s.is_empty() => {
                output.remove("input");
            }
            _ => {}
        }
        BlockRun::new(input, Outcome::Output(Value::Object(output)))
    }

    /// Sim's condition handler: branches tried in order, `else` as fallback, `context` = the
    /// output of the block wired into the condition.
    fn condition_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let scope = self.scope(&node.id);
        // resolveInputs: a JSON list has each branch's value resolved with condition inlining;
        // anything else is resolved as text and fails to parse below.
        let raw = block.sub_value("conditions");
        let parsed: Result<Vec<Value>, String> = match raw {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) if s.is_empty() => Ok(Vec::new()),
            other => match branch_items(other) {
                Ok(items) => Ok(items),
                Err(BranchListError::Json(e)) => Err(e),
                Err(BranchListError::NotAList) => Err("conditions is not a list".into()),
            },
        };
        let items = match parsed {
            Ok(items) => items,
            Err(e) => {
                return error_run(
                    json!({ "conditions": raw }),
                    format!("Invalid conditions format: {e}"),
                )
            }
        };
        let mut resolved = Vec::new();
        for item in &items {
            let b = Branch::from_item(item);
            let value = match item.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => text_of(other),
            };
            let expression = match scope.render(&value, Style::Condition, true) {
                Ok(e) => e,
                Err(e) => return error_run(json!({ "conditions": items }), e),
            };
            let shown = scope
                .render(&value, Style::Condition, false)
                .unwrap_or_else(|_| value.clone());
            resolved.push((b, expression, shown));
        }
        // The source: the first workflow edge into this block (its branch copy in a parallel).
        let base = ids::strip_clone_suffixes(&node.id);
        let mut source = self
            .state
            .edges
            .iter()
            .find(|e| e.target == base)
            .map(|e| e.source.clone());
        if let (Some(s), Some(local)) = (&source, ids::branch_index(&node.id)) {
            let virtual_id = ids::branch_node(s, local);
            if self.store.raw(&virtual_id).is_some() {
                source = Some(virtual_id);
            }
        }
        let source_output = source
            .as_ref()
            .and_then(|s| self.store.raw(s))
            .map(|v| (**v).clone());
        let context = match &source_output {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            _ => json!({}),
        };
        let inputs = json!({
            "conditions": resolved.iter().map(|(b, _, shown)| json!({"id": b.id, "title": b.title, "value": shown})).collect::<Vec<_>>(),
            "context": context,
        });
        let else_index = resolved.iter().position(|(b, _, _)| b.is_else());
        let testable = &resolved[..else_index.unwrap_or(resolved.len())];
        let mut selected: Option<&Branch> = None;
        let mut explanation = Vec::new();
        for (b, expression, _) in testable {
            match self.sandbox.run(
                &crate::js::condition_test(expression),
                &[("context", &context)],
            ) {
                Ok(Value::Bool(true)) => {
                    explanation.push(format!("`{}` is true", b.title));
                    selected = Some(b);
                    break;
                }
                Ok(_) => explanation.push(format!("`{}` is false", b.title)),
                Err(e) => {
                    return error_run(
                        inputs,
                        format!(
                            "Evaluation error in condition \"{}\": {}",
                            b.title,
                            js_message(&e)
                        ),
                    )
                }
            }
        }
        if selected.is_none() {
            if let Some(i) = else_index {
                explanation.push("took the else branch".into());
                selected = Some(&resolved[i].0);
            } else {
                explanation.push("no branch matched and there is no else: this path ends".into());
            }
        }
        let mut output = match source_output {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        for key in CONDITION_DROPPED_KEYS {
            output.remove(key);
        }
        match selected {
            Some(b) => {
                let handle = format!("condition-{}", b.id);
                let edge = self.state.edges.iter().find(|e| {
                    e.source == base
                        && e.source_handle.get().map(String::as_str) == Some(handle.as_str())
                });
                let path = edge.and_then(|e| self.state.blocks.get(&e.target)).map(
                    |t| json!({ "blockId": t.id, "blockType": t.block_type, "blockTitle": t.name }),
                );
                output.insert("conditionResult".into(), Value::Bool(true));
                output.insert("selectedPath".into(), path.unwrap_or(Value::Null));
                output.insert("selectedOption".into(), Value::String(b.id.clone()));
            }
            None => {
                output.insert("conditionResult".into(), Value::Bool(false));
                output.insert("selectedPath".into(), Value::Null);
                output.insert("selectedOption".into(), Value::Null);
            }
        }
        BlockRun {
            note: Some(explanation.join("; ")),
            ..BlockRun::new(inputs, Outcome::Output(Value::Object(output)))
        }
    }

    fn function_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let code = block.sub_str("code").unwrap_or_default().to_string();
        let shown = self
            .scope(&node.id)
            .render(&code, Style::Code, false)
            .unwrap_or_else(|_| code.clone());
        let inputs =
            json!({ "code": shown, "language": block.sub_str("language").unwrap_or("javascript") });
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| {
                if v.get("result").is_some() {
                    v
                } else {
                    json!({ "result": v, "stdout": "" })
                }
            });
        }
        if block.sub_str("language").is_some_and(|l| l != "javascript") {
            return error_run(
                inputs,
                "only JavaScript function blocks run locally; mock this block".into(),
            );
        }
        let resolved = match self.scope(&node.id).render(&code, Style::Code, true) {
            Ok(c) => c,
            Err(e) => return error_run(inputs, e),
        };
        match self.sandbox.run_async(&resolved, &[]) {
            Ok(result) => BlockRun::new(
                inputs,
                Outcome::Output(json!({ "result": result, "stdout": "" })),
            ),
            Err(e) => error_run(inputs, function_error(&e)),
        }
    }

    /// Router (v2 and legacy). The model's answer comes from the mocks (`routes`: a route id, a
    /// route title or the target block's name, or `NO_MATCH`; or a whole block mock); the rest
    /// is Sim's router handler, error texts included.
    fn router_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| v);
        }
        let v2 = block.block_type == "router_v2";
        let targets: Vec<&crate::sim::Edge> = self
            .state
            .edges
            .iter()
            .filter(|e| e.source == block.id)
            .collect();
        let Some(wanted) = self.options.mocks.route(&block.id, &block.name).cloned() else {
            return error_run(
                inputs,
                format!("Router could not determine a matching route for the given context (no route is mocked for `{}`; a local run has no model to ask)", block.name),
            );
        };
        let target_of_handle = |handle: &str| {
            self.state
                .edges
                .iter()
                .find(|e| {
                    e.source == block.id
                        && e.source_handle.get().map(String::as_str) == Some(handle)
                })
                .and_then(|e| self.state.blocks.get(&e.target))
        };
        if !v2 {
            // Legacy router: the model names a target block id.
            let by_name = targets.iter().find_map(|e| {
                let t = self.state.blocks.get(&e.target)?;
                (crate::sim::references::normalize_block_name(&t.name)
                    == crate::sim::references::normalize_block_name(&wanted))
                .then(|| t.id.clone())
            });
            let chosen = by_name.unwrap_or_else(|| wanted.trim().to_lowercase());
            let Some(target) = targets
                .iter()
                .find(|e| e.target == chosen)
                .and_then(|e| self.state.blocks.get(&e.target))
            else {
                return error_run(inputs, format!("Invalid routing decision: {chosen}"));
            };
            let output = json!({
                "prompt": block.sub_value("prompt").cloned().unwrap_or(Value::Null),
                "model": block.sub_str("model").unwrap_or("mock"),
                "tokens": { "input": 0, "output": 0, "total": 0 },
                "cost": { "input": 0, "output": 0, "total": 0 },
                "selectedPath": { "blockId": target.id, "blockType": target.block_type, "blockTitle": target.name },
                "selectedRoute": target.id,
            });
            return BlockRun {
                mocked: true,
                ..BlockRun::new(inputs, Outcome::Output(output))
            };
        }
        let routes = parse_branches(block.sub_value("routes"));
        if routes.is_empty() {
            return error_run(inputs, "No routes defined for router".into());
        }
        let trimmed = wanted.trim();
        if trimmed.eq_ignore_ascii_case("NO_MATCH") {
            return error_run(
                inputs,
                "Router could not determine a matching route for the given context".into(),
            );
        }
        // The mock may name a route by title or its target block; else it is the model's text.
        let chosen = routes.iter().find(|r| r.id == trimmed).or_else(|| {
            routes.iter().find(|r| {
                r.title.eq_ignore_ascii_case(trimmed)
                    || target_of_handle(&format!("router-{}", r.id)).is_some_and(|t| {
                        crate::sim::references::normalize_block_name(&t.name)
                            == crate::sim::references::normalize_block_name(trimmed)
                    })
            })
        });
        let Some(route) = chosen else {
            let ids: Vec<&str> = routes.iter().map(|r| r.id.as_str()).collect();
            return error_run(
                inputs,
                format!("Router could not determine a valid route. LLM response: \"{wanted}\". Available route IDs: {}", ids.join(", ")),
            );
        };
        let path = match target_of_handle(&format!("router-{}", route.id)) {
            Some(t) => json!({ "blockId": t.id, "blockType": t.block_type, "blockTitle": t.name }),
            None => json!({ "blockId": "", "blockType": "unknown", "blockTitle": route.title }),
        };
        let context = self
            .input(block, &node.id, "context", Style::Text)
            .ok()
            .flatten()
            .unwrap_or(Value::Null);
        let output = json!({
            "context": context,
            "model": block.sub_str("model").unwrap_or("mock"),
            "tokens": { "input": 0, "output": 0, "total": 0 },
            "cost": { "input": 0, "output": 0, "total": 0 },
            "selectedRoute": route.id,
            "reasoning": "chosen by the scenario's mocks",
            "selectedPath": path,
        });
        BlockRun {
            mocked: true,
            ..BlockRun::new(inputs, Outcome::Output(output))
        }
    }

    /// Sim's response handler.
    fn response_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        let get = |id: &str| self.input(block, &node.id, id, Style::Response);
        let (mode, data, builder, status, headers) = match (
            get("dataMode"),
            get("data"),
            get("builderData"),
            get("status"),
            get("headers"),
        ) {
            (Ok(m), Ok(d), Ok(b), Ok(s), Ok(h)) => (m, d, b, s, h),
            (m, d, b, s, h) => {
                let e = [m.err(), d.err(), b.err(), s.err(), h.err()]
                    .into_iter()
                    .flatten()
                    .next()
                    .unwrap_or_default();
                return error_run(inputs, e);
            }
        };
        let mode = mode
            .and_then(|m| m.as_str().map(str::to_string))
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "structured".into());
        let truthy = |v: &Option<Value>| v.as_ref().is_some_and(crate::sim::containers::js_truthy);
        let data_value = if mode == "json" && truthy(&data) {
            match data.clone().unwrap_or(Value::Null) {
                Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
                other => other,
            }
        } else if mode == "structured" && truthy(&builder) {
            match builder.clone().unwrap_or(Value::Null) {
                Value::Array(props) => parse_object_strings(builder_to_json(&props)),
                _ => json!({}),
            }
        } else if truthy(&data) {
            data.clone().unwrap_or(Value::Null)
        } else {
            json!({})
        };
        let rows = match headers {
            Some(Value::Array(rows)) => rows,
            _ => Vec::new(),
        };
        let output = json!({ "data": data_value, "status": parse_status(status.as_ref()), "headers": parse_headers(&rows) });
        BlockRun::new(inputs, Outcome::Output(output))
    }

    /// Sim's variables handler: each assignment typed (its errors verbatim), the workflow
    /// variable of that id (else name) updated when the block completes.
    fn variables_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        let assignments = match self.input(block, &node.id, "variables", Style::Text) {
            Ok(Some(Value::Array(items))) => items,
            Ok(_) => Vec::new(),
            Err(e) => return error_run(inputs, e),
        };
        let mut output = Map::new();
        let mut updates = Vec::new();
        for a in assignments {
            let Some(name) = a
                .get("variableName")
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|n| !n.is_empty())
            else {
                continue;
            };
            let var_type = a
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .unwrap_or("string");
            let value = match parse_by_type(
                a.get("value").cloned().unwrap_or(Value::Null),
                var_type,
                name,
            ) {
                Ok(v) => v,
                Err(e) => {
                    return error_run(inputs, format!("Variables block execution failed: {e}"))
                }
            };
            let id = a.get("variableId").and_then(Value::as_str);
            let existing = id
                .and_then(|id| self.variables.iter().find(|v| v.id == id))
                .or_else(|| self.variables.iter().find(|v| v.name == name));
            match existing {
                Some(v) => updates.push((v.id.clone(), value.clone())),
                None => self.warnings.push(format!("block `{}`: variable \"{name}\" not found in workflow variables (like Sim, only the block output has it)", block.name)),
            }
            output.insert(name.to_string(), value);
        }
        BlockRun {
            assignments: updates,
            ..BlockRun::new(inputs, Outcome::Output(Value::Object(output)))
        }
    }

    /// Sim's wait handler: a synchronous wait completes (the local run does not sleep); an
    /// async one pauses until resumed.
    fn wait_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| v);
        }
        let get = |id: &str| self.input(block, &node.id, id, Style::Text).ok().flatten();
        let is_async = matches!(get("async"), Some(Value::Bool(true)))
            || get("async").as_ref().and_then(Value::as_str) == Some("true");
        let raw_value = get("timeValue")
            .filter(crate::sim::containers::js_truthy)
            .unwrap_or_else(|| json!("10"));
        let amount = match &raw_value {
            Value::Number(n) => n.as_f64(),
            other => parse_float(&text_of(other)),
        };
        let unit_of = |id: &str, default: &str| {
            get(id)
                .filter(crate::sim::containers::js_truthy)
                .map(|v| text_of(&v))
                .unwrap_or_else(|| default.to_string())
        };
        let unit = if is_async {
            unit_of("timeUnitLong", "minutes")
        } else {
            unit_of("timeUnit", "seconds")
        };
        let Some(amount) = amount.filter(|a| a.is_finite() && *a > 0.0) else {
            return error_run(inputs, "Wait amount must be a positive number".into());
        };
        let unit_ms = match unit.as_str() {
            "seconds" => 1000.0,
            "minutes" => 60_000.0,
            "hours" => 3_600_000.0,
            "days" => 86_400_000.0,
            other => return error_run(inputs, format!("Unknown wait unit: {other}")),
        };
        if is_async && unit == "seconds" {
            return error_run(inputs, "Seconds are not allowed in async mode".into());
        }
        let wait_ms = (amount * unit_ms).round();
        if is_async && wait_ms > MAX_ASYNC_WAIT_MS {
            return error_run(inputs, "Wait time exceeds maximum of 30 days".into());
        }
        if !is_async && wait_ms > MAX_INPROCESS_WAIT_MS {
            return error_run(
                inputs,
                "Wait time exceeds maximum of 5 minutes; enable async mode to wait up to 30 days"
                    .into(),
            );
        }
        let duration = number_value(wait_ms);
        if !is_async {
            return BlockRun {
                note: Some("the wait completes at once in a local run".into()),
                ..BlockRun::new(
                    inputs,
                    Outcome::Output(json!({ "waitDuration": duration, "status": "completed" })),
                )
            };
        }
        let context_id = self.pause_context(node);
        let resume_at = super::engine::iso_from_millis(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
                + wait_ms as i64,
        );
        let meta = json!({
            "contextId": context_id,
            "blockId": node.id,
            "response": { "waitDuration": duration, "resumeAt": resume_at },
            "pauseKind": "time",
            "resumeAt": resume_at,
        });
        BlockRun {
            note: Some(
                "an async wait pauses the run; resume it (or mock the block) to continue".into(),
            ),
            ..BlockRun::new(
                inputs,
                Outcome::Output(
                    json!({ "waitDuration": duration, "status": "waiting", "resumeAt": resume_at, "_pauseMetadata": meta }),
                ),
            )
        }
    }

    /// Sim's `generatePauseContextId`: the node's block id, `₍branch₎` in a parallel, `_loopN`
    /// in a loop.
    fn pause_context(&self, node: &NodeCtx) -> String {
        let mut id = node.id.clone();
        if let (Some(b), Some((_, Kind::Parallel))) = (node.branch_index, &node.subflow) {
            id = format!("{id}₍{b}₎");
        }
        if let Some((loop_id, Kind::Loop)) = &node.subflow {
            let iteration = self.loops.get(loop_id).map(|s| s.iteration).unwrap_or(0);
            id = format!("{id}_loop{iteration}");
        }
        id
    }

    /// Sim's human-in-the-loop handler: pauses with its form (a block mock answers instead).
    fn human_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| v);
        }
        let get = |id: &str| self.input(block, &node.id, id, Style::Text).ok().flatten();
        let operation = get("operation")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "human".into());
        let input_format: Vec<Value> = match get("inputFormat") {
            Some(Value::Array(fields)) => fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    let name = f
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::trim)
                        .filter(|n| !n.is_empty())?;
                    let text = |k: &str| {
                        f.get(k)
                            .and_then(Value::as_str)
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                    };
                    let mut field = Map::new();
                    field.insert(
                        "id".into(),
                        json!(f
                            .get("id")
                            .and_then(Value::as_str)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("field_{i}"))),
                    );
                    field.insert("name".into(), json!(name));
                    field.insert(
                        "label".into(),
                        json!(text("label").unwrap_or_else(|| name.to_string())),
                    );
                    field.insert(
                        "type".into(),
                        json!(f
                            .get("type")
                            .and_then(Value::as_str)
                            .filter(|s| !s.trim().is_empty())
                            .unwrap_or("string")),
                    );
                    if let Some(d) = text("description") {
                        field.insert("description".into(), json!(d));
                    }
                    if let Some(p) = text("placeholder") {
                        field.insert("placeholder".into(), json!(p));
                    }
                    if let Some(v) = f.get("value") {
                        field.insert("value".into(), v.clone());
                    }
                    field.insert(
                        "required".into(),
                        json!(f.get("required") == Some(&Value::Bool(true))),
                    );
                    if let Some(o @ Value::Array(_)) = f.get("options") {
                        field.insert("options".into(), o.clone());
                    }
                    Some(Value::Object(field))
                })
                .collect(),
            _ => Vec::new(),
        };
        let structure: Vec<Value> = match get("builderData") {
            Some(Value::Array(props)) => props
                .iter()
                .filter_map(|p| {
                    let name = p.get("name").and_then(Value::as_str).map(str::trim).filter(|n| !n.is_empty())?;
                    Some(json!({ "name": name, "type": p.get("type").cloned().unwrap_or(Value::Null), "value": convert_property(p) }))
                })
                .collect(),
            _ => Vec::new(),
        };
        let (data, status, headers) = if operation == "api" {
            let mode = get("dataMode")
                .and_then(|m| m.as_str().map(str::to_string))
                .unwrap_or_else(|| "structured".into());
            let data = match (mode.as_str(), get("data"), get("builderData")) {
                ("json", Some(Value::String(s)), _) if !s.is_empty() => {
                    serde_json::from_str(&s).unwrap_or(Value::String(s))
                }
                ("json", Some(d), _) if crate::sim::containers::js_truthy(&d) => d,
                ("structured", _, Some(Value::Array(props))) => {
                    parse_object_strings(builder_to_json(&props))
                }
                (_, Some(d), _) if crate::sim::containers::js_truthy(&d) => d,
                _ => json!({}),
            };
            let data = match data {
                Value::Object(mut map) => {
                    map.insert("operation".into(), json!(operation));
                    if !map.get("responseStructure").is_some_and(Value::is_array) {
                        map.insert("responseStructure".into(), Value::Array(structure.clone()));
                    }
                    Value::Object(map)
                }
                other => other,
            };
            let rows = match get("headers") {
                Some(Value::Array(rows)) => rows,
                _ => Vec::new(),
            };
            (
                data,
                parse_status(get("status").as_ref()),
                parse_headers(&rows),
            )
        } else {
            (
                json!({ "operation": operation, "responseStructure": structure, "inputFormat": input_format, "submission": null }),
                200,
                json!({ "Content-Type": "application/json" }),
            )
        };
        let context_id = self.pause_context(node);
        let mut response =
            json!({ "data": data, "status": status, "headers": headers, "operation": operation });
        let mut output = Map::new();
        if operation == "human" {
            response["responseStructure"] = Value::Array(structure);
            response["inputFormat"] = Value::Array(input_format.clone());
            response["submission"] = Value::Null;
            for f in &input_format {
                if let Some(name) = f.get("name").and_then(Value::as_str) {
                    output.insert(
                        name.to_string(),
                        f.get("value").cloned().unwrap_or(Value::Null),
                    );
                }
            }
        }
        let meta = json!({
            "contextId": context_id,
            "blockId": node.id,
            "response": { "data": data, "status": status, "headers": headers },
            "pauseKind": "human",
        });
        output.insert("response".into(), response);
        output.insert("_pauseMetadata".into(), meta);
        BlockRun {
            note: Some("waits for a human; resume the run (or mock the block) to continue".into()),
            ..BlockRun::new(inputs, Outcome::Output(Value::Object(output)))
        }
    }

    /// Sim's workflow handler: runs the child workflow (from `RunOptions.workflows`) with the
    /// mapped input; its failure is this block's error, named as Sim names it.
    fn workflow_block(&mut self, block: &Block, node: &NodeCtx) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| v);
        }
        let get = |id: &str| self.input(block, &node.id, id, Style::Text).ok().flatten();
        let workflow_id = get("workflowId")
            .or_else(|| get("manualWorkflowId"))
            .map(|v| text_of(&v))
            .filter(|s| !s.is_empty() && s != "null");
        let Some(workflow_id) = workflow_id else {
            return error_run(inputs, "No workflow selected for execution".into());
        };
        if self.depth + 1 >= MAX_CALL_CHAIN_DEPTH {
            return error_run(
                inputs,
                format!("Maximum workflow call chain depth ({MAX_CALL_CHAIN_DEPTH}) exceeded."),
            );
        }
        let fail = |name: &str, message: String| {
            let mut run = error_run(inputs.clone(), format!("\"{name}\" failed: {message}"));
            run.error_extra
                .insert("childWorkflowName".into(), json!(name));
            run
        };
        let Some(child) = self.options.workflows.get(&workflow_id) else {
            return fail(&workflow_id, format!("Child workflow {workflow_id} not found (a local run finds child workflows in RunOptions.workflows / the scenario's `workflows`)"));
        };
        let child_name = child
            .name()
            .map(str::to_string)
            .unwrap_or_else(|| "Unknown Workflow".into());
        let child_input = match get("inputMapping") {
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s.trim()) {
                Ok(v @ Value::Object(_)) => v,
                _ => json!({}),
            },
            Some(v @ Value::Object(_)) => v,
            Some(_) => json!({}),
            None => match get("input") {
                Some(v) => v,
                None => json!({}),
            },
        };
        let remaining = self
            .options
            .time_budget
            .saturating_sub(self.started.elapsed());
        let options = RunOptions {
            input: child_input,
            mocks: self.options.mocks.clone(),
            limits: self.options.limits,
            max_block_runs: self.options.max_block_runs.saturating_sub(self.runs).max(1),
            time_budget: remaining,
            trigger: None,
            resume: Vec::new(),
            workflows: self.options.workflows.clone(),
        };
        let report = match super::engine::Engine::new(child, &options, self.depth + 1)
            .and_then(|e| e.run())
        {
            Ok(r) => r,
            Err(e) => return fail(&child_name, e.to_string()),
        };
        self.runs += report.trace.len();
        let children = report.trace.clone();
        match report.status {
            RunStatus::Failed => {
                let (nested, root) = child_failure(&report);
                let message = if nested.is_empty() {
                    format!("\"{child_name}\" failed: {root}")
                } else {
                    format!(
                        "Workflow chain: {child_name} → {} | {root}",
                        nested.join(" → ")
                    )
                };
                let mut run = error_run(inputs, message);
                run.error_extra
                    .insert("childWorkflowName".into(), json!(child_name));
                run.children = children;
                run
            }
            RunStatus::Paused => {
                let mut run = error_run(inputs, format!("\"{child_name}\" failed: the child workflow paused; a local run does not resume a child workflow's pause"));
                run.children = children;
                run
            }
            RunStatus::Completed => BlockRun {
                children,
                ..BlockRun::new(
                    inputs,
                    Outcome::Output(
                        json!({ "success": true, "childWorkflowName": child_name, "childWorkflowId": workflow_id, "result": report.output }),
                    ),
                )
            },
        }
    }

    /// A block that needs the outside world: its mock, else `placeholder` with a warning.
    fn mocked_block(&mut self, block: &Block, node: &NodeCtx, placeholder: Value) -> BlockRun {
        let inputs = self.trace_inputs(block, &node.id);
        let family = BlockFamily::of(block);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| match (family, v) {
                (BlockFamily::Agent, Value::String(s)) => json!({ "content": s }),
                (_, v) => v,
            });
        }
        self.warnings.push(format!(
            "block `{}` ({}) has no mock; it returned a placeholder",
            block.name, block.block_type
        ));
        BlockRun {
            note: Some("no mock: placeholder output".into()),
            ..BlockRun::new(inputs, Outcome::Output(placeholder))
        }
    }
}

/// Why a child run failed, as Sim's `buildChildFailure` reads it from the error's cause chain:
/// the workflows below the child that failed (when the child's failing block was itself a
/// workflow block) and the root error.
fn child_failure(report: &super::RunReport) -> (Vec<String>, String) {
    let run_error = report
        .error
        .clone()
        .unwrap_or_else(|| "Child workflow execution failed".into());
    let failed = report.trace.iter().find(|e| {
        e.status == super::BlockStatus::Failed
            && matches!(e.block_type.as_str(), "workflow" | "workflow_input")
            && e.error
                .as_deref()
                .is_some_and(|err| run_error == format!("{}: {err}", e.name))
    });
    let Some((event, err)) = failed.and_then(|e| e.error.as_deref().map(|err| (e, err))) else {
        return (Vec::new(), run_error);
    };
    if let Some((names, root)) = err
        .strip_prefix("Workflow chain: ")
        .and_then(|rest| rest.split_once(" | "))
    {
        return (
            names.split(" → ").map(str::to_string).collect(),
            root.to_string(),
        );
    }
    if let Some((name, root)) = err
        .strip_prefix('"')
        .and_then(|rest| rest.split_once("\" failed: "))
    {
        return (vec![name.to_string()], root.to_string());
    }
    if err.starts_with("Maximum workflow call chain depth") {
        let id = event
            .inputs
            .get("workflowId")
            .map(text_of)
            .unwrap_or_default();
        return (vec![id], err.to_string());
    }
    (Vec::new(), run_error)
}

/// The JavaScript error's message without its class name, as `error.message` reads.
fn js_message(e: &crate::js::JsError) -> String {
    match e {
        crate::js::JsError::Thrown { message } => {
            let name_end = message
                .find(": ")
                .filter(|i| message[..*i].ends_with("Error") && !message[..*i].contains(' '));
            match name_end {
                Some(i) => message[i + 2..].to_string(),
                None => message.clone(),
            }
        }
        crate::js::JsError::Syntax { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// A function block's error as Sim's function route words it (`createUserFriendlyErrorMessage`
/// in `app/api/function/execute/route.ts`): the message, with `Type Error: `, `Reference Error: `
/// or `Syntax Error: ` before it for those classes. Sim also puts the failing line first
/// (`Line 3: \`...\` - `); a local run does not know the line of the user's code.
fn function_error(e: &crate::js::JsError) -> String {
    match e {
        crate::js::JsError::Thrown { message: full } => {
            let message = js_message(e);
            let class = full
                .split_once(": ")
                .map(|(c, _)| c)
                .filter(|c| c.ends_with("Error") && !c.contains(' '));
            match class {
                Some("TypeError") => format!("Type Error: {message}"),
                Some("ReferenceError") => format!("Reference Error: {message}"),
                Some("SyntaxError") => format!("Syntax Error: {message}"),
                Some("Error") | None => message,
                Some(other) => format!("{other}: {message}"),
            }
        }
        crate::js::JsError::Syntax { message, .. } => format!("Syntax Error: {message}"),
        other => other.to_string(),
    }
}

/// Sim's `coerceValue` for start-block input fields.
fn coerce(var_type: &str, value: Value) -> Value {
    match (var_type, &value) {
        (_, Value::Null) => value,
        ("string", Value::String(_)) => value,
        ("string", other) => Value::String(js_string(other)),
        ("number", Value::Number(_)) => value,
        ("number", other) => js_number_from(&js_string(other))
            .map(number_value)
            .unwrap_or(value),
        ("boolean", Value::Bool(_)) => value,
        ("boolean", Value::String(s)) if s == "true" || s == "1" => Value::Bool(true),
        ("boolean", Value::String(s)) if s == "false" || s == "0" => Value::Bool(false),
        ("boolean", Value::Number(n)) if n.as_f64() == Some(1.0) => Value::Bool(true),
        ("boolean", Value::Number(n)) if n.as_f64() == Some(0.0) => Value::Bool(false),
        ("object" | "array", Value::String(s)) => serde_json::from_str(s).unwrap_or(value),
        _ => value,
    }
}

/// The variables handler's `parseValueByType`, its error texts verbatim.
fn parse_by_type(value: Value, var_type: &str, name: &str) -> Result<Value, String> {
    if value.is_null() || value == Value::String(String::new()) {
        return Ok(match var_type {
            "number" => json!(0),
            "boolean" => json!(false),
            "array" => json!([]),
            "object" => json!({}),
            _ => json!(""),
        });
    }
    let js_type = |v: &Value| match v {
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        _ => "object",
    };
    match var_type {
        "string" | "plain" => Ok(Value::String(js_string(&value))),
        "number" => match &value {
            Value::Number(_) => Ok(value),
            Value::String(s) => {
                let trimmed = s.trim();
                if trimmed.is_empty() {
                    return Ok(json!(0));
                }
                js_number_from(trimmed)
                    .map(number_value)
                    .ok_or_else(|| format!("Invalid number value for variable \"{name}\": \"{s}\". Expected a valid number."))
            }
            other => Err(format!("Invalid type for variable \"{name}\": expected number, got {}", js_type(other))),
        },
        "boolean" => match &value {
            Value::Bool(_) => Ok(value),
            Value::String(s) => match s.to_lowercase().trim() {
                "true" => Ok(json!(true)),
                "false" => Ok(json!(false)),
                _ => Err(format!("Invalid boolean value for variable \"{name}\": \"{s}\". Expected \"true\" or \"false\".")),
            },
            other => Ok(Value::Bool(crate::sim::containers::js_truthy(other))),
        },
        "object" | "array" => match &value {
            Value::Object(_) | Value::Array(_) => Ok(value),
            Value::String(s) if !s.trim().is_empty() => match parse_json(s) {
                Ok(parsed @ (Value::Object(_) | Value::Array(_))) => Ok(parsed),
                Ok(_) => Err(format!(
                    "Invalid JSON for variable \"{name}\": Invalid JSON for variable \"{name}\": parsed value is not an object or array"
                )),
                Err(e) => Err(format!("Invalid JSON for variable \"{name}\": {e}")),
            },
            _ => Ok(if var_type == "array" { json!([]) } else { json!({}) }),
        },
        _ => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_typed_as_sims_handler_types_them() {
        assert_eq!(parse_by_type(json!(" 42 "), "number", "n"), Ok(json!(42)));
        assert_eq!(
            parse_by_type(json!("abc"), "number", "n"),
            Err(
                "Invalid number value for variable \"n\": \"abc\". Expected a valid number.".into()
            )
        );
        assert_eq!(
            parse_by_type(json!(true), "number", "n"),
            Err("Invalid type for variable \"n\": expected number, got boolean".into())
        );
        assert_eq!(
            parse_by_type(json!("TRUE"), "boolean", "b"),
            Ok(json!(true))
        );
        assert!(parse_by_type(json!("yes"), "boolean", "b")
            .unwrap_err()
            .contains("Expected \"true\" or \"false\"."));
        assert_eq!(parse_by_type(Value::Null, "array", "a"), Ok(json!([])));
        assert_eq!(parse_by_type(json!(""), "number", "a"), Ok(json!(0)));
        assert_eq!(parse_by_type(json!("[1]"), "object", "o"), Ok(json!([1])));
        assert!(parse_by_type(json!("3"), "object", "o")
            .unwrap_err()
            .contains("parsed value is not an object or array"));
        assert_eq!(
            parse_by_type(json!({"a": 1}), "string", "s"),
            Ok(json!("[object Object]"))
        );
    }

    #[test]
    fn builder_data_converts_as_sims_response_handler() {
        let props = json!([{"name": "n", "type": "number", "value": "42"}, {"name": "ok", "type": "boolean", "value": "true"}, {"name": "s", "type": "string", "value": "17"}, {"name": " ", "type": "string", "value": "x"}]);
        let out = parse_object_strings(builder_to_json(props.as_array().unwrap()));
        assert_eq!(
            out,
            json!({"n": 42, "ok": true, "s": 17}),
            "parseObjectStrings turns \"17\" into 17, as in Sim"
        );
        assert_eq!(parse_status(Some(&json!("404"))), 404);
        assert_eq!(parse_status(Some(&json!("99"))), 200);
        assert_eq!(parse_float("5abc"), Some(5.0));
        assert_eq!(parse_float("abc"), None);
    }
}
