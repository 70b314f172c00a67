//! The execution graph Sim v0.8.9 builds before a run (`executor/dag/builder.ts` and
//! `dag/construction/*.ts`): only enabled blocks reachable from the trigger take part
//! (`PathConstructor`); each loop and parallel becomes a pair of sentinel nodes; blocks inside a
//! parallel become branch-zero template nodes (`x₍0₎`) that each batch expands; edges are wired
//! as `EdgeConstructor` wires them — handle-less edges out of a condition (and router_v2 edges
//! whose handle is not `router-*`) take the branch at their position, legacy routers route by
//! target id, edges that cross a loop boundary or leave a parallel are dropped, and each
//! container gets its entry, exit, bypass and continue edges.

use super::ids;
use crate::sim::branches::parse_branches;
use crate::sim::containers::{derive_loop, derive_parallel};
use crate::sim::{BlockFamily, WorkflowState};
use indexmap::{IndexMap, IndexSet};
use serde_json::Value;
use std::collections::{HashMap, HashSet, VecDeque};

pub const LOOP_CONTINUE: &str = "loop_continue";
pub const LOOP_CONTINUE_ALT: &str = "loop-continue-source";
pub const LOOP_EXIT: &str = "loop_exit";
pub const PARALLEL_CONTINUE: &str = "parallel_continue";
pub const PARALLEL_EXIT: &str = "parallel_exit";

/// `SUBFLOW_CONTROL_EDGE_HANDLES`.
pub fn is_control_handle(handle: Option<&str>) -> bool {
    matches!(
        handle,
        Some(LOOP_CONTINUE | LOOP_CONTINUE_ALT | LOOP_EXIT | PARALLEL_CONTINUE | PARALLEL_EXIT)
    )
}

/// `CONTROL_BACK_EDGE_HANDLES`.
pub fn is_back_handle(handle: Option<&str>) -> bool {
    matches!(
        handle,
        Some(LOOP_CONTINUE | LOOP_CONTINUE_ALT | PARALLEL_CONTINUE)
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Loop,
    Parallel,
}

#[derive(Debug, Clone)]
pub struct DagEdge {
    pub target: String,
    /// The handle as written on the workflow edge (or the one the builder derived).
    pub handle: Option<String>,
    /// The workflow edge this DAG edge stands for, when there is one.
    pub edge_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    /// The workflow block this node runs; none for sentinels.
    pub block: Option<String>,
    /// `Some(true)` for a sentinel start, `Some(false)` for an end.
    pub sentinel: Option<bool>,
    /// The (possibly cloned) container this node belongs to.
    pub subflow: Option<(String, Kind)>,
    pub is_parallel_branch: bool,
    pub branch_index: Option<usize>,
    pub branch_total: Option<i64>,
    pub original_block_id: Option<String>,
    pub incoming: IndexSet<String>,
    pub outgoing: IndexMap<String, DagEdge>,
}

#[derive(Debug, Clone)]
pub struct LoopConfig {
    pub id: String,
    pub nodes: Vec<String>,
    pub loop_type: String,
    pub iterations: Option<f64>,
    pub for_each_items: Value,
    pub while_condition: String,
    pub do_while_condition: String,
}

#[derive(Debug, Clone)]
pub struct ParallelConfig {
    pub id: String,
    pub nodes: Vec<String>,
    pub parallel_type: String,
    pub count: Option<f64>,
    pub distribution: Value,
    pub batch_size: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct Dag {
    pub nodes: IndexMap<String, Node>,
    pub loops: IndexMap<String, LoopConfig>,
    pub parallels: IndexMap<String, ParallelConfig>,
}

/// One workflow edge as the serializer hands it to the executor: `sourceHandle || undefined`.
struct Connection<'a> {
    id: &'a str,
    source: &'a str,
    target: &'a str,
    handle: Option<&'a str>,
}

impl Dag {
    /// `addEdge`: keyed `source→target[-handle]` (a repeated key keeps its place).
    pub fn add_edge(
        &mut self,
        source: &str,
        target: &str,
        handle: Option<&str>,
        edge_id: Option<&str>,
        register_incoming: bool,
    ) {
        if !self.nodes.contains_key(source) || !self.nodes.contains_key(target) {
            return;
        }
        let key = match handle {
            Some(h) => format!("{source}→{target}-{h}"),
            None => format!("{source}→{target}"),
        };
        if let Some(node) = self.nodes.get_mut(source) {
            node.outgoing.insert(
                key,
                DagEdge {
                    target: target.to_string(),
                    handle: handle.map(str::to_string),
                    edge_id: edge_id.map(str::to_string),
                },
            );
        }
        if register_incoming {
            if let Some(node) = self.nodes.get_mut(target) {
                node.incoming.insert(source.to_string());
            }
        }
    }

    fn sentinel(id: String, container: &str, kind: Kind, start: bool) -> Node {
        Node {
            id,
            block: None,
            sentinel: Some(start),
            subflow: Some((container.to_string(), kind)),
            is_parallel_branch: false,
            branch_index: None,
            branch_total: None,
            original_block_id: None,
            incoming: IndexSet::new(),
            outgoing: IndexMap::new(),
        }
    }

    pub fn kind_of(&self, id: &str) -> Option<Kind> {
        if self.loops.contains_key(id) {
            Some(Kind::Loop)
        } else if self.parallels.contains_key(id) {
            Some(Kind::Parallel)
        } else {
            None
        }
    }

    pub fn nodes_of(&self, container: &str) -> &[String] {
        if let Some(l) = self.loops.get(container) {
            return &l.nodes;
        }
        self.parallels
            .get(container)
            .map(|p| p.nodes.as_slice())
            .unwrap_or(&[])
    }

    fn start_of(&self, id: &str) -> Option<String> {
        match self.kind_of(id)? {
            Kind::Loop => Some(ids::loop_start(id)),
            Kind::Parallel => Some(ids::parallel_start(id)),
        }
    }

    fn end_of(&self, id: &str) -> Option<String> {
        match self.kind_of(id)? {
            Kind::Loop => Some(ids::loop_end(id)),
            Kind::Parallel => Some(ids::parallel_end(id)),
        }
    }

    /// `addSubflowStartExitBypass`: start → end on the exit handle, not registered as incoming.
    pub fn add_bypass(&mut self, container: &str) {
        let (start, end, handle) = match self.kind_of(container) {
            Some(Kind::Parallel) => (
                ids::parallel_start(container),
                ids::parallel_end(container),
                PARALLEL_EXIT,
            ),
            Some(Kind::Loop) => (
                ids::loop_start(container),
                ids::loop_end(container),
                LOOP_EXIT,
            ),
            None => return,
        };
        if self.nodes.contains_key(&start) && self.nodes.contains_key(&end) {
            self.add_edge(&start, &end, Some(handle), None, false);
        }
    }

    /// The parallel that directly holds a block (`getParallelId`).
    fn parallel_of(&self, block: &str) -> Option<&str> {
        self.parallels
            .iter()
            .find(|(_, p)| p.nodes.iter().any(|n| n == block))
            .map(|(id, _)| id.as_str())
    }

    /// The innermost loop holding a block.
    pub fn innermost_loop(&self, block: &str) -> Option<String> {
        let candidates: Vec<&String> = self
            .loops
            .iter()
            .filter(|(_, l)| l.nodes.iter().any(|n| n == block))
            .map(|(id, _)| id)
            .collect();
        if candidates.len() <= 1 {
            return candidates.first().map(|s| s.to_string());
        }
        candidates
            .iter()
            .find(|c| {
                candidates.iter().all(|o| {
                    o == *c
                        || !self
                            .loops
                            .get(c.as_str())
                            .is_some_and(|cfg| cfg.nodes.contains(o))
                })
            })
            .map(|s| s.to_string())
    }
}

fn number_of(n: Option<&serde_json::Number>) -> Option<f64> {
    n.and_then(serde_json::Number::as_f64)
}

fn is_metadata_only(block_type: &str) -> bool {
    matches!(block_type, "loop" | "parallel" | "note")
}

/// Builds the DAG of a run from `trigger`. An error is a structure Sim refuses before running.
pub fn build(state: &WorkflowState, trigger: &str) -> Result<Dag, String> {
    let mut dag = Dag::default();
    for block in state.blocks.values() {
        match BlockFamily::of_type(&block.block_type) {
            BlockFamily::Loop => {
                let l = derive_loop(state, block);
                dag.loops.insert(
                    block.id.clone(),
                    LoopConfig {
                        id: block.id.clone(),
                        nodes: l.nodes.clone(),
                        loop_type: l.loop_type.get().cloned().unwrap_or_else(|| "for".into()),
                        iterations: number_of(l.iterations.get()),
                        for_each_items: l.for_each_items.get().cloned().unwrap_or(Value::Null),
                        while_condition: l.while_condition.get().cloned().unwrap_or_default(),
                        do_while_condition: l.do_while_condition.get().cloned().unwrap_or_default(),
                    },
                );
            }
            BlockFamily::Parallel => {
                let p = derive_parallel(state, block);
                dag.parallels.insert(
                    block.id.clone(),
                    ParallelConfig {
                        id: block.id.clone(),
                        nodes: p.nodes.clone(),
                        parallel_type: p
                            .parallel_type
                            .get()
                            .cloned()
                            .unwrap_or_else(|| "count".into()),
                        count: number_of(p.count.get()),
                        distribution: p.distribution.get().cloned().unwrap_or(Value::Null),
                        batch_size: number_of(p.batch_size.get()),
                    },
                );
            }
            _ => {}
        }
    }
    let connections: Vec<Connection> = state
        .edges
        .iter()
        .map(|e| Connection {
            id: &e.id,
            source: &e.source,
            target: &e.target,
            handle: e
                .source_handle
                .get()
                .map(String::as_str)
                .filter(|h| !h.is_empty()),
        })
        .collect();

    // PathConstructor: breadth-first over enabled blocks from the trigger.
    let enabled: HashSet<&str> = state
        .blocks
        .values()
        .filter(|b| b.enabled)
        .map(|b| b.id.as_str())
        .collect();
    let mut adjacency: HashMap<&str, Vec<&str>> = HashMap::new();
    for c in &connections {
        if enabled.contains(c.source) && enabled.contains(c.target) {
            adjacency.entry(c.source).or_default().push(c.target);
        }
    }
    let mut reachable: HashSet<String> = HashSet::from([trigger.to_string()]);
    let mut queue = VecDeque::from([trigger]);
    while let Some(current) = queue.pop_front() {
        for next in adjacency.get(current).into_iter().flatten() {
            if reachable.insert(next.to_string()) {
                queue.push_back(next);
            }
        }
    }

    // LoopConstructor / ParallelConstructor: sentinel pairs for reachable containers.
    let loop_ids: Vec<String> = dag.loops.keys().cloned().collect();
    for id in &loop_ids {
        if !reachable.contains(id) {
            continue;
        }
        let config = dag.loops.get_mut(id).expect("loop");
        if !config.nodes.iter().any(|n| reachable.contains(n)) {
            config.nodes.clear();
        }
        dag.nodes.insert(
            ids::loop_start(id),
            Dag::sentinel(ids::loop_start(id), id, Kind::Loop, true),
        );
        dag.nodes.insert(
            ids::loop_end(id),
            Dag::sentinel(ids::loop_end(id), id, Kind::Loop, false),
        );
    }
    let parallel_ids: Vec<String> = dag.parallels.keys().cloned().collect();
    for id in &parallel_ids {
        if !reachable.contains(id) {
            continue;
        }
        let config = dag.parallels.get_mut(id).expect("parallel");
        if !config.nodes.iter().any(|n| reachable.contains(n)) {
            config.nodes.clear();
        }
        dag.nodes.insert(
            ids::parallel_start(id),
            Dag::sentinel(ids::parallel_start(id), id, Kind::Parallel, true),
        );
        dag.nodes.insert(
            ids::parallel_end(id),
            Dag::sentinel(ids::parallel_end(id), id, Kind::Parallel, false),
        );
    }

    // NodeConstructor.
    let blocks_in_loops: HashSet<String> = dag
        .loops
        .values()
        .flat_map(|l| l.nodes.iter())
        .filter(|n| reachable.contains(*n))
        .cloned()
        .collect();
    let blocks_in_parallels: HashSet<String> = dag
        .parallels
        .values()
        .flat_map(|p| p.nodes.iter())
        .filter(|n| reachable.contains(*n))
        .cloned()
        .collect();
    for block in state.blocks.values() {
        if !block.enabled || !reachable.contains(&block.id) || is_metadata_only(&block.block_type) {
            continue;
        }
        if let Some(parallel) = dag.parallel_of(&block.id).map(str::to_string) {
            let id = ids::branch_node(&block.id, 0);
            dag.nodes.insert(
                id.clone(),
                Node {
                    id,
                    block: Some(block.id.clone()),
                    sentinel: None,
                    subflow: Some((parallel, Kind::Parallel)),
                    is_parallel_branch: true,
                    branch_index: Some(0),
                    branch_total: Some(1),
                    original_block_id: Some(block.id.clone()),
                    incoming: IndexSet::new(),
                    outgoing: IndexMap::new(),
                },
            );
        } else {
            let in_loop = blocks_in_loops.contains(&block.id);
            let loop_id = if in_loop {
                dag.innermost_loop(&block.id)
            } else {
                None
            };
            dag.nodes.insert(
                block.id.clone(),
                Node {
                    id: block.id.clone(),
                    block: Some(block.id.clone()),
                    sentinel: None,
                    subflow: loop_id.map(|l| (l, Kind::Loop)),
                    is_parallel_branch: false,
                    branch_index: None,
                    branch_total: None,
                    original_block_id: Some(block.id.clone()),
                    incoming: IndexSet::new(),
                    outgoing: IndexMap::new(),
                },
            );
        }
    }

    // EdgeConstructor.
    wire_regular_edges(
        state,
        &mut dag,
        &connections,
        &reachable,
        &blocks_in_loops,
        &blocks_in_parallels,
    );
    wire_loop_sentinels(&mut dag);
    wire_parallel_sentinels(&mut dag);

    // validateSubflowStructure.
    for (label, kind) in [("Loop", Kind::Loop), ("Parallel", Kind::Parallel)] {
        let containers: Vec<(String, Vec<String>)> = match kind {
            Kind::Loop => dag
                .loops
                .iter()
                .map(|(k, v)| (k.clone(), v.nodes.clone()))
                .collect(),
            Kind::Parallel => dag
                .parallels
                .iter()
                .map(|(k, v)| (k.clone(), v.nodes.clone()))
                .collect(),
        };
        for (id, nodes) in containers {
            let start = if kind == Kind::Loop {
                ids::loop_start(&id)
            } else {
                ids::parallel_start(&id)
            };
            let Some(start_node) = dag.nodes.get(&start) else {
                continue;
            };
            if nodes.is_empty() {
                continue;
            }
            let connected = start_node
                .outgoing
                .values()
                .any(|e| nodes.contains(&ids::normalize_node_id(&e.target)));
            if !connected {
                let lower = label.to_lowercase();
                return Err(format!("{label} start is not connected to any blocks. Connect a block to the {lower} start."));
            }
        }
    }
    Ok(dag)
}

/// `generateSourceHandle`.
fn source_handle<'a>(
    state: &WorkflowState,
    connections: &[Connection<'a>],
    c: &Connection<'a>,
) -> Option<String> {
    let mut handle = c.handle.map(str::to_string);
    let source_type = state
        .blocks
        .get(c.source)
        .map(|b| b.block_type.as_str())
        .unwrap_or("");
    let position = || {
        connections
            .iter()
            .filter(|o| o.source == c.source)
            .position(|o| o.target == c.target)
    };
    if handle.is_none() && source_type == "condition" {
        let conditions = parse_branches(
            state
                .blocks
                .get(c.source)
                .and_then(|b| b.sub_value("conditions")),
        );
        if let Some(i) = position().filter(|i| *i < conditions.len()) {
            handle = Some(format!("condition-{}", conditions[i].id));
        }
    }
    if source_type == "router_v2" {
        let ok = handle
            .as_deref()
            .is_some_and(|h| h.starts_with("router-") || h == "error");
        if !ok {
            let routes = parse_branches(
                state
                    .blocks
                    .get(c.source)
                    .and_then(|b| b.sub_value("routes")),
            );
            if let Some(i) = position().filter(|i| *i < routes.len()) {
                handle = Some(format!("router-{}", routes[i].id));
            }
        }
    }
    if source_type == "router" && handle.as_deref() != Some("error") {
        handle = Some(format!("router-{}", c.target));
    }
    handle
}

fn wire_regular_edges(
    state: &WorkflowState,
    dag: &mut Dag,
    connections: &[Connection],
    reachable: &HashSet<String>,
    blocks_in_loops: &HashSet<String>,
    blocks_in_parallels: &HashSet<String>,
) {
    for c in connections {
        let (orig_source, orig_target) = (c.source, c.target);
        let mut handle = source_handle(state, connections, c);
        let mut source = orig_source.to_string();
        let mut target = orig_target.to_string();

        // Within one parallel: template to template (containers by their sentinels).
        let same_parallel = dag
            .parallel_of(orig_source)
            .is_some_and(|p| Some(p) == dag.parallel_of(orig_target));
        if same_parallel {
            let from = dag
                .end_of(orig_source)
                .unwrap_or_else(|| ids::branch_node(orig_source, 0));
            let to = dag
                .start_of(orig_target)
                .unwrap_or_else(|| ids::branch_node(orig_target, 0));
            let h = match dag.kind_of(orig_source) {
                Some(Kind::Parallel) => Some(PARALLEL_EXIT.to_string()),
                Some(Kind::Loop) => Some(LOOP_EXIT.to_string()),
                None => handle.clone(),
            };
            dag.add_edge(&from, &to, h.as_deref(), Some(c.id), true);
            dag.add_bypass(orig_source);
            continue;
        }
        let source_is_loop = dag.loops.contains_key(orig_source);
        let source_is_parallel = dag.parallels.contains_key(orig_source);
        if source_is_loop {
            let (end, start) = (ids::loop_end(orig_source), ids::loop_start(orig_source));
            if !dag.nodes.contains_key(&end) || !dag.nodes.contains_key(&start) {
                continue;
            }
            source = end;
            handle = Some(LOOP_EXIT.into());
            dag.add_bypass(orig_source);
        }
        if dag.loops.contains_key(orig_target) {
            let start = ids::loop_start(orig_target);
            if !dag.nodes.contains_key(&start) {
                continue;
            }
            target = start;
        }
        if source_is_parallel {
            if dag
                .parallels
                .get(orig_source)
                .is_some_and(|p| p.nodes.iter().any(|n| n == orig_target))
            {
                continue;
            }
            let end = ids::parallel_end(orig_source);
            if !dag.nodes.contains_key(&end) {
                continue;
            }
            source = end;
            handle = Some(PARALLEL_EXIT.into());
        }
        if dag.parallels.contains_key(orig_target) {
            let start = ids::parallel_start(orig_target);
            if !dag.nodes.contains_key(&start) {
                continue;
            }
            target = start;
        }
        if source_is_parallel {
            dag.add_bypass(orig_source);
        }
        // edgeCrossesLoopBoundary: edges leaving or entering a loop (error edges included).
        let (s_in, t_in) = (
            blocks_in_loops.contains(orig_source),
            blocks_in_loops.contains(orig_target),
        );
        if s_in != t_in
            || (s_in && dag.innermost_loop(orig_source) != dag.innermost_loop(orig_target))
        {
            continue;
        }
        let known = |id: &str| reachable.contains(id) || dag.nodes.contains_key(id);
        if !known(&source) || !known(&target) {
            continue;
        }
        let (s_par, t_par) = (
            blocks_in_parallels.contains(&source),
            blocks_in_parallels.contains(&target),
        );
        if s_par && t_par {
            if dag.parallel_of(&source) == dag.parallel_of(&target) {
                let (from, to) = (ids::branch_node(&source, 0), ids::branch_node(&target, 0));
                dag.add_edge(&from, &to, handle.as_deref(), Some(c.id), true);
            }
        } else if s_par || t_par {
            // An edge between a parallel's inside and its outside is never wired.
        } else {
            dag.add_edge(&source, &target, handle.as_deref(), Some(c.id), true);
        }
    }
}

/// A loop child's DAG node on one side: a nested container's sentinel, else the block's node.
fn loop_child(dag: &Dag, id: &str, start: bool) -> String {
    match dag.kind_of(id) {
        Some(Kind::Loop) => {
            if start {
                ids::loop_start(id)
            } else {
                ids::loop_end(id)
            }
        }
        Some(Kind::Parallel) => {
            if start {
                ids::parallel_start(id)
            } else {
                ids::parallel_end(id)
            }
        }
        None => id.to_string(),
    }
}

fn wire_loop_sentinels(dag: &mut Dag) {
    let loops: Vec<(String, Vec<String>)> = dag
        .loops
        .iter()
        .map(|(k, v)| (k.clone(), v.nodes.clone()))
        .collect();
    for (loop_id, nodes) in loops {
        if nodes.is_empty() {
            continue;
        }
        let (start, end) = (ids::loop_start(&loop_id), ids::loop_end(&loop_id));
        if !dag.nodes.contains_key(&start) || !dag.nodes.contains_key(&end) {
            continue;
        }
        dag.add_bypass(&loop_id);
        let mut effective: HashSet<String> = HashSet::new();
        for n in &nodes {
            match dag.kind_of(n) {
                Some(_) => {
                    effective.insert(loop_child(dag, n, true));
                    effective.insert(loop_child(dag, n, false));
                }
                None => {
                    effective.insert(n.clone());
                }
            }
        }
        let mut starts: IndexSet<String> = IndexSet::new();
        let mut terminals: IndexSet<String> = IndexSet::new();
        for n in &nodes {
            let Some(node) = dag.nodes.get(&loop_child(dag, n, true)) else {
                continue;
            };
            if !node.incoming.iter().any(|i| effective.contains(i)) {
                starts.insert(n.clone());
            }
        }
        for n in &nodes {
            let Some(node) = dag.nodes.get(&loop_child(dag, n, false)) else {
                continue;
            };
            if !node
                .outgoing
                .values()
                .any(|e| !is_back_handle(e.handle.as_deref()) && effective.contains(&e.target))
            {
                terminals.insert(n.clone());
            }
        }
        for s in &starts {
            let to = loop_child(dag, s, true);
            dag.add_edge(&start, &to, None, None, true);
        }
        for t in &terminals {
            let from = loop_child(dag, t, false);
            if from != *t {
                let handle = if dag.parallels.contains_key(t) {
                    PARALLEL_EXIT
                } else {
                    LOOP_EXIT
                };
                dag.add_edge(&from, &end, Some(handle), None, true);
                dag.add_bypass(t);
            } else {
                dag.add_edge(&from, &end, None, None, true);
            }
        }
        dag.add_edge(&end, &start, Some(LOOP_CONTINUE), None, false);
    }
}

/// A parallel child's start- and end-facing nodes (`resolveParallelChildNodes`).
fn parallel_child(dag: &Dag, id: &str, start: bool) -> String {
    match dag.kind_of(id) {
        Some(_) => loop_child(dag, id, start),
        None => ids::branch_node(id, 0),
    }
}

fn wire_parallel_sentinels(dag: &mut Dag) {
    let parallels: Vec<(String, Vec<String>)> = dag
        .parallels
        .iter()
        .map(|(k, v)| (k.clone(), v.nodes.clone()))
        .collect();
    for (parallel_id, nodes) in parallels {
        if nodes.is_empty() {
            continue;
        }
        let (start, end) = (
            ids::parallel_start(&parallel_id),
            ids::parallel_end(&parallel_id),
        );
        if !dag.nodes.contains_key(&start) || !dag.nodes.contains_key(&end) {
            continue;
        }
        dag.add_bypass(&parallel_id);
        let set: HashSet<&String> = nodes.iter().collect();
        let mut entries = Vec::new();
        let mut terminals = Vec::new();
        for n in &nodes {
            let start_node = dag.nodes.get(&parallel_child(dag, n, true));
            let end_node = dag.nodes.get(&parallel_child(dag, n, false));
            if start_node.is_none() && end_node.is_none() {
                continue;
            }
            if let Some(s) = start_node {
                if !s
                    .incoming
                    .iter()
                    .any(|i| set.contains(&ids::normalize_node_id(i)))
                {
                    entries.push(n.clone());
                }
            }
            if let Some(e) = end_node {
                let inside = e.outgoing.values().any(|edge| {
                    !is_back_handle(edge.handle.as_deref())
                        && set.contains(&ids::normalize_node_id(&edge.target))
                });
                if !inside {
                    terminals.push(n.clone());
                }
            }
        }
        for e in &entries {
            let to = parallel_child(dag, e, true);
            if dag.nodes.contains_key(&to) {
                dag.add_edge(&start, &to, None, None, true);
            }
        }
        for t in &terminals {
            let from = parallel_child(dag, t, false);
            if dag.nodes.contains_key(&from) {
                let handle = match dag.kind_of(t) {
                    Some(Kind::Parallel) => Some(PARALLEL_EXIT),
                    Some(Kind::Loop) => Some(LOOP_EXIT),
                    None => None,
                };
                dag.add_edge(&from, &end, handle, None, true);
                if handle.is_some() {
                    dag.add_bypass(t);
                }
            }
        }
        dag.add_edge(&end, &start, Some(PARALLEL_CONTINUE), None, false);
    }
}
