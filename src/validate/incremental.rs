//! Revalidation after an edit without redoing the whole graph.
//!
//! The validator keeps each layer of results with the facts it was computed from:
//! - per node: its own rules and facts (for workflows the costly part: JavaScript parsing,
//!   sub-block scans, reference parsing);
//! - per node in its graph, per edge, and global results;
//! - the graph facts (view, reached set, name table) and who references which block name.
//!
//! A content edit of one node recomputes that node's own rules and the graph rules of what can
//! see the change: the node itself, its predecessors (journeys: "tool followed by chat"), and the
//! blocks that reference its name when its name or outputs changed. Edits that change the graph
//! (edges, the set of nodes, a block's kind, enabled flag or container) rebuild the graph facts and
//! every graph-level result, still reusing every node's own (costly) results.

use super::diagnostic::{Diagnostic, Report};
use super::journey;
use super::workflow::local::{analyse, BlockFacts};
use super::workflow::{Context, GraphFacts};
use crate::error::{Error, Result};
use crate::graph::GraphView;
use crate::js::Sandbox;
use crate::json::JsonPath;
use crate::json::Maybe;
use crate::parlant::{
    ContextVariable, EditorData, EditorPosition, Guideline, Journey, JourneyDocument, JourneyEdge,
    JourneyNode, Tag, END_NODE_ID,
};
use crate::sim::references::RefTarget;
use crate::sim::{Block, Edge, SimDocument};
use crate::Document;
use serde::Deserialize;
use serde_json::Number;
use std::collections::{HashMap, HashSet};

/// One edit of the model. Nodes and edges are matched by id: an upsert replaces the one with that
/// id in place or adds it at the end; an insert puts a new one at an index of the document's order
/// (how the editor's undo puts back what was removed, so the document reads back byte-equal).
// Edits are made one at a time; boxing the block would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Edit {
    UpsertBlock(Block),
    InsertBlock(usize, Block),
    RemoveBlock(String),
    UpsertEdge(Edge),
    InsertEdge(usize, Edge),
    RemoveEdge(String),
    UpsertState(JourneyNode),
    InsertState(usize, JourneyNode),
    RemoveState(String),
    UpsertTransition(JourneyEdge),
    InsertTransition(usize, JourneyEdge),
    RemoveTransition(String),
    SetJourney(Journey),
    /// The journey's own entities beside its header (`tags`, `guidelines`, `context_variables`).
    SetJourneyEntities(JourneyEntities),
}

/// The parts of a journey document that are neither its header nor its graph.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct JourneyEntities {
    pub tags: Maybe<Vec<Tag>>,
    pub guidelines: Maybe<Vec<Guideline>>,
    pub context_variables: Maybe<Vec<ContextVariable>>,
}

impl JourneyEntities {
    pub fn of(doc: &JourneyDocument) -> JourneyEntities {
        JourneyEntities {
            tags: doc.tags.clone(),
            guidelines: doc.guidelines.clone(),
            context_variables: doc.context_variables.clone(),
        }
    }
}

/// A group of diagnostics that the validator recomputes together. The editor mirrors the
/// diagnostics per bucket and, after an edit, compares only the buckets it reports as changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bucket {
    /// A Sim block's own rules (sub-blocks, JavaScript, references).
    BlockLocal(String),
    /// A Sim block's rules in its graph.
    Block(String),
    /// A Sim edge's rules (by edge id).
    Edge(String),
    /// A journey state's rules and those of its outgoing transitions.
    State(String),
    /// A journey transition's own rules (by transition id).
    Transition(String),
    /// Rules over the whole document.
    Global,
}

/// What changed since the editor last asked (`take_changed`).
#[derive(Debug, Clone, Default)]
pub struct Changed {
    /// Every bucket may have changed (the graph was rebuilt).
    pub all: bool,
    pub buckets: HashSet<Bucket>,
}

impl Changed {
    fn everything(&mut self) {
        self.all = true;
        self.buckets.clear();
    }

    fn add(&mut self, bucket: Bucket) {
        if !self.all {
            self.buckets.insert(bucket);
        }
    }
}

pub struct IncrementalValidator {
    inner: Inner,
}

// One validator per open document; the size difference between the variants does not matter.
#[allow(clippy::large_enum_variant)]
enum Inner {
    Workflow(WorkflowState),
    Journey(JourneyState),
}

impl IncrementalValidator {
    /// Validates `doc` in full and keeps what is needed to revalidate edits.
    pub fn new(doc: Document) -> Result<IncrementalValidator> {
        let inner = match doc {
            Document::Sim(sim) => {
                Inner::Workflow(WorkflowState::new(sim, super::checking_sandbox()?))
            }
            Document::Journey(j) => Inner::Journey(JourneyState::new(j)),
        };
        Ok(IncrementalValidator { inner })
    }

    /// Applies an edit to the document and revalidates what it can affect.
    pub fn apply(&mut self, edit: Edit) -> Result<()> {
        match (&mut self.inner, edit) {
            (Inner::Workflow(w), Edit::UpsertBlock(block)) => w.upsert_block(block),
            (Inner::Workflow(w), Edit::InsertBlock(index, block)) => {
                w.insert_block(index, block)?
            }
            (Inner::Workflow(w), Edit::RemoveBlock(id)) => w.remove_block(&id),
            (Inner::Workflow(w), Edit::UpsertEdge(edge)) => {
                let edges = &mut w.doc.state_mut().edges;
                match edges.iter_mut().find(|e| e.id == edge.id) {
                    Some(slot) => *slot = edge,
                    None => edges.push(edge),
                }
                w.recompute_graph();
            }
            (Inner::Workflow(w), Edit::InsertEdge(index, edge)) => {
                let edges = &mut w.doc.state_mut().edges;
                if edges.iter().any(|e| e.id == edge.id) {
                    return Err(Error::Rejected(format!(
                        "edge `{}` is already in the workflow",
                        edge.id
                    )));
                }
                let at = index.min(edges.len());
                edges.insert(at, edge);
                w.recompute_graph();
            }
            (Inner::Workflow(w), Edit::RemoveEdge(id)) => {
                w.doc.state_mut().edges.retain(|e| e.id != id);
                w.recompute_graph();
            }
            (Inner::Journey(j), Edit::UpsertState(node)) => j.upsert_node(node),
            (Inner::Journey(j), Edit::InsertState(index, node)) => {
                if j.index.contains_key(&node.id) {
                    return Err(Error::Rejected(format!(
                        "state `{}` is already in the journey",
                        node.id
                    )));
                }
                let at = index.min(j.doc.nodes.len());
                j.doc.nodes.insert(at, node);
                j.recompute_all();
            }
            (Inner::Journey(j), Edit::RemoveState(id)) => {
                j.doc.nodes.retain(|n| n.id != id);
                j.recompute_all();
            }
            (Inner::Journey(j), Edit::UpsertTransition(edge)) => {
                match j.doc.edges.iter_mut().find(|e| e.id == edge.id) {
                    Some(slot) => *slot = edge,
                    None => j.doc.edges.push(edge),
                }
                j.recompute_all();
            }
            (Inner::Journey(j), Edit::InsertTransition(index, edge)) => {
                if j.doc.edges.iter().any(|e| e.id == edge.id) {
                    return Err(Error::Rejected(format!(
                        "transition `{}` is already in the journey",
                        edge.id
                    )));
                }
                let at = index.min(j.doc.edges.len());
                j.doc.edges.insert(at, edge);
                j.recompute_all();
            }
            (Inner::Journey(j), Edit::SetJourneyEntities(entities)) => {
                j.doc.tags = entities.tags;
                j.doc.guidelines = entities.guidelines;
                j.doc.context_variables = entities.context_variables;
                j.recompute_all();
            }
            (Inner::Journey(j), Edit::RemoveTransition(id)) => {
                j.doc.edges.retain(|e| e.id != id);
                j.recompute_all();
            }
            (Inner::Journey(j), Edit::SetJourney(header)) => {
                j.doc.journey = header;
                j.recompute_all();
            }
            (inner, edit) => {
                let kind = if matches!(inner, Inner::Workflow(_)) {
                    "a Sim workflow"
                } else {
                    "a journey"
                };
                return Err(Error::Rejected(format!(
                    "{edit:?} is not an edit of {kind}"
                )));
            }
        }
        Ok(())
    }

    /// The current diagnostics, in the same order a full run gives.
    pub fn report(&self) -> Report {
        let all: Vec<Diagnostic> = match &self.inner {
            Inner::Workflow(w) => w
                .local
                .values()
                .chain(w.block_diags.values())
                .chain(&w.edge_diags)
                .flatten()
                .chain(&w.global)
                .cloned()
                .collect(),
            Inner::Journey(j) => j
                .node_diags
                .iter()
                .chain(&j.edge_diags)
                .flatten()
                .chain(&j.graph_diags)
                .cloned()
                .collect(),
        };
        Report::new(all)
    }

    pub fn document(&self) -> Document {
        match &self.inner {
            Inner::Workflow(w) => Document::Sim(w.doc.clone()),
            Inner::Journey(j) => Document::Journey(j.doc.clone()),
        }
    }

    /// The document as it is now, when it is a Sim workflow.
    pub fn workflow(&self) -> Option<&SimDocument> {
        match &self.inner {
            Inner::Workflow(w) => Some(&w.doc),
            Inner::Journey(_) => None,
        }
    }

    /// The document as it is now, when it is a journey.
    pub fn journey(&self) -> Option<&JourneyDocument> {
        match &self.inner {
            Inner::Journey(j) => Some(&j.doc),
            Inner::Workflow(_) => None,
        }
    }

    /// The document's JSON text, written without copying the document.
    pub fn to_json(&self) -> String {
        match &self.inner {
            Inner::Workflow(w) => w.doc.to_json(),
            Inner::Journey(j) => j.doc.to_json(),
        }
    }

    /// Moves a node on the canvas: a Sim block's `position`, a journey state's place in
    /// `editor.positions` (`None` removes it). No rule reads positions, so nothing is revalidated.
    /// Coordinates are JSON numbers as written, so putting an old place back is byte-exact.
    /// Returns where the node was (`None`: a journey state with no saved place).
    pub fn set_position(
        &mut self,
        id: &str,
        at: Option<(Number, Number)>,
    ) -> Result<Option<(Number, Number)>> {
        match &mut self.inner {
            Inner::Workflow(w) => {
                let block = w
                    .doc
                    .state_mut()
                    .blocks
                    .get_mut(id)
                    .ok_or_else(|| Error::NotFound(format!("no block `{id}`")))?;
                let (x, y) = at
                    .ok_or_else(|| Error::Rejected(format!("block `{id}` must keep a position")))?;
                let before = (
                    std::mem::replace(&mut block.position.x, x),
                    std::mem::replace(&mut block.position.y, y),
                );
                Ok(Some(before))
            }
            Inner::Journey(j) => {
                if id != END_NODE_ID && !j.index.contains_key(id) {
                    return Err(Error::NotFound(format!("no state `{id}`")));
                }
                let positions = j.doc.editor.get_mut().and_then(|e| e.positions.get_mut());
                let before = positions
                    .and_then(|p| p.get(id))
                    .map(|p| (p.x.clone(), p.y.clone()));
                match at {
                    Some((x, y)) => {
                        let editor = j.doc.editor.get_or_insert_with(EditorData::empty);
                        let positions = editor.positions.get_or_insert_with(Default::default);
                        match positions.get_mut(id) {
                            Some(p) => {
                                p.x = x;
                                p.y = y;
                            }
                            None => {
                                positions.insert(
                                    id.to_string(),
                                    EditorPosition {
                                        x,
                                        y,
                                        extra: Default::default(),
                                    },
                                );
                            }
                        }
                    }
                    None => {
                        if let Some(positions) =
                            j.doc.editor.get_mut().and_then(|e| e.positions.get_mut())
                        {
                            positions.shift_remove(id);
                        }
                    }
                }
                Ok(before)
            }
        }
    }

    /// Replaces a workflow's derived `loops` and `parallels` tables (what Sim writes from the
    /// container blocks on save). No rule reads them, so nothing is revalidated. Returns the old ones.
    #[allow(clippy::type_complexity)]
    pub fn set_containers(
        &mut self,
        loops: Maybe<crate::json::UniqueMap<crate::sim::Loop>>,
        parallels: Maybe<crate::json::UniqueMap<crate::sim::Parallel>>,
    ) -> Result<(
        Maybe<crate::json::UniqueMap<crate::sim::Loop>>,
        Maybe<crate::json::UniqueMap<crate::sim::Parallel>>,
    )> {
        match &mut self.inner {
            Inner::Workflow(w) => {
                let state = w.doc.state_mut();
                Ok((
                    std::mem::replace(&mut state.loops, loops),
                    std::mem::replace(&mut state.parallels, parallels),
                ))
            }
            Inner::Journey(_) => Err(Error::Unsupported(
                "a journey has no loops or parallels".into(),
            )),
        }
    }

    /// Where the edge (Sim edge, journey transition) with this id is in the document's list.
    pub fn edge_position(&self, id: &str) -> Option<usize> {
        let positions = match &self.inner {
            Inner::Workflow(w) => &w.edge_positions,
            Inner::Journey(j) => &j.edge_positions,
        };
        positions.get(id).and_then(|p| p.first().copied())
    }

    /// Where a journey's state is in its list of nodes.
    pub fn state_position(&self, id: &str) -> Option<usize> {
        match &self.inner {
            Inner::Journey(j) => j.index.get(id).copied(),
            Inner::Workflow(_) => None,
        }
    }

    /// Positions of the edges leaving `id`, dangling ones included.
    pub fn edges_from(&self, id: &str) -> Vec<usize> {
        let source_of = |i: usize| match &self.inner {
            Inner::Workflow(w) => w.doc.state().edges.get(i).map(|e| e.source.as_str()),
            Inner::Journey(j) => j.doc.edges.get(i).map(|e| e.source.as_str()),
        };
        let view = match &self.inner {
            Inner::Workflow(w) => &w.graph.view,
            Inner::Journey(j) => &j.view,
        };
        let mut out = view.out_edges(id);
        out.extend(
            view.dangling
                .iter()
                .copied()
                .filter(|&i| source_of(i) == Some(id)),
        );
        out
    }

    /// The buckets that may have changed since the last call, and forgets them.
    pub fn take_changed(&mut self) -> Changed {
        match &mut self.inner {
            Inner::Workflow(w) => std::mem::take(&mut w.changed),
            Inner::Journey(j) => std::mem::take(&mut j.changed),
        }
    }

    /// Every bucket of the current document.
    pub fn buckets(&self) -> Vec<Bucket> {
        let mut out = Vec::new();
        match &self.inner {
            Inner::Workflow(w) => {
                for id in w.doc.state().blocks.keys() {
                    out.push(Bucket::BlockLocal(id.clone()));
                    out.push(Bucket::Block(id.clone()));
                }
                out.extend(
                    w.doc
                        .state()
                        .edges
                        .iter()
                        .map(|e| Bucket::Edge(e.id.clone())),
                );
            }
            Inner::Journey(j) => {
                out.extend(j.doc.nodes.iter().map(|n| Bucket::State(n.id.clone())));
                out.extend(j.doc.edges.iter().map(|e| Bucket::Transition(e.id.clone())));
            }
        }
        out.push(Bucket::Global);
        out
    }

    /// The diagnostics of each of `buckets` now (empty for a bucket that no longer exists), in
    /// the order given. Looking up many buckets costs one pass over the edges, not one per bucket.
    pub fn bucket_diagnostics<'a>(
        &self,
        buckets: impl IntoIterator<Item = &'a Bucket>,
    ) -> Vec<(&'a Bucket, Vec<&Diagnostic>)> {
        let mut out = Vec::new();
        for bucket in buckets {
            let diagnostics: Vec<&Diagnostic> = match (&self.inner, bucket) {
                (Inner::Workflow(w), Bucket::BlockLocal(id)) => {
                    w.local.get(id).into_iter().flatten().collect()
                }
                (Inner::Workflow(w), Bucket::Block(id)) => {
                    w.block_diags.get(id).into_iter().flatten().collect()
                }
                (Inner::Workflow(w), Bucket::Edge(id)) => w
                    .edge_positions
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|&i| w.edge_diags.get(i))
                    .flatten()
                    .collect(),
                (Inner::Workflow(w), Bucket::Global) => w.global.iter().collect(),
                (Inner::Journey(j), Bucket::State(id)) => j
                    .index
                    .get(id)
                    .and_then(|&i| j.node_diags.get(i))
                    .into_iter()
                    .flatten()
                    .collect(),
                (Inner::Journey(j), Bucket::Transition(id)) => j
                    .edge_positions
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|&i| j.edge_diags.get(i))
                    .flatten()
                    .collect(),
                (Inner::Journey(j), Bucket::Global) => j.graph_diags.iter().collect(),
                _ => Vec::new(),
            };
            out.push((bucket, diagnostics));
        }
        out
    }
}

/// Positions of each id in a list (ids may repeat in a malformed document).
fn index_of<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, id) in ids.enumerate() {
        map.entry(id.to_string()).or_default().push(i);
    }
    map
}

struct WorkflowState {
    doc: SimDocument,
    base: JsonPath,
    js: Sandbox,
    facts: HashMap<String, BlockFacts>,
    local: HashMap<String, Vec<Diagnostic>>,
    graph: GraphFacts,
    block_diags: HashMap<String, Vec<Diagnostic>>,
    edge_diags: Vec<Vec<Diagnostic>>,
    global: Vec<Diagnostic>,
    /// Normalised block name -> blocks whose references use that name.
    referrers: HashMap<String, HashSet<String>>,
    /// Edge id -> its indexes in `edges` (ids may repeat in a malformed document).
    edge_positions: HashMap<String, Vec<usize>>,
    changed: Changed,
}

fn referenced_names(facts: &BlockFacts) -> impl Iterator<Item = String> + '_ {
    facts.refs.iter().filter_map(|(_, r)| match &r.target {
        RefTarget::Block { name, .. } => Some(crate::sim::references::normalize_block_name(name)),
        _ => None,
    })
}

impl WorkflowState {
    fn new(doc: SimDocument, js: Sandbox) -> WorkflowState {
        let base = doc.state_path();
        let mut me = WorkflowState {
            doc,
            base,
            js,
            facts: HashMap::new(),
            local: HashMap::new(),
            graph: GraphFacts::default(),
            block_diags: HashMap::new(),
            edge_diags: Vec::new(),
            global: Vec::new(),
            referrers: HashMap::new(),
            edge_positions: HashMap::new(),
            changed: Changed::default(),
        };
        let blocks: Vec<&Block> = me.doc.state().blocks.values().collect();
        let analysed = super::workflow::local::analyse_all(&blocks, &me.base, &me.js);
        let ids: Vec<String> = blocks.iter().map(|b| b.id.clone()).collect();
        for (id, local) in ids.into_iter().zip(analysed) {
            me.record(id, local);
        }
        me.recompute_graph();
        me
    }

    /// The block's own rules and facts; returns the facts it had before.
    fn analyse(&mut self, block: &Block) -> Option<BlockFacts> {
        let local = analyse(block, &self.base, &self.js);
        self.record(block.id.clone(), local)
    }

    /// Keeps a block's own rules and facts; returns the facts it had before.
    fn record(&mut self, id: String, local: super::workflow::local::Local) -> Option<BlockFacts> {
        for name in referenced_names(&local.facts) {
            self.referrers.entry(name).or_default().insert(id.clone());
        }
        self.local.insert(id.clone(), local.diagnostics);
        self.changed.add(Bucket::BlockLocal(id.clone()));
        let old = self.facts.insert(id.clone(), local.facts);
        if let Some(old) = &old {
            self.forget_references(&id, old);
        }
        old
    }

    fn forget_references(&mut self, id: &str, old: &BlockFacts) {
        let still: HashSet<String> = self
            .facts
            .get(id)
            .map(|f| referenced_names(f).collect())
            .unwrap_or_default();
        for name in referenced_names(old) {
            if !still.contains(&name) {
                if let Some(set) = self.referrers.get_mut(&name) {
                    set.remove(id);
                }
            }
        }
    }

    fn context(&self) -> Context<'_> {
        Context {
            state: self.doc.state(),
            base: &self.base,
            facts: &self.facts,
            graph: &self.graph,
        }
    }

    /// Rebuilds the graph facts and every graph-level result; node-local results are kept.
    fn recompute_graph(&mut self) {
        self.graph = GraphFacts::build(self.doc.state(), &self.facts);
        let ctx = self.context();
        let ids: Vec<&str> = ctx.state.blocks.keys().map(String::as_str).collect();
        let block_diags = ctx.block_rules(&ids);
        let edge_diags = (0..ctx.state.edges.len())
            .map(|i| ctx.edge_rules(i))
            .collect();
        let global = ctx.global_rules();
        self.block_diags = block_diags;
        self.edge_diags = edge_diags;
        self.global = global;
        self.edge_positions = index_of(self.doc.state().edges.iter().map(|e| e.id.as_str()));
        self.changed.everything();
    }

    fn upsert_block(&mut self, block: Block) {
        let id = block.id.clone();
        let old = self.analyse(&block);
        // Messages quote block names, so a new spelling alone changes what others report.
        let respelt = self
            .doc
            .state()
            .blocks
            .get(&id)
            .is_some_and(|b| b.name != block.name);
        self.doc.state_mut().blocks.insert(id.clone(), block);
        let Some(old) = old else {
            // A new node: edges that dangled may now connect, and the graph changes.
            return self.recompute_graph();
        };
        let Some(new) = self.facts.get(&id) else {
            return;
        };
        let (new_name, container) = (new.normalized_name.clone(), new.family.is_container());
        if old.family != new.family || old.enabled != new.enabled || old.parent != new.parent {
            // What runs, what is a trigger, and container scopes may all have changed.
            return self.recompute_graph();
        }
        let mut affected: HashSet<String> = HashSet::from([id.clone()]);
        let renamed = old.normalized_name != new_name;
        if respelt || old.outputs != new.outputs {
            for name in [&old.normalized_name, &new_name] {
                affected.extend(self.referrers.get(name).into_iter().flatten().cloned());
            }
        }
        let shared = |names: &HashMap<String, Vec<String>>, n: &str| {
            names.get(n).is_some_and(|ids| ids.len() > 1)
        };
        let mut names_shared = shared(&self.graph.names, &old.normalized_name);
        if renamed {
            self.move_name(&id, &old.normalized_name, &new_name);
            names_shared |= shared(&self.graph.names, &new_name);
        }
        let ctx = self.context();
        let ids: Vec<&str> = affected.iter().map(String::as_str).collect();
        let fresh = ctx.block_rules(&ids);
        // Global rules quote names only of blocks that share one (W023).
        let global = (respelt && names_shared).then(|| ctx.global_rules());
        // An edge's messages quote its ends and their containers by name.
        let edges: Vec<usize> = if respelt {
            let mut ends = vec![id.as_str()];
            if container {
                ends.extend(
                    self.facts
                        .iter()
                        .filter(|(_, f)| f.parent.as_deref() == Some(id.as_str()))
                        .map(|(child, _)| child.as_str()),
                );
            }
            let mut edges: Vec<usize> = ends
                .iter()
                .flat_map(|end| {
                    ctx.graph
                        .view
                        .out_edges(end)
                        .into_iter()
                        .chain(ctx.graph.view.in_edges(end))
                })
                .collect();
            edges.sort_unstable();
            edges.dedup();
            edges
        } else {
            Vec::new()
        };
        let fresh_edges: Vec<(usize, Vec<Diagnostic>)> =
            edges.iter().map(|&i| (i, ctx.edge_rules(i))).collect();
        for id in affected {
            self.changed.add(Bucket::Block(id));
        }
        self.block_diags.extend(fresh);
        if let Some(global) = global {
            self.global = global;
            self.changed.add(Bucket::Global);
        }
        for (i, diagnostics) in fresh_edges {
            if let Some(slot) = self.edge_diags.get_mut(i) {
                *slot = diagnostics;
            }
            if let Some(e) = self.doc.state().edges.get(i) {
                self.changed.add(Bucket::Edge(e.id.clone()));
            }
        }
    }

    /// Moves block `id` from one normalised name to another in the names table, keeping each
    /// name's ids in block order (what a full rebuild gives).
    fn move_name(&mut self, id: &str, from: &str, to: &str) {
        if let Some(ids) = self.graph.names.get_mut(from) {
            ids.retain(|x| x != id);
            if ids.is_empty() {
                self.graph.names.remove(from);
            }
        }
        if self
            .facts
            .get(id)
            .is_some_and(|f| f.family == crate::sim::BlockFamily::Note)
        {
            return;
        }
        let blocks = &self.doc.state().blocks;
        let ids = self.graph.names.entry(to.to_string()).or_default();
        ids.push(id.to_string());
        ids.sort_by_key(|x| blocks.get_index_of(x.as_str()).unwrap_or(usize::MAX));
    }

    fn insert_block(&mut self, index: usize, block: Block) -> Result<()> {
        if self.doc.state().blocks.contains_key(&block.id) {
            return Err(Error::Rejected(format!(
                "block `{}` is already in the workflow",
                block.id
            )));
        }
        self.analyse(&block);
        let blocks = &mut self.doc.state_mut().blocks;
        let at = index.min(blocks.len());
        blocks.shift_insert(at, block.id.clone(), block);
        self.recompute_graph();
        Ok(())
    }

    fn remove_block(&mut self, id: &str) {
        if self.doc.state_mut().blocks.shift_remove(id).is_none() {
            return;
        }
        self.local.remove(id);
        self.block_diags.remove(id);
        if let Some(old) = self.facts.remove(id) {
            self.forget_references(id, &old);
        }
        self.recompute_graph();
    }
}

struct JourneyState {
    doc: JourneyDocument,
    view: GraphView,
    index: HashMap<String, usize>,
    kinds: journey::Kinds,
    /// Per state: its own rules and its outgoing-transition rules.
    node_diags: Vec<Vec<Diagnostic>>,
    edge_diags: Vec<Vec<Diagnostic>>,
    /// Reachability and header rules.
    graph_diags: Vec<Diagnostic>,
    edge_positions: HashMap<String, Vec<usize>>,
    changed: Changed,
}

impl JourneyState {
    fn new(doc: JourneyDocument) -> JourneyState {
        let mut me = JourneyState {
            doc,
            view: GraphView::default(),
            index: HashMap::new(),
            kinds: HashMap::new(),
            node_diags: Vec::new(),
            edge_diags: Vec::new(),
            graph_diags: Vec::new(),
            edge_positions: HashMap::new(),
            changed: Changed::default(),
        };
        me.recompute_all();
        me
    }

    fn node(&self, i: usize) -> Vec<Diagnostic> {
        let mut out = journey::node_rules(&self.doc, &self.kinds, i);
        out.extend(journey::outgoing_rules(
            &self.doc,
            &self.view,
            &self.kinds,
            i,
        ));
        out
    }

    /// Journey rules are cheap: anything beyond a state's content is recomputed in full.
    fn recompute_all(&mut self) {
        self.view = GraphView::of_journey(&self.doc);
        self.index = self
            .doc
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
        self.kinds = journey::kinds_of(&self.doc);
        self.node_diags = (0..self.doc.nodes.len()).map(|i| self.node(i)).collect();
        let ids: HashSet<&str> = self.doc.nodes.iter().map(|n| n.id.as_str()).collect();
        self.edge_diags = (0..self.doc.edges.len())
            .map(|i| journey::edge_rules(&self.doc, &ids, i))
            .collect();
        let mut graph = journey::reachability_rules(&self.doc, &self.view);
        graph.extend(journey::header_rules(&self.doc));
        self.graph_diags = graph;
        self.edge_positions = index_of(self.doc.edges.iter().map(|e| e.id.as_str()));
        self.changed.everything();
    }

    fn upsert_node(&mut self, node: JourneyNode) {
        let Some(&i) = self.index.get(&node.id) else {
            self.doc.nodes.push(node);
            return self.recompute_all();
        };
        let id = node.id.clone();
        self.kinds.insert(id.clone(), self.doc.kind_of_node(&node));
        if let Some(slot) = self.doc.nodes.get_mut(i) {
            *slot = node;
        }
        // The state's own rules, and its predecessors' (they read this state's kind).
        let mut affected = vec![i];
        affected.extend(
            self.view
                .predecessors(&id)
                .iter()
                .filter_map(|p| self.index.get(*p).copied()),
        );
        for k in affected {
            let fresh = self.node(k);
            if let Some(slot) = self.node_diags.get_mut(k) {
                *slot = fresh;
            }
            if let Some(n) = self.doc.nodes.get(k) {
                self.changed.add(Bucket::State(n.id.clone()));
            }
        }
    }
}
