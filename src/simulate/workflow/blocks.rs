//! What each kind of block does in a local run: triggers take the run's input, conditions and
//! function blocks run in the sandbox, responses and variables blocks build their values, and
//! the blocks that need the outside world (agents, routers, evaluators, APIs, integrations,
//! human review) answer from mocks.

use super::engine::{normalise_number, typed_value, BlockRun, Engine, Outcome};
use super::resolve::{Style, text_of};
use crate::simulate::mocks::MockResult;
use crate::sim::{Block, BlockFamily};
use serde_json::{json, Map, Value};

/// Output keys Sim's condition handler drops from the source block's output.
const CONDITION_DROPPED_KEYS: [&str; 7] = ["_pauseMetadata", "error", "providerTiming", "tokens", "toolCalls", "model", "cost"];

fn parse_list(value: Option<&Value>) -> Result<Vec<Value>, String> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Vec::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(items)) => Ok(items),
            Ok(_) => Err("expected a list".into()),
            Err(e) => Err(e.to_string()),
        },
        Some(_) => Err("expected a list".into()),
    }
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
    fn trace_inputs(&self, block: &Block) -> Value {
        let scope = self.scope();
        let mut inputs = Map::new();
        for (id, sub) in block.sub_blocks.iter() {
            let Some(value) = sub.value.get().filter(|v| !v.is_null() && *v != &Value::String(String::new())) else { continue };
            let rendered = scope.render_value(value, Style::Text, false).unwrap_or_else(|_| value.clone());
            inputs.insert(id.clone(), rendered);
        }
        Value::Object(inputs)
    }

    pub(super) fn run_block(&mut self, block: &Block) -> BlockRun {
        let family = BlockFamily::of(block);
        let family = if family == BlockFamily::Trigger && block.id != self.trigger {
            // A second trigger reached by an edge passes its input along like the first.
            BlockFamily::Trigger
        } else {
            family
        };
        match family {
            BlockFamily::Trigger => self.trigger_block(block),
            BlockFamily::Condition => self.condition_block(block),
            BlockFamily::Function => self.function_block(block),
            BlockFamily::Router => self.router_block(block),
            BlockFamily::Response => self.response_block(block),
            BlockFamily::Variables => self.variables_block(block),
            BlockFamily::Wait => self.wait_block(block),
            BlockFamily::HumanInTheLoop => self.mocked_block(block, None),
            BlockFamily::Agent => {
                let placeholder = json!({ "content": format!("[{}: no mock]", block.name), "model": block.sub_str("model"), "tokens": {"prompt": 0, "completion": 0, "total": 0} });
                self.mocked_block(block, Some(placeholder))
            }
            BlockFamily::Api => self.mocked_block(block, Some(json!({ "data": null, "status": 200, "headers": {} }))),
            _ => self.mocked_block(block, Some(json!({}))),
        }
    }

    fn trigger_block(&mut self, block: &Block) -> BlockRun {
        let input = self.options.input.clone();
        let mut output = Map::new();
        let fields = parse_list(block.sub_value("inputFormat")).unwrap_or_default();
        for field in &fields {
            let Some(name) = field.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) else { continue };
            let var_type = field.get("type").and_then(Value::as_str).unwrap_or("string");
            let value = match input.get(name) {
                Some(v) => v.clone(),
                None => field.get("value").cloned().unwrap_or(Value::Null),
            };
            output.insert(name.to_string(), typed_value(value, var_type));
        }
        if let Value::Object(map) = &input {
            for (k, v) in map {
                output.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let whole_input = input.get("input").cloned().unwrap_or_else(|| input.clone());
        output.insert("input".into(), whole_input);
        output.entry("conversationId").or_insert(Value::Null);
        output.entry("files").or_insert(json!([]));
        BlockRun { inputs: input, outcome: Outcome::Output(Value::Object(output)), mocked: false, note: None }
    }

    /// Sim's condition handler: branches tried in order, `else` as fallback, `context` = the
    /// output of the block wired into the condition.
    fn condition_block(&mut self, block: &Block) -> BlockRun {
        let conditions = match parse_list(block.sub_value("conditions")) {
            Ok(list) => list,
            Err(e) => return error_run(Value::Null, format!("Invalid conditions format: {e}")),
        };
        let source = self.state.edges.iter().find(|e| e.target == block.id).map(|e| e.source.clone());
        let source_output = source.as_ref().and_then(|s| self.outputs.get(s)).cloned();
        let context = match &source_output {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            _ => json!({}),
        };
        let mut resolved = Vec::new();
        for c in &conditions {
            let id = c.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            let title = c.get("title").and_then(Value::as_str).unwrap_or_default().to_string();
            let raw = match c.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => text_of(other),
            };
            let expression = match self.scope().render(&raw, Style::Condition, true) {
                Ok(e) => e,
                Err(e) => return error_run(json!({ "conditions": conditions }), e),
            };
            let shown = self.scope().render(&raw, Style::Condition, false).unwrap_or_else(|_| raw.clone());
            resolved.push((id, title, expression, shown));
        }
        let inputs = json!({
            "conditions": resolved.iter().map(|(id, title, _, shown)| json!({"id": id, "title": title, "value": shown})).collect::<Vec<_>>(),
            "context": context,
        });
        let else_index = resolved.iter().position(|(_, title, _, _)| title.trim().eq_ignore_ascii_case("else"));
        let testable = &resolved[..else_index.unwrap_or(resolved.len())];
        let mut selected: Option<(String, String)> = None;
        let mut explanation = Vec::new();
        for (id, title, expression, _) in testable {
            match self.sandbox.run(&crate::js::condition_test(expression), &[("context", &context)]) {
                Ok(Value::Bool(true)) => {
                    explanation.push(format!("`{title}` is true"));
                    selected = Some((id.clone(), title.clone()));
                    break;
                }
                Ok(_) => explanation.push(format!("`{title}` is false")),
                Err(e) => return error_run(inputs, format!("Evaluation error in condition \"{title}\": {e}")),
            }
        }
        if selected.is_none() {
            if let Some(i) = else_index {
                let (id, title, _, _) = &resolved[i];
                explanation.push("took the else branch".into());
                selected = Some((id.clone(), title.clone()));
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
        match &selected {
            Some((id, _)) => {
                let edge = self.state.edges.iter().find(|e| {
                    e.source == block.id && e.source_handle.get().map(String::as_str) == Some(&format!("condition-{id}"))
                });
                let path = edge.and_then(|e| self.state.blocks.get(&e.target)).map(|t| {
                    json!({ "blockId": t.id, "blockType": t.block_type, "blockTitle": t.name })
                });
                output.insert("conditionResult".into(), Value::Bool(true));
                output.insert("selectedPath".into(), path.unwrap_or(Value::Null));
                output.insert("selectedOption".into(), Value::String(id.clone()));
            }
            None => {
                output.insert("conditionResult".into(), Value::Bool(false));
                output.insert("selectedPath".into(), Value::Null);
                output.insert("selectedOption".into(), Value::Null);
            }
        }
        BlockRun { inputs, outcome: Outcome::Output(Value::Object(output)), mocked: false, note: Some(explanation.join("; ")) }
    }

    fn function_block(&mut self, block: &Block) -> BlockRun {
        let code = block.sub_str("code").unwrap_or_default().to_string();
        let shown = self.scope().render(&code, Style::Code, false).unwrap_or_else(|_| code.clone());
        let inputs = json!({ "code": shown, "language": block.sub_str("language").unwrap_or("javascript") });
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| if v.get("result").is_some() { v } else { json!({ "result": v, "stdout": "" }) });
        }
        if block.sub_str("language").is_some_and(|l| l != "javascript") {
            return error_run(inputs, "only JavaScript function blocks run locally; mock this block".into());
        }
        let resolved = match self.scope().render(&code, Style::Code, true) {
            Ok(c) => c,
            Err(e) => return error_run(inputs, e),
        };
        match self.sandbox.run_async(&resolved, &[]) {
            Ok(result) => BlockRun { inputs, outcome: Outcome::Output(json!({ "result": result, "stdout": "" })), mocked: false, note: None },
            Err(e) => error_run(inputs, e.to_string()),
        }
    }

    /// Router: the route comes from the mocks (`routes` or a block mock with `selectedRoute`);
    /// without one it fails like Sim's NO_MATCH.
    fn router_block(&mut self, block: &Block) -> BlockRun {
        let inputs = self.trace_inputs(block);
        let routes = parse_list(block.sub_value("routes")).unwrap_or_default();
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| v);
        }
        let Some(wanted) = self.options.mocks.route(&block.id, &block.name).cloned() else {
            return error_run(
                inputs,
                format!("Router could not determine a matching route for the given context (no route is mocked for `{}`)", block.name),
            );
        };
        if wanted.trim().eq_ignore_ascii_case("NO_MATCH") {
            return error_run(inputs, "Router could not determine a matching route for the given context".into());
        }
        let target_of = |route_id: &str| {
            self.state
                .edges
                .iter()
                .find(|e| e.source == block.id && e.source_handle.get().map(String::as_str) == Some(&format!("router-{route_id}")))
                .and_then(|e| self.state.blocks.get(&e.target))
        };
        let chosen = routes.iter().find_map(|r| {
            let id = r.get("id").and_then(Value::as_str)?;
            let title = r.get("title").and_then(Value::as_str).unwrap_or_default();
            let target_name = target_of(id).map(|t| t.name.as_str()).unwrap_or_default();
            let matches = id == wanted
                || title.eq_ignore_ascii_case(wanted.trim())
                || crate::sim::references::normalize_block_name(target_name) == crate::sim::references::normalize_block_name(&wanted);
            matches.then(|| id.to_string())
        });
        let Some(route) = chosen else {
            let known: Vec<&str> = routes.iter().filter_map(|r| r.get("id").and_then(Value::as_str)).collect();
            return error_run(inputs, format!("Invalid routing decision: `{wanted}` is not a route of this router ({})", known.join(", ")));
        };
        let path = target_of(&route).map(|t| json!({ "blockId": t.id, "blockType": t.block_type, "blockTitle": t.name }));
        let output = json!({
            "selectedRoute": route,
            "reasoning": "chosen by the scenario's mocks",
            "selectedPath": path.unwrap_or(Value::Null),
        });
        BlockRun { inputs, outcome: Outcome::Output(output), mocked: true, note: None }
    }

    fn response_block(&mut self, block: &Block) -> BlockRun {
        let inputs = self.trace_inputs(block);
        let scope = self.scope();
        let structured = block.sub_str("dataMode").is_none_or(|m| m == "structured") && block.sub_value("builderData").is_some();
        let data = if structured {
            let fields = parse_list(block.sub_value("builderData")).unwrap_or_default();
            let mut data = Map::new();
            for f in fields {
                let Some(name) = f.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) else { continue };
                let var_type = f.get("type").and_then(Value::as_str).unwrap_or("string");
                let raw = f.get("value").cloned().unwrap_or(Value::Null);
                let value = match &raw {
                    Value::String(s) => match scope.render(s, Style::Response, true) {
                        Ok(text) => typed_value(Value::String(text), var_type),
                        Err(e) => return error_run(inputs, e),
                    },
                    other => other.clone(),
                };
                data.insert(name.to_string(), value);
            }
            Value::Object(data)
        } else {
            match block.sub_value("data") {
                Some(Value::String(s)) => match scope.render(s, Style::Response, true) {
                    Ok(text) => serde_json::from_str(&text).unwrap_or(Value::String(text)),
                    Err(e) => return error_run(inputs, e),
                },
                Some(other) => scope.render_value(other, Style::Response, true).unwrap_or_else(|_| other.clone()),
                None => json!({}),
            }
        };
        let status = block
            .sub_value("status")
            .map(|s| match s {
                Value::String(t) => t.trim().parse::<i64>().map(Value::from).unwrap_or(json!(200)),
                other => other.clone(),
            })
            .unwrap_or(json!(200));
        let headers = parse_list(block.sub_value("headers"))
            .unwrap_or_default()
            .iter()
            .filter_map(|h| {
                let cells = h.get("cells")?;
                let key = cells.get("Key")?.as_str()?.to_string();
                let value = cells.get("Value").and_then(Value::as_str).unwrap_or_default();
                Some((key, Value::String(scope.render(value, Style::Text, true).unwrap_or_default())))
            })
            .collect::<Map<_, _>>();
        BlockRun { inputs, outcome: Outcome::Output(json!({ "data": data, "status": status, "headers": headers })), mocked: false, note: None }
    }

    /// Assigns workflow variables (`variables` = `[{variableId, variableName, type, value}]`).
    fn variables_block(&mut self, block: &Block) -> BlockRun {
        let inputs = self.trace_inputs(block);
        let assignments = parse_list(block.sub_value("variables")).unwrap_or_default();
        let mut output = Map::new();
        for a in assignments {
            let id = a.get("variableId").and_then(Value::as_str).unwrap_or_default();
            let name = a.get("variableName").and_then(Value::as_str).unwrap_or_default();
            let var_type = a.get("type").and_then(Value::as_str).unwrap_or("plain");
            let value = match a.get("value") {
                Some(Value::String(s)) => match self.scope().single(s) {
                    Ok(super::resolve::Resolved::Value(v)) => typed_value(v, var_type),
                    Ok(_) => Value::Null,
                    Err(e) => return error_run(inputs, e),
                },
                Some(other) => other.clone(),
                None => Value::Null,
            };
            let value = if var_type == "number" { normalise_number(value) } else { value };
            match self.variables.iter_mut().find(|v| (!id.is_empty() && v.id == id) || (!name.is_empty() && v.name == name)) {
                Some(var) => {
                    var.value = value.clone();
                    output.insert(var.name.clone(), value);
                }
                None if !name.is_empty() => {
                    self.variables.push(super::resolve::RuntimeVariable {
                        id: id.to_string(),
                        name: name.to_string(),
                        var_type: var_type.to_string(),
                        value: value.clone(),
                    });
                    output.insert(name.to_string(), value);
                }
                None => {}
            }
        }
        BlockRun { inputs, outcome: Outcome::Output(Value::Object(output)), mocked: false, note: None }
    }

    fn wait_block(&mut self, block: &Block) -> BlockRun {
        let inputs = self.trace_inputs(block);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| v);
        }
        let amount = block.sub_value("timeValue").map(text_of).and_then(|t| t.trim().parse::<f64>().ok()).unwrap_or(0.0);
        let unit_ms = match block.sub_str("timeUnit").unwrap_or("seconds") {
            "minutes" => 60_000.0,
            "hours" => 3_600_000.0,
            "days" => 86_400_000.0,
            _ => 1_000.0,
        };
        let duration = normalise_number(json!(amount * unit_ms));
        if block.sub_value("async").and_then(Value::as_bool).unwrap_or(false) {
            return BlockRun {
                inputs,
                outcome: Outcome::Paused(json!({ "waitDuration": duration, "status": "paused" })),
                mocked: false,
                note: Some("an async wait pauses the run until it is resumed; mock the block to continue past it".into()),
            };
        }
        BlockRun {
            inputs,
            outcome: Outcome::Output(json!({ "waitDuration": duration, "status": "completed" })),
            mocked: false,
            note: Some("the wait is skipped in a local run".into()),
        }
    }

    /// A block that needs the outside world: its mock, else `placeholder` (with a warning),
    /// else a pause (human review without a mock).
    fn mocked_block(&mut self, block: &Block, placeholder: Option<Value>) -> BlockRun {
        let inputs = self.trace_inputs(block);
        let family = BlockFamily::of(block);
        if let Some(answer) = self.mock_answer(block) {
            return mocked_run(inputs, answer, |v| match (family, v) {
                (BlockFamily::Agent, Value::String(s)) => json!({ "content": s }),
                (_, v) => v,
            });
        }
        match placeholder {
            Some(output) => {
                self.warnings.push(format!("block `{}` ({}) has no mock; it returned a placeholder", block.name, block.block_type));
                BlockRun { inputs, outcome: Outcome::Output(output), mocked: false, note: Some("no mock: placeholder output".into()) }
            }
            None => BlockRun {
                inputs,
                outcome: Outcome::Paused(json!({ "status": "paused" })),
                mocked: false,
                note: Some("waits for a human; mock the block to continue past it".into()),
            },
        }
    }
}

fn error_run(inputs: Value, message: String) -> BlockRun {
    BlockRun { inputs, outcome: Outcome::Error(message), mocked: false, note: None }
}

fn mocked_run(inputs: Value, answer: MockResult, shape: impl FnOnce(Value) -> Value) -> BlockRun {
    let outcome = match answer {
        MockResult::Output(v) => Outcome::Output(shape(v)),
        MockResult::Error(e) => Outcome::Error(e),
    };
    BlockRun { inputs, outcome, mocked: true, note: None }
}
