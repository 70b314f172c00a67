//! Loops and parallels as Sim v0.8.9's orchestrators run them (`executor/orchestrators/loop.ts`,
//! `parallel.ts`, `utils/parallel-expansion.ts`): a container's scope is set up when its first
//! node runs; the start sentinel decides whether the body runs (an empty collection, a false
//! `while`), the end sentinel collects the pass's outputs and either loops back (clearing the
//! body's state and restoring its edges) or exits with `{results}`. A parallel runs its branches
//! in batches of at most 20: each batch expands the branch-zero templates into `x₍i₎` nodes and
//! clones nested containers per outer branch.
//!
//! Counts read from the workflow are bounded: a loop count, parallel count or collection size
//! larger than the run's block budget (`RunOptions.max_block_runs`) is refused before anything
//! runs, naming the container and the field (Sim itself has no cap and would run until its
//! execution timeout).

use super::dag::{self, Kind, Node};
use super::engine::Engine;
use super::ids;
use super::resolve::{self, BranchMapping, LoopScope, ParallelScope, ParentEntry, Resolved, Style};
use crate::sim::references::parse_executor_references;
use indexmap::{IndexMap, IndexSet};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::rc::Rc;

/// Sim's `DEFAULTS.DEFAULT_LOOP_ITERATIONS`.
const DEFAULT_LOOP_ITERATIONS: f64 = 1000.0;
/// Sim's `DEFAULTS.MAX_PARALLEL_BRANCHES` (the batch size cap) and default batch size.
const MAX_PARALLEL_BRANCHES: f64 = 20.0;

fn js_truthy(v: &Value) -> bool {
    crate::sim::containers::js_truthy(v)
}

/// `normalizeCollectionValue`.
fn normalize_collection(value: Option<Value>) -> Result<Vec<Value>, String> {
    match value {
        Some(Value::Array(items)) => Ok(items),
        Some(Value::Object(map)) => Ok(map.into_iter().map(|(k, v)| json!([k, v])).collect()),
        Some(Value::Null) => Ok(Vec::new()),
        _ => Err("Value did not resolve to an array or object".into()),
    }
}

/// A number as the message shows it.
fn shown(f: f64) -> String {
    resolve::text_of(&resolve::number_value(f))
}

impl Engine<'_> {
    fn block_name(&self, id: &str) -> String {
        self.state
            .blocks
            .get(&ids::strip_outer(id))
            .map(|b| b.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// A count from the workflow that this run could never get through.
    fn over_cap(&self, container: &str, what: &str, field: &str, count: f64) -> Option<String> {
        let cap = self.options.max_block_runs as f64;
        (count > cap).then(|| {
            format!(
                "{what} \"{}\" ({}): {} at blocks.{}.{field} is more than this run may execute (at most {} block runs, RunOptions.max_block_runs); Sim has no cap and would run it until its execution timeout",
                self.block_name(container),
                ids::strip_outer(container),
                shown(count),
                ids::strip_outer(container),
                self.options.max_block_runs
            )
        })
    }

    /// `resolveArrayInputAsync`: a loop's or parallel's collection, seen from `node`.
    fn collection(&self, raw: &Value, node: &str) -> Result<Vec<Value>, String> {
        match raw {
            Value::String(text) => {
                if text.starts_with('<') && text.ends_with('>') {
                    let trimmed = text.trim();
                    let reference = parse_executor_references(trimmed)
                        .into_iter()
                        .find(|r| r.span == (0..trimmed.len()));
                    let resolved = match reference {
                        Some(r) => self.scope(node).resolve(&r),
                        None => Ok(Resolved::Unknown),
                    };
                    return match resolved {
                        Ok(Resolved::Value(v)) => normalize_collection(Some(v)),
                        Ok(Resolved::Empty) => Ok(Vec::new()),
                        Ok(Resolved::Unknown) => normalize_collection(None),
                        Err(e) => Err(e),
                    }
                    .map_err(|e| {
                        if e.starts_with("Reference \"") {
                            e
                        } else {
                            format!("Failed to resolve reference \"{text}\": {e}")
                        }
                    });
                }
                match serde_json::from_str::<Value>(&text.replace('\'', "\"")) {
                    Ok(v) => normalize_collection(Some(v))
                        .map_err(|_| format!("Failed to parse items as JSON: \"{text}\"")),
                    Err(_) => Err(format!("Failed to parse items as JSON: \"{text}\"")),
                }
            }
            Value::Null => Ok(Vec::new()),
            Value::Array(_) | Value::Object(_) => normalize_collection(Some(raw.clone())),
            _ => Err("Failed to resolve items: Value did not resolve to an array or object".into()),
        }
    }

    /// `LoopOrchestrator.initializeLoopScope`.
    pub(super) fn init_loop(&mut self, loop_id: &str) -> Result<(), String> {
        let Some(config) = self.dag.loops.get(loop_id).cloned() else {
            return Err(format!("Loop config not found: {loop_id}"));
        };
        let mut scope = LoopScope {
            loop_type: config.loop_type.clone(),
            ..LoopScope::default()
        };
        let fail = |engine: &mut Engine, message: String, inputs: Value| {
            engine.container_event(loop_id, Kind::Loop, inputs, Err(message.clone()));
            Err(message)
        };
        if config.nodes.is_empty() {
            return fail(self, "Loop has no executable blocks inside. Add or enable at least one block in the loop.".into(), json!({ "loopType": config.loop_type }));
        }
        match config.loop_type.as_str() {
            "for" => {
                let max = config
                    .iterations
                    .filter(|n| *n != 0.0 && !n.is_nan())
                    .unwrap_or(DEFAULT_LOOP_ITERATIONS);
                if let Some(message) = self.over_cap(loop_id, "Loop", "data.count", max) {
                    return fail(
                        self,
                        message,
                        json!({ "loopType": "for", "iterations": resolve::number_value(max) }),
                    );
                }
                scope.max_iterations = Some(max);
            }
            "forEach" => {
                let raw = &config.for_each_items;
                if raw.is_null() || raw == &Value::String(String::new()) {
                    return fail(
                        self,
                        "ForEach loop collection is empty. Provide an array or a reference that resolves to a collection.".into(),
                        json!({ "loopType": "forEach", "forEachItems": raw }),
                    );
                }
                let items = match self.collection(raw, &ids::loop_start(loop_id)) {
                    Ok(items) => items,
                    Err(e) => {
                        let input_type = match raw {
                            Value::Array(_) => "array",
                            Value::Null => "null",
                            Value::String(_) => "string",
                            Value::Object(_) => "object",
                            Value::Number(_) => "number",
                            Value::Bool(_) => "boolean",
                        };
                        return fail(
                            self,
                            format!("ForEach loop resolution failed: {e}"),
                            json!({ "loopType": "forEach", "inputType": input_type }),
                        );
                    }
                };
                if let Some(message) =
                    self.over_cap(loop_id, "Loop", "data.collection", items.len() as f64)
                {
                    return fail(
                        self,
                        message,
                        json!({ "loopType": "forEach", "items": items.len() }),
                    );
                }
                scope.max_iterations = Some(items.len() as f64);
                scope.item = items.first().cloned();
                scope.items = Some(Rc::new(items));
            }
            "while" => {
                scope.condition = Some(config.while_condition.clone()).filter(|c| !c.is_empty());
            }
            "doWhile" => {
                if config.do_while_condition.is_empty() {
                    let max = config
                        .iterations
                        .filter(|n| *n != 0.0 && !n.is_nan())
                        .unwrap_or(DEFAULT_LOOP_ITERATIONS);
                    if let Some(message) = self.over_cap(loop_id, "Loop", "data.count", max) {
                        return fail(
                            self,
                            message,
                            json!({ "loopType": "doWhile", "iterations": resolve::number_value(max) }),
                        );
                    }
                    scope.max_iterations = Some(max);
                } else {
                    scope.condition = Some(config.do_while_condition.clone());
                }
            }
            other => return Err(format!("Unknown loop type: {other}")),
        }
        self.loops.insert(loop_id.to_string(), scope);
        Ok(())
    }

    /// A loop's condition at `index`: `<loop.index> < max` for counted loops (evaluated
    /// directly), the user's while/doWhile expression in the sandbox otherwise
    /// (`evaluateWhileCondition`: references resolved with the loop's scope, a throw reads false).
    fn loop_condition(&mut self, loop_id: &str, index: usize) -> bool {
        let Some(scope) = self.loops.get(loop_id) else {
            return false;
        };
        let Some(condition) = scope.condition.clone() else {
            return match scope.max_iterations {
                Some(max) => (index as f64) < max,
                None => false,
            };
        };
        // Sim evaluates with the scope's iteration set to `index` for the call, then restores it.
        let saved = scope.iteration;
        if let Some(scope) = self.loops.get_mut(loop_id) {
            scope.iteration = index;
        }
        let rendered = {
            let mut view = self.scope("");
            view.loop_scope = self.loops.get(loop_id);
            view.render(&condition, Style::LoopCondition, false)
        };
        if let Some(scope) = self.loops.get_mut(loop_id) {
            scope.iteration = saved;
        }
        let result = rendered.and_then(|code| {
            self.sandbox
                .run(&format!("return Boolean({code})"), &[])
                .map_err(|e| e.to_string())
        });
        match result {
            Ok(v) => js_truthy(&v),
            Err(e) => {
                self.warnings.push(format!(
                    "loop `{}`: its condition failed ({e}); like Sim, the condition reads false",
                    ids::strip_outer(loop_id)
                ));
                false
            }
        }
    }

    /// The loop's start sentinel (`evaluateInitialCondition`).
    pub(super) fn loop_start(&mut self, loop_id: &str) -> Value {
        let run = match self.loops.get(loop_id) {
            None => true,
            Some(scope) => match scope.loop_type.as_str() {
                "forEach" => scope.items.as_ref().is_some_and(|i| !i.is_empty()),
                "for" => scope.max_iterations != Some(0.0),
                "doWhile" => true,
                "while" => match scope.condition {
                    None => false,
                    Some(_) => {
                        let index = scope.iteration;
                        self.loop_condition(loop_id, index)
                    }
                },
                _ => true,
            },
        };
        if run {
            json!({ "sentinelStart": true })
        } else {
            if let Some(scope) = self.loops.get_mut(loop_id) {
                scope.skipped_at_start = true;
            }
            json!({ "sentinelStart": true, "shouldExit": true, "selectedRoute": dag::LOOP_EXIT })
        }
    }

    /// The loop's end sentinel (`evaluateLoopContinuation`).
    pub(super) fn loop_end(&mut self, loop_id: &str) -> (Value, Option<usize>) {
        let Some(scope) = self.loops.get_mut(loop_id) else {
            return (
                json!({ "results": [], "shouldContinue": false, "shouldExit": true, "selectedRoute": dag::LOOP_EXIT, "totalIterations": 0 }),
                None,
            );
        };
        if scope.skipped_at_start {
            scope.skipped_at_start = false;
            return self.loop_exit(loop_id);
        }
        let pass: Vec<Rc<Value>> = scope.current.values().cloned().collect();
        if !pass.is_empty() {
            scope.all.push(pass);
        }
        scope.current.clear();
        let next = scope.iteration + 1;
        if scope.loop_type == "doWhile"
            && scope.condition.is_none()
            && scope.max_iterations.is_some_and(|max| next as f64 >= max)
        {
            return self.loop_exit(loop_id);
        }
        if !self.loop_condition(loop_id, next) {
            return self.loop_exit(loop_id);
        }
        if let Some(scope) = self.loops.get_mut(loop_id) {
            scope.iteration = next;
            if let Some(items) = &scope.items {
                if let Some(item) = items.get(next) {
                    scope.item = Some(item.clone());
                }
            }
        }
        (
            json!({ "shouldContinue": true, "shouldExit": false, "selectedRoute": dag::LOOP_CONTINUE }),
            None,
        )
    }

    /// `createExitResult`: `{results}` stored under the loop, logged, and the exit route.
    fn loop_exit(&mut self, loop_id: &str) -> (Value, Option<usize>) {
        let scope = self.loops.get_mut(loop_id).expect("loop scope");
        let passes = std::mem::take(&mut scope.all);
        let results = Value::Array(
            passes
                .iter()
                .map(|p| Value::Array(p.iter().map(|v| (**v).clone()).collect()))
                .collect(),
        );
        let total = passes.len();
        let inputs = json!({ "loopType": scope.loop_type, "iterations": total });
        let output = json!({ "results": results });
        self.store.set(loop_id, Rc::new(output.clone()));
        let trace = self.container_event(loop_id, Kind::Loop, inputs, Ok(output));
        (
            json!({ "results": results, "shouldContinue": false, "shouldExit": true, "selectedRoute": dag::LOOP_EXIT, "totalIterations": total }),
            Some(trace),
        )
    }

    /// `ParallelOrchestrator.initializeParallelScope`.
    pub(super) fn init_parallel(&mut self, parallel_id: &str) -> Result<(), String> {
        let Some(config) = self.dag.parallels.get(parallel_id).cloned() else {
            return Err(format!("Parallel config not found: {parallel_id}"));
        };
        let fail = |engine: &mut Engine, message: String, inputs: Value| {
            engine.container_event(parallel_id, Kind::Parallel, inputs, Err(message.clone()));
            Err(message)
        };
        if config.nodes.is_empty() {
            return fail(self, "Parallel has no executable blocks inside. Add or enable at least one block in the parallel.".into(), json!({}));
        }
        let (count, items): (f64, Option<Vec<Value>>) = if config.parallel_type == "count" {
            (config.count.unwrap_or(1.0), None)
        } else {
            let raw = &config.distribution;
            if raw.is_null() || raw == &Value::String(String::new()) {
                return fail(
                    self,
                    "Parallel collection distribution is empty. Provide an array or a reference that resolves to a collection.".into(),
                    json!({ "distribution": raw }),
                );
            }
            match self.collection(raw, &ids::parallel_start(parallel_id)) {
                Ok(items) => (items.len() as f64, Some(items)),
                Err(e) => {
                    return fail(
                        self,
                        format!("Parallel Items did not resolve: {e}"),
                        json!({ "distribution": raw }),
                    )
                }
            }
        };
        let field = if config.parallel_type == "count" {
            "data.count"
        } else {
            "data.collection"
        };
        if let Some(message) = self.over_cap(parallel_id, "Parallel", field, count) {
            return fail(
                self,
                message,
                json!({ "count": resolve::number_value(count) }),
            );
        }
        if count == 0.0 || count.is_nan() {
            self.parallels.insert(
                parallel_id.to_string(),
                ParallelScope {
                    is_empty: true,
                    items: Some(Rc::new(Vec::new())),
                    ..ParallelScope::default()
                },
            );
            return Ok(());
        }
        let total = count.ceil() as i64;
        let batch = match config.batch_size {
            Some(b) if !b.is_nan() => b.clamp(1.0, MAX_PARALLEL_BRANCHES).ceil() as i64,
            _ => MAX_PARALLEL_BRANCHES as i64,
        };
        self.parallels.insert(
            parallel_id.to_string(),
            ParallelScope {
                total,
                batch_size: batch,
                batch_start: 0,
                batch_len: batch.min(total),
                items: items.map(Rc::new),
                ..ParallelScope::default()
            },
        );
        Ok(())
    }

    /// The parallel's start sentinel.
    pub(super) fn parallel_start(&mut self, parallel_id: &str) -> Value {
        if !self.parallels.contains_key(parallel_id) && self.dag.parallels.contains_key(parallel_id)
        {
            if let Err(e) = self.init_parallel(parallel_id) {
                self.warnings.push(e);
            }
        }
        if self.parallels.get(parallel_id).is_some_and(|s| s.is_empty) {
            return json!({ "sentinelStart": true, "shouldExit": true, "selectedRoute": dag::PARALLEL_EXIT });
        }
        self.prepare_batch(parallel_id);
        json!({ "sentinelStart": true })
    }

    /// The parallel's end sentinel (`aggregateParallelResults`).
    pub(super) fn parallel_end(&mut self, parallel_id: &str) -> (Value, Option<usize>) {
        let Some(scope) = self.parallels.get_mut(parallel_id) else {
            return (
                json!({ "results": [], "sentinelEnd": true, "selectedRoute": dag::PARALLEL_CONTINUE }),
                None,
            );
        };
        let outputs = std::mem::take(&mut scope.branch_outputs);
        scope.accumulated.extend(outputs);
        let next = scope.batch_start
            + if scope.batch_len != 0 || !scope.is_empty {
                scope.batch_len
            } else {
                scope.total
            };
        if next < scope.total {
            scope.batch_start = next;
            scope.batch_len = scope.batch_size.min(scope.total - next);
            let total = scope.total;
            return (
                json!({ "results": [], "sentinelEnd": true, "selectedRoute": dag::PARALLEL_CONTINUE, "totalBranches": total }),
                None,
            );
        }
        let accumulated = std::mem::take(&mut scope.accumulated);
        let total = scope.total;
        let results: Vec<Value> = (0..total.max(0) as usize)
            .map(|i| {
                Value::Array(
                    accumulated
                        .get(&i)
                        .map(|o| o.iter().map(|v| (**v).clone()).collect())
                        .unwrap_or_default(),
                )
            })
            .collect();
        let output = json!({ "results": results });
        self.store.set(parallel_id, Rc::new(output.clone()));
        let trace = self.container_event(
            parallel_id,
            Kind::Parallel,
            json!({ "branches": total.max(0) }),
            Ok(output),
        );
        (
            json!({ "results": results, "sentinelEnd": true, "selectedRoute": dag::PARALLEL_EXIT, "totalBranches": total }),
            Some(trace),
        )
    }

    /// `prepareCurrentBatch`: expand this batch's branches and reset their state.
    fn prepare_batch(&mut self, parallel_id: &str) {
        let Some(scope) = self.parallels.get(parallel_id) else {
            return;
        };
        if scope.is_empty || scope.batch_len <= 0 {
            return;
        }
        let (start, len, total) = (
            scope.batch_start.max(0) as usize,
            scope.batch_len as usize,
            scope.total,
        );
        let items: Option<Vec<Value>> = scope
            .items
            .as_ref()
            .map(|i| i.iter().skip(start).take(len).cloned().collect());
        let (clones, branch_nodes) = self.expand(parallel_id, len, items.as_deref(), start, total);
        // registerClonedSubflows
        let mut by_branch: BTreeMap<usize, IndexMap<String, String>> = BTreeMap::new();
        for (cloned, original, branch) in &clones {
            by_branch
                .entry(*branch)
                .or_default()
                .insert(original.clone(), cloned.clone());
        }
        for (cloned, original, branch) in &clones {
            let entry = match self.parents.get(original).cloned() {
                Some(orig) => match by_branch.get(branch).and_then(|m| m.get(&orig.parent)) {
                    Some(cloned_parent) => ParentEntry {
                        parent: cloned_parent.clone(),
                        parallel: orig.parallel,
                        branch: Some(0),
                    },
                    None => ParentEntry {
                        parent: parallel_id.to_string(),
                        parallel: true,
                        branch: Some(*branch),
                    },
                },
                None => ParentEntry {
                    parent: parallel_id.to_string(),
                    parallel: true,
                    branch: Some(*branch),
                },
            };
            self.parents.insert(cloned.clone(), entry);
        }
        // registerBranchMappings, resetBatchExecutionState
        for id in &branch_nodes {
            if let Some(node) = self.dag.nodes.get(id) {
                if let Some(b) = node.branch_index.or_else(|| ids::branch_index(id)) {
                    self.mapping.insert(
                        id.clone(),
                        BranchMapping {
                            parallel: parallel_id.to_string(),
                            iteration: b,
                        },
                    );
                }
                if node.is_parallel_branch {
                    self.store.delete(id);
                }
            }
        }
        let set: HashSet<String> = branch_nodes.into_iter().collect();
        self.edges.clear_for_nodes(&set);
    }

    /// `ParallelExpander.expandParallel`: returns the cloned containers (clone, original,
    /// global branch) and every branch node.
    fn expand(
        &mut self,
        parallel_id: &str,
        count: usize,
        items: Option<&[Value]>,
        offset: usize,
        total: i64,
    ) -> (Vec<(String, String, usize)>, Vec<String>) {
        let Some(config) = self.dag.parallels.get(parallel_id).cloned() else {
            return (Vec::new(), Vec::new());
        };
        let blocks = config.nodes.clone();
        if blocks.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let (nested, regular): (Vec<String>, Vec<String>) = blocks
            .iter()
            .cloned()
            .partition(|b| self.dag.kind_of(b).is_some());
        let mut branch_nodes = Vec::new();
        for block in &regular {
            let template_id = ids::branch_node(block, 0);
            let Some(template) = self.dag.nodes.get(&template_id).cloned() else {
                continue;
            };
            for i in 0..count {
                let id = ids::branch_node(block, i);
                branch_nodes.push(id.clone());
                let global = offset + i;
                if i == 0 {
                    if let Some(t) = self.dag.nodes.get_mut(&template_id) {
                        t.branch_index = Some(global);
                        t.branch_total = Some(total);
                    }
                    continue;
                }
                let mut node = template.clone();
                node.id = id.clone();
                node.incoming = IndexSet::new();
                node.outgoing = IndexMap::new();
                node.branch_index = Some(global);
                node.branch_total = Some(total);
                node.original_block_id = Some(block.clone());
                self.dag.nodes.insert(id, node);
            }
        }
        let _ = items;
        let mut clones = Vec::new();
        for sub in &nested {
            for i in 0..count {
                let global = offset + i;
                if global == 0 {
                    continue;
                }
                let cloned = ids::outer_scoped(sub, global);
                self.clone_subflow(sub, &cloned, global, &mut clones);
                clones.push((cloned, sub.clone(), global));
            }
        }
        let set: HashSet<String> = blocks.iter().cloned().collect();
        self.wire_internal(&blocks, &set, count, offset);
        let (entries, terminals) = self.boundary(&blocks, count, offset);
        let (start, end) = (
            ids::parallel_start(parallel_id),
            ids::parallel_end(parallel_id),
        );
        if self.dag.nodes.contains_key(&start) && self.dag.nodes.contains_key(&end) {
            if let Some(s) = self.dag.nodes.get_mut(&start) {
                s.outgoing.clear();
            }
            if let Some(e) = self.dag.nodes.get_mut(&end) {
                e.incoming.clear();
            }
            for entry in &entries {
                if self.dag.nodes.contains_key(entry) {
                    self.dag.add_edge(&start, entry, None, None, true);
                }
            }
            for terminal in &terminals {
                if self.dag.nodes.contains_key(terminal) {
                    let handle = if ids::is_loop_sentinel(terminal) {
                        Some(dag::LOOP_EXIT)
                    } else if ids::is_parallel_sentinel(terminal) {
                        Some(dag::PARALLEL_EXIT)
                    } else {
                        None
                    };
                    self.dag.add_edge(terminal, &end, handle, None, true);
                }
            }
        }
        (clones, branch_nodes)
    }

    /// `resolveOriginalChildBoundaryId`.
    fn original_boundary(&self, block: &str, start: bool) -> String {
        match self.dag.kind_of(block) {
            Some(Kind::Parallel) => {
                if start {
                    ids::parallel_start(block)
                } else {
                    ids::parallel_end(block)
                }
            }
            Some(Kind::Loop) => {
                if start {
                    ids::loop_start(block)
                } else {
                    ids::loop_end(block)
                }
            }
            None => ids::branch_node(block, 0),
        }
    }

    /// `resolveBranchChildBoundaryId`.
    fn branch_boundary(&self, block: &str, local: usize, global: usize, start: bool) -> String {
        let Some(kind) = self.dag.kind_of(block) else {
            return ids::branch_node(block, local);
        };
        let effective = if global == 0 {
            block.to_string()
        } else {
            ids::outer_scoped(block, global)
        };
        match kind {
            Kind::Parallel => {
                if start {
                    ids::parallel_start(&effective)
                } else {
                    ids::parallel_end(&effective)
                }
            }
            Kind::Loop => {
                if start {
                    ids::loop_start(&effective)
                } else {
                    ids::loop_end(&effective)
                }
            }
        }
    }

    /// `collectInternalEdgeTopology`: (source block, target block, handle).
    fn topology(
        &self,
        blocks: &[String],
        set: &HashSet<String>,
    ) -> Vec<(String, String, Option<String>)> {
        let mut out = Vec::new();
        for block in blocks {
            let Some(source) = self.dag.nodes.get(&self.original_boundary(block, false)) else {
                continue;
            };
            for edge in source.outgoing.values() {
                if dag::is_back_handle(edge.handle.as_deref()) {
                    continue;
                }
                let boundary = ids::base_of(&ids::normalize_node_id(&edge.target)).to_string();
                let target = if set.contains(&boundary) {
                    boundary
                } else {
                    ids::strip_outer(&boundary)
                };
                if set.contains(&target) {
                    out.push((block.clone(), target, edge.handle.clone()));
                }
            }
        }
        out
    }

    fn wire_internal(
        &mut self,
        blocks: &[String],
        set: &HashSet<String>,
        count: usize,
        offset: usize,
    ) {
        let topology = self.topology(blocks, set);
        let mut cleaned: HashSet<String> = HashSet::new();
        for (source_block, target_block, handle) in &topology {
            for i in 0..count {
                let global = offset + i;
                let source = self.branch_boundary(source_block, i, global, false);
                let target = self.branch_boundary(target_block, i, global, true);
                if !self.dag.nodes.contains_key(&source) || !self.dag.nodes.contains_key(&target) {
                    continue;
                }
                if cleaned.insert(source.clone()) {
                    // clearStaleInternalEdges
                    let stale: Vec<(String, String)> = self.dag.nodes[&source]
                        .outgoing
                        .iter()
                        .filter(|(_, e)| {
                            set.contains(&ids::strip_outer(&ids::normalize_node_id(&e.target)))
                        })
                        .map(|(k, e)| (k.clone(), e.target.clone()))
                        .collect();
                    for (key, t) in stale {
                        if let Some(n) = self.dag.nodes.get_mut(&source) {
                            n.outgoing.shift_remove(&key);
                        }
                        if let Some(n) = self.dag.nodes.get_mut(&t) {
                            n.incoming.shift_remove(&source);
                        }
                    }
                }
                self.dag
                    .add_edge(&source, &target, handle.as_deref(), None, true);
            }
        }
    }

    /// `identifyBoundaryNodes`: entry and terminal nodes of every branch of the batch.
    fn boundary(
        &self,
        blocks: &[String],
        count: usize,
        offset: usize,
    ) -> (Vec<String>, Vec<String>) {
        let set: HashSet<String> = blocks.iter().cloned().collect();
        let topology = self.topology(blocks, &set);
        let with_in: HashSet<&String> = topology.iter().map(|t| &t.1).collect();
        let with_out: HashSet<&String> = topology.iter().map(|t| &t.0).collect();
        let (mut entries, mut terminals) = (Vec::new(), Vec::new());
        for block in blocks {
            for i in 0..count {
                let global = offset + i;
                if !with_in.contains(block) {
                    entries.push(self.branch_boundary(block, i, global, true));
                }
                if !with_out.contains(block) {
                    terminals.push(self.branch_boundary(block, i, global, false));
                }
            }
        }
        (entries, terminals)
    }

    /// `cloneSubflowGraph`: a nested container's whole graph under `cloned`.
    fn clone_subflow(
        &mut self,
        original: &str,
        cloned: &str,
        outer: usize,
        clones: &mut Vec<(String, String, usize)>,
    ) -> IndexMap<String, String> {
        let is_parallel = self.dag.parallels.contains_key(original);
        let children: Vec<String> = self.dag.nodes_of(original).to_vec();
        let mut id_map: IndexMap<String, String> = IndexMap::new();
        let (orig_start, orig_end, new_start, new_end) = if is_parallel {
            (
                ids::parallel_start(original),
                ids::parallel_end(original),
                ids::parallel_start(cloned),
                ids::parallel_end(cloned),
            )
        } else {
            (
                ids::loop_start(original),
                ids::loop_end(original),
                ids::loop_start(cloned),
                ids::loop_end(cloned),
            )
        };
        id_map.insert(orig_start.clone(), new_start);
        id_map.insert(orig_end.clone(), new_end);
        let mut cloned_children = Vec::new();
        for child in &children {
            let new_id = ids::pre_clone_id(child, outer, cloned);
            cloned_children.push(new_id.clone());
            if self.dag.kind_of(child).is_some() {
                let inner = self.clone_subflow(child, &new_id, outer, clones);
                id_map.extend(inner);
                clones.push((new_id, child.clone(), outer));
            } else if is_parallel {
                id_map.insert(ids::branch_node(child, 0), ids::branch_node(&new_id, 0));
            } else {
                id_map.insert(child.clone(), new_id);
            }
        }
        if is_parallel {
            if let Some(mut c) = self.dag.parallels.get(original).cloned() {
                c.id = cloned.to_string();
                c.nodes = cloned_children;
                self.dag.parallels.insert(cloned.to_string(), c);
            }
        } else if let Some(mut c) = self.dag.loops.get(original).cloned() {
            c.id = cloned.to_string();
            c.nodes = cloned_children;
            self.dag.loops.insert(cloned.to_string(), c);
        }
        let mut originals = vec![orig_start, orig_end];
        for child in &children {
            if self.dag.kind_of(child).is_none() {
                originals.push(if is_parallel {
                    ids::branch_node(child, 0)
                } else {
                    child.clone()
                });
            }
        }
        let kind = if is_parallel {
            Kind::Parallel
        } else {
            Kind::Loop
        };
        for orig in originals {
            let (Some(node), Some(new_id)) = (
                self.dag.nodes.get(&orig).cloned(),
                id_map.get(&orig).cloned(),
            ) else {
                continue;
            };
            let copy = Node {
                id: new_id.clone(),
                subflow: Some((cloned.to_string(), kind)),
                incoming: IndexSet::new(),
                outgoing: IndexMap::new(),
                ..node
            };
            self.dag.nodes.insert(new_id, copy);
        }
        // remapClonedEdges
        for (orig, new_id) in &id_map {
            let Some(node) = self.dag.nodes.get(orig).cloned() else {
                continue;
            };
            if !self.dag.nodes.contains_key(new_id) {
                continue;
            }
            let mut outgoing = IndexMap::new();
            for edge in node.outgoing.values() {
                let Some(target) = id_map.get(&edge.target) else {
                    continue;
                };
                let key = match &edge.handle {
                    Some(h) => format!("{new_id}→{target}-{h}"),
                    None => format!("{new_id}→{target}"),
                };
                outgoing.insert(
                    key,
                    dag::DagEdge {
                        target: target.clone(),
                        handle: edge.handle.clone(),
                        edge_id: edge.edge_id.clone(),
                    },
                );
            }
            let incoming: IndexSet<String> = node
                .incoming
                .iter()
                .filter_map(|i| id_map.get(i).cloned())
                .collect();
            if let Some(copy) = self.dag.nodes.get_mut(new_id) {
                copy.outgoing = outgoing;
                copy.incoming = incoming;
            }
        }
        id_map
    }

    /// `collectAllLoopNodeIds` / `collectAllParallelNodeIds`: every DAG node of a container,
    /// nested containers, branch copies and clones included.
    fn container_node_ids(
        &self,
        container: &str,
        visited: &mut HashSet<String>,
    ) -> HashSet<String> {
        let mut out = HashSet::new();
        if !visited.insert(container.to_string()) {
            return out;
        }
        let Some(kind) = self.dag.kind_of(container) else {
            return out;
        };
        match kind {
            Kind::Loop => {
                out.insert(ids::loop_start(container));
                out.insert(ids::loop_end(container));
            }
            Kind::Parallel => {
                out.insert(ids::parallel_start(container));
                out.insert(ids::parallel_end(container));
            }
        }
        for child in self.dag.nodes_of(container).to_vec() {
            if self.dag.kind_of(&child).is_some() {
                out.extend(self.container_node_ids(&child, visited));
                let (obranch, clone) = (format!("{child}__obranch-"), format!("{child}__clone"));
                let clones: Vec<String> = self
                    .dag
                    .loops
                    .keys()
                    .chain(self.dag.parallels.keys())
                    .filter(|k| k.starts_with(&obranch) || k.starts_with(&clone))
                    .cloned()
                    .collect();
                for c in clones {
                    out.extend(self.container_node_ids(&c, visited));
                }
            } else {
                out.insert(child.clone());
                if kind == Kind::Parallel {
                    let prefix = format!("{child}₍");
                    out.extend(
                        self.dag
                            .nodes
                            .keys()
                            .filter(|k| k.starts_with(&prefix))
                            .cloned(),
                    );
                }
            }
        }
        out
    }

    /// A loop going round again: `clearLoopExecutionState` (the body may run again, nested
    /// containers start over) then `restoreLoopEdges`.
    pub(super) fn reset_loop(&mut self, loop_id: &str) {
        let nodes = self.container_node_ids(loop_id, &mut HashSet::new());
        for n in &nodes {
            self.store.unmark_executed(n);
        }
        self.reset_nested(loop_id, &mut HashSet::new());
        self.restore_loop_edges(&nodes);
    }

    fn reset_nested(&mut self, container: &str, visited: &mut HashSet<String>) {
        if !visited.insert(container.to_string()) {
            return;
        }
        for child in self.dag.nodes_of(container).to_vec() {
            let Some(kind) = self.dag.kind_of(&child) else {
                continue;
            };
            match kind {
                Kind::Loop => {
                    self.loops.remove(&child);
                }
                Kind::Parallel => {
                    self.parallels.remove(&child);
                }
            }
            let (obranch, clone) = (format!("{child}__obranch-"), format!("{child}__clone"));
            let doomed: Vec<String> = self
                .loops
                .keys()
                .chain(self.parallels.keys())
                .filter(|k| k.starts_with(&obranch) || k.starts_with(&clone))
                .cloned()
                .collect();
            for d in doomed {
                self.loops.remove(&d);
                self.parallels.remove(&d);
                self.parents.shift_remove(&d);
            }
            self.reset_nested(&child, visited);
        }
    }

    /// `restoreLoopEdges`: the body's deactivated edges cleared and its incoming edges back.
    fn restore_loop_edges(&mut self, nodes: &HashSet<String>) {
        self.edges.clear_for_nodes(nodes);
        let mut restore: Vec<(String, String)> = Vec::new();
        for source in nodes {
            let Some(node) = self.dag.nodes.get(source) else {
                continue;
            };
            for edge in node.outgoing.values() {
                if !nodes.contains(&edge.target) || !self.dag.nodes.contains_key(&edge.target) {
                    continue;
                }
                // `isSubflowStartExitBypassEdge`: a container's own start -> end exit edge.
                let own_exit = |prefix: &str| {
                    source.starts_with(prefix)
                        && source.ends_with("-sentinel-start")
                        && edge.target.len() == source.len() - 2
                        && edge.target.strip_suffix("-sentinel-end")
                            == source.strip_suffix("-sentinel-start")
                };
                let bypass = match edge.handle.as_deref() {
                    Some(dag::LOOP_EXIT) => own_exit("loop-"),
                    Some(dag::PARALLEL_EXIT) => own_exit("parallel-"),
                    _ => false,
                };
                if !bypass && !dag::is_back_handle(edge.handle.as_deref()) {
                    restore.push((edge.target.clone(), source.clone()));
                }
            }
        }
        for (target, source) in restore {
            if let Some(n) = self.dag.nodes.get_mut(&target) {
                n.incoming.insert(source);
            }
        }
    }
}
