//! The run loop: Sim v0.8.9's `ExecutionEngine` (`executor/execution/engine.ts`) and
//! `NodeExecutionOrchestrator` (`executor/orchestrators/node.ts`).
//!
//! Dispatch as Sim does it: every node in the ready queue is started together; each completes
//! and its outgoing edges make the next nodes ready. Sim's blocks really run concurrently and
//! finish in whatever order their I/O allows; here every block takes the same time, so the
//! nodes started together finish together, in the order they were started (the trace order is
//! the start order, as Sim's log is). A block that throws does not stop the blocks already
//! started beside it: they finish (and are logged) and only then does the run fail, unless a
//! Response block has locked the final output, in which case the run completes with it. The
//! first Response to finish locks the output and no new block starts after it.

use super::dag::{self, Dag, Kind};
use super::edges::EdgeState;
use super::ids;
use super::resolve::{
    self, BranchMapping, LoopScope, ParallelScope, ParentEntry, RuntimeVariable, Scope,
    WorkflowInfo,
};
use super::state::Store;
use super::{BlockStatus, FrameRef, PausePoint, RunOptions, RunReport, RunStatus, TraceEvent};
use crate::error::{Error, Result};
use crate::js::Sandbox;
use crate::sim::references::normalize_block_name;
use crate::sim::WorkflowState;
use indexmap::IndexMap;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::time::Instant;

/// What a block handler produced.
pub(super) enum Outcome {
    Output(Value),
    Error(String),
}

pub(super) struct BlockRun {
    pub inputs: Value,
    pub outcome: Outcome,
    pub mocked: bool,
    pub note: Option<String>,
    /// Workflow variables a Variables block assigns (variable id, value), applied when it
    /// completes.
    pub assignments: Vec<(String, Value)>,
    pub children: Vec<TraceEvent>,
    /// Extra fields on the error output (a child workflow's name).
    pub error_extra: Map<String, Value>,
}

impl BlockRun {
    pub fn new(inputs: Value, outcome: Outcome) -> BlockRun {
        BlockRun {
            inputs,
            outcome,
            mocked: false,
            note: None,
            assignments: Vec::new(),
            children: Vec::new(),
            error_extra: Map::new(),
        }
    }
}

/// What starting a node came to, applied when the nodes started with it have run.
pub(super) enum NodeOutcome {
    /// Already executed (Sim's `hasExecuted` guard): nothing happens.
    Skipped,
    Done {
        output: Rc<Value>,
        is_final: bool,
        pending: Pending,
    },
    Failed {
        message: String,
        pending: Pending,
    },
}

#[derive(Default)]
pub(super) struct Pending {
    /// The block's output as the block executor stores it (`setNodeOutput`).
    pub state_output: Option<Rc<Value>>,
    pub assignments: Vec<(String, Value)>,
    /// The trace event this node's fired edges are written to.
    pub trace: Option<usize>,
}

/// A pause waiting for its answer.
#[derive(Debug, Clone)]
pub(super) struct OpenPause {
    pub point: PausePoint,
    pub trace: Option<usize>,
}

/// The static facts about the node a block runs as.
#[derive(Debug, Clone)]
pub(super) struct NodeCtx {
    pub id: String,
    pub subflow: Option<(String, Kind)>,
    pub branch_index: Option<usize>,
}

pub(super) struct Engine<'a> {
    pub state: &'a WorkflowState,
    pub options: &'a RunOptions,
    /// Length of the workflow call chain this run is at (1 for the top run).
    pub depth: usize,
    pub info: WorkflowInfo,
    pub dag: Dag,
    pub edges: EdgeState,
    pub store: Store,
    pub loops: HashMap<String, LoopScope>,
    pub parallels: HashMap<String, ParallelScope>,
    pub parents: IndexMap<String, ParentEntry>,
    pub mapping: HashMap<String, BranchMapping>,
    pub variables: Vec<RuntimeVariable>,
    pub sandbox: Sandbox,
    pub mock_calls: HashMap<String, usize>,
    pub trigger: String,
    pub warnings: Vec<String>,
    pub trace: Vec<TraceEvent>,
    /// Blocks run so far (nested workflows included).
    pub runs: usize,
    pub started: Instant,
    queue: Vec<String>,
    final_output: Rc<Value>,
    response_locked: bool,
    stopped_early: bool,
    error: Option<String>,
    pauses: IndexMap<String, OpenPause>,
    segment: usize,
    resumed: usize,
    build_error: Option<String>,
}

fn is_trigger_type(t: &str) -> bool {
    matches!(t, "start_trigger" | "starter" | "trigger")
}

/// Sim's `PathConstructor.findTriggerBlock`.
pub(super) fn find_trigger(state: &WorkflowState, requested: Option<&str>) -> Result<String> {
    let explicit = || {
        state
            .blocks
            .values()
            .find(|b| b.enabled && is_trigger_type(&b.block_type))
            .map(|b| b.id.clone())
    };
    if let Some(id) = requested {
        return match state.blocks.get(id) {
            Some(b) if b.enabled => Ok(b.id.clone()),
            Some(_) => explicit().ok_or_else(|| {
                Error::Simulation(format!(
                    "Trigger block {id} is disabled and no alternative enabled trigger found"
                ))
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
        .find(|b| {
            b.enabled
                && !targets.contains(b.id.as_str())
                && !matches!(b.block_type.as_str(), "loop" | "parallel" | "note")
        })
        .map(|b| b.id.clone())
        .ok_or_else(|| Error::Simulation("the workflow has no enabled block to start from".into()))
}

fn workflow_info(state: &WorkflowState, dag: &Dag) -> WorkflowInfo {
    let mut info = WorkflowInfo::default();
    for b in state.blocks.values() {
        info.block_types.insert(b.id.clone(), b.block_type.clone());
        let key = normalize_block_name(&b.name);
        // Sim's BlockResolver: dot-free names keep a normalised name when two collide.
        let keep_incumbent = info
            .names
            .get(&key)
            .and_then(|id| state.blocks.get(id))
            .is_some_and(|incumbent| !incumbent.name.contains('.'));
        if !keep_incumbent {
            info.names.insert(key.clone(), b.id.clone());
        }
        if dag.loops.contains_key(&b.id) && !b.name.is_empty() {
            info.loop_names.insert(key.clone(), b.id.clone());
        }
        if dag.parallels.contains_key(&b.id) && !b.name.is_empty() {
            info.parallel_names.insert(key, b.id.clone());
        }
    }
    for (id, l) in &dag.loops {
        info.loops
            .insert(id.clone(), (l.nodes.clone(), l.loop_type.clone()));
    }
    for (id, p) in &dag.parallels {
        info.parallels.insert(
            id.clone(),
            (
                p.nodes.clone(),
                p.parallel_type.clone(),
                p.distribution.clone(),
            ),
        );
    }
    info
}

/// Sim's `getTimeoutErrorMessage`.
pub(super) fn timeout_message(budget: std::time::Duration) -> String {
    let seconds = budget.as_secs();
    let minutes = seconds / 60;
    let shown = if minutes > 0 {
        format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" })
    } else if seconds > 0 {
        format!("{seconds} seconds")
    } else {
        format!("{} ms", budget.as_millis())
    };
    format!("Execution timed out after {shown} (the simulated run's time budget, RunOptions.time_budget)")
}

/// The output as the run log shows it: internal keys (`_pauseMetadata`, ...) left out.
pub(super) fn for_log(output: &Value) -> Value {
    match output {
        Value::Object(map) if map.keys().any(|k| k.starts_with('_')) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('_'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl<'a> Engine<'a> {
    pub fn new(
        state: &'a WorkflowState,
        options: &'a RunOptions,
        depth: usize,
    ) -> Result<Engine<'a>> {
        // A trigger Sim cannot start from fails the run, as Sim's DAG builder does.
        let (trigger, trigger_error) = match find_trigger(state, options.trigger.as_deref()) {
            Ok(t) => (t, None),
            Err(Error::Simulation(message)) => (String::new(), Some(message)),
            Err(e) => return Err(e),
        };
        let (dag, build_error) = match trigger_error {
            Some(message) => (Dag::default(), Some(message)),
            None => match dag::build(state, &trigger) {
                Ok(dag) => (dag, None),
                Err(message) => (Dag::default(), Some(message)),
            },
        };
        let info = workflow_info(state, &dag);
        let variables = state
            .variables
            .get()
            .map(|vars| {
                vars.values()
                    .map(|v| RuntimeVariable {
                        id: v.id.clone(),
                        name: v.name.get().cloned().unwrap_or_default(),
                        var_type: v
                            .variable_type
                            .get()
                            .cloned()
                            .unwrap_or_else(|| "plain".into()),
                        value: v.value.get().cloned().unwrap_or(Value::Null),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let sandbox = Sandbox::new(options.limits).map_err(|e| Error::Simulation(e.to_string()))?;
        Ok(Engine {
            state,
            options,
            depth,
            info,
            dag,
            edges: EdgeState::default(),
            store: Store::default(),
            loops: HashMap::new(),
            parallels: HashMap::new(),
            parents: IndexMap::new(),
            mapping: HashMap::new(),
            variables,
            sandbox,
            mock_calls: HashMap::new(),
            trigger,
            warnings: Vec::new(),
            trace: Vec::new(),
            runs: 0,
            started: Instant::now(),
            queue: Vec::new(),
            final_output: Rc::new(json!({})),
            response_locked: false,
            stopped_early: false,
            error: None,
            pauses: IndexMap::new(),
            segment: 0,
            resumed: 0,
            build_error,
        })
    }

    /// The references seen from `current`.
    pub fn scope<'s>(&'s self, current: &'s str) -> Scope<'s> {
        Scope {
            info: &self.info,
            store: &self.store,
            current,
            loop_scope: None,
            loops: &self.loops,
            parallels: &self.parallels,
            parents: &self.parents,
            mapping: &self.mapping,
            variables: &self.variables,
            env: &self.options.mocks.env,
        }
    }

    pub fn run(mut self) -> Result<RunReport> {
        if let Some(message) = self.build_error.take() {
            self.error = Some(message);
            return Ok(self.report());
        }
        // `buildSubflowParentMap`: nested containers and the container holding them.
        let mut parents = IndexMap::new();
        for (id, l) in &self.dag.loops {
            for n in &l.nodes {
                if self.dag.kind_of(n).is_some() {
                    parents.insert(
                        n.clone(),
                        ParentEntry {
                            parent: id.clone(),
                            parallel: false,
                            branch: None,
                        },
                    );
                }
            }
        }
        for (id, p) in &self.dag.parallels {
            for n in &p.nodes {
                if self.dag.kind_of(n).is_some() {
                    parents.insert(
                        n.clone(),
                        ParentEntry {
                            parent: id.clone(),
                            parallel: true,
                            branch: Some(0),
                        },
                    );
                }
            }
        }
        self.parents = parents;
        self.queue.push(self.trigger.clone());
        self.drain();
        let resumes = self.options.resume.clone();
        for answer in &resumes {
            if self.error.is_some() {
                break;
            }
            self.resume(answer)?;
            self.drain();
        }
        Ok(self.report())
    }

    fn report(self) -> RunReport {
        let failed = self.error.is_some() && !self.response_locked;
        let status = if failed {
            RunStatus::Failed
        } else if !self.pauses.is_empty() {
            RunStatus::Paused
        } else {
            RunStatus::Completed
        };
        let output = if status == RunStatus::Paused {
            let responses: Vec<Value> = self
                .pauses
                .values()
                .map(|p| p.point.response.clone())
                .collect();
            if responses.len() == 1 {
                responses.into_iter().next().unwrap_or(Value::Null)
            } else {
                json!({ "pausedBlocks": responses, "pauseCount": responses.len() })
            }
        } else {
            for_log(&self.final_output)
        };
        let variables = self
            .variables
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    resolve::variable_for_execution(&v.value, &v.var_type),
                )
            })
            .collect::<IndexMap<_, _>>();
        let path = self
            .trace
            .iter()
            .filter(|e| e.segment == self.segment)
            .map(|e| e.block.clone())
            .collect();
        RunReport {
            status,
            output,
            error: if failed { self.error } else { None },
            path,
            trace: self.trace,
            variables,
            warnings: self.warnings,
            pauses: self.pauses.into_values().map(|p| p.point).collect(),
            resumed: self.resumed,
        }
    }

    /// The time budget, as Sim's execution timeout.
    pub fn over_budget(&self) -> Option<String> {
        (self.started.elapsed() > self.options.time_budget)
            .then(|| timeout_message(self.options.time_budget))
    }

    /// `ExecutionEngine.run`'s loop: start everything ready, finish it, repeat.
    fn drain(&mut self) {
        loop {
            if self.error.is_some() || self.stopped_early || self.queue.is_empty() {
                break;
            }
            if let Some(message) = self.over_budget() {
                self.error = Some(message);
                break;
            }
            let wave = std::mem::take(&mut self.queue);
            let mut finished = Vec::with_capacity(wave.len());
            for id in wave {
                let outcome = self.execute_node(&id);
                finished.push((id, outcome));
            }
            for (id, outcome) in finished {
                self.complete(&id, outcome);
            }
        }
    }

    fn enqueue(&mut self, ids: Vec<String>) {
        for id in ids {
            if !self.queue.contains(&id) {
                self.queue.push(id);
            }
        }
    }

    /// `setNodeOutput` (block executor): the node, and for a parallel branch its global branch
    /// id and stable outer-branch alias.
    fn store_node_output(&mut self, node_id: &str, output: Rc<Value>) {
        self.store.set(node_id, output.clone());
        let Some(node) = self.dag.nodes.get(node_id) else {
            return;
        };
        if let (true, Some(original), Some(branch)) = (
            node.is_parallel_branch,
            node.original_block_id.clone(),
            node.branch_index,
        ) {
            if ids::outer_branch_index(node_id).is_none() {
                let global = ids::branch_node(&original, branch);
                if global != node_id {
                    self.store.set(&global, output.clone());
                }
                self.store
                    .set(&ids::outer_scoped(&original, branch), output);
            }
        }
    }

    fn apply(&mut self, node_id: &str, pending: &mut Pending) {
        if let Some(output) = pending.state_output.take() {
            self.store_node_output(node_id, output);
        }
        for (id, value) in pending.assignments.drain(..) {
            if let Some(v) = self.variables.iter_mut().find(|v| v.id == id) {
                v.value = value;
            }
        }
    }

    fn complete(&mut self, node_id: &str, outcome: NodeOutcome) {
        match outcome {
            NodeOutcome::Skipped => {}
            NodeOutcome::Failed {
                message,
                mut pending,
            } => {
                self.apply(node_id, &mut pending);
                if self.error.is_none() {
                    self.error = Some(message);
                }
            }
            NodeOutcome::Done {
                output,
                is_final,
                mut pending,
            } => {
                self.apply(node_id, &mut pending);
                self.handle_completion(node_id, output, is_final, pending.trace);
            }
        }
    }

    /// `ExecutionEngine.handleNodeCompletion`.
    fn handle_completion(
        &mut self,
        node_id: &str,
        output: Rc<Value>,
        is_final: bool,
        trace: Option<usize>,
    ) {
        if self.stopped_early && self.response_locked {
            return;
        }
        if let Some(meta) = output.get("_pauseMetadata").cloned() {
            self.orchestrator_completion(node_id, output.clone());
            let context_id = meta
                .get("contextId")
                .and_then(Value::as_str)
                .unwrap_or(node_id)
                .to_string();
            let block = self
                .dag
                .nodes
                .get(node_id)
                .and_then(|n| n.block.clone())
                .unwrap_or_else(|| node_id.to_string());
            let point = PausePoint {
                context_id: context_id.clone(),
                block,
                node: node_id.to_string(),
                kind: meta
                    .get("pauseKind")
                    .and_then(Value::as_str)
                    .unwrap_or("human")
                    .to_string(),
                response: meta.get("response").cloned().unwrap_or(Value::Null),
            };
            self.pauses.insert(context_id, OpenPause { point, trace });
            return;
        }
        self.orchestrator_completion(node_id, output.clone());
        let is_response = self
            .dag
            .nodes
            .get(node_id)
            .and_then(|n| n.block.as_ref())
            .and_then(|b| self.state.blocks.get(b))
            .is_some_and(|b| b.block_type == "response");
        if is_response {
            if !self.response_locked {
                self.final_output = output;
                self.response_locked = true;
            }
            self.stopped_early = true;
            return;
        }
        if is_final && !self.response_locked {
            self.final_output = output.clone();
        }
        let outgoing = self.edges.process_outgoing(&mut self.dag, node_id, &output);
        if let Some(event) = trace.and_then(|i| self.trace.get_mut(i)) {
            event.activated.extend(outgoing.fired);
        }
        self.enqueue(outgoing.ready);
    }

    /// `NodeExecutionOrchestrator.handleNodeCompletion`.
    fn orchestrator_completion(&mut self, node_id: &str, output: Rc<Value>) {
        let Some(node) = self.dag.nodes.get(node_id) else {
            return;
        };
        let (sentinel, subflow, is_parallel_branch, branch, original) = (
            node.sentinel,
            node.subflow.clone(),
            node.is_parallel_branch,
            node.branch_index,
            node.original_block_id.clone(),
        );
        if let Some(start) = sentinel {
            self.store.set(node_id, output.clone());
            let route = output
                .get("selectedRoute")
                .and_then(Value::as_str)
                .unwrap_or("");
            match (&subflow, start) {
                (Some((loop_id, Kind::Loop)), false) if route == dag::LOOP_CONTINUE => {
                    let loop_id = loop_id.clone();
                    self.reset_loop(&loop_id);
                }
                (Some((parallel_id, Kind::Parallel)), false) if route == dag::PARALLEL_CONTINUE => {
                    self.store
                        .unmark_executed(&ids::parallel_start(parallel_id));
                    self.store.unmark_executed(&ids::parallel_end(parallel_id));
                    self.store.delete(&ids::parallel_end(parallel_id));
                }
                _ => {}
            }
            // handleParentSubflowCompletion: a finished nested container is one output of its parent.
            if !start
                && !matches!(
                    route,
                    dag::LOOP_CONTINUE | dag::LOOP_CONTINUE_ALT | dag::PARALLEL_CONTINUE
                )
            {
                if let Some((container, _)) = &subflow {
                    if let Some(entry) = self.parents.get(container).cloned() {
                        let results = Rc::new(
                            json!({ "results": output.get("results").cloned().unwrap_or(json!([])) }),
                        );
                        if entry.parallel {
                            if let Some(b) = entry.branch {
                                self.parallel_branch_completion(
                                    &entry.parent,
                                    node_id,
                                    results,
                                    Some(b),
                                );
                            }
                        } else if let Some(scope) = self.loops.get_mut(&entry.parent) {
                            scope
                                .current
                                .insert(ids::base_of(container).to_string(), results);
                        }
                    }
                }
            }
            return;
        }
        match subflow {
            Some((loop_id, Kind::Loop)) => {
                if let Some(scope) = self.loops.get_mut(&loop_id) {
                    scope
                        .current
                        .insert(ids::base_of(node_id).to_string(), output.clone());
                }
                self.store.set(node_id, output);
            }
            Some((parallel_id, Kind::Parallel)) if is_parallel_branch => {
                self.parallel_branch_completion(&parallel_id, node_id, output.clone(), None);
                if let (Some(b), Some(original)) = (branch, original) {
                    if ids::outer_branch_index(node_id).is_none() {
                        self.store
                            .set(&ids::outer_scoped(&original, b), output.clone());
                    }
                }
                self.store.set(node_id, output);
            }
            _ => self.store.set(node_id, output),
        }
    }

    /// `handleParallelBranchCompletion`.
    pub(super) fn parallel_branch_completion(
        &mut self,
        parallel_id: &str,
        node_id: &str,
        output: Rc<Value>,
        branch: Option<usize>,
    ) {
        let branch = branch.or_else(|| match self.mapping.get(node_id) {
            Some(m) if m.parallel == parallel_id => Some(m.iteration),
            _ => self
                .dag
                .nodes
                .get(node_id)
                .and_then(|n| n.branch_index)
                .or_else(|| ids::branch_index(node_id)),
        });
        let (Some(branch), Some(scope)) = (branch, self.parallels.get_mut(parallel_id)) else {
            return;
        };
        scope.branch_outputs.entry(branch).or_default().push(output);
    }

    /// Frames around a node (or a container), outermost first.
    pub(super) fn frames(
        &self,
        subflow: Option<&(String, Kind)>,
        branch: Option<usize>,
    ) -> Vec<FrameRef> {
        let mut frames = Vec::new();
        let mut current = subflow.cloned().map(|(id, kind)| (id, kind, branch));
        let mut guard = 0;
        while let Some((id, kind, branch)) = current.take() {
            guard += 1;
            if guard > 64 {
                break;
            }
            let (index, batch) = match kind {
                Kind::Loop => (self.loops.get(&id).map(|s| s.iteration).unwrap_or(0), None),
                Kind::Parallel => {
                    let index = branch.unwrap_or(0);
                    let batch = self
                        .parallels
                        .get(&id)
                        .map(|s| index / s.batch_size.max(1) as usize);
                    (index, batch)
                }
            };
            frames.push(FrameRef {
                container: ids::strip_outer(&id),
                kind: if kind == Kind::Loop {
                    "loop".into()
                } else {
                    "parallel".into()
                },
                index,
                batch,
            });
            current = self.parents.get(&id).map(|e| {
                (
                    e.parent.clone(),
                    if e.parallel {
                        Kind::Parallel
                    } else {
                        Kind::Loop
                    },
                    e.branch,
                )
            });
        }
        frames.reverse();
        frames
    }

    /// `NodeExecutionOrchestrator.executeNode` (with the block executor for blocks).
    fn execute_node(&mut self, node_id: &str) -> NodeOutcome {
        let Some(node) = self.dag.nodes.get(node_id) else {
            return NodeOutcome::Failed {
                message: format!("Node not found in DAG: {node_id}"),
                pending: Pending::default(),
            };
        };
        if self.store.has_executed(node_id) {
            return NodeOutcome::Skipped;
        }
        let (subflow, sentinel, block_id) =
            (node.subflow.clone(), node.sentinel, node.block.clone());
        if let Some((container, kind)) = &subflow {
            let missing = match kind {
                Kind::Loop => !self.loops.contains_key(container),
                Kind::Parallel => !self.parallels.contains_key(container),
            };
            if missing {
                let init = match kind {
                    Kind::Loop => self.init_loop(container),
                    Kind::Parallel => self.init_parallel(container),
                };
                if let Err(message) = init {
                    return NodeOutcome::Failed {
                        message,
                        pending: Pending::default(),
                    };
                }
            }
        }
        if let Some(start) = sentinel {
            let Some((container, kind)) = subflow else {
                return NodeOutcome::Done {
                    output: Rc::new(json!({})),
                    is_final: false,
                    pending: Pending::default(),
                };
            };
            let (output, trace) = match (kind, start) {
                (Kind::Loop, true) => (self.loop_start(&container), None),
                (Kind::Loop, false) => self.loop_end(&container),
                (Kind::Parallel, true) => (self.parallel_start(&container), None),
                (Kind::Parallel, false) => self.parallel_end(&container),
            };
            let is_final = self.is_final_sentinel_output(node_id, &output);
            return NodeOutcome::Done {
                output: Rc::new(output),
                is_final,
                pending: Pending {
                    trace,
                    ..Pending::default()
                },
            };
        }
        let Some(block_id) = block_id else {
            return NodeOutcome::Done {
                output: Rc::new(json!({})),
                is_final: false,
                pending: Pending::default(),
            };
        };
        self.runs += 1;
        if self.runs > self.options.max_block_runs {
            return NodeOutcome::Failed {
                message: format!(
                    "the run executed more than {} blocks and was stopped: a loop may never end (raise RunOptions.max_block_runs if the workflow really needs more)",
                    self.options.max_block_runs
                ),
                pending: Pending::default(),
            };
        }
        if let Some(message) = self.over_budget() {
            return NodeOutcome::Failed {
                message,
                pending: Pending::default(),
            };
        }
        self.execute_block(node_id, &block_id)
    }

    /// `isFinalSentinelOutput`.
    fn is_final_sentinel_output(&self, node_id: &str, output: &Value) -> bool {
        let Some(node) = self.dag.nodes.get(node_id) else {
            return false;
        };
        match output.get("selectedRoute").and_then(Value::as_str) {
            Some(dag::LOOP_CONTINUE | dag::PARALLEL_CONTINUE) => false,
            Some(route @ (dag::LOOP_EXIT | dag::PARALLEL_EXIT)) => !node
                .outgoing
                .values()
                .any(|e| e.handle.as_deref() == Some(route)),
            _ => node.outgoing.is_empty(),
        }
    }

    /// `BlockExecutor.execute`.
    fn execute_block(&mut self, node_id: &str, block_id: &str) -> NodeOutcome {
        let Some(block) = self.state.blocks.get(block_id) else {
            return NodeOutcome::Failed {
                message: format!("Node not found in DAG: {node_id}"),
                pending: Pending::default(),
            };
        };
        let node = self.dag.nodes.get(node_id).expect("node");
        let ctx = NodeCtx {
            id: node_id.to_string(),
            subflow: node.subflow.clone(),
            branch_index: node.branch_index,
        };
        let has_error_port = node
            .outgoing
            .values()
            .any(|e| e.handle.as_deref() == Some("error"));
        let is_final = node.outgoing.is_empty();
        let frames = self.frames(ctx.subflow.as_ref(), ctx.branch_index);
        let index = self.trace.len();
        self.trace.push(TraceEvent {
            seq: index,
            block: block.id.clone(),
            node: (node_id != block.id).then(|| node_id.to_string()),
            name: block.name.clone(),
            block_type: block.block_type.clone(),
            frames,
            inputs: Value::Null,
            output: Value::Null,
            error: None,
            status: BlockStatus::Ok,
            mocked: false,
            activated: Vec::new(),
            note: None,
            segment: self.segment,
            children: Vec::new(),
        });
        let run = self.run_block(block, &ctx);
        let BlockRun {
            inputs,
            outcome,
            mocked,
            note,
            assignments,
            children,
            error_extra,
        } = run;
        let (output, status, failure) = match outcome {
            Outcome::Output(v) => {
                let output = match v {
                    Value::Object(_) => v,
                    Value::Null => json!({}),
                    other => json!({ "result": other }),
                };
                let status = if output.get("_pauseMetadata").is_some() {
                    BlockStatus::Paused
                } else {
                    BlockStatus::Ok
                };
                (output, status, None)
            }
            Outcome::Error(message) => {
                let mut output = Map::new();
                output.insert("error".into(), Value::String(message.clone()));
                output.extend(error_extra);
                let status = if has_error_port {
                    BlockStatus::Error
                } else {
                    BlockStatus::Failed
                };
                (Value::Object(output), status, Some(message))
            }
        };
        let event = &mut self.trace[index];
        event.inputs = inputs;
        event.output = for_log(&output);
        event.error = failure.clone();
        event.status = status;
        event.mocked = mocked;
        event.note = note;
        event.children = children;
        let output = Rc::new(output);
        let pending = Pending {
            state_output: Some(output.clone()),
            assignments,
            trace: Some(index),
        };
        match (status, failure) {
            (BlockStatus::Failed, Some(message)) => NodeOutcome::Failed {
                message: format!("{}: {message}", block.name),
                pending,
            },
            _ => NodeOutcome::Done {
                output,
                is_final,
                pending,
            },
        }
    }

    /// A loop or parallel's own log entry: when it completes (`emitSubflowSuccessEvents`) or
    /// fails to start (`addSubflowErrorLog`).
    pub(super) fn container_event(
        &mut self,
        container: &str,
        kind: Kind,
        inputs: Value,
        outcome: std::result::Result<Value, String>,
    ) -> usize {
        let original = ids::strip_outer(container);
        let block = self.state.blocks.get(&original);
        let parent = self.parents.get(container).map(|e| {
            (
                e.parent.clone(),
                if e.parallel {
                    Kind::Parallel
                } else {
                    Kind::Loop
                },
            )
        });
        let branch = self.parents.get(container).and_then(|e| e.branch);
        let frames = self.frames(parent.as_ref(), branch);
        let (output, error, status) = match outcome {
            Ok(v) => (v, None, BlockStatus::Ok),
            Err(message) => (
                json!({ "error": message }),
                Some(message),
                BlockStatus::Failed,
            ),
        };
        let index = self.trace.len();
        self.trace.push(TraceEvent {
            seq: index,
            block: original.clone(),
            node: (container != original).then(|| container.to_string()),
            name: block.map(|b| b.name.clone()).unwrap_or_else(|| {
                if kind == Kind::Loop {
                    "Loop".into()
                } else {
                    "Parallel".into()
                }
            }),
            block_type: if kind == Kind::Loop {
                "loop".into()
            } else {
                "parallel".into()
            },
            frames,
            inputs,
            output,
            error,
            status,
            mocked: false,
            activated: Vec::new(),
            note: None,
            segment: self.segment,
            children: Vec::new(),
        });
        index
    }

    /// Applies one resume answer (Sim's `PauseResumeManager` + the engine's `remainingEdges`).
    fn resume(&mut self, answer: &super::Resume) -> Result<()> {
        let wanted = answer.pause.as_str();
        let key = self
            .pauses
            .iter()
            .find(|(ctx, p)| {
                ctx.as_str() == wanted
                    || p.point.block == wanted
                    || self.state.blocks.get(&p.point.block).is_some_and(|b| {
                        b.name == wanted
                            || normalize_block_name(&b.name) == normalize_block_name(wanted)
                    })
            })
            .map(|(k, _)| k.clone());
        let Some(key) = key else {
            let open: Vec<String> = self.pauses.keys().cloned().collect();
            return Err(Error::Simulation(if open.is_empty() {
                format!("resume `{wanted}`: the run has no open pause")
            } else {
                format!(
                    "resume `{wanted}`: no open pause has that context id or block (open: {})",
                    open.join(", ")
                )
            }));
        };
        let pause = self.pauses.shift_remove(&key).expect("pause");
        self.segment += 1;
        self.resumed += 1;
        self.final_output = Rc::new(json!({}));
        self.response_locked = false;
        self.stopped_early = false;

        let node_id = pause.point.node.clone();
        let input = match &answer.input {
            Value::Null => json!({}),
            Value::String(s) => {
                serde_json::from_str::<Value>(s).unwrap_or_else(|_| json!({ "value": s }))
            }
            Value::Object(_) => answer.input.clone(),
            Value::Bool(false) => json!({}),
            other => json!({ "value": other }),
        };
        let submission = match input.get("submission") {
            Some(s @ Value::Object(_)) => s.clone(),
            _ => input.clone(),
        };
        let existing = self
            .store
            .raw(&node_id)
            .map(|v| (**v).clone())
            .unwrap_or_else(|| json!({}));
        let submitted_at = now_iso();
        let mut merged = existing.as_object().cloned().unwrap_or_default();
        let existing_response = existing
            .get("response")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let mut response_data = existing_response
            .get("data")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        response_data.insert("submission".into(), submission.clone());
        response_data.insert("submittedAt".into(), Value::String(submitted_at.clone()));
        let mut response = existing_response.as_object().cloned().unwrap_or_default();
        response.insert("data".into(), Value::Object(response_data));
        response.entry("status").or_insert(json!(200));
        response
            .entry("headers")
            .or_insert(json!({ "Content-Type": "application/json" }));
        merged.insert("response".into(), Value::Object(response));
        merged.insert("submission".into(), submission.clone());
        merged.insert("resumeInput".into(), input.clone());
        merged.insert("submittedAt".into(), Value::String(submitted_at));
        merged.insert("_resumed".into(), Value::Bool(true));
        merged.insert("_pauseDurationMs".into(), json!(0));
        if pause.point.kind == "time" {
            merged.insert("status".into(), json!("completed"));
        }
        if let Value::Object(fields) = &submission {
            for (k, v) in fields {
                merged.insert(k.clone(), v.clone());
            }
        }
        let merged = Rc::new(Value::Object(merged));
        let old = self.store.raw(&node_id).cloned();
        self.store.set(&node_id, merged.clone());
        // `updateResumeOutputInAggregationBuffers`: the loop pass / branch keeps the answer.
        if let Some(old) = old {
            for scope in self.loops.values_mut() {
                for v in scope.current.values_mut() {
                    if Rc::ptr_eq(v, &old) {
                        *v = merged.clone();
                    }
                }
            }
            for scope in self.parallels.values_mut() {
                for outputs in scope
                    .branch_outputs
                    .values_mut()
                    .chain(scope.accumulated.values_mut())
                {
                    for v in outputs.iter_mut() {
                        if Rc::ptr_eq(v, &old) {
                            *v = merged.clone();
                        }
                    }
                }
            }
        }
        if let Some(event) = pause.trace.and_then(|i| self.trace.get_mut(i)) {
            event.output = for_log(&merged);
            event.status = BlockStatus::Ok;
            event.note = Some(format!("resumed with {}", answer.input));
        }
        // Edges out of the resumed block: an `error` edge is pruned, every other fires.
        let targets: Vec<(String, bool)> = {
            let Some(node) = self.dag.nodes.get(&node_id) else {
                return Ok(());
            };
            let mut seen: IndexMap<String, bool> = IndexMap::new();
            for e in node.outgoing.values() {
                let is_error = e.handle.as_deref() == Some("error");
                let entry = seen.entry(e.target.clone()).or_insert(true);
                *entry = *entry && is_error;
            }
            seen.into_iter()
                .filter(|(t, _)| {
                    self.dag
                        .nodes
                        .get(t)
                        .is_some_and(|n| n.incoming.contains(&node_id))
                })
                .collect()
        };
        if targets.is_empty() {
            // Sim's `resumeTerminalNoop`: the run's output is the resumed block's.
            self.final_output = merged;
        }
        let mut fired = Vec::new();
        for (target, only_error) in targets {
            if only_error {
                self.edges
                    .deactivate_resumed(&self.dag, &node_id, &target, Some("error"));
                if self.edges.has_activated_edge(&target)
                    && self.edges.is_ready_id(&self.dag, &target)
                {
                    self.enqueue(vec![target]);
                }
                continue;
            }
            let had = self
                .dag
                .nodes
                .get_mut(&target)
                .is_some_and(|n| n.incoming.shift_remove(&node_id));
            if had {
                self.edges.mark_activated(&target);
            }
            if let Some(node) = self.dag.nodes.get(&node_id) {
                fired.extend(
                    node.outgoing
                        .values()
                        .filter(|e| e.target == target && e.handle.as_deref() != Some("error"))
                        .filter_map(|e| e.edge_id.clone()),
                );
            }
            if self.edges.is_ready_id(&self.dag, &target) {
                self.enqueue(vec![target]);
            }
        }
        if let Some(event) = pause.trace.and_then(|i| self.trace.get_mut(i)) {
            event.activated.extend(fired);
        }
        Ok(())
    }
}

/// The current time as Sim writes timestamps (`2026-01-02T03:04:05.678Z`).
pub(super) fn now_iso() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    iso_from_millis(now.as_millis() as i64)
}

pub(super) fn iso_from_millis(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_timeouts_read_like_sims() {
        assert_eq!(iso_from_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            iso_from_millis(1_767_323_045_678),
            "2026-01-02T03:04:05.678Z"
        );
        assert!(timeout_message(std::time::Duration::from_secs(300))
            .starts_with("Execution timed out after 5 minutes"));
        assert!(timeout_message(std::time::Duration::from_secs(30))
            .starts_with("Execution timed out after 30 seconds"));
    }
}
