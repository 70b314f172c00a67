//! The scheduler: which blocks take part, when a block is ready, which edges fire, and how
//! loops and parallels repeat their children. Mirrors Sim's `PathConstructor`, `EdgeManager`
//! and loop/parallel orchestrators; a container is one node of its parent's graph whose run
//! repeats the graph of its children.

use super::resolve::{Frame, Resolved, RuntimeVariable, Scope};
use super::{BlockStatus, FrameRef, RunOptions, RunReport, RunStatus, TraceEvent};
use crate::error::{Error, Result};
use crate::graph::GraphView;
use crate::js::Sandbox;
use crate::sim::containers::{derive_loop, derive_parallel};
use crate::sim::handles::normalize_source_handle;
use crate::sim::references::normalize_block_name;
use crate::sim::{Block, BlockFamily, SourceHandle, WorkflowState};
use indexmap::IndexMap;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};

/// Sim's `DEFAULTS.DEFAULT_LOOP_ITERATIONS`, for a loop table without iterations.
const DEFAULT_LOOP_ITERATIONS: usize = 1000;

pub(super) struct EdgeRec {
    pub id: String,
    pub source: String,
    pub target: String,
    /// The normalised handle; none when the edge has no handle (it then always fires).
    pub raw: Option<String>,
    pub handle: SourceHandle,
}

/// What a block handler produced.
pub(super) enum Outcome {
    Output(Value),
    Error(String),
    Paused(Value),
}

pub(super) struct BlockRun {
    pub inputs: Value,
    pub outcome: Outcome,
    pub mocked: bool,
    pub note: Option<String>,
}

/// Why a run stops before its graph is exhausted.
pub(super) enum Halt {
    Failed(String),
    /// A response block finished.
    Stopped,
}

pub(super) struct Engine<'a> {
    pub state: &'a WorkflowState,
    pub options: &'a RunOptions,
    pub blocks: HashMap<String, &'a Block>,
    pub edges: Vec<EdgeRec>,
    pub out: HashMap<String, Vec<usize>>,
    pub names: HashMap<String, String>,
    /// Container id -> whether it is a parallel.
    pub containers: HashMap<String, bool>,
    pub outputs: HashMap<String, Value>,
    pub variables: Vec<RuntimeVariable>,
    pub frames: Vec<Frame>,
    pub frame_refs: Vec<FrameRef>,
    pub sandbox: Sandbox,
    pub mock_calls: HashMap<String, usize>,
    pub trigger: String,
    trace: Vec<TraceEvent>,
    path: Vec<String>,
    pub warnings: Vec<String>,
    runs: usize,
    final_output: Option<Value>,
    last_leaf: Value,
    paused: bool,
}

/// Scope-local edge state (Sim's `EdgeManager` plus each node's `incomingEdges`).
struct EdgeState {
    incoming: HashMap<String, HashSet<String>>,
    deactivated: HashSet<(String, String, String)>,
    activated_nodes: HashSet<String>,
}

fn edge_key(e: &EdgeRec) -> (String, String, String) {
    (e.source.clone(), e.target.clone(), e.raw.clone().unwrap_or_else(|| "default".into()))
}

fn is_trigger_type(t: &str) -> bool {
    matches!(t, "start_trigger" | "starter" | "trigger")
}

fn is_metadata_only(t: &str) -> bool {
    matches!(t, "loop" | "parallel" | "note")
}

impl<'a> Engine<'a> {
    pub fn new(state: &'a WorkflowState, options: &'a RunOptions) -> Result<Engine<'a>> {
        let trigger = find_trigger(state, options.trigger.as_deref())?;
        let enabled = GraphView::of_workflow_where(state, |b| b.enabled);
        let reachable = enabled.reachable_from([trigger.as_str()]);
        let blocks: HashMap<String, &Block> = state
            .blocks
            .values()
            .filter(|b| reachable.contains(b.id.as_str()) && b.block_type != "note")
            .map(|b| (b.id.clone(), b))
            .collect();
        let mut edges = Vec::new();
        let mut out: HashMap<String, Vec<usize>> = HashMap::new();
        for e in state.edges.iter() {
            if !blocks.contains_key(&e.source) || !blocks.contains_key(&e.target) {
                continue;
            }
            let raw = normalize_source_handle(e.source_handle.get().map(String::as_str));
            let handle = SourceHandle::parse(raw.as_deref());
            out.entry(e.source.clone()).or_default().push(edges.len());
            edges.push(EdgeRec { id: e.id.clone(), source: e.source.clone(), target: e.target.clone(), raw, handle });
        }
        // Sim's BlockResolver: dot-free names keep a normalised name when two collide.
        let mut names: HashMap<String, String> = HashMap::new();
        for b in state.blocks.values() {
            let key = normalize_block_name(&b.name);
            let keep_incumbent = names
                .get(&key)
                .and_then(|id| state.blocks.get(id))
                .is_some_and(|incumbent| !incumbent.name.contains('.'));
            if !keep_incumbent {
                names.insert(key, b.id.clone());
            }
        }
        let containers = state
            .blocks
            .values()
            .filter_map(|b| match BlockFamily::of_type(&b.block_type) {
                BlockFamily::Loop => Some((b.id.clone(), false)),
                BlockFamily::Parallel => Some((b.id.clone(), true)),
                _ => None,
            })
            .collect();
        let variables = state
            .variables
            .get()
            .map(|vars| {
                vars.values()
                    .map(|v| {
                        let var_type = v.variable_type.get().cloned().unwrap_or_else(|| "plain".into());
                        let value = typed_value(v.value.get().cloned().unwrap_or(Value::Null), &var_type);
                        RuntimeVariable { id: v.id.clone(), name: v.name.get().cloned().unwrap_or_default(), var_type, value }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let sandbox = Sandbox::new(options.limits).map_err(|e| Error::Simulation(e.to_string()))?;
        Ok(Engine {
            state,
            options,
            blocks,
            edges,
            out,
            names,
            containers,
            outputs: HashMap::new(),
            variables,
            frames: Vec::new(),
            frame_refs: Vec::new(),
            sandbox,
            mock_calls: HashMap::new(),
            trigger,
            trace: Vec::new(),
            path: Vec::new(),
            warnings: Vec::new(),
            runs: 0,
            final_output: None,
            last_leaf: Value::Null,
            paused: false,
        })
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            names: &self.names,
            containers: &self.containers,
            outputs: &self.outputs,
            frames: &self.frames,
            variables: &self.variables,
            env: &self.options.mocks.env,
        }
    }

    pub fn run(mut self) -> Result<RunReport> {
        let top: Vec<String> = self.members_of(None);
        let result = self.run_scope(&top, vec![self.trigger.clone()]);
        let (status, error) = match result {
            Err(Halt::Failed(message)) => (RunStatus::Failed, Some(message)),
            Ok(()) | Err(Halt::Stopped) if self.paused && self.final_output.is_none() => (RunStatus::Paused, None),
            Ok(()) | Err(Halt::Stopped) => (RunStatus::Completed, None),
        };
        let output = self.final_output.take().unwrap_or(self.last_leaf);
        let variables = self.variables.iter().map(|v| (v.name.clone(), v.value.clone())).collect::<IndexMap<_, _>>();
        Ok(RunReport { status, output, error, path: self.path, trace: self.trace, variables, warnings: self.warnings })
    }

    /// Participating blocks directly inside `container` (top level for none), in block order.
    fn members_of(&self, container: Option<&str>) -> Vec<String> {
        self.state
            .blocks
            .values()
            .filter(|b| self.blocks.contains_key(&b.id) && b.parent_id() == container)
            .map(|b| b.id.clone())
            .collect()
    }

    fn has_error_edge(&self, id: &str) -> bool {
        self.out.get(id).is_some_and(|edges| edges.iter().any(|&i| self.edges[i].raw.as_deref() == Some("error")))
    }

    /// Runs a graph of sibling blocks from `entries` until nothing more is ready.
    fn run_scope(&mut self, members: &[String], entries: Vec<String>) -> Result<(), Halt> {
        let member_set: HashSet<&str> = members.iter().map(String::as_str).collect();
        let mut es = EdgeState { incoming: HashMap::new(), deactivated: HashSet::new(), activated_nodes: HashSet::new() };
        for m in members {
            for &i in self.out.get(m).map(Vec::as_slice).unwrap_or(&[]) {
                let e = &self.edges[i];
                if member_set.contains(e.target.as_str()) && !e.handle.is_container_start() {
                    es.incoming.entry(e.target.clone()).or_default().insert(e.source.clone());
                }
            }
        }
        let mut queue: VecDeque<String> = entries.into_iter().collect();
        let mut done: HashSet<String> = HashSet::new();
        while let Some(id) = queue.pop_front() {
            if !done.insert(id.clone()) {
                continue;
            }
            let Some((output, trace_index)) = self.exec_node(&id)? else { continue };
            let (ready, activated) = self.process_outgoing(&mut es, &member_set, &id, &output);
            if let Some(event) = trace_index.and_then(|i| self.trace.get_mut(i)) {
                event.activated = activated;
            }
            for r in ready {
                if !done.contains(&r) && !queue.contains(&r) {
                    queue.push_back(r);
                }
            }
        }
        Ok(())
    }

    fn should_activate(&self, e: &EdgeRec, output: &Value) -> bool {
        let has_error = output.get("error").is_some_and(crate::sim::containers::js_truthy);
        let Some(raw) = e.raw.as_deref() else { return true };
        match &e.handle {
            SourceHandle::Condition(id) => output.get("selectedOption").and_then(Value::as_str) == Some(id.as_str()),
            SourceHandle::Router(id) => output.get("selectedRoute").and_then(Value::as_str) == Some(id.as_str()),
            SourceHandle::Error => has_error,
            SourceHandle::Source | SourceHandle::LoopEnd | SourceHandle::ParallelEnd => !has_error,
            SourceHandle::LoopStart | SourceHandle::ParallelStart => false,
            SourceHandle::Other(_) => !raw.is_empty(),
        }
    }

    /// Sim's `processOutgoingEdges`: returns the nodes now ready and the ids of the edges fired.
    fn process_outgoing(&self, es: &mut EdgeState, members: &HashSet<&str>, id: &str, output: &Value) -> (Vec<String>, Vec<String>) {
        let mut activated: Vec<String> = Vec::new();
        let mut fired = Vec::new();
        let mut to_deactivate: Vec<usize> = Vec::new();
        for &i in self.out.get(id).map(Vec::as_slice).unwrap_or(&[]) {
            let e = &self.edges[i];
            if !members.contains(e.target.as_str()) || e.handle.is_container_start() {
                continue;
            }
            if self.should_activate(e, output) {
                activated.push(e.target.clone());
                fired.push(e.id.clone());
            } else {
                to_deactivate.push(i);
            }
        }
        for t in &activated {
            es.activated_nodes.insert(t.clone());
        }
        for &i in &to_deactivate {
            self.deactivate(es, members, i);
        }
        for t in &activated {
            if let Some(sources) = es.incoming.get_mut(t) {
                sources.remove(id);
            }
        }
        let mut ready: Vec<String> = Vec::new();
        for t in &activated {
            if self.is_ready(es, t) && !ready.contains(t) {
                ready.push(t.clone());
            }
        }
        for &i in &to_deactivate {
            let t = &self.edges[i].target;
            if !ready.contains(t) && !activated.contains(t) && es.activated_nodes.contains(t) && self.is_ready(es, t) {
                ready.push(t.clone());
            }
        }
        (ready, fired)
    }

    fn deactivate(&self, es: &mut EdgeState, members: &HashSet<&str>, edge: usize) {
        let e = &self.edges[edge];
        let key = edge_key(e);
        if !es.deactivated.insert(key.clone()) {
            return;
        }
        let target = e.target.clone();
        if self.has_active_incoming(es, &target, &key) || es.activated_nodes.contains(&target) {
            return;
        }
        for &i in self.out.get(&target).map(Vec::as_slice).unwrap_or(&[]) {
            let next = &self.edges[i];
            if members.contains(next.target.as_str()) && !next.handle.is_container_start() {
                self.deactivate(es, members, i);
            }
        }
    }

    fn edges_between<'s>(&'s self, source: &'s str, target: &'s str) -> impl Iterator<Item = &'s EdgeRec> + 's {
        self.out.get(source).into_iter().flatten().map(|&i| &self.edges[i]).filter(move |e| e.target == target)
    }

    fn has_active_incoming(&self, es: &EdgeState, node: &str, exclude: &(String, String, String)) -> bool {
        let Some(sources) = es.incoming.get(node) else { return false };
        sources.iter().any(|s| {
            self.edges_between(s, node).any(|e| {
                let key = edge_key(e);
                &key != exclude && !es.deactivated.contains(&key)
            })
        })
    }

    fn is_ready(&self, es: &EdgeState, node: &str) -> bool {
        let Some(sources) = es.incoming.get(node) else { return true };
        sources.is_empty()
            || !sources.iter().any(|s| self.edges_between(s, node).any(|e| !es.deactivated.contains(&edge_key(e))))
    }

    /// Runs one node; `None` when it paused. Returns its output and its trace event's index.
    fn exec_node(&mut self, id: &str) -> Result<Option<(Value, Option<usize>)>, Halt> {
        self.runs += 1;
        if self.runs > self.options.max_block_runs {
            return Err(Halt::Failed(format!(
                "the run executed more than {} blocks and was stopped: a loop may never end (raise the limit if the workflow really needs more)",
                self.options.max_block_runs
            )));
        }
        let Some(block) = self.blocks.get(id).copied() else {
            return Ok(None);
        };
        self.path.push(id.to_string());
        let run = match BlockFamily::of_type(&block.block_type) {
            BlockFamily::Loop => self.run_loop(block)?,
            BlockFamily::Parallel => self.run_parallel(block)?,
            _ => self.run_block(block),
        };
        let BlockRun { inputs, outcome, mocked, note } = run;
        let (output, error, status) = match outcome {
            Outcome::Output(v) => (v, None, BlockStatus::Ok),
            Outcome::Paused(v) => (v, None, BlockStatus::Paused),
            Outcome::Error(message) => {
                let status = if self.has_error_edge(id) { BlockStatus::Error } else { BlockStatus::Failed };
                (json!({ "error": message }), Some(message), status)
            }
        };
        let index = self.trace.len();
        self.trace.push(TraceEvent {
            seq: index,
            block: id.to_string(),
            name: block.name.clone(),
            block_type: block.block_type.clone(),
            frames: self.frame_refs.clone(),
            inputs,
            output: output.clone(),
            error: error.clone(),
            status,
            mocked,
            activated: Vec::new(),
            note,
        });
        match status {
            BlockStatus::Failed => {
                return Err(Halt::Failed(format!(
                    "block `{}` ({}) failed: {}",
                    block.name,
                    block.block_type,
                    error.unwrap_or_default()
                )))
            }
            BlockStatus::Paused => {
                self.paused = true;
                return Ok(None);
            }
            BlockStatus::Ok | BlockStatus::Error => {}
        }
        self.outputs.insert(id.to_string(), output.clone());
        if let Some(frame) = self.frames.last_mut() {
            frame.outputs.push(output.clone());
        }
        if BlockFamily::of_type(&block.block_type) == BlockFamily::Response && status == BlockStatus::Ok {
            self.final_output.get_or_insert(output);
            return Err(Halt::Stopped);
        }
        if self.out.get(id).is_none_or(Vec::is_empty) {
            self.last_leaf = output.clone();
        }
        Ok(Some((output, Some(index))))
    }

    /// The children of a container that its start edges lead to.
    fn container_entries(&self, container: &str, members: &[String]) -> Vec<String> {
        let mut out: Vec<String> = self
            .out
            .get(container)
            .into_iter()
            .flatten()
            .map(|&i| &self.edges[i])
            .filter(|e| e.handle.is_container_start() && members.contains(&e.target))
            .map(|e| e.target.clone())
            .collect();
        out.dedup();
        out
    }

    fn run_iteration(&mut self, members: &[String], entries: &[String], frame: Frame, frame_ref: FrameRef) -> Result<Vec<Value>, Halt> {
        // Each pass starts clean: the children's previous outputs are not this pass's.
        for m in members {
            self.outputs.remove(m);
        }
        self.frames.push(frame);
        self.frame_refs.push(frame_ref);
        let result = self.run_scope(members, entries.to_vec());
        self.frame_refs.pop();
        let frame = self.frames.pop();
        result?;
        Ok(frame.map(|f| f.outputs).unwrap_or_default())
    }

    fn run_loop(&mut self, block: &Block) -> Result<BlockRun, Halt> {
        let config = derive_loop(self.state, block);
        let members = self.members_of(Some(&block.id));
        let entries = self.container_entries(&block.id, &members);
        let loop_type = config.loop_type.get().cloned().unwrap_or_else(|| "for".into());
        let configured = config.iterations.get().and_then(|n| n.as_f64()).map(|f| f.max(0.0) as usize);
        let mut inputs = json!({ "loopType": loop_type });
        let fail = |inputs: Value, message: String| Ok(BlockRun { inputs, outcome: Outcome::Error(message), mocked: false, note: None });
        if members.is_empty() {
            return fail(inputs, "Loop has no executable blocks inside. Add or enable at least one block in the loop.".into());
        }
        let mut items: Option<Vec<Value>> = None;
        let mut max: Option<usize> = None;
        let mut condition: Option<String> = None;
        match loop_type.as_str() {
            "for" => max = Some(configured.filter(|n| *n > 0).unwrap_or(DEFAULT_LOOP_ITERATIONS)),
            "forEach" => {
                let raw = config.for_each_items.get().cloned().unwrap_or(Value::Null);
                if raw.is_null() || raw == Value::String(String::new()) {
                    return fail(inputs, "ForEach loop collection is empty. Provide an array or a reference that resolves to a collection.".into());
                }
                match self.collection(&raw) {
                    Ok(list) => items = Some(list),
                    Err(e) => return fail(inputs, format!("ForEach loop resolution failed: {e}")),
                }
            }
            "while" => condition = config.while_condition.get().cloned().filter(|c| !c.is_empty()),
            "doWhile" => match config.do_while_condition.get().filter(|c| !c.is_empty()) {
                Some(c) => condition = Some(c.clone()),
                None => max = Some(configured.filter(|n| *n > 0).unwrap_or(DEFAULT_LOOP_ITERATIONS)),
            },
            other => return fail(inputs, format!("Unknown loop type: {other}")),
        }
        if let Some(list) = &items {
            inputs["items"] = Value::Array(list.clone());
        }
        if let Some(m) = max {
            inputs["iterations"] = Value::from(m);
        }
        if let Some(c) = &condition {
            inputs[if loop_type == "while" { "whileCondition" } else { "doWhileCondition" }] = Value::String(c.clone());
        }
        let limit = items.as_ref().map(Vec::len).or(max);
        let items_value = items.clone().map(Value::Array);
        // Sim checks before the first pass: empty collections, zero counts, a false while.
        let mut run_first = match loop_type.as_str() {
            "while" => match &condition {
                Some(c) => self.loop_condition(&block.id, c, 0, &items_value),
                None => false,
            },
            "doWhile" => true,
            _ => limit.unwrap_or(0) > 0,
        };
        let mut results = Vec::new();
        let mut index = 0;
        while run_first {
            let frame = Frame {
                parallel: false,
                container: block.id.clone(),
                index,
                item: items.as_ref().and_then(|l| l.get(index).cloned()),
                items: items_value.clone(),
                outputs: Vec::new(),
            };
            let frame_ref = FrameRef { container: block.id.clone(), kind: "loop".into(), index, batch: None };
            let outputs = self.run_iteration(&members, &entries, frame, frame_ref)?;
            if !outputs.is_empty() {
                results.push(Value::Array(outputs));
            }
            let next = index + 1;
            run_first = match (&condition, limit) {
                (_, Some(limit)) if loop_type != "while" && (loop_type != "doWhile" || condition.is_none()) => next < limit,
                (Some(c), _) => self.loop_condition(&block.id, &c.clone(), next, &items_value),
                (None, _) => false,
            };
            index = next;
        }
        Ok(BlockRun { inputs, outcome: Outcome::Output(json!({ "results": results })), mocked: false, note: None })
    }

    /// A while/doWhile condition with `<loop.index>` at `index`; like Sim, an error reads false.
    fn loop_condition(&mut self, loop_id: &str, condition: &str, index: usize, items: &Option<Value>) -> bool {
        self.frames.push(Frame { parallel: false, container: loop_id.into(), index, item: None, items: items.clone(), outputs: Vec::new() });
        let rendered = self.scope().render(condition, super::resolve::Style::LoopCondition, true);
        self.frames.pop();
        let result = rendered.and_then(|code| {
            self.sandbox.run(&format!("return Boolean({code})"), &[]).map_err(|e| e.to_string())
        });
        match result {
            Ok(v) => v.as_bool().unwrap_or(false),
            Err(e) => {
                self.warnings.push(format!("loop `{loop_id}`: its condition failed ({e}); like Sim, the loop stops"));
                false
            }
        }
    }

    fn run_parallel(&mut self, block: &Block) -> Result<BlockRun, Halt> {
        let config = derive_parallel(self.state, block);
        let members = self.members_of(Some(&block.id));
        let entries = self.container_entries(&block.id, &members);
        let parallel_type = config.parallel_type.get().cloned().unwrap_or_else(|| "count".into());
        let batch_size = config.batch_size.get().and_then(|n| n.as_f64()).map(|f| f.clamp(1.0, 20.0) as usize).unwrap_or(20);
        let mut inputs = json!({ "parallelType": parallel_type, "batchSize": batch_size });
        if members.is_empty() {
            return Ok(BlockRun {
                inputs,
                outcome: Outcome::Error("Parallel has no executable blocks inside. Add or enable at least one block in the parallel.".into()),
                mocked: false,
                note: None,
            });
        }
        let items: Option<Vec<Value>> = if parallel_type == "collection" {
            let raw = config.distribution.get().cloned().unwrap_or(Value::Null);
            match self.collection(&raw) {
                Ok(list) => Some(list),
                Err(e) => {
                    return Ok(BlockRun {
                        inputs,
                        outcome: Outcome::Error(format!("Parallel distribution resolution failed: {e}")),
                        mocked: false,
                        note: None,
                    })
                }
            }
        } else {
            None
        };
        let count = match &items {
            Some(list) => list.len(),
            None => config.count.get().and_then(|n| n.as_f64()).map(|f| f.max(0.0) as usize).unwrap_or(1),
        };
        inputs["count"] = Value::from(count);
        if let Some(list) = &items {
            inputs["items"] = Value::Array(list.clone());
        }
        let items_value = items.clone().map(Value::Array);
        let mut results = Vec::with_capacity(count);
        for branch in 0..count {
            let frame = Frame {
                parallel: true,
                container: block.id.clone(),
                index: branch,
                item: items.as_ref().and_then(|l| l.get(branch).cloned()),
                items: items_value.clone(),
                outputs: Vec::new(),
            };
            let frame_ref = FrameRef { container: block.id.clone(), kind: "parallel".into(), index: branch, batch: Some(branch / batch_size) };
            results.push(Value::Array(self.run_iteration(&members, &entries, frame, frame_ref)?));
        }
        Ok(BlockRun { inputs, outcome: Outcome::Output(json!({ "results": results })), mocked: false, note: None })
    }

    /// Sim's `resolveArrayInput`: an array, an object's entries, a reference, or JSON text
    /// (single quotes allowed).
    pub fn collection(&self, raw: &Value) -> Result<Vec<Value>, String> {
        let normalise = |v: Value| -> Result<Vec<Value>, String> {
            match v {
                Value::Array(items) => Ok(items),
                Value::Object(map) => Ok(map.into_iter().map(|(k, v)| json!([k, v])).collect()),
                Value::Null => Ok(Vec::new()),
                _ => Err("Value did not resolve to an array or object".into()),
            }
        };
        match raw {
            Value::String(text) => {
                let trimmed = text.trim();
                if trimmed.starts_with('<') && trimmed.ends_with('>') {
                    return match self.scope().single(trimmed) {
                        Ok(Resolved::Value(v)) => normalise(v),
                        Ok(Resolved::Empty) => Ok(Vec::new()),
                        Ok(Resolved::Unknown) => Err(format!("Reference \"{trimmed}\" did not resolve")),
                        Err(e) => Err(format!("Failed to resolve reference \"{trimmed}\": {e}")),
                    };
                }
                let parsed: Value = serde_json::from_str(&text.replace('\'', "\""))
                    .map_err(|_| format!("Failed to parse items as JSON: \"{text}\""))?;
                normalise(parsed)
            }
            other => normalise(other.clone()),
        }
    }
}

/// A variable's stored value read by its declared type (Sim's `resolveVariableValue`).
pub(super) fn typed_value(value: Value, var_type: &str) -> Value {
    match (var_type, &value) {
        ("number", Value::String(s)) => s.trim().parse::<f64>().ok().map(|f| json!(f)).map(normalise_number).unwrap_or(value),
        ("boolean", Value::String(s)) => match s.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => value,
        },
        ("object" | "array", Value::String(s)) => serde_json::from_str(s).unwrap_or(value),
        _ => value,
    }
}

/// `3.0` as `3`, the way JavaScript holds numbers.
pub(super) fn normalise_number(v: Value) -> Value {
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
        _ => v,
    }
}

/// Sim's `PathConstructor.findTriggerBlock`.
fn find_trigger(state: &WorkflowState, requested: Option<&str>) -> Result<String> {
    let explicit = || state.blocks.values().find(|b| b.enabled && is_trigger_type(&b.block_type)).map(|b| b.id.clone());
    if let Some(id) = requested {
        return match state.blocks.get(id) {
            Some(b) if b.enabled => Ok(b.id.clone()),
            Some(_) => explicit().ok_or_else(|| {
                Error::Simulation(format!("Trigger block {id} is disabled and no alternative enabled trigger found"))
            }),
            None => Err(Error::Simulation(format!("Trigger block not found: {id}"))),
        };
    }
    if let Some(id) = explicit() {
        return Ok(id);
    }
    let targets: HashSet<&str> = state.edges.iter().map(|e| e.target.as_str()).collect();
    state
        .blocks
        .values()
        .find(|b| b.enabled && !targets.contains(b.id.as_str()) && !is_metadata_only(&b.block_type))
        .map(|b| b.id.clone())
        .ok_or_else(|| Error::Simulation("the workflow has no enabled block to start from".into()))
}
