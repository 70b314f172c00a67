//! Sim workflow → Parlant journey.
//!
//! Every enabled block except notes becomes a state with the block's id; every edge between two
//! such blocks becomes a transition with the edge's id. Branch handles become conditions (see
//! `conditions`), containers become cycles, and what the journey cannot express is kept in
//! `metadata.sim` (see docs/convert.md).

use super::carry;
use super::conditions::{self, BranchCache};
use super::mapping::{
    codes, Direction, EdgeMapping, EndMapping, Mapping, NodeMapping, VariableMapping,
};
use super::{block_carrier, edge_carrier, ConvertOptions, PARLANT_KEY};
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::parlant::{
    ContextVariable, EditorData, EditorPosition, JourneyDocument, JourneyEdge, JourneyNode,
    NodeKind, ToolId,
};
use crate::sim::references::normalize_block_name;
use crate::sim::{
    model::number, Block, BlockFamily, Edge, SimDocument, SourceHandle, WorkflowState,
};
use foldhash::{HashMap, HashMapExt, HashSet};
use indexmap::IndexMap;
use serde_json::{json, Value};
use std::cell::OnceCell;

/// Keys split one level when carriers are diffed.
pub(crate) const NODE_NESTED: &[&str] = &["metadata"];
pub(crate) const DOC_NESTED: &[&str] = &["journey", "editor"];

/// What the journey side makes of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Root,
    ExtraTrigger,
    Chat,
    Response,
    Ask,
    Tool,
    Fork,
    Container,
}

impl Role {
    fn of(block: &Block, is_root: bool) -> Role {
        match BlockFamily::of(block) {
            BlockFamily::Trigger if is_root => Role::Root,
            BlockFamily::Trigger => Role::ExtraTrigger,
            BlockFamily::Agent => Role::Chat,
            BlockFamily::Response => Role::Response,
            BlockFamily::HumanInTheLoop => Role::Ask,
            BlockFamily::Condition | BlockFamily::Router => Role::Fork,
            BlockFamily::Loop | BlockFamily::Parallel => Role::Container,
            _ => Role::Tool,
        }
    }

    pub(crate) fn kind(self) -> NodeKind {
        match self {
            Role::Root => NodeKind::Root,
            Role::Tool => NodeKind::Tool,
            Role::Fork | Role::Container => NodeKind::Fork,
            _ => NodeKind::Chat,
        }
    }
}

/// Options of the internal forward pass.
pub(crate) struct Pass<'k> {
    /// Write `metadata.sim` bases (off when the pass only renders, for comparison: its caller
    /// reads the journey alone, so the per-element mapping is not recorded either).
    pub carry_sim: bool,
    /// Apply `data.parlant` carriers (off when computing what a block renders to on its own).
    pub apply_carriers: bool,
    /// States and transitions whose rendering the caller already has (a pass that only renders):
    /// left out of the journey's `nodes` and `edges`, though still part of everything else the
    /// pass derives (editor positions, ends, added transitions).
    pub known: Known<'k>,
}

/// Ids of states (their blocks') and transitions (their edges') not to render (see `Pass`).
#[derive(Clone, Copy, Default)]
pub(crate) struct Known<'k> {
    pub nodes: Option<&'k HashSet<&'k str>>,
    pub edges: Option<&'k HashSet<&'k str>>,
}

impl Known<'_> {
    fn node(&self, id: &str) -> bool {
        self.nodes.is_some_and(|k| k.contains(id))
    }
    fn edge(&self, id: &str) -> bool {
        self.edges.is_some_and(|k| k.contains(id))
    }
}

pub(crate) fn forward(
    doc: &SimDocument,
    opts: &ConvertOptions,
    pass: &Pass<'_>,
) -> Result<(JourneyDocument, Mapping)> {
    Forward::new(doc, opts, pass).run()
}

struct Forward<'a> {
    doc: &'a SimDocument,
    state: &'a WorkflowState,
    opts: &'a ConvertOptions,
    pass: &'a Pass<'a>,
    mapping: Mapping,
    /// Display names by normalised name, made when a condition first needs them.
    names: OnceCell<HashMap<String, String>>,
    /// Blocks that are states.
    kept: HashSet<&'a str>,
    /// Routers made for a conditional chat state: router id → the state's block id.
    merged: HashMap<&'a str, &'a str>,
    root: Option<&'a str>,
    branches: BranchCache,
    /// Blocks with an outgoing `error` edge.
    error_sources: HashSet<&'a str>,
    /// Blocks and edges written into `metadata.sim` (as bases or as left out), and whether each
    /// was written once, unaltered: then the bases describe the whole workflow and the journey
    /// gets a digest (see `digest`).
    carried_blocks: usize,
    carried_edges: usize,
    carried_exactly: bool,
}

impl<'a> Forward<'a> {
    fn new(doc: &'a SimDocument, opts: &'a ConvertOptions, pass: &'a Pass<'a>) -> Self {
        let state = doc.state();
        let kept: HashSet<&str> = state
            .blocks
            .values()
            .filter(|b| b.enabled && BlockFamily::of(b) != BlockFamily::Note)
            .map(|b| b.id.as_str())
            .collect();
        let mut merged = HashMap::new();
        for block in state.blocks.values() {
            let owner = block_carrier(block)
                .and_then(|c| c.get("merged_into"))
                .and_then(Value::as_str);
            if let Some(owner) = owner {
                if block.block_type == "router_v2"
                    && kept.contains(owner)
                    && kept.contains(block.id.as_str())
                    && owner != block.id
                {
                    merged.insert(
                        block.id.as_str(),
                        state.blocks.get(owner).map_or(owner, |b| b.id.as_str()),
                    );
                }
            }
        }
        let triggers = state
            .blocks
            .values()
            .filter(|b| kept.contains(b.id.as_str()) && BlockFamily::of(b) == BlockFamily::Trigger);
        let root = triggers
            .clone()
            .find(|b| b.block_type == "start_trigger" || b.block_type == "starter")
            .or_else(|| triggers.clone().next())
            .map(|b| b.id.as_str());
        Forward {
            doc,
            state,
            opts,
            pass,
            mapping: Mapping::new(Direction::WorkflowToJourney),
            names: OnceCell::new(),
            kept,
            merged,
            root,
            branches: BranchCache::default(),
            error_sources: state
                .edges
                .iter()
                .filter(|e| {
                    SourceHandle::parse(e.source_handle.get().map(String::as_str))
                        == SourceHandle::Error
                })
                .map(|e| e.source.as_str())
                .collect(),
            carried_blocks: 0,
            carried_edges: 0,
            carried_exactly: state.blocks.iter().all(|(key, block)| *key == block.id),
        }
    }

    fn run(mut self) -> Result<(JourneyDocument, Mapping)> {
        let mut dropped_blocks = Vec::new();
        let mut nodes = Vec::with_capacity(self.kept.len() + 1);
        // Every state's id in order, known ones included (they are left out of `nodes`).
        let mut order: Vec<&'a str> = Vec::with_capacity(self.kept.len());
        // State id → its place in `order` (the same as in `nodes` in a pass that carries).
        let mut node_index: HashMap<&str, usize> = HashMap::new();
        for (index, block) in self.state.blocks.values().enumerate() {
            if !self.kept.contains(block.id.as_str()) {
                if BlockFamily::of(block) == BlockFamily::Note {
                    self.mapping.approximate(
                        codes::NOTE_KEPT,
                        &[&block.id],
                        &[],
                        format!(
                            "note `{}` is kept in the journey's `sim` metadata, not as a state",
                            block.name
                        ),
                    );
                } else {
                    self.mapping.approximate(
                        codes::DISABLED_BLOCK,
                        &[&block.id],
                        &[],
                        format!(
                            "block `{}` is disabled and was left out of the journey",
                            block.name
                        ),
                    );
                }
                if self.pass.carry_sim {
                    dropped_blocks.push(object([
                        ("index", index.into()),
                        ("block", to_text(block)?),
                    ]));
                    self.carried_blocks += 1;
                }
                continue;
            }
            if self.merged.contains_key(block.id.as_str()) {
                continue;
            }
            if !self.pass.carry_sim && self.pass.known.node(&block.id) {
                node_index.insert(block.id.as_str(), order.len());
                order.push(block.id.as_str());
                continue;
            }
            let role = Role::of(block, self.root == Some(block.id.as_str()));
            let mut node = self.node(block, role)?;
            if self.pass.carry_sim {
                self.carried_exactly &= !has_sim(&node.metadata);
                super::attach_sim(
                    &mut node.metadata,
                    object([("block", to_text(block)?), ("index", index.into())]),
                );
                self.carried_blocks += 1;
            }
            if self.pass.carry_sim {
                self.mapping.nodes.push(NodeMapping {
                    block_id: block.id.clone(),
                    state_id: node.id.clone(),
                    role: format!("{}->{}", block.block_type, role.kind().as_str()),
                });
            }
            node_index.insert(block.id.as_str(), order.len());
            order.push(block.id.as_str());
            nodes.push(node);
        }

        let (mut edges, ends, dropped_edges) = self.edges(&mut nodes, &node_index)?;
        self.synthetic_edges(&mut nodes, &mut edges, &ends, &order, &node_index)?;
        if self.pass.carry_sim {
            self.check_fanout(&edges);
            // A block with no outgoing edge ends the run; its state, with no transition, ends
            // the journey (Parlant's own form: see `EndMapping`).
            let sources: HashSet<&str> = edges.iter().map(|e| e.source.as_str()).collect();
            for node in &nodes {
                if !sources.contains(node.id.as_str()) && node_index.contains_key(node.id.as_str())
                {
                    self.mapping.ends.push(EndMapping {
                        block_id: node.id.clone(),
                        state_id: node.id.clone(),
                    });
                }
            }
        }

        let mut doc = self.document(nodes, &order, edges, dropped_blocks, dropped_edges)?;
        if self.pass.carry_sim && self.carries_whole_workflow(&doc) {
            let context = super::digest::context(self.state, &self.opts.service_name);
            super::digest::seal(&mut doc, context);
        }
        Ok((doc, self.mapping))
    }

    /// Whether the journey's bases give back exactly this workflow: every block and edge carried
    /// once (and no carrier's own `sim` metadata replaced), every state and transition id unique
    /// (the way back finds bases by id).
    fn carries_whole_workflow(&self, doc: &JourneyDocument) -> bool {
        let unique = |ids: &mut dyn Iterator<Item = &str>, len: usize| {
            ids.collect::<HashSet<&str>>().len() == len
        };
        self.carried_exactly
            && self.carried_blocks == self.state.blocks.len()
            && self.carried_edges == self.state.edges.len()
            && unique(
                &mut doc.nodes.iter().map(|n| n.id.as_str()),
                doc.nodes.len(),
            )
            && unique(
                &mut doc.edges.iter().map(|e| e.id.as_str()),
                doc.edges.len(),
            )
    }

    /// The state a block renders to, with its `data.parlant` carrier applied.
    fn node(&mut self, block: &Block, role: Role) -> Result<JourneyNode> {
        let action = match role {
            Role::Root | Role::Fork | Role::Container => None,
            // Parlant ends the journey at a state without an action (J001): an agent with no
            // prompt still answers, so its state says so.
            Role::Chat => Some(
                agent_action(block)
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or_else(|| format!("Respond as the agent `{}`", block.name)),
            ),
            Role::Response => Some(match block.sub_str("data") {
                Some(data) => format!("Give the final response: {data}"),
                None => "Give the final response".to_string(),
            }),
            Role::Ask => Some(ask_action(block)),
            Role::ExtraTrigger => {
                self.mapping.approximate(
                    codes::EXTRA_TRIGGER,
                    &[&block.id],
                    &[],
                    format!(
                        "trigger `{}` became a chat state: a journey has one root",
                        block.name
                    ),
                );
                Some(format!(
                    "Start as the `{}` trigger `{}` would",
                    block.block_type, block.name
                ))
            }
            Role::Tool => Some(format!("Use the tool {}", tool_name(block))),
        };
        let mut node = JourneyNode::new(block.id.clone(), &role.kind(), action);
        node.description = Maybe::Value(block.name.clone());
        if role == Role::Tool {
            node.tools = Maybe::Value(vec![ToolId::new(
                self.opts.service_name.clone(),
                tool_name(block),
            )]);
        }
        if role == Role::Container {
            let (code, what) = if BlockFamily::of(block) == BlockFamily::Loop {
                (
                    codes::LOOP_AS_CYCLE,
                    "loop became a cycle that repeats its body until the exit condition holds",
                )
            } else {
                (codes::PARALLEL_AS_SEQUENCE, "parallel became one branch run for each item in turn (Parlant runs one path at a time)")
            };
            self.mapping.approximate(
                code,
                &[&block.id],
                &[],
                format!("`{}`: the {what}", block.name),
            );
        }
        self.apply_carrier(node, block_carrier(block).and_then(|c| c.get("node")))
    }

    fn apply_carrier<T: serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        element: T,
        carrier: Option<&Value>,
    ) -> Result<T> {
        match carrier {
            Some(Value::Object(carrier)) if self.pass.apply_carriers && !carrier.is_empty() => {
                let rendered = carry::flatten(&to_value(&element)?, NODE_NESTED);
                let merged = carry::unflatten(carry::merge(carrier, rendered), NODE_NESTED);
                serde_json::from_value(merged).map_err(|e| {
                    Error::Rejected(format!(
                        "a `data.parlant` carrier does not make a valid journey element: {e}"
                    ))
                })
            }
            _ => Ok(element),
        }
    }

    /// The transitions (known ones left out), the ends of every transition (known ones
    /// included) and the edges left out of the journey.
    #[allow(clippy::type_complexity)]
    fn edges(
        &mut self,
        nodes: &mut [JourneyNode],
        node_index: &HashMap<&str, usize>,
    ) -> Result<(Vec<JourneyEdge>, Vec<(&'a str, &'a str)>, Vec<Value>)> {
        let mut out = Vec::with_capacity(self.state.edges.len());
        let mut ends = Vec::with_capacity(self.state.edges.len());
        let mut dropped = Vec::new();
        for (index, edge) in self.state.edges.iter().enumerate() {
            let known = |id: &str| self.state.blocks.contains_key(id);
            if !known(&edge.source) || !known(&edge.target) {
                self.mapping.approximate(codes::DANGLING_EDGE, &[], &[&edge.id], format!("edge `{}` joins `{}` to `{}`, which is not a block of this workflow; it was dropped", edge.id, edge.source, edge.target));
                if self.pass.carry_sim {
                    dropped.push(object([("index", index.into()), ("edge", to_text(edge)?)]));
                    self.carried_edges += 1;
                }
                continue;
            }
            if !self.kept.contains(edge.source.as_str())
                || !self.kept.contains(edge.target.as_str())
            {
                if self.pass.carry_sim {
                    dropped.push(object([("index", index.into()), ("edge", to_text(edge)?)]));
                    self.carried_edges += 1;
                }
                continue;
            }
            // The edge into a router merged into its state travels with the state.
            if let Some(owner) = self.merged.get(edge.target.as_str()) {
                if *owner == edge.source {
                    if let (true, Some(&i)) = (self.pass.carry_sim, node_index.get(*owner)) {
                        let router = self
                            .state
                            .blocks
                            .get(edge.target.as_str())
                            .map(to_text)
                            .transpose()?;
                        let router_index = self.state.blocks.get_index_of(edge.target.as_str());
                        if let Some(Value::Object(sim)) =
                            nodes[i].metadata.get_mut().and_then(|m| m.get_mut("sim"))
                        {
                            // A second router of the same state would replace the first.
                            self.carried_exactly &= !sim.contains_key("router") && router.is_some();
                            self.carried_blocks += 1;
                            self.carried_edges += 1;
                            sim.insert(
                                "router".into(),
                                object([
                                    ("block", router.unwrap_or(Value::Null)),
                                    ("index", router_index.map_or(Value::Null, Value::from)),
                                ]),
                            );
                            sim.insert(
                                "router_edge".into(),
                                object([("edge", to_text(edge)?), ("index", index.into())]),
                            );
                        }
                    }
                    self.mapping.edges.push(EdgeMapping {
                        sim_edge_id: Some(edge.id.clone()),
                        transition_id: None,
                        handle: edge.source_handle.get().cloned(),
                    });
                    continue;
                }
                self.mapping.approximate(codes::DANGLING_EDGE, &[], &[&edge.id], format!("edge `{}` enters router `{}`, which stands for state `{owner}`'s conditions; it was dropped", edge.id, edge.target));
                if self.pass.carry_sim {
                    dropped.push(object([("index", index.into()), ("edge", to_text(edge)?)]));
                    self.carried_edges += 1;
                }
                continue;
            }
            let source = self
                .merged
                .get(edge.source.as_str())
                .copied()
                .unwrap_or(edge.source.as_str());
            ends.push((source, edge.target.as_str()));
            if !self.pass.carry_sim && self.pass.known.edge(&edge.id) {
                continue;
            }
            let (condition, expression) = self.condition_of(edge)?;
            let mut transition =
                JourneyEdge::new(edge.id.clone(), source, edge.target.clone(), condition);
            transition =
                self.apply_carrier(transition, edge_carrier(edge).and_then(|c| c.get("edge")))?;
            if self.pass.carry_sim {
                let mut sim = object([("edge", to_text(edge)?), ("index", index.into())]);
                if let Some(expression) = expression {
                    sim["expression"] = Value::String(expression);
                }
                self.carried_exactly &= !has_sim(&transition.metadata);
                super::attach_sim(&mut transition.metadata, sim);
                self.carried_edges += 1;
            }
            if self.pass.carry_sim {
                self.mapping.edges.push(EdgeMapping {
                    sim_edge_id: Some(edge.id.clone()),
                    transition_id: Some(transition.id.clone()),
                    handle: Some(
                        SourceHandle::parse(edge.source_handle.get().map(String::as_str))
                            .as_handle(),
                    ),
                });
            }
            out.push(transition);
        }
        Ok((out, ends, dropped))
    }

    /// The condition text of an edge, and the JavaScript expression it renders (Condition branches).
    fn condition_of(&mut self, edge: &Edge) -> Result<(Option<String>, Option<String>)> {
        let source = self.state.blocks.get(edge.source.as_str());
        let Some(source) = source else {
            return Ok((None, None));
        };
        let handle = SourceHandle::parse(edge.source_handle.get().map(String::as_str));
        let name = source.name.as_str();
        Ok(match handle {
            SourceHandle::Source => {
                // A block with an error path succeeds or fails: both transitions need a condition.
                (
                    self.error_sources
                        .contains(edge.source.as_str())
                        .then(|| conditions::SUCCEEDED.to_string()),
                    None,
                )
            }
            SourceHandle::Error => (Some(conditions::FAILED.to_string()), None),
            SourceHandle::Condition(id) => {
                let names = self
                    .names
                    .get_or_init(|| super::display_names(self.state.blocks.values()));
                let renderer = super::expr::Renderer { names };
                match self.branches.branch(source, &id) {
                    Some((text, expression, empty)) => {
                        let text = conditions::render_branch(&renderer, &text, &expression);
                        if empty {
                            self.mapping.approximate(codes::EMPTY_CONDITION, &[&source.id], &[&edge.id], format!("branch `{id}` of `{name}` has an empty expression; Sim never takes it"));
                        }
                        (Some(text), Some(expression))
                    }
                    None => (Some(format!("the branch `{id}` of {name} is chosen")), None),
                }
            }
            SourceHandle::Router(id) => (
                Some(
                    self.branches
                        .route(source, &id)
                        .unwrap_or_else(|| format!("the route `{id}` of {name} is chosen")),
                ),
                None,
            ),
            SourceHandle::LoopStart | SourceHandle::ParallelStart => {
                let names = self
                    .names
                    .get_or_init(|| super::display_names(self.state.blocks.values()));
                (Some(conditions::container_start(source, names)), None)
            }
            SourceHandle::LoopEnd => (Some(format!("{name} has finished")), None),
            SourceHandle::ParallelEnd => (Some(format!("{name} has processed every item")), None),
            SourceHandle::Other(h) => (Some(format!("the `{h}` output of {name} fires")), None),
        })
    }

    fn synthetic_edges(
        &mut self,
        nodes: &mut Vec<JourneyNode>,
        edges: &mut Vec<JourneyEdge>,
        ends: &[(&'a str, &'a str)],
        order: &[&'a str],
        node_index: &HashMap<&str, usize>,
    ) -> Result<()> {
        // States with an outgoing transition: those of the journey's transitions (borrowed from
        // the workflow) and of the carried transitions to `end` (few, owned).
        let transition_sources: HashSet<&str> = ends.iter().map(|(source, _)| *source).collect();
        let mut has_out: HashSet<String> = HashSet::default();
        let mut carried_end: Vec<(usize, JourneyEdge)> = Vec::new();
        for block in self
            .state
            .blocks
            .values()
            .filter(|b| node_index.contains_key(b.id.as_str()))
        {
            if !self.pass.apply_carriers {
                continue;
            }
            let Some(Value::Array(ends)) = block_carrier(block).and_then(|c| c.get("end_edges"))
            else {
                continue;
            };
            for end in ends {
                let index = end.get("index").and_then(Value::as_u64).unwrap_or(u64::MAX) as usize;
                let edge: JourneyEdge =
                    serde_json::from_value(end.get("edge").cloned().unwrap_or(Value::Null))
                        .map_err(|e| {
                            Error::Rejected(format!(
                        "block `{}`: a carried transition to `end` is not a journey edge: {e}",
                        block.id
                    ))
                        })?;
                has_out.insert(edge.source.clone());
                self.mapping.edges.push(EdgeMapping {
                    sim_edge_id: None,
                    transition_id: Some(edge.id.clone()),
                    handle: None,
                });
                carried_end.push((index, edge));
            }
        }
        let synthetic = |mut edge: JourneyEdge, kind: &str, carry: bool| {
            if carry {
                super::attach_sim(&mut edge.metadata, json!({"synthetic": kind}));
            }
            edge
        };
        // Containers repeat: each last block of the body goes back to the container's state.
        for block in self.state.blocks.values() {
            if !node_index.contains_key(block.id.as_str()) || !BlockFamily::of(block).is_container()
            {
                continue;
            }
            for child in self.state.blocks.values() {
                if child.parent_id() == Some(block.id.as_str())
                    && node_index.contains_key(child.id.as_str())
                    && !transition_sources.contains(child.id.as_str())
                    && !has_out.contains(&child.id)
                {
                    let edge = JourneyEdge::new(
                        format!("{}->{}:repeat", child.id, block.id),
                        child.id.clone(),
                        block.id.clone(),
                        None,
                    );
                    self.mapping.edges.push(EdgeMapping {
                        sim_edge_id: None,
                        transition_id: Some(edge.id.clone()),
                        handle: None,
                    });
                    edges.push(synthetic(edge, "repeat", self.pass.carry_sim));
                }
            }
        }
        if self.root.is_none() {
            let mut root_id = "root".to_string();
            while self.state.blocks.contains_key(&root_id) {
                root_id.push('_');
            }
            let targets: HashSet<&str> = edges
                .iter()
                .map(|e| e.target.as_str())
                .chain(ends.iter().map(|(_, target)| *target))
                .collect();
            let starts: Vec<String> = order
                .iter()
                .filter(|id| !targets.contains(**id))
                .filter(|id| {
                    self.state
                        .blocks
                        .get(**id)
                        .is_some_and(|b| b.parent_id().is_none())
                })
                .map(|id| id.to_string())
                .collect();
            let mut root = JourneyNode::new(root_id.clone(), &NodeKind::Root, None);
            if self.pass.carry_sim {
                super::attach_sim(&mut root.metadata, json!({"synthetic": "root"}));
            }
            nodes.insert(0, root);
            let start_ids: Vec<&str> = starts.iter().map(String::as_str).collect();
            self.mapping.approximate(codes::SYNTHETIC_ROOT, &start_ids, &[], format!("the workflow has no enabled trigger: a root state `{root_id}` was added before its first blocks"));
            for start in starts {
                let edge =
                    JourneyEdge::new(format!("{root_id}->{start}"), root_id.clone(), start, None);
                self.mapping.edges.push(EdgeMapping {
                    sim_edge_id: None,
                    transition_id: Some(edge.id.clone()),
                    handle: None,
                });
                edges.push(synthetic(edge, "root", self.pass.carry_sim));
            }
        }
        carried_end.sort_by_key(|(index, _)| *index);
        for (index, edge) in carried_end {
            edges.insert(index.min(edges.len()), edge);
        }
        Ok(())
    }

    fn check_fanout(&mut self, edges: &[JourneyEdge]) {
        let mut unconditional: IndexMap<&str, Vec<&str>> = IndexMap::new();
        for e in edges.iter().filter(|e| e.condition_text().is_none()) {
            unconditional
                .entry(e.source.as_str())
                .or_default()
                .push(e.id.as_str());
        }
        for (source, ids) in unconditional.into_iter().filter(|(_, ids)| ids.len() > 1) {
            let count = ids.len();
            self.mapping.approximate(codes::CONCURRENT_FANOUT, &[source], &ids, format!("`{source}` starts {count} blocks at once in Sim; Parlant follows one unconditional transition"));
        }
    }

    /// The journey around its states (`order`: every state's id, known ones included, for the
    /// editor positions) and transitions.
    fn document(
        &mut self,
        nodes: Vec<JourneyNode>,
        order: &[&str],
        edges: Vec<JourneyEdge>,
        dropped_blocks: Vec<Value>,
        dropped_edges: Vec<Value>,
    ) -> Result<JourneyDocument> {
        let state = self.state;
        let export = &self.doc.export;
        let meta = state.metadata.get();
        let title = meta
            .and_then(|m| m.name.get())
            .or_else(|| export.workflow.get().and_then(|w| w.name.get()))
            .filter(|t| !t.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| "Untitled workflow".to_string());
        let description = meta
            .and_then(|m| m.description.get())
            .or_else(|| export.workflow.get().and_then(|w| w.description.get()))
            .cloned()
            .unwrap_or_default();
        let conditions = self
            .opts
            .conditions
            .clone()
            .unwrap_or_else(|| vec![format!("the customer wants help with {title}")]);
        let mut doc = JourneyDocument::new(title, description, conditions);
        doc.nodes = Vec::new();
        doc.journey.root_id = match self.root {
            Some(root) => root.to_string(),
            None => nodes.first().map(|n| n.id.clone()).unwrap_or_default(),
        };
        let variables = self.context_variables();
        if !variables.is_empty() {
            doc.context_variables = Maybe::Value(variables);
        }
        let mut positions = IndexMap::with_capacity(order.len());
        for id in order {
            if let Some((x, y)) = absolute_position(state, id) {
                positions.insert(
                    id.to_string(),
                    EditorPosition {
                        x: number(x),
                        y: number(y),
                        extra: IndexMap::new(),
                    },
                );
            }
        }
        doc.editor = Maybe::Value(EditorData {
            positions: Maybe::Value(positions),
            viewport: Maybe::Absent,
            extra: IndexMap::new(),
        });

        // The journey-level carrier, kept in the workflow's metadata.
        let carrier = meta
            .and_then(|m| m.extra.get(PARLANT_KEY))
            .and_then(|p| p.get("journey"));
        if let (Some(Value::Object(carrier)), true) = (carrier, self.pass.apply_carriers) {
            let rendered = carry::flatten(&to_value(&doc)?, DOC_NESTED);
            let merged = carry::unflatten(carry::merge(carrier, rendered), DOC_NESTED);
            doc = serde_json::from_value(merged).map_err(|e| {
                Error::Rejected(format!(
                    "the workflow's `metadata.parlant` does not make a valid journey: {e}"
                ))
            })?;
        }
        if self.pass.carry_sim {
            // The envelope without blocks and edges (cloned field by field: the blocks are big).
            let s = &self.doc.export.state;
            let bare = crate::sim::SimExport {
                state: WorkflowState {
                    blocks: Default::default(),
                    edges: Vec::new(),
                    loops: s.loops.clone(),
                    parallels: s.parallels.clone(),
                    variables: s.variables.clone(),
                    metadata: s.metadata.clone(),
                    last_saved: s.last_saved.clone(),
                    is_deployed: s.is_deployed.clone(),
                    deployed_at: s.deployed_at.clone(),
                    extra: s.extra.clone(),
                },
                version: self.doc.export.version.clone(),
                exported_at: self.doc.export.exported_at.clone(),
                workflow: self.doc.export.workflow.clone(),
                extra: self.doc.export.extra.clone(),
            };
            doc.extra.insert(
                "sim".into(),
                object([
                    ("shape", to_value(&self.doc.shape)?),
                    ("json_string", Value::Bool(self.doc.json_string)),
                    ("export", to_value(&bare)?),
                    ("dropped_blocks", Value::Array(dropped_blocks)),
                    ("dropped_edges", Value::Array(dropped_edges)),
                ]),
            );
        }
        doc.nodes = nodes;
        doc.edges = edges;
        Ok(doc)
    }

    /// Start inputs and workflow variables, as context variables.
    fn context_variables(&mut self) -> Vec<ContextVariable> {
        let mut out = Vec::new();
        if let Some(root) = self.root.and_then(|r| self.state.blocks.get(r)) {
            let start = normalize_block_name(&root.name);
            for field in input_fields(root) {
                let Some(name) = field
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                else {
                    continue;
                };
                let kind = field
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("string");
                out.push(context_variable(
                    name,
                    format!("Input `{name}` of the workflow ({kind})"),
                    field.get("value"),
                ));
                self.mapping.variables.push(VariableMapping {
                    sim_reference: format!("<{start}.{name}>"),
                    context_variable: name.to_string(),
                    origin: "start_input".into(),
                });
            }
        }
        for variable in self
            .state
            .variables
            .get()
            .into_iter()
            .flat_map(|v| v.values())
        {
            let Some(name) = variable.name.get().filter(|n| !n.is_empty()) else {
                continue;
            };
            let kind = variable.variable_type.get().map_or("plain", String::as_str);
            out.push(context_variable(
                name,
                format!("Workflow variable `{name}` ({kind})"),
                variable.value.get(),
            ));
            self.mapping.variables.push(VariableMapping {
                sim_reference: format!("<variable.{}>", normalize_block_name(name)),
                context_variable: name.clone(),
                origin: "workflow_variable".into(),
            });
        }
        out
    }
}

/// Whether an element's metadata already has a `sim` key (from a carrier) that `attach_sim` would replace.
fn has_sim(metadata: &Maybe<IndexMap<String, Value>>) -> bool {
    metadata.get().is_some_and(|m| m.contains_key("sim"))
}

fn context_variable(name: &str, description: String, value: Option<&Value>) -> ContextVariable {
    ContextVariable {
        name: name.to_string(),
        id: Maybe::Absent,
        description: Maybe::Value(description),
        tool_id: Maybe::Absent,
        freshness_rules: Maybe::Absent,
        tags: Maybe::Absent,
        value: value.cloned().map_or(Maybe::Absent, Maybe::Value),
        extra: IndexMap::new(),
    }
}

/// The fields of a start trigger's (or resume form's) input format.
pub(crate) fn input_fields(block: &Block) -> &[Value] {
    block
        .sub_value("inputFormat")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A JSON object of the given entries, moved in (`json!` would copy each value once more).
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
    )
}

pub(crate) fn to_value<T: serde::Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::Internal(format!("cannot represent a value as JSON: {e}")))
}

/// A carried block, as its JSON text: one string instead of a tree of values, so carrying a
/// block costs one serialisation (and reading it back one parse); a block is most of a workflow.
pub(crate) fn to_text<T: serde::Serialize>(value: &T) -> Result<Value> {
    // Most carried blocks are a few hundred bytes: one allocation instead of a growing buffer.
    let mut text = Vec::with_capacity(512);
    serde_json::to_writer(&mut text, value)
        .map_err(|e| Error::Internal(format!("cannot represent a value as JSON: {e}")))?;
    // serde_json writes UTF-8 only.
    String::from_utf8(text)
        .map(Value::String)
        .map_err(|e| Error::Internal(format!("cannot represent a value as JSON: {e}")))
}

/// The messages of an agent that carry its instruction: the system messages, or the user
/// messages when there is no system message.
pub(crate) fn instruction_role(messages: &[Value]) -> &'static str {
    if messages
        .iter()
        .any(|m| m.get("role").and_then(Value::as_str) == Some("system"))
    {
        "system"
    } else {
        "user"
    }
}

/// An agent's instruction: its system prompt (or user prompt), the state's action.
pub(crate) fn agent_action(block: &Block) -> Option<String> {
    if let Some(messages) = block
        .sub_value("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
    {
        let role = instruction_role(messages);
        let parts: Vec<&str> = messages
            .iter()
            .filter(|m| m.get("role").and_then(Value::as_str) == Some(role))
            .filter_map(|m| m.get("content").and_then(Value::as_str))
            .collect();
        return Some(parts.join("\n\n"));
    }
    block
        .sub_str("systemPrompt")
        .or_else(|| block.sub_str("userPrompt"))
        .map(str::to_string)
}

fn ask_action(block: &Block) -> String {
    let fields: Vec<&str> = input_fields(block)
        .iter()
        .filter_map(|f| f.get("name").and_then(Value::as_str))
        .filter(|n| !n.is_empty())
        .collect();
    if fields.is_empty() {
        "Ask the customer to review and reply".to_string()
    } else {
        format!("Ask the customer for: {}", fields.join(", "))
    }
}

/// The tool a tool-like block calls: its type, and its operation when it has one.
pub(crate) fn tool_name(block: &Block) -> String {
    match block.sub_str("operation") {
        Some(op) => format!("{}_{}", block.block_type, op),
        None => block.block_type.clone(),
    }
}

/// A block's position on the canvas, containers' offsets added (children are stored relative).
pub(crate) fn absolute_position(state: &WorkflowState, id: &str) -> Option<(f64, f64)> {
    let block = state.blocks.get(id)?;
    let (mut x, mut y) = block.position.xy();
    for parent in crate::sim::containers::ancestors(state, id) {
        if let Some(p) = state.blocks.get(parent) {
            let (px, py) = p.position.xy();
            x += px;
            y += py;
        }
    }
    Some((x, y))
}
