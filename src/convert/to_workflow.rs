//! Parlant journey → Sim workflow.
//!
//! A state with a `metadata.sim` base becomes that block again; when the journey changed the
//! state since (compared with what the base renders to), the edits are written into the block
//! where Sim can hold them. New states become new blocks. Afterwards the result is rendered back
//! once more and whatever still differs from the journey is stored as a `data.parlant` carrier,
//! so converting back gives the journey again.

use super::build;
use super::carry;
use super::conditions::{FAILED, SUCCEEDED};
use super::digest;
use super::expr::looks_like_code;
use super::layout;
use super::mapping::{codes, Direction, EdgeMapping, EndMapping, Mapping, NodeMapping};
use super::to_journey::{self, absolute_position, to_value, Known, Pass, DOC_NESTED, NODE_NESTED};
use super::{block_carrier, edge_carrier, ConvertOptions, PARLANT_KEY};
use crate::error::{Error, Result};
use crate::json::{Maybe, UniqueMap};
use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind, END_NODE_ID};
use crate::sim::references::normalize_block_name;
use crate::sim::{
    containers, model::number, Block, BlockData, Edge, Loop, Parallel, Position, SimDocument,
    SimExport, SimShape, SourceHandle, WorkflowMetadata, WorkflowState,
};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Where an element goes in the output: bases at their original index, new ones after them in
/// journey order.
type Key = (u8, usize, u8);

pub(crate) fn backward(
    doc: &JourneyDocument,
    opts: &ConvertOptions,
) -> Result<(SimDocument, Mapping)> {
    let mut b = Backward::new(doc, opts)?;
    b.nodes()?;
    b.context_variables();
    b.edges()?;
    b.finish()
}

fn sim_meta(metadata: &Maybe<IndexMap<String, Value>>) -> Option<&Map<String, Value>> {
    metadata.get()?.get("sim")?.as_object()
}

/// Metadata without `sim` (which holds a whole block: never cloned), as `detach_sim` leaves it.
fn metadata_without_sim(
    metadata: &Maybe<IndexMap<String, Value>>,
) -> Maybe<IndexMap<String, Value>> {
    let Some(map) = metadata.get() else {
        return metadata.clone();
    };
    let Some(sim) = map.get("sim") else {
        return metadata.clone();
    };
    let rest: IndexMap<String, Value> = map
        .iter()
        .filter(|(k, _)| *k != "sim")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    match sim.get("own_metadata").and_then(Value::as_str) {
        Some("absent") if rest.is_empty() => Maybe::Absent,
        Some("null") if rest.is_empty() => Maybe::Null,
        _ => Maybe::Value(rest),
    }
}

/// Whether `metadata` (which may hold `sim`) is `plain` once `sim` is taken out, as
/// `metadata_without_sim` would leave it, without building that copy.
fn metadata_is_without_sim(
    metadata: &Maybe<IndexMap<String, Value>>,
    plain: &Maybe<IndexMap<String, Value>>,
) -> bool {
    let Some(sim) = metadata.get().and_then(|m| m.get("sim")) else {
        return metadata == plain;
    };
    let rest_len = metadata.get().map_or(0, |m| m.len() - 1);
    let own = sim.get("own_metadata").and_then(Value::as_str);
    match plain {
        Maybe::Absent => rest_len == 0 && own == Some("absent"),
        Maybe::Null => rest_len == 0 && own == Some("null"),
        Maybe::Value(plain) => {
            // An emptied metadata that was absent or `null` before is not an empty object.
            !(rest_len == 0 && matches!(own, Some("absent" | "null")))
                && plain.len() == rest_len
                && metadata
                    .get()
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| *k != "sim")
                    .all(|(k, v)| plain.get(k) == Some(v))
        }
    }
}

/// `strip_node(node) == *plain`, without cloning the node: most states of a journey are compared
/// and found equal, and a copy of each would cost more than the comparison.
fn node_is_stripped(node: &JourneyNode, plain: &JourneyNode) -> bool {
    // Destructured so that a new field cannot be left out of the comparison unnoticed.
    let JourneyNode {
        id,
        action,
        tools,
        metadata,
        description,
        composition_mode,
        labels,
        extra,
    } = node;
    *id == plain.id
        && *action == plain.action
        && *tools == plain.tools
        && *description == plain.description
        && *composition_mode == plain.composition_mode
        && *labels == plain.labels
        && *extra == plain.extra
        && metadata_is_without_sim(metadata, &plain.metadata)
}

/// `strip_edge(edge) == *plain`, without cloning the edge (see `node_is_stripped`).
fn edge_is_stripped(edge: &JourneyEdge, plain: &JourneyEdge) -> bool {
    let JourneyEdge {
        id,
        source,
        target,
        condition,
        metadata,
        extra,
    } = edge;
    *id == plain.id
        && *source == plain.source
        && *target == plain.target
        && *condition == plain.condition
        && *extra == plain.extra
        && metadata_is_without_sim(metadata, &plain.metadata)
}

fn strip_node(node: &JourneyNode) -> JourneyNode {
    JourneyNode {
        id: node.id.clone(),
        action: node.action.clone(),
        tools: node.tools.clone(),
        metadata: metadata_without_sim(&node.metadata),
        description: node.description.clone(),
        composition_mode: node.composition_mode.clone(),
        labels: node.labels.clone(),
        extra: node.extra.clone(),
    }
}

fn strip_edge(edge: &JourneyEdge) -> JourneyEdge {
    JourneyEdge {
        id: edge.id.clone(),
        source: edge.source.clone(),
        target: edge.target.clone(),
        condition: edge.condition.clone(),
        metadata: metadata_without_sim(&edge.metadata),
        extra: edge.extra.clone(),
    }
}

/// The items in the order of their keys (stable). Sorts the keys, not the items: a block is
/// large, and moving it at every step of a sort costs more than the sort itself.
fn sorted_by_key<K: Ord + Copy, T>(items: Vec<(K, T)>) -> Vec<T> {
    // Usually already in order (a journey keeps its workflow's order): then nothing moves twice.
    if items.windows(2).all(|pair| pair[0].0 <= pair[1].0) {
        return items.into_iter().map(|(_, item)| item).collect();
    }
    let mut order: Vec<(K, usize)> = items
        .iter()
        .enumerate()
        .map(|(at, (key, _))| (*key, at))
        .collect();
    order.sort_unstable();
    let mut slots: Vec<Option<T>> = items.into_iter().map(|(_, item)| Some(item)).collect();
    order
        .into_iter()
        .filter_map(|(_, at)| slots.get_mut(at).and_then(Option::take))
        .collect()
}

fn invalid(what: String) -> Error {
    Error::Rejected(format!(
        "{what}; remove the `sim` metadata to convert this element as new"
    ))
}

fn parse_at<T: serde::de::DeserializeOwned>(value: &Value, what: impl Fn() -> String) -> Result<T> {
    T::deserialize(value).map_err(|e| invalid(format!("{}: {e}", what())))
}

/// A carried block or edge: its JSON text (as `to_text` writes it), or the element itself as a
/// JSON object (as journeys written before carried elements became text have it).
fn parse_carried<T: serde::de::DeserializeOwned>(
    value: &Value,
    what: impl Fn() -> String,
) -> Result<T> {
    match value {
        Value::String(text) => {
            serde_json::from_str(text).map_err(|e| invalid(format!("{}: {e}", what())))
        }
        _ => parse_at(value, what),
    }
}

struct Backward<'a> {
    doc: &'a JourneyDocument,
    opts: &'a ConvertOptions,
    mapping: Mapping,
    skeleton: SimDocument,
    /// The workflow the bases describe; its blocks move into the output as states are read.
    w0: WorkflowState,
    w0_ids: HashSet<String>,
    /// Absolute positions of the base containers, for children moved in the journey.
    w0_container_positions: HashMap<String, (f64, f64)>,
    j0: Option<JourneyDocument>,
    /// The journey is exactly as `workflow_to_journey` wrote it (its digest matches): it is
    /// what the bases render to, so `j0` is not rendered and every comparison with it is equal.
    unchanged: bool,
    /// States and transitions still as `workflow_to_journey` wrote them (their own digests
    /// match) in the rendering context they were written in: each is what its base renders
    /// to, so `j0` leaves them unrendered and they compare equal.
    known_nodes: HashSet<&'a str>,
    known_edges: HashSet<&'a str>,
    /// The rendering context of the bases (`digest::context`), when `j0` was rendered.
    context0: Option<String>,
    /// Whether state and transition ids are unique (elements are then told apart by id).
    unique_ids: bool,
    /// States and transitions equal to what their bases render to.
    same_nodes: HashSet<&'a str>,
    same_edges: HashSet<&'a str>,
    /// Blocks changed since they were taken from their bases (not counting new blocks).
    touched: HashSet<String>,
    /// State id → the original index of its base block (the block itself is in `w0`).
    base_blocks: HashMap<String, usize>,
    /// Whether the journey differs from what the bases render to; when it does not, the bases
    /// are the answer and the final rendering pass is skipped.
    edited: bool,
    base_edges: HashMap<String, (usize, Edge)>,
    /// State id → (router block, its index, the edge into it, its index).
    base_routers: HashMap<String, (usize, Block, usize, Edge)>,
    dropped_blocks: Vec<(usize, Block)>,
    dropped_edges: Vec<(usize, Edge)>,
    blocks: IndexMap<String, (Key, Block)>,
    edges: Vec<(Key, Edge)>,
    names: HashSet<String>,
    /// Wanted name → the next number to try after it (`Agent 2`, `Agent 3`, ...): numbers already
    /// tried stay taken, so naming n blocks alike is linear, not quadratic.
    next_number: HashMap<String, usize>,
    /// Branch lists being edited (block id, `conditions`/`routes`) → (items, stored as a string):
    /// parsed once, written back once after the transitions (a fork may get thousands).
    open_branches: HashMap<(String, &'static str), (Vec<Value>, bool)>,
    /// State id → the router standing for its conditions.
    routers: HashMap<String, String>,
    routers_used: HashSet<String>,
    node_ids: HashSet<&'a str>,
    synthetic_root: Option<String>,
}

impl<'a> Backward<'a> {
    fn new(doc: &'a JourneyDocument, opts: &'a ConvertOptions) -> Result<Self> {
        let mut skeleton = SimDocument::from_state(WorkflowState {
            blocks: Default::default(),
            edges: Vec::new(),
            loops: Maybe::Value(Default::default()),
            parallels: Maybe::Value(Default::default()),
            variables: Maybe::Absent,
            metadata: Maybe::Value(WorkflowMetadata {
                name: Maybe::Value(doc.journey.title.clone()),
                description: Maybe::Value(doc.journey.description.clone()),
                exported_at: Maybe::Absent,
                extra: IndexMap::new(),
            }),
            last_saved: Maybe::Absent,
            is_deployed: Maybe::Absent,
            deployed_at: Maybe::Absent,
            extra: IndexMap::new(),
        });
        let mut dropped_blocks = Vec::new();
        let mut dropped_edges = Vec::new();
        let mut has_skeleton = false;
        if let Some(sim) = doc.extra.get("sim") {
            has_skeleton = true;
            let export: SimExport = parse_at(sim.get("export").unwrap_or(&Value::Null), || {
                "the journey's `sim.export` is not a Sim export".into()
            })?;
            skeleton.export = export;
            skeleton.shape = match sim.get("shape").and_then(Value::as_str) {
                Some("bare_state") => SimShape::BareState,
                _ => SimShape::Envelope,
            };
            skeleton.json_string = sim
                .get("json_string")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            for item in sim
                .get("dropped_blocks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let index = item.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                dropped_blocks.push((
                    index,
                    parse_carried(item.get("block").unwrap_or(&Value::Null), || {
                        "a block in `sim.dropped_blocks`".into()
                    })?,
                ));
            }
            for item in sim
                .get("dropped_edges")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let index = item.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                dropped_edges.push((
                    index,
                    parse_carried(item.get("edge").unwrap_or(&Value::Null), || {
                        "an edge in `sim.dropped_edges`".into()
                    })?,
                ));
            }
        }
        let index_of = |sim: &Map<String, Value>| {
            sim.get("index").and_then(Value::as_u64).unwrap_or(0) as usize
        };
        // Sized up front: a block is over a kilobyte, and every growth of the table moves them all.
        let mut base_blocks = HashMap::with_capacity(doc.nodes.len());
        let mut base_routers = HashMap::new();
        for node in &doc.nodes {
            let Some(sim) = sim_meta(&node.metadata) else {
                continue;
            };
            if let Some(value) = sim.get("block") {
                let block: Block = parse_carried(value, || {
                    format!(
                        "state `{}`: `metadata.sim.block` is not a Sim block",
                        node.id
                    )
                })?;
                // A copied state keeps its original's base: it is a new block, not that one.
                if block.id == node.id {
                    base_blocks.insert(node.id.clone(), (index_of(sim), block));
                }
            }
            if let (Some(router), Some(edge)) = (sim.get("router"), sim.get("router_edge")) {
                let block: Block =
                    parse_carried(router.get("block").unwrap_or(&Value::Null), || {
                        format!("state `{}`: `metadata.sim.router`", node.id)
                    })?;
                let edge: Edge = parse_carried(edge.get("edge").unwrap_or(&Value::Null), || {
                    format!("state `{}`: `metadata.sim.router_edge`", node.id)
                })?;
                let ri = router.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                let ei = sim
                    .get("router_edge")
                    .and_then(|e| e.get("index"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as usize;
                if base_blocks.contains_key(&node.id)
                    && edge.source == node.id
                    && edge.target == block.id
                {
                    base_routers.insert(node.id.clone(), (ri, block, ei, edge));
                }
            }
        }
        let mut base_edges = HashMap::with_capacity(doc.edges.len());
        for edge in &doc.edges {
            let Some(value) = sim_meta(&edge.metadata).and_then(|s| s.get("edge")) else {
                continue;
            };
            let base: Edge = parse_carried(value, || {
                format!(
                    "transition `{}`: `metadata.sim.edge` is not a Sim edge",
                    edge.id
                )
            })?;
            if base.id == edge.id {
                let index = sim_meta(&edge.metadata).map_or(0, index_of);
                base_edges.insert(edge.id.clone(), (index, base));
            }
        }

        // The workflow the bases describe, and the journey it renders to.
        let mut w0 = skeleton.export.state.clone();
        let base_index: HashMap<String, usize> = base_blocks
            .iter()
            .map(|(id, (i, _))| (id.clone(), *i))
            .collect();
        let mut blocks0: Vec<(usize, Block)> = base_blocks.into_values().collect();
        blocks0.extend(base_routers.values().map(|(i, b, _, _)| (*i, b.clone())));
        blocks0.extend(
            dropped_blocks
                .iter()
                .map(|(i, b): &(usize, Block)| (*i, b.clone())),
        );
        w0.blocks = sorted_by_key(blocks0)
            .into_iter()
            .map(|b| (b.id.clone(), b))
            .collect();
        let written = has_skeleton.then(|| digest::check(doc));
        let unchanged = written.as_ref().is_some_and(|w| w.journey);
        let unique_ids = {
            let nodes: HashSet<&str> = doc.nodes.iter().map(|n| n.id.as_str()).collect();
            let edges: HashSet<&str> = doc.edges.iter().map(|e| e.id.as_str()).collect();
            nodes.len() == doc.nodes.len() && edges.len() == doc.edges.len()
        };
        // Only the rendering reads the edges of `w0`: the edge bases move in and back out
        // afterwards (the table is keyed by their own ids); routers' and dropped edges are copied.
        let mut lent: Vec<Option<usize>> = Vec::new();
        if !unchanged {
            let mut edges0: Vec<(usize, (Option<usize>, Edge))> = base_edges
                .drain()
                .map(|(_, (i, e))| (i, (Some(i), e)))
                .collect();
            edges0.extend(
                base_routers
                    .values()
                    .map(|(_, _, i, e)| (*i, (None, e.clone()))),
            );
            edges0.extend(
                dropped_edges
                    .iter()
                    .map(|(i, e): &(usize, Edge)| (*i, (None, e.clone()))),
            );
            let (origins, edges): (Vec<_>, Vec<_>) = sorted_by_key(edges0).into_iter().unzip();
            lent = origins;
            w0.edges = edges;
        }
        let (mut known_nodes, mut known_edges) = (HashSet::new(), HashSet::new());
        let mut context0 = None;
        let j0 = if !unchanged && (has_skeleton || !base_index.is_empty()) {
            let context = digest::context(&w0, &opts.service_name);
            if let (Some(written), true) = (
                &written,
                unique_ids && digest::stored_context(doc) == Some(context.as_str()),
            ) {
                known_nodes = doc
                    .nodes
                    .iter()
                    .zip(&written.nodes)
                    .filter(|(_, fresh)| **fresh)
                    .map(|(n, _)| n.id.as_str())
                    .collect();
                // A transition renders from its source block too: that state must be fresh.
                known_edges = doc
                    .edges
                    .iter()
                    .zip(&written.edges)
                    .filter(|(e, fresh)| **fresh && known_nodes.contains(e.source.as_str()))
                    .map(|(e, _)| e.id.as_str())
                    .collect();
            }
            context0 = Some(context);
            let mut d0 = skeleton.clone();
            d0.export.state = w0;
            let j0 = to_journey::forward(
                &d0,
                opts,
                &Pass {
                    carry_sim: false,
                    apply_carriers: true,
                    known: Known {
                        nodes: Some(&known_nodes),
                        edges: Some(&known_edges),
                    },
                },
            )?
            .0;
            w0 = d0.export.state;
            Some(j0)
        } else {
            None
        };
        if !lent.is_empty() {
            for (edge, origin) in std::mem::take(&mut w0.edges).into_iter().zip(lent) {
                if let Some(index) = origin {
                    base_edges.insert(edge.id.clone(), (index, edge));
                }
            }
        }
        Ok(Backward {
            doc,
            opts,
            mapping: Mapping::new(Direction::JourneyToWorkflow),
            skeleton,
            w0,
            j0,
            unchanged,
            known_nodes,
            known_edges,
            context0,
            unique_ids,
            same_nodes: HashSet::new(),
            same_edges: HashSet::new(),
            touched: HashSet::new(),
            base_blocks: base_index,
            base_edges,
            base_routers,
            dropped_blocks,
            dropped_edges,
            blocks: IndexMap::new(),
            edges: Vec::new(),
            names: HashSet::new(),
            routers: HashMap::new(),
            routers_used: HashSet::new(),
            node_ids: doc.nodes.iter().map(|n| n.id.as_str()).collect(),
            synthetic_root: None,
            next_number: HashMap::new(),
            open_branches: HashMap::new(),
            edited: false,
            w0_ids: HashSet::new(),
            w0_container_positions: HashMap::new(),
        })
    }

    fn unique_name(&mut self, wanted: &str) -> String {
        let wanted = if wanted.trim().is_empty() {
            "Block"
        } else {
            wanted
        };
        let taken = |names: &HashSet<String>, name: &str| {
            let key = normalize_block_name(name);
            names.contains(&key)
                || crate::sim::references::RESERVED_BLOCK_NAMES.contains(&key.as_str())
        };
        let mut name = wanted.to_string();
        if taken(&self.names, &name) {
            let n = self.next_number.entry(wanted.to_string()).or_insert(2);
            loop {
                name = format!("{wanted} {n}");
                *n += 1;
                if !taken(&self.names, &name) {
                    break;
                }
            }
        }
        self.names.insert(normalize_block_name(&name));
        name
    }

    /// Edits the branch list `key` of block `block_id` (see `open_branches`).
    fn edit_branches(
        &mut self,
        block_id: &str,
        key: &'static str,
        edit: impl FnOnce(&mut Vec<Value>),
    ) {
        let slot = match self.open_branches.entry((block_id.to_string(), key)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                let Some((_, block)) = self.blocks.get(block_id) else {
                    return;
                };
                v.insert(build::read_branches(block, key))
            }
        };
        edit(&mut slot.0);
    }

    /// Writes the edited branch lists back into their blocks.
    fn close_branches(&mut self) {
        for ((id, key), (items, as_string)) in std::mem::take(&mut self.open_branches) {
            if let Some((_, block)) = self.blocks.get_mut(&id) {
                build::write_branches(block, key, items, as_string);
                self.touched.insert(id);
            }
        }
    }

    fn nodes(&mut self) -> Result<()> {
        // Taken out for the loop (it borrows the nodes while blocks are edited), put back after.
        let j0 = self.j0.take();
        let j0_nodes: HashMap<&str, &JourneyNode> = j0
            .iter()
            .flat_map(|j| j.nodes.iter())
            .map(|n| (n.id.as_str(), n))
            .collect();
        // Names of blocks that come back unchanged are taken first, so new blocks avoid them.
        // (`w0` holds the base blocks, their routers and the blocks the journey left out.)
        let taken: Vec<String> = self
            .w0
            .blocks
            .values()
            .map(|b| normalize_block_name(&b.name))
            .collect();
        self.names.extend(taken);
        self.w0_ids = self.w0.blocks.keys().cloned().collect();
        self.w0_container_positions = self
            .w0
            .blocks
            .values()
            .filter(|b| crate::sim::BlockFamily::of(b).is_container())
            .filter_map(|b| Some((b.id.clone(), absolute_position(&self.w0, &b.id)?)))
            .collect();
        let mut pool: HashMap<String, Block> =
            std::mem::take(&mut self.w0.blocks).0.into_iter().collect();
        // Blocks are large: growing the map would move every one of them again.
        self.blocks
            .reserve(self.doc.nodes.len() + self.base_routers.len() + self.dropped_blocks.len());
        let layout =
            if self.doc.nodes.iter().any(|n| {
                self.doc.position_of(&n.id).is_none() && !self.base_blocks.contains_key(&n.id)
            }) {
                layout::layered(self.doc)
            } else {
                HashMap::new()
            };
        for (pos, node) in self.doc.nodes.iter().enumerate() {
            if sim_meta(&node.metadata)
                .and_then(|s| s.get("synthetic"))
                .is_some()
                && !self.base_blocks.contains_key(&node.id)
            {
                self.synthetic_root = Some(node.id.clone());
                continue;
            }
            // `kind_of` looks the node up by id; this loop already has it.
            let kind = if node.id == self.doc.journey.root_id {
                NodeKind::Root
            } else {
                match node.declared_kind() {
                    Some("tool") => NodeKind::Tool,
                    Some("fork") => NodeKind::Fork,
                    Some("chat") => NodeKind::Chat,
                    Some(other) => NodeKind::Other(other.to_string()),
                    None if !node.tool_ids().is_empty() => NodeKind::Tool,
                    None => NodeKind::Chat,
                }
            };
            let base = self
                .base_blocks
                .get(&node.id)
                .and_then(|i| Some((*i, pool.remove(&node.id)?)));
            let (key, mut block, role) = match base {
                Some((index, mut block)) => {
                    let block_type = block.block_type.clone();
                    match j0_nodes.get(node.id.as_str()) {
                        _ if self.unchanged => {}
                        // Left out of `j0`: it is what its base renders to.
                        _ if self.known_nodes.contains(node.id.as_str()) => {
                            self.same_nodes.insert(node.id.as_str());
                        }
                        Some(n0) => {
                            if node_is_stripped(node, n0) {
                                self.same_nodes.insert(node.id.as_str());
                            } else {
                                self.edited = true;
                                self.touched.insert(node.id.clone());
                                self.edit_block(&mut block, &strip_node(node), n0);
                            }
                        }
                        None => self.edited = true,
                    }
                    (
                        (0, index, 0),
                        block,
                        format!("{block_type}->{}", kind.as_str()),
                    )
                }
                None => {
                    self.edited = true;
                    let block = self.new_block(&strip_node(node), &kind);
                    ((1, pos, 0), block, format!("{}->{}", kind.as_str(), "new"))
                }
            };
            // Position: the journey's, unless it is the one the base already has.
            let wanted = self.doc.position_of(&node.id);
            let unchanged = self.base_blocks.contains_key(&node.id)
                && (self.unchanged || j0.as_ref().and_then(|j| j.position_of(&node.id)) == wanted);
            if !unchanged {
                self.edited = true;
                self.touched.insert(node.id.clone());
                if let Some((x, y)) = wanted.or_else(|| layout.get(&node.id).copied()) {
                    let (px, py) = match block.parent_id() {
                        Some(parent) => self
                            .doc
                            .position_of(parent)
                            .or_else(|| self.w0_container_positions.get(parent).copied())
                            .unwrap_or((0.0, 0.0)),
                        None => (0.0, 0.0),
                    };
                    block.position = Position {
                        x: number(x - px),
                        y: number(y - py),
                        extra: block.position.extra.clone(),
                    };
                }
            }
            self.mapping.nodes.push(NodeMapping {
                block_id: block.id.clone(),
                state_id: node.id.clone(),
                role: role.replace("->new", ""),
            });
            self.blocks.insert(block.id.clone(), (key, block));
            if let Some((ri, router, _, _)) = self.base_routers.get(&node.id) {
                self.routers.insert(node.id.clone(), router.id.clone());
                self.blocks
                    .insert(router.id.clone(), ((0, *ri, 0), router.clone()));
            }
        }
        for (index, block) in &self.dropped_blocks {
            self.blocks
                .insert(block.id.clone(), ((0, *index, 0), block.clone()));
        }
        // A state the journey deleted.
        let ids: HashSet<&str> = self.doc.nodes.iter().map(|n| n.id.as_str()).collect();
        if j0_nodes.keys().any(|id| !ids.contains(id)) {
            self.edited = true;
        }
        drop(j0_nodes);
        self.j0 = j0;
        Ok(())
    }

    fn edit_block(&mut self, block: &mut Block, node: &JourneyNode, before: &JourneyNode) {
        if node.action != before.action && block.block_type == "agent" {
            if let Some(text) = node.action_text() {
                build::set_agent_action(block, text);
            }
        }
        if node.description != before.description {
            if let Some(name) = node.description.get().filter(|d| !d.trim().is_empty()) {
                let key = normalize_block_name(name);
                if !self.names.contains(&key) {
                    self.names.remove(&normalize_block_name(&block.name));
                    self.names.insert(key);
                    block.name = name.clone();
                }
            }
        }
        if node.declared_kind() != before.declared_kind() {
            self.mapping.approximate(
                codes::KIND_CHANGED,
                &[&node.id],
                &[],
                format!(
                    "state `{}` changed kind, but block `{}` stays a `{}` block",
                    node.id, block.name, block.block_type
                ),
            );
        }
    }

    fn new_block(&mut self, node: &JourneyNode, kind: &NodeKind) -> Block {
        let default_name = match kind {
            NodeKind::Root => "Start".to_string(),
            NodeKind::Tool => node
                .tool_ids()
                .first()
                .map_or("Tool".to_string(), |t| t.tool_name.clone()),
            NodeKind::Fork => "Router".to_string(),
            _ => "Agent".to_string(),
        };
        let name = self.unique_name(
            node.description
                .get()
                .map_or(default_name.as_str(), String::as_str),
        );
        match kind {
            NodeKind::Root => {
                let inputs = self
                    .doc
                    .context_variables()
                    .iter()
                    .map(|v| input_field(&node.id, &v.name, v.value.get()))
                    .collect();
                build::start_trigger(&node.id, &name, inputs)
            }
            NodeKind::Tool => {
                let tool = node
                    .tool_ids()
                    .first()
                    .map_or("tool".to_string(), |t| t.to_string());
                self.mapping.approximate(
                    codes::TOOL_PLACEHOLDER,
                    &[&node.id],
                    &[],
                    format!(
                        "tool state `{}` became a function block standing in for `{tool}`",
                        node.id
                    ),
                );
                build::tool_placeholder(&node.id, &name, &tool)
            }
            NodeKind::Fork => {
                let context = self.root_input_reference();
                build::router(&node.id, &name, &context, &self.opts.model)
            }
            _ => build::agent(&node.id, &name, node.action_text(), &self.opts.model),
        }
    }

    /// `<start.input>` for the journey's root block.
    fn root_input_reference(&self) -> String {
        let root = self
            .blocks
            .get(&self.doc.journey.root_id)
            .map(|(_, b)| b.name.clone())
            .unwrap_or_else(|| "start".into());
        format!("<{}.input>", normalize_block_name(&root))
    }

    /// Context variable edits: values of start inputs and workflow variables, inputs added or removed.
    fn context_variables(&mut self) {
        let Some(j0) = self.j0.as_ref() else { return };
        let before: HashMap<&str, Option<&Value>> = j0
            .context_variables()
            .iter()
            .map(|v| (v.name.as_str(), v.value.get()))
            .collect();
        let now: HashMap<&str, Option<&Value>> = self
            .doc
            .context_variables()
            .iter()
            .map(|v| (v.name.as_str(), v.value.get()))
            .collect();
        if before == now {
            return;
        }
        self.edited = true;
        let root_id = self.doc.journey.root_id.clone();
        let Some((_, root)) = self.blocks.get_mut(&root_id) else {
            return;
        };
        self.touched.insert(root_id.clone());
        let is_start = root.block_type == "start_trigger" || root.block_type == "starter";
        let mut variables = self.skeleton.export.state.variables.get_mut();
        if let (true, Some(Value::Array(fields))) = (
            is_start,
            root.sub_blocks
                .get_mut("inputFormat")
                .and_then(|s| s.value.get_mut()),
        ) {
            let input_names: HashSet<String> = fields
                .iter()
                .filter_map(|f| f.get("name").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            fields.retain(|f| {
                let name = f.get("name").and_then(Value::as_str).unwrap_or("");
                !before.contains_key(name) || now.contains_key(name) || name.is_empty()
            });
            for field in fields.iter_mut() {
                let name = field
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                if let (Some(old), Some(new)) = (before.get(name.as_str()), now.get(name.as_str()))
                {
                    if old != new {
                        field["value"] = new.cloned().unwrap_or(Value::String(String::new()));
                    }
                }
            }
            for var in self.doc.context_variables() {
                if !before.contains_key(var.name.as_str()) && !input_names.contains(&var.name) {
                    fields.push(input_field(&root_id, &var.name, var.value.get()));
                }
            }
        }
        for variable in variables.iter_mut().flat_map(|v| v.values_mut()) {
            let Some(name) = variable.name.get().cloned() else {
                continue;
            };
            if let (Some(old), Some(new)) = (before.get(name.as_str()), now.get(name.as_str())) {
                if old != new {
                    variable.value = new.cloned().map_or(Maybe::Absent, Maybe::Value);
                }
            }
        }
    }

    fn edges(&mut self) -> Result<()> {
        let j0 = self.j0.take();
        let j0_edges: HashMap<&str, &JourneyEdge> = j0
            .iter()
            .flat_map(|j| j.edges.iter())
            .map(|e| (e.id.as_str(), e))
            .collect();
        let ids: HashSet<&str> = self.doc.edges.iter().map(|e| e.id.as_str()).collect();
        if j0_edges.keys().any(|id| !ids.contains(id)) {
            self.edited = true;
        }
        let mut end_edges: IndexMap<String, Vec<Value>> = IndexMap::new();
        for (pos, edge) in self.doc.edges.iter().enumerate() {
            let synthetic = sim_meta(&edge.metadata)
                .and_then(|s| s.get("synthetic"))
                .and_then(Value::as_str);
            if let Some(kind) = synthetic {
                if !self.unchanged
                    && kind != "root"
                    && !j0_edges
                        .get(edge.id.as_str())
                        .is_some_and(|e0| edge_is_stripped(edge, e0))
                {
                    self.edited = true;
                    self.mapping.approximate(codes::SYNTHETIC_EDITED, &[], &[&edge.id], format!("transition `{}` was added by the conversion ({kind}); its edit has no Sim counterpart", edge.id));
                }
                continue;
            }
            if self.synthetic_root.as_deref() == Some(edge.source.as_str()) {
                self.edited = true;
                self.mapping.approximate(codes::SYNTHETIC_EDITED, &[], &[&edge.id], format!("transition `{}` leaves the root added for a workflow without trigger; Sim starts at blocks without inputs", edge.id));
                continue;
            }
            if edge.target == END_NODE_ID && self.node_ids.contains(edge.source.as_str()) {
                let value = to_value(&strip_edge(edge))?;
                end_edges
                    .entry(edge.source.clone())
                    .or_default()
                    .push(json!({"index": pos, "edge": value}));
                self.edited = true;
                self.mapping.edges.push(EdgeMapping {
                    sim_edge_id: None,
                    transition_id: Some(edge.id.clone()),
                    handle: None,
                });
                self.mapping.approximate(codes::END_TRANSITION_CARRIED, &[&edge.source], &[&edge.id], format!("transition `{}` to `end` has no Sim edge: `{}` is a leaf, and the transition is kept in its `data.parlant`", edge.id, edge.source));
                continue;
            }
            if !self.node_ids.contains(edge.source.as_str())
                || !self.node_ids.contains(edge.target.as_str())
            {
                self.edited = true;
                self.mapping.approximate(codes::DANGLING_EDGE, &[], &[&edge.id], format!("transition `{}` joins `{}` to `{}`, which is not a state of this journey; it was dropped", edge.id, edge.source, edge.target));
                continue;
            }
            // With unique transition ids (always so in an unchanged journey) a base is wanted
            // once: it can be taken, not copied.
            let base = if self.unchanged || self.unique_ids {
                self.base_edges.remove(&edge.id)
            } else {
                self.base_edges.get(&edge.id).cloned()
            };
            let sim_edge = match base {
                Some((index, mut base)) => {
                    match j0_edges.get(edge.id.as_str()) {
                        _ if self.unchanged => {}
                        _ if self.known_edges.contains(edge.id.as_str()) => {
                            self.same_edges.insert(edge.id.as_str());
                        }
                        Some(before) => {
                            if edge_is_stripped(edge, before) {
                                self.same_edges.insert(edge.id.as_str());
                            } else {
                                self.edited = true;
                                self.edit_edge(&mut base, &strip_edge(edge), before);
                            }
                        }
                        None => self.edited = true,
                    }
                    if self.routers.values().any(|r| *r == base.source) {
                        self.routers_used.insert(base.source.clone());
                    }
                    ((0, index, 0), base)
                }
                None => {
                    self.edited = true;
                    let (source, handle) =
                        self.resolve_handle(&edge.source, edge.condition_text(), &edge.id);
                    let mut new = Edge::new(edge.id.clone(), source, edge.target.clone(), &handle);
                    new.edge_type = Maybe::Value("default".into());
                    ((1, pos, 1), new)
                }
            };
            self.mapping.edges.push(EdgeMapping {
                sim_edge_id: Some(sim_edge.1.id.clone()),
                transition_id: Some(edge.id.clone()),
                handle: sim_edge.1.source_handle.get().cloned(),
            });
            self.edges.push(sim_edge);
        }
        drop(j0_edges);
        self.j0 = j0;
        for (source, ends) in end_edges {
            if let Some((_, block)) = self.blocks.get_mut(&source) {
                carrier_mut(block).insert("end_edges".into(), Value::Array(ends));
                self.touched.insert(source);
            }
        }
        self.close_branches();
        // Routers: kept when a transition still goes through them. The first key of each
        // router's outgoing edges places the edge into it (one pass, not one per router).
        let mut first_out: HashMap<&str, Key> = HashMap::new();
        for (k, e) in &self.edges {
            let slot = first_out.entry(e.source.as_str()).or_insert(*k);
            if *k < *slot {
                *slot = *k;
            }
        }
        let first_out: HashMap<String, Key> = first_out
            .into_iter()
            .map(|(s, k)| (s.to_string(), k))
            .collect();
        for (state, router) in self.routers.clone() {
            if !self.routers_used.contains(&router) {
                self.blocks.shift_remove(&router);
                continue;
            }
            match self.base_routers.get(&state) {
                Some((_, _, index, edge)) => self.edges.push(((0, *index, 0), edge.clone())),
                None => {
                    let first = first_out.get(&router).copied().unwrap_or((1, 0, 1));
                    let mut edge = Edge::new(
                        format!("{state}-router-in"),
                        state.clone(),
                        router.clone(),
                        "source",
                    );
                    edge.edge_type = Maybe::Value("default".into());
                    self.edges.push(((first.0, first.1, 0), edge));
                }
            }
        }
        for (index, edge) in &self.dropped_edges {
            let known = |id: &str| self.blocks.contains_key(id) || !self.w0_ids.contains(id);
            if known(&edge.source) && known(&edge.target) {
                self.edges.push(((0, *index, 0), edge.clone()));
            }
        }
        Ok(())
    }

    fn edit_edge(&mut self, edge: &mut Edge, now: &JourneyEdge, before: &JourneyEdge) {
        if now.target != before.target {
            edge.target = now.target.clone();
        }
        let handle = SourceHandle::parse(edge.source_handle.get().map(String::as_str));
        if now.source != before.source {
            let (source, handle) = self.resolve_handle(&now.source, now.condition_text(), &edge.id);
            edge.source = source;
            edge.source_handle = Maybe::Value(handle);
            return;
        }
        if now.condition == before.condition {
            return;
        }
        let text = now.condition_text();
        match handle {
            SourceHandle::Condition(branch) => {
                let code = text
                    .map(|t| {
                        t.trim_end_matches(" (and no earlier condition holds)")
                            .to_string()
                    })
                    .filter(|t| looks_like_code(t));
                if let (Some(code), true) = (code, self.blocks.contains_key(&edge.source)) {
                    self.edit_branches(&edge.source, "conditions", |items| {
                        for item in items.iter_mut().filter(|i| {
                            i.get("id").and_then(Value::as_str) == Some(branch.as_str())
                        }) {
                            item["value"] = Value::String(code.clone());
                        }
                    });
                } else {
                    self.mapping.approximate(
                        codes::CONDITION_TEXT_NOT_CODE,
                        &[&edge.source],
                        &[&edge.id],
                        format!("the new condition of `{}` is not a JavaScript expression; branch `{branch}` keeps its code and the text is kept in `data.parlant`", edge.id),
                    );
                }
            }
            SourceHandle::Router(route) => {
                if let Some(text) = text {
                    self.edit_branches(&edge.source, "routes", |items| {
                        for item in items
                            .iter_mut()
                            .filter(|i| i.get("id").and_then(Value::as_str) == Some(route.as_str()))
                        {
                            item["value"] = Value::String(text.to_string());
                        }
                    });
                }
            }
            SourceHandle::Source | SourceHandle::Error => {
                let (source, handle) = self.resolve_handle(&now.source, text, &edge.id);
                edge.source = source;
                edge.source_handle = Maybe::Value(handle);
            }
            _ => {}
        }
    }

    /// The Sim source and handle of a transition leaving `state` under `condition`.
    fn resolve_handle(
        &mut self,
        state: &str,
        condition: Option<&str>,
        edge_id: &str,
    ) -> (String, String) {
        let Some(text) = condition else {
            return (state.to_string(), "source".into());
        };
        if text == FAILED {
            return (state.to_string(), "error".into());
        }
        if text == SUCCEEDED {
            return (state.to_string(), "source".into());
        }
        let block_type = self
            .blocks
            .get(state)
            .map(|(_, b)| b.block_type.clone())
            .unwrap_or_default();
        if block_type == "condition" {
            if looks_like_code(text) {
                let id = format!("{state}-else-if-{edge_id}");
                let code = text.to_string();
                let branch_id = id.clone();
                self.edit_branches(state, "conditions", move |items| {
                    let at = items
                        .iter()
                        .position(|i| i.get("title").and_then(Value::as_str) == Some("else"))
                        .unwrap_or(items.len());
                    let title = if items.is_empty() { "if" } else { "else if" };
                    items.insert(at, json!({"id": branch_id, "title": title, "value": code}));
                });
                return (state.to_string(), format!("condition-{id}"));
            }
            self.mapping.approximate(codes::CONDITION_TEXT_NOT_CODE, &[state], &[edge_id], format!("condition `{text}` on Condition block `{state}` is not JavaScript; the edge leaves by its plain output and the text is kept in `data.parlant`"));
            return (state.to_string(), "source".into());
        }
        let router = if block_type == "router_v2" || block_type == "router" {
            state.to_string()
        } else {
            self.router_for(state)
        };
        let route_id = format!("{router}-route-{edge_id}");
        let (rid, value) = (route_id.clone(), text.to_string());
        self.edit_branches(&router, "routes", move |items| {
            let title = format!("route{}", items.len() + 1);
            items.push(json!({"id": rid, "title": title, "value": value}));
        });
        self.routers_used.insert(router.clone());
        self.mapping.approximate(codes::CONDITION_AS_ROUTE, &[state], &[edge_id], format!("condition `{text}` became a route of router `{router}`: an LLM picks it, as Parlant's LLM judges conditions"));
        (router, format!("router-{route_id}"))
    }

    /// The router standing for the conditions of a non-fork state, made when first needed.
    fn router_for(&mut self, state: &str) -> String {
        if let Some(router) = self.routers.get(state) {
            return router.clone();
        }
        let mut id = format!("{state}-router");
        while self.blocks.contains_key(&id) || self.node_ids.contains(id.as_str()) {
            id.push('_');
        }
        let owner = self
            .blocks
            .get(state)
            .map(|(k, b)| (*k, b.name.clone(), b.block_type.clone(), b.position.xy()));
        let (key, owner_name, owner_type, (x, y)) = owner.unwrap_or((
            (1, usize::MAX, 0),
            "state".into(),
            String::new(),
            (0.0, 0.0),
        ));
        let context = if owner_type == "agent" {
            format!("<{}.content>", normalize_block_name(&owner_name))
        } else {
            self.root_input_reference()
        };
        let name = self.unique_name(&format!("{owner_name} router"));
        let mut router = build::router(&id, &name, &context, &self.opts.model);
        router.position =
            Position::new(x + layout::LAYER_WIDTH / 2.0, y + layout::ROW_HEIGHT / 2.0);
        carrier_mut(&mut router).insert("merged_into".into(), Value::String(state.to_string()));
        self.mapping.nodes.push(NodeMapping {
            block_id: id.clone(),
            state_id: state.to_string(),
            role: format!("router_for:{state}"),
        });
        self.blocks
            .insert(id.clone(), ((key.0, key.1, key.2 + 1), router));
        self.routers.insert(state.to_string(), id.clone());
        id
    }

    fn finish(mut self) -> Result<(SimDocument, Mapping)> {
        let blocks = sorted_by_key(
            std::mem::take(&mut self.blocks)
                .into_iter()
                .map(|(id, (key, block))| (key, (id, block)))
                .collect(),
        );
        let edges = sorted_by_key(std::mem::take(&mut self.edges));
        let mut out = self.skeleton.clone();
        let state = &mut out.export.state;
        state.blocks = blocks.into_iter().collect();
        state.edges = edges;
        // Where the journey ends (no transition but to `end`), the block has no edge (see `EndMapping`).
        {
            let sources: HashSet<&str> = state.edges.iter().map(|e| e.source.as_str()).collect();
            let onward: HashSet<&str> = self
                .doc
                .edges
                .iter()
                .filter(|e| e.target != END_NODE_ID)
                .map(|e| e.source.as_str())
                .collect();
            let blocks: HashMap<&str, &str> = self
                .mapping
                .nodes
                .iter()
                .filter(|n| !n.role.starts_with("router_for:"))
                .map(|n| (n.state_id.as_str(), n.block_id.as_str()))
                .collect();
            let mut ends = Vec::new();
            for node in &self.doc.nodes {
                let Some(&block) = blocks.get(node.id.as_str()) else {
                    continue;
                };
                if !onward.contains(node.id.as_str())
                    && !sources.contains(block)
                    && state.blocks.contains_key(block)
                {
                    ends.push(EndMapping {
                        block_id: block.to_string(),
                        state_id: node.id.clone(),
                    });
                }
            }
            self.mapping.ends = ends;
        }
        // A block whose container was deleted leaves it.
        let orphans: Vec<usize> = state
            .blocks
            .values()
            .enumerate()
            .filter(|(_, b)| {
                b.data
                    .get()
                    .and_then(|d| d.parent_id.get())
                    .is_some_and(|p| !state.blocks.contains_key(p))
            })
            .map(|(i, _)| i)
            .collect();
        for i in orphans {
            if let Some((_, block)) = state.blocks.get_index_mut(i) {
                if let Some(data) = block.data.get_mut() {
                    data.parent_id = Maybe::Absent;
                    data.extent = Maybe::Absent;
                    self.touched.insert(block.id.clone());
                }
            }
        }
        rederive_containers(state, &self.w0, &self.w0_ids);
        let header_changed = match &self.j0 {
            _ if self.unchanged => false,
            Some(j0) => !same_header(self.doc, j0) && header(self.doc)? != header(j0)?,
            None => true,
        };
        if !self.edited && !header_changed {
            // The journey is what the bases render to: they are the workflow, carriers included.
            return Ok((out, self.mapping));
        }
        self.journey_header_edits(state);
        // The bases' rendering is done with: freed before the result is rendered, so that
        // rendering reuses its memory instead of asking the system for as much again.
        self.j0 = None;

        // A state or transition equal to what its base renders to keeps its base as it is,
        // carrier included, while its block or edge is untouched and the rendering context is
        // the bases' own: the result renders it as the bases did, so carrying anew would give
        // that carrier again (as for an unchanged journey above). Only the others are rendered.
        let state = &out.export.state;
        let same_context = self.unique_ids
            && self.context0.as_deref()
                == Some(digest::context(state, &self.opts.service_name).as_str());
        let (mut keep_nodes, mut keep_edges) = (HashSet::new(), HashSet::new());
        if same_context {
            keep_nodes = self
                .same_nodes
                .iter()
                .copied()
                .filter(|id| !self.touched.contains(*id))
                .collect();
            // A transition renders from its edge's source block too (its branches, its name).
            keep_edges = state
                .edges
                .iter()
                .filter(|e| {
                    self.same_edges.contains(e.id.as_str()) && !self.touched.contains(&e.source)
                })
                .filter_map(|e| self.same_edges.get(e.id.as_str()).copied())
                .collect();
        }
        // What the result renders to without carriers; whatever differs is carried.
        let (j1, _) = to_journey::forward(
            &out,
            self.opts,
            &Pass {
                carry_sim: false,
                apply_carriers: false,
                known: Known {
                    nodes: Some(&keep_nodes),
                    edges: Some(&keep_edges),
                },
            },
        )?;
        let state = &mut out.export.state;
        let rendered_nodes: HashMap<&str, &JourneyNode> =
            j1.nodes.iter().map(|n| (n.id.as_str(), n)).collect();
        for node in &self.doc.nodes {
            let Some(block) = state.blocks.get_mut(&node.id) else {
                continue;
            };
            if keep_nodes.contains(node.id.as_str()) {
                if let Some(Value::Object(kept)) = block_carrier(block).and_then(|c| c.get("node"))
                {
                    note_carried(&mut self.mapping, &[&node.id], &[], &node.id, kept);
                }
                continue;
            }
            let rendered = rendered_nodes.get(node.id.as_str()).copied();
            let diff = if rendered.is_some_and(|r| node_is_stripped(node, r)) {
                Map::new()
            } else {
                let wanted = carry::flatten(&to_value(&strip_node(node))?, NODE_NESTED);
                let rendered = rendered
                    .map(to_value)
                    .transpose()?
                    .map(|v| carry::flatten(&v, NODE_NESTED))
                    .unwrap_or_default();
                carry::diff(&wanted, &rendered)
            };
            note_carried(&mut self.mapping, &[&node.id], &[], &node.id, &diff);
            set_block_carrier(block, "node", diff);
        }
        let rendered_edges: HashMap<&str, &JourneyEdge> =
            j1.edges.iter().map(|e| (e.id.as_str(), e)).collect();
        // Each transition's edge in the result, by position (the edges are written below).
        let edge_at: Vec<Option<usize>> = {
            let index: HashMap<&str, usize> = state
                .edges
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.as_str(), i))
                .collect();
            self.doc
                .edges
                .iter()
                .map(|e| index.get(e.id.as_str()).copied())
                .collect()
        };
        for (edge, at) in self.doc.edges.iter().zip(edge_at) {
            let Some(i) = at else {
                continue;
            };
            if keep_edges.contains(edge.id.as_str()) {
                if let Some(Value::Object(kept)) =
                    edge_carrier(&state.edges[i]).and_then(|c| c.get("edge"))
                {
                    note_carried(&mut self.mapping, &[], &[&edge.id], &edge.id, kept);
                }
                continue;
            }
            let rendered = rendered_edges.get(edge.id.as_str()).copied();
            let diff = if rendered.is_some_and(|r| edge_is_stripped(edge, r)) {
                Map::new()
            } else {
                let wanted = carry::flatten(&to_value(&strip_edge(edge))?, NODE_NESTED);
                let rendered = rendered
                    .map(to_value)
                    .transpose()?
                    .map(|v| carry::flatten(&v, NODE_NESTED))
                    .unwrap_or_default();
                carry::diff(&wanted, &rendered)
            };
            note_carried(&mut self.mapping, &[], &[&edge.id], &edge.id, &diff);
            set_edge_carrier(&mut state.edges[i], diff);
        }
        let diff = if same_header(self.doc, &j1) {
            Map::new()
        } else {
            carry::diff(&header(self.doc)?, &header(&j1)?)
        };
        if diff.is_empty() {
            if let Some(metadata) = state.metadata.get_mut() {
                metadata.extra.shift_remove(PARLANT_KEY);
            }
        } else {
            let metadata = state.metadata.get_or_insert_with(|| WorkflowMetadata {
                name: Maybe::Absent,
                description: Maybe::Absent,
                exported_at: Maybe::Absent,
                extra: IndexMap::new(),
            });
            metadata
                .extra
                .insert(PARLANT_KEY.into(), json!({"journey": diff}));
        }
        Ok((out, self.mapping))
    }

    fn journey_header_edits(&self, state: &mut WorkflowState) {
        let Some(j0) = self.j0.as_ref() else { return };
        let journey = &self.doc.journey;
        if journey.title != j0.journey.title || journey.description != j0.journey.description {
            let metadata = state.metadata.get_or_insert_with(|| WorkflowMetadata {
                name: Maybe::Absent,
                description: Maybe::Absent,
                exported_at: Maybe::Absent,
                extra: IndexMap::new(),
            });
            if journey.title != j0.journey.title {
                metadata.name = Maybe::Value(journey.title.clone());
            }
            if journey.description != j0.journey.description {
                metadata.description = Maybe::Value(journey.description.clone());
            }
        }
    }
}

/// Whether two journeys' headers are equal field by field (then their `header`s are too): a
/// header holds every state's position, and flattening it to compare is a copy of them all.
fn same_header(a: &JourneyDocument, b: &JourneyDocument) -> bool {
    fn without_sim(doc: &JourneyDocument) -> impl Iterator<Item = (&String, &Value)> {
        doc.extra.iter().filter(|(k, _)| *k != "sim")
    }
    a.format == b.format
        && a.version == b.version
        && a.journey == b.journey
        && a.tags == b.tags
        && a.guidelines == b.guidelines
        && a.context_variables == b.context_variables
        && a.editor == b.editor
        && without_sim(a).count() == without_sim(b).count()
        && without_sim(a).all(|(k, v)| b.extra.get(k) == Some(v))
}

/// The journey's header fields (everything but nodes, edges and the `sim` carrier), flattened.
fn header(doc: &JourneyDocument) -> Result<Map<String, Value>> {
    let mut extra = doc.extra.clone();
    extra.shift_remove("sim");
    let bare = JourneyDocument {
        format: doc.format.clone(),
        version: doc.version,
        journey: doc.journey.clone(),
        nodes: Vec::new(),
        edges: Vec::new(),
        tags: doc.tags.clone(),
        guidelines: doc.guidelines.clone(),
        context_variables: doc.context_variables.clone(),
        editor: doc.editor.clone(),
        extra,
    };
    let mut fields = carry::flatten(&to_value(&bare)?, DOC_NESTED);
    fields.shift_remove("nodes");
    fields.shift_remove("edges");
    Ok(fields)
}

fn note_carried(
    mapping: &mut Mapping,
    nodes: &[&str],
    edges: &[&str],
    id: &str,
    diff: &Map<String, Value>,
) {
    if !diff.is_empty() {
        let fields: Vec<&str> = diff.keys().map(String::as_str).collect();
        mapping.approximate(
            codes::CARRIED_IN_DATA,
            nodes,
            edges,
            format!(
                "`{id}`: {} kept in `data.parlant` (Sim has no place for it)",
                fields.join(", ")
            ),
        );
    }
}

fn input_field(root: &str, name: &str, value: Option<&Value>) -> Value {
    let kind = match value {
        Some(Value::Number(_)) => "number",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Object(_)) => "object",
        Some(Value::Array(_)) => "array",
        _ => "string",
    };
    json!({"id": format!("{root}-input-{name}"), "name": name, "type": kind, "value": value.cloned().unwrap_or(Value::String(String::new())), "collapsed": false})
}

fn empty_data() -> BlockData {
    BlockData::deserialize(json!({}))
        .unwrap_or_else(|_| unreachable!("every BlockData field is optional"))
}

/// `data.parlant` of a block, created (and marked as created) when missing.
fn carrier_mut(block: &mut Block) -> &mut Map<String, Value> {
    let data = block.data.get_or_insert_with(|| {
        let mut d = empty_data();
        d.extra
            .insert(PARLANT_KEY.into(), json!({"created_data": true}));
        d
    });
    let slot = data
        .extra
        .entry(PARLANT_KEY.to_string())
        .or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    slot.as_object_mut().expect("just made an object")
}

/// Sets (or clears) one key of a block's carrier, removing the carrier once it is empty.
fn set_block_carrier(block: &mut Block, key: &str, diff: Map<String, Value>) {
    if !diff.is_empty() {
        carrier_mut(block).insert(key.into(), Value::Object(diff));
        return;
    }
    let Some(data) = block.data.get_mut() else {
        return;
    };
    let Some(Value::Object(carrier)) = data.extra.get_mut(PARLANT_KEY) else {
        return;
    };
    carrier.shift_remove(key);
    let created = carrier
        .get("created_data")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if carrier.keys().all(|k| k == "created_data") {
        data.extra.shift_remove(PARLANT_KEY);
        if created && *data == empty_data() {
            block.data = Maybe::Absent;
        }
    }
}

fn set_edge_carrier(edge: &mut Edge, diff: Map<String, Value>) {
    if diff.is_empty() {
        if let Some(Value::Object(data)) = edge.data.get_mut() {
            let created = data
                .get(PARLANT_KEY)
                .and_then(|p| p.get("created_data"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            data.shift_remove(PARLANT_KEY);
            if created && data.is_empty() {
                edge.data = Maybe::Absent;
            }
        }
        return;
    }
    let created = !matches!(edge.data.get(), Some(Value::Object(_)));
    if created {
        edge.data = Maybe::Value(json!({}));
    }
    if let Some(Value::Object(data)) = edge.data.get_mut() {
        let mut carrier = Map::new();
        if created {
            carrier.insert("created_data".into(), Value::Bool(true));
        }
        carrier.insert("edge".into(), Value::Object(diff));
        data.insert(PARLANT_KEY.into(), Value::Object(carrier));
    }
}

/// Sim's `loops`/`parallels` tables: the original entries as they were, re-derived for a
/// container whose blocks changed, dropped with a deleted container, derived for a new one.
fn rederive_containers(
    state: &mut WorkflowState,
    before: &WorkflowState,
    before_ids: &HashSet<String>,
) {
    fn merge<T: Clone>(
        derived: UniqueMap<T>,
        old: Option<&UniqueMap<T>>,
        nodes: fn(&T) -> &Vec<String>,
        state: &WorkflowState,
        before_ids: &HashSet<String>,
    ) -> UniqueMap<T> {
        let mut out = UniqueMap::default();
        for (id, entry) in old.into_iter().flat_map(|o| o.iter()) {
            match derived.get(id) {
                Some(d) if nodes(d) != nodes(entry) => {
                    out.insert(id.clone(), d.clone());
                }
                _ if state.blocks.contains_key(id) || !before_ids.contains(id) => {
                    out.insert(id.clone(), entry.clone());
                }
                _ => {}
            }
        }
        for (id, d) in derived.iter() {
            if !out.contains_key(id) && !before_ids.contains(id) {
                out.insert(id.clone(), d.clone());
            }
        }
        out
    }
    let loops = merge(
        containers::derive_loops(state),
        before.loops.get(),
        |l: &Loop| &l.nodes,
        state,
        before_ids,
    );
    let parallels = merge(
        containers::derive_parallels(state),
        before.parallels.get(),
        |p: &Parallel| &p.nodes,
        state,
        before_ids,
    );
    if !loops.is_empty() || matches!(state.loops, Maybe::Value(_)) {
        state.loops = Maybe::Value(loops);
    }
    if !parallels.is_empty() || matches!(state.parallels, Maybe::Value(_)) {
        state.parallels = Maybe::Value(parallels);
    }
}
