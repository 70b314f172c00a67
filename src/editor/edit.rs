//! Edits from the canvas and the inspector (the designer's intents), planned by the core as
//! primitive model changes (`Change`): Sim blocks and edges, journey states and transitions, the
//! journey's own fields, positions. Ids of new elements are generated here. An edit naming
//! something that does not exist is an error that names it.

use super::change::Change;
use super::view::Point;
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode, END_NODE_ID};
use crate::sim::{Block, Edge, SimDocument, SourceHandle};
use crate::validate::incremental::{Edit as ModelEdit, JourneyEntities};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashSet;
use ts_rs::TS;

/// `set_field`'s target for the journey's own fields rather than one of its states.
pub const JOURNEY_TARGET: &str = "journey";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Moves a node (Sim block position; journey `editor.positions`).
    MoveNode { id: String, x: f64, y: f64 },
    /// Adds a node as Sim's editor creates it (the block registry's defaults, a unique name) or
    /// a journey state (`chat`, `tool`, `fork`). Its id is generated. `position` is where it is
    /// dropped on the canvas (absolute; a block that lands inside a loop or parallel goes inside it,
    /// placed relative to it). With `from`, the new node comes connected from that output, in the
    /// same undoable step; a block then goes into the container scope of the connection. Creates
    /// the node's id, then the new edge's.
    AddNode {
        kind: String,
        position: Point,
        #[ts(optional)]
        #[serde(default)]
        name: Option<String>,
        /// Sim: the loop or parallel to put it in (default: the one it is dropped on, if any).
        #[ts(optional)]
        #[serde(default)]
        parent: Option<String>,
        #[ts(optional)]
        #[serde(default)]
        from: Option<ConnectFrom>,
    },
    /// Connects two nodes; `source_handle` is a Sim handle (`source`, `error`, `condition-<id>`).
    Connect {
        source: String,
        #[ts(optional)]
        #[serde(default)]
        source_handle: Option<String>,
        target: String,
    },
    /// Deletes nodes (with the edges touching them, and a container's blocks) and edges.
    Delete {
        #[serde(default)]
        node_ids: Vec<String>,
        #[serde(default)]
        edge_ids: Vec<String>,
    },
    /// Sets a value under a node or edge, `path` being keys (or array indexes) from it, e.g.
    /// `["subBlocks", "model", "value"]` or `["action"]`. The target `journey` is the journey
    /// itself: paths start at `journey` (its header: `["journey", "title"]`), `tags`,
    /// `guidelines` or `context_variables`.
    SetField {
        target: String,
        path: Vec<String>,
        value: serde_json::Value,
    },
    /// The visible text: a block's name, a state's action, a transition's condition.
    SetLabel { target: String, label: String },
    /// Pastes copies of nodes, `offset` away, with the edges among them. Copies get new ids
    /// everywhere the old ones appear (a Condition's branch ids and handles, a child's
    /// container) and Sim blocks a unique name. Creates the new node ids, then the new edge ids.
    Duplicate {
        node_ids: Vec<String>,
        offset: Point,
    },
}

/// The output a new node is connected from (`add_node`'s `from`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConnectFrom {
    pub source: String,
    /// A Sim handle (`source`, `error`, `condition-<branch>`, `loop-start-source`, ...).
    #[ts(optional)]
    #[serde(default)]
    pub source_handle: Option<String>,
}

/// The document an edit is planned against.
#[derive(Clone, Copy)]
pub enum DocRef<'a> {
    Sim(&'a SimDocument),
    Journey(&'a JourneyDocument),
}

/// The changes that make one edit, and the ids it creates (in order).
pub struct Plan {
    pub changes: Vec<Change>,
    pub created: Vec<String>,
}

impl Plan {
    fn of(changes: Vec<Change>) -> Plan {
        Plan {
            changes,
            created: Vec::new(),
        }
    }
}

/// Plans `edit` against the document as it is now.
pub fn plan(doc: DocRef<'_>, edit: &Edit) -> Result<Plan> {
    match doc {
        DocRef::Sim(sim) => sim_plan(sim, edit),
        DocRef::Journey(journey) => journey_plan(journey, edit),
    }
}

/// A random RFC 4122 v4 id, the form Sim gives blocks and edges.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    // getrandom only fails when the OS has no randomness source at all.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = nanos.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A short id for a journey element (`state-1a2b3c4d`).
fn short_id(prefix: &str) -> String {
    let id = new_id();
    format!("{prefix}-{}", id.get(..8).unwrap_or(&id))
}

/// `item` with `value` set at `path`, read back through the model, so every model rule still
/// holds (a wrong type is an error naming the path).
fn set_at<T: Serialize + for<'de> Deserialize<'de>>(
    item: &T,
    path: &[String],
    value: &Value,
    what: &str,
) -> Result<T> {
    let mut root = serde_json::to_value(item).map_err(|e| Error::Internal(e.to_string()))?;
    let Some((last, parents)) = path.split_last() else {
        return Err(Error::Rejected(format!(
            "set_field on {what}: the path is empty"
        )));
    };
    let mut cur = &mut root;
    for key in parents {
        cur = match cur {
            Value::Object(map) => map.entry(key.clone()).or_insert_with(|| json!({})),
            Value::Array(items) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get_mut(i))
                .ok_or_else(|| {
                    Error::NotFound(format!("{what}: no item `{key}` in {}", path.join(".")))
                })?,
            _ => {
                return Err(Error::Rejected(format!(
                    "{what}: `{key}` in {} is not an object",
                    path.join(".")
                )))
            }
        };
    }
    match cur {
        Value::Object(map) => {
            map.insert(last.clone(), value.clone());
        }
        Value::Array(items) => {
            let slot = last.parse::<usize>().ok().and_then(|i| items.get_mut(i));
            *slot.ok_or_else(|| {
                Error::NotFound(format!("{what}: no item `{last}` in {}", path.join(".")))
            })? = value.clone();
        }
        _ => {
            return Err(Error::Rejected(format!(
                "{what}: {} is not inside an object",
                path.join(".")
            )))
        }
    }
    serde_json::from_value(root)
        .map_err(|e| Error::Rejected(format!("{what}: {}: {e}", path.join("."))))
}

/// A canvas position as JSON numbers (integers when they are, as JavaScript writes them).
fn place(x: f64, y: f64) -> Result<(serde_json::Number, serde_json::Number)> {
    if !x.is_finite() || !y.is_finite() {
        return Err(Error::Rejected(format!(
            "a position must be finite numbers, not ({x}, {y})"
        )));
    }
    Ok((crate::sim::number(x), crate::sim::number(y)))
}

fn missing(what: &str, id: &str) -> Error {
    Error::NotFound(format!("no {what} `{id}`"))
}

fn sim_plan(doc: &SimDocument, edit: &Edit) -> Result<Plan> {
    let state = doc.state();
    match edit {
        Edit::MoveNode { id, x, y } => {
            if !state.blocks.contains_key(id) {
                return Err(missing("block", id));
            }
            Ok(Plan::of(vec![Change::Position {
                id: id.clone(),
                at: Some(place(*x, *y)?),
            }]))
        }
        Edit::AddNode {
            kind,
            position,
            name,
            parent,
            from,
        } => sim_add(
            state,
            kind,
            *position,
            name.as_deref(),
            parent.as_deref(),
            from.as_ref(),
        ),
        Edit::Connect {
            source,
            source_handle,
            target,
        } => {
            for end in [source, target] {
                if !state.blocks.contains_key(end) {
                    return Err(missing("block", end));
                }
            }
            if source == target {
                return Err(Error::Rejected(format!(
                    "block `{source}` cannot connect to itself"
                )));
            }
            let handle = SourceHandle::parse(source_handle.as_deref()).as_handle();
            if state.edges.iter().any(|e| {
                &e.source == source
                    && &e.target == target
                    && SourceHandle::parse(e.source_handle.get().map(String::as_str)).as_handle()
                        == handle
            }) {
                return Err(Error::Rejected(format!(
                    "`{source}` ({handle}) is already connected to `{target}`"
                )));
            }
            let id = new_id();
            let mut edge = Edge::new(id.clone(), source.clone(), target.clone(), &handle);
            edge.target_handle = Maybe::Value("target".into());
            Ok(Plan {
                changes: vec![Change::Model(ModelEdit::UpsertEdge(edge))],
                created: vec![id],
            })
        }
        Edit::Delete { node_ids, edge_ids } => {
            for id in node_ids {
                if !state.blocks.contains_key(id) {
                    return Err(missing("block", id));
                }
            }
            for id in edge_ids {
                if !state.edges.iter().any(|e| &e.id == id) {
                    return Err(missing("edge", id));
                }
            }
            // A container goes with the blocks inside it (as in Sim's editor): a block may not
            // name a container that does not exist.
            let mut doomed: indexmap::IndexSet<&str> =
                node_ids.iter().map(String::as_str).collect();
            loop {
                let before = doomed.len();
                for block in state.blocks.values() {
                    if block.parent_id().is_some_and(|p| doomed.contains(p)) {
                        doomed.insert(block.id.as_str());
                    }
                }
                if doomed.len() == before {
                    break;
                }
            }
            let mut changes: Vec<Change> = state
                .edges
                .iter()
                .filter(|e| {
                    edge_ids.contains(&e.id)
                        || doomed.contains(e.source.as_str())
                        || doomed.contains(e.target.as_str())
                })
                .map(|e| Change::Model(ModelEdit::RemoveEdge(e.id.clone())))
                .collect();
            changes.extend(
                doomed
                    .iter()
                    .map(|id| Change::Model(ModelEdit::RemoveBlock(id.to_string()))),
            );
            Ok(Plan::of(changes))
        }
        Edit::SetField {
            target,
            path,
            value,
        } => {
            if let Some(block) = state.blocks.get(target) {
                if let ([key], Value::String(label)) = (path.as_slice(), value) {
                    if key == "name" {
                        // A rename keeps names unique, as `set_label` does.
                        return sim_plan(
                            doc,
                            &Edit::SetLabel {
                                target: target.clone(),
                                label: label.clone(),
                            },
                        );
                    }
                }
                let mut block = block.clone();
                // A field the block does not hold yet (shown by the inspector because Sim shows
                // it) is created as Sim's editor creates it: `{id, type, value}`.
                if let [sub, id, _, ..] = path.as_slice() {
                    if sub == "subBlocks" && !block.sub_blocks.contains_key(id.as_str()) {
                        let sub_type = crate::sim::registry::block_spec(&block.block_type)
                            .and_then(|spec| spec.fields_with_id(id).next().map(|f| f.field_type))
                            .ok_or_else(|| Error::NotFound(format!("block `{target}` has no sub-block `{id}`, and `{}` blocks have no such field", block.block_type)))?;
                        let sub_block: crate::sim::SubBlock = serde_json::from_value(
                            json!({"id": id, "type": sub_type, "value": null}),
                        )
                        .map_err(|e| {
                            Error::Rejected(format!("block `{target}`: sub-block `{id}`: {e}"))
                        })?;
                        block.sub_blocks.insert(id.clone(), sub_block);
                    }
                }
                let block: Block = set_at(&block, path, value, &format!("block `{target}`"))?;
                if block.id != *target {
                    return Err(Error::Rejected(format!(
                        "block `{target}`: its id cannot change"
                    )));
                }
                Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertBlock(block))]))
            } else if let Some(edge) = state.edges.iter().find(|e| &e.id == target) {
                let edge: Edge = set_at(edge, path, value, &format!("edge `{target}`"))?;
                if edge.id != *target {
                    return Err(Error::Rejected(format!(
                        "edge `{target}`: its id cannot change"
                    )));
                }
                Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertEdge(edge))]))
            } else {
                Err(missing("block or edge", target))
            }
        }
        Edit::SetLabel { target, label } => {
            let mut block = state
                .blocks
                .get(target)
                .ok_or_else(|| missing("block", target))?
                .clone();
            if label.trim().is_empty() {
                return Err(Error::Rejected(format!(
                    "block `{target}`: a block needs a name"
                )));
            }
            let taken = state.blocks.values().any(|b| {
                b.id != *target && crate::sim::references::same_reference_name(&b.name, label)
            });
            if taken {
                return Err(Error::Rejected(format!("another block is already named `{label}` (Sim block names are unique, ignoring case and spaces)")));
            }
            block.name = label.clone();
            Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertBlock(block))]))
        }
        Edit::Duplicate { node_ids, offset } => {
            let ids = new_ids(
                node_ids,
                |id| state.blocks.contains_key(id),
                "block",
                new_id,
            )?;
            let mut plan = Plan::of(Vec::new());
            let mut names: HashSet<String> = state
                .blocks
                .values()
                .map(|b| crate::sim::references::normalize_block_name(&b.name))
                .collect();
            for (old, new) in &ids {
                let mut block: Block = with_new_ids(&state.blocks[old.as_str()], &ids, "block")?;
                block.name = unique_copy_name(&block.name, &mut names);
                let (x, y) = block.position.xy();
                // A copied child stays where it is inside its copied container.
                let inside_copy = block
                    .parent_id()
                    .is_some_and(|p| ids.values().any(|n| n == p));
                if !inside_copy {
                    block.position = crate::sim::Position::new(x + offset.x, y + offset.y);
                }
                plan.changes
                    .push(Change::Model(ModelEdit::UpsertBlock(block)));
                plan.created.push(new.clone());
            }
            for edge in state
                .edges
                .iter()
                .filter(|e| ids.contains_key(&e.source) && ids.contains_key(&e.target))
            {
                let mut copy: Edge = with_new_ids(edge, &ids, "edge")?;
                copy.id = new_id();
                plan.created.push(copy.id.clone());
                plan.changes
                    .push(Change::Model(ModelEdit::UpsertEdge(copy)));
            }
            Ok(plan)
        }
    }
}

/// A new id for each of `node_ids` (which must exist and be distinct), in order.
fn new_ids(
    node_ids: &[String],
    exists: impl Fn(&str) -> bool,
    what: &str,
    make: impl Fn() -> String,
) -> Result<indexmap::IndexMap<String, String>> {
    if node_ids.is_empty() {
        return Err(Error::Rejected("duplicate: no nodes given".into()));
    }
    let mut ids = indexmap::IndexMap::new();
    for id in node_ids {
        if !exists(id) {
            return Err(missing(what, id));
        }
        if ids.insert(id.clone(), make()).is_some() {
            return Err(Error::Rejected(format!(
                "duplicate: `{id}` is listed twice"
            )));
        }
    }
    Ok(ids)
}

/// `item` with every copied node's old id replaced by its new one, wherever it appears (ids are
/// long random strings, so a match elsewhere is not a concern).
fn with_new_ids<T: Serialize + for<'de> Deserialize<'de>>(
    item: &T,
    ids: &indexmap::IndexMap<String, String>,
    what: &str,
) -> Result<T> {
    let mut text = serde_json::to_string(item)
        .map_err(|e| Error::Internal(format!("duplicate: {what}: {e}")))?;
    for (old, new) in ids {
        text = text.replace(old.as_str(), new);
    }
    serde_json::from_str(&text).map_err(|e| Error::Internal(format!("duplicate: {what}: {e}")))
}

/// `name (copy)`, `name (copy 2)`, ... the first not yet taken (Sim block names are unique).
fn unique_copy_name(name: &str, taken: &mut HashSet<String>) -> String {
    let mut candidate = format!("{name} (copy)");
    let mut n = 2;
    while taken.contains(&crate::sim::references::normalize_block_name(&candidate)) {
        candidate = format!("{name} (copy {n})");
        n += 1;
    }
    taken.insert(crate::sim::references::normalize_block_name(&candidate));
    candidate
}

/// A block's place on the canvas (its own position plus its containers').
fn absolute(state: &crate::sim::WorkflowState, block: &Block) -> (f64, f64) {
    let (mut x, mut y) = block.position.xy();
    let mut seen = HashSet::new();
    let mut parent = block.parent_id();
    while let Some(p) = parent.and_then(|p| state.blocks.get(p)) {
        if !seen.insert(p.id.as_str()) {
            break;
        }
        let (px, py) = p.position.xy();
        x += px;
        y += py;
        parent = p.parent_id();
    }
    (x, y)
}

/// The innermost loop or parallel whose box holds the canvas point (Sim's default box is
/// 500 x 300 until resized).
fn container_at(state: &crate::sim::WorkflowState, at: Point) -> Option<String> {
    let mut best: Option<(f64, String)> = None;
    for b in state
        .blocks
        .values()
        .filter(|b| matches!(b.block_type.as_str(), "loop" | "parallel"))
    {
        let (x, y) = absolute(state, b);
        let data = b.data.get();
        let w = data
            .and_then(|d| d.width.get())
            .and_then(serde_json::Number::as_f64)
            .unwrap_or(500.0);
        let h = data
            .and_then(|d| d.height.get())
            .and_then(serde_json::Number::as_f64)
            .unwrap_or(300.0);
        if at.x >= x
            && at.x <= x + w
            && at.y >= y
            && at.y <= y + h
            && best.as_ref().is_none_or(|(area, _)| w * h < *area)
        {
            best = Some((w * h, b.id.clone()));
        }
    }
    best.map(|(_, id)| id)
}

/// `add_node` on a workflow: a block as Sim's editor makes it, optionally connected.
fn sim_add(
    state: &crate::sim::WorkflowState,
    kind: &str,
    position: Point,
    name: Option<&str>,
    parent: Option<&str>,
    from: Option<&ConnectFrom>,
) -> Result<Plan> {
    use crate::sim::references::normalize_block_name;
    use crate::sim::registry::{block_spec, new_block_with, unique_block_name, NewBlockOptions};
    let spec = block_spec(kind).ok_or_else(|| {
        Error::NotFound(format!("add_node: unknown block type `{kind}` (the palette lists the {} types the registry knows)", crate::sim::registry::registry().blocks().len()))
    })?;
    place(position.x, position.y)?;
    let source = match from {
        Some(f) => Some(
            state
                .blocks
                .get(&f.source)
                .ok_or_else(|| missing("source block", &f.source))?,
        ),
        None => None,
    };
    let handle = from.map(|f| SourceHandle::parse(f.source_handle.as_deref()));
    // A connected block goes where the connection can reach it: inside the container whose start
    // it leaves from, else beside its source (Sim drops edges across container boundaries).
    let parent: Option<String> = match (parent, source, &handle) {
        (Some(p), _, _) => Some(p.to_string()),
        (None, Some(src), Some(SourceHandle::LoopStart | SourceHandle::ParallelStart)) => {
            Some(src.id.clone())
        }
        (None, Some(src), _) => src.parent_id().map(str::to_string),
        (None, None, _) => container_at(state, position),
    };
    let (x, y) = match parent.as_deref() {
        Some(p) => {
            let container = state.blocks.get(p).ok_or_else(|| {
                Error::NotFound(format!("add_node: no container `{p}` in this workflow"))
            })?;
            if !matches!(container.block_type.as_str(), "loop" | "parallel") {
                return Err(Error::Rejected(format!(
                    "add_node: `{}` is a `{}` block, not a loop or parallel",
                    container.name, container.block_type
                )));
            }
            let (px, py) = absolute(state, container);
            (position.x - px, position.y - py)
        }
        None => (position.x, position.y),
    };
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => {
            if state
                .blocks
                .values()
                .any(|b| normalize_block_name(&b.name) == normalize_block_name(n))
            {
                return Err(Error::Rejected(format!("another block is already named `{n}` (Sim block names are unique, ignoring case and spaces)")));
            }
            n.to_string()
        }
        None => unique_block_name(&spec.name, state),
    };
    let id = new_id();
    let block = new_block_with(
        kind,
        &id,
        &name,
        crate::sim::Position::new(x, y),
        &NewBlockOptions {
            trigger_mode: None,
            parent_id: parent,
        },
    )?;
    let mut plan = Plan {
        changes: vec![Change::Model(ModelEdit::UpsertBlock(block.clone()))],
        created: vec![id.clone()],
    };
    if let (Some(src), Some(handle)) = (source, handle) {
        let canonical = handle.as_handle();
        let drawn = super::view::sim_node(src);
        if !drawn
            .handles
            .iter()
            .any(|h| h.kind != "target" && h.id == canonical)
        {
            return Err(Error::Rejected(format!(
                "`{}` has no output `{canonical}` to connect from",
                src.name
            )));
        }
        if !super::view::sim_node(&block)
            .handles
            .iter()
            .any(|h| h.kind == "target")
        {
            return Err(Error::Rejected(format!(
                "a {} block takes no incoming connection (it starts a run)",
                spec.name
            )));
        }
        let edge_id = new_id();
        plan.changes
            .push(Change::Model(ModelEdit::UpsertEdge(Edge::new(
                edge_id.clone(),
                src.id.clone(),
                id,
                &canonical,
            ))));
        plan.created.push(edge_id);
    }
    Ok(plan)
}

/// The journey's own fields as one object (`set_field`'s `journey` target).
fn journey_fields(doc: &JourneyDocument) -> Value {
    json!({
        "journey": doc.journey,
        "tags": doc.tags,
        "guidelines": doc.guidelines,
        "context_variables": doc.context_variables,
    })
}

fn journey_field_plan(doc: &JourneyDocument, path: &[String], value: &Value) -> Result<Plan> {
    const KEYS: [&str; 4] = ["journey", "tags", "guidelines", "context_variables"];
    let Some(first) = path.first().filter(|k| KEYS.contains(&k.as_str())) else {
        return Err(Error::Rejected(format!(
            "set_field on the journey: the path starts with one of {} (got `{}`)",
            KEYS.join(", "),
            path.join(".")
        )));
    };
    let fields = journey_fields(doc);
    let updated: Value = set_at(&fields, path, value, "the journey")?;
    let header_path = format!("the journey: {}", path.join("."));
    if first == "journey" {
        let header: crate::parlant::Journey = serde_json::from_value(updated["journey"].clone())
            .map_err(|e| Error::Rejected(format!("{header_path}: {e}")))?;
        if header.root_id != doc.journey.root_id {
            return Err(Error::Rejected(
                "the journey's root_id cannot change here; it follows the root state".into(),
            ));
        }
        return Ok(Plan::of(vec![Change::Model(ModelEdit::SetJourney(header))]));
    }
    let read =
        |key: &str| -> Result<Value> { Ok(updated.get(key).cloned().unwrap_or(Value::Null)) };
    let entities = JourneyEntities {
        tags: field_from(read("tags")?, &doc.tags, &header_path)?,
        guidelines: field_from(read("guidelines")?, &doc.guidelines, &header_path)?,
        context_variables: field_from(
            read("context_variables")?,
            &doc.context_variables,
            &header_path,
        )?,
    };
    Ok(Plan::of(vec![Change::Model(
        ModelEdit::SetJourneyEntities(entities),
    )]))
}

/// A `Maybe` field read back from JSON: `null` stays absent when it was absent.
fn field_from<T: for<'de> Deserialize<'de>>(
    value: Value,
    before: &Maybe<T>,
    what: &str,
) -> Result<Maybe<T>> {
    if value.is_null() {
        return Ok(if before.is_absent() {
            Maybe::Absent
        } else {
            Maybe::Null
        });
    }
    serde_json::from_value(value)
        .map(Maybe::Value)
        .map_err(|e| Error::Rejected(format!("{what}: {e}")))
}

fn journey_plan(doc: &JourneyDocument, edit: &Edit) -> Result<Plan> {
    match edit {
        Edit::MoveNode { id, x, y } => {
            if id != END_NODE_ID && doc.node(id).is_none() {
                return Err(missing("state", id));
            }
            Ok(Plan::of(vec![Change::Position {
                id: id.clone(),
                at: Some(place(*x, *y)?),
            }]))
        }
        Edit::AddNode {
            kind,
            position,
            name,
            parent,
            from,
        } => {
            if parent.is_some() {
                return Err(Error::Rejected("add_node: journey states have no containers (`parent` is for Sim loops and parallels)".into()));
            }
            let id = short_id("state");
            let mut node = crate::sim::registry::new_journey_state(kind, &id)?;
            if let Some(text) = name.as_deref().filter(|t| !t.trim().is_empty()) {
                if node.declared_kind() != Some("fork") {
                    node.action = Maybe::Value(text.to_string());
                }
            }
            let mut plan = Plan {
                changes: vec![
                    Change::Model(ModelEdit::UpsertState(node)),
                    Change::Position {
                        id: id.clone(),
                        at: Some(place(position.x, position.y)?),
                    },
                ],
                created: vec![id.clone()],
            };
            if let Some(from) = from {
                if from.source == END_NODE_ID || doc.node(&from.source).is_none() {
                    return Err(missing("source state", &from.source));
                }
                let edge = short_id("edge");
                plan.changes.push(Change::Model(ModelEdit::UpsertTransition(
                    JourneyEdge::new(edge.clone(), from.source.clone(), id, None),
                )));
                plan.created.push(edge);
            }
            Ok(plan)
        }
        Edit::Connect { source, target, .. } => {
            if source == END_NODE_ID || doc.node(source).is_none() {
                return Err(missing("source state", source));
            }
            if target != END_NODE_ID && doc.node(target).is_none() {
                return Err(missing("state", target));
            }
            if target == &doc.journey.root_id {
                return Err(Error::Rejected(format!("the root state `{target}` is where the journey starts; nothing leads back into it")));
            }
            let id = short_id("edge");
            Ok(Plan {
                changes: vec![Change::Model(ModelEdit::UpsertTransition(
                    JourneyEdge::new(id.clone(), source.clone(), target.clone(), None),
                ))],
                created: vec![id],
            })
        }
        Edit::Delete { node_ids, edge_ids } => {
            for id in node_ids {
                if id == &doc.journey.root_id {
                    return Err(Error::Rejected(format!(
                        "the root state `{id}` cannot be deleted"
                    )));
                }
                if id != END_NODE_ID && doc.node(id).is_none() {
                    return Err(missing("state", id));
                }
            }
            for id in edge_ids {
                if !doc.edges.iter().any(|e| &e.id == id) {
                    return Err(missing("transition", id));
                }
            }
            let mut changes: Vec<Change> = doc
                .edges
                .iter()
                .filter(|e| {
                    edge_ids.contains(&e.id)
                        || node_ids.contains(&e.source)
                        || node_ids.contains(&e.target)
                })
                .map(|e| Change::Model(ModelEdit::RemoveTransition(e.id.clone())))
                .collect();
            for id in node_ids {
                if doc.node(id).is_some() {
                    changes.push(Change::Model(ModelEdit::RemoveState(id.clone())));
                }
                let placed = doc
                    .editor
                    .get()
                    .and_then(|e| e.positions.get())
                    .is_some_and(|p| p.contains_key(id.as_str()));
                if placed {
                    changes.push(Change::Position {
                        id: id.clone(),
                        at: None,
                    });
                }
            }
            Ok(Plan::of(changes))
        }
        Edit::SetField {
            target,
            path,
            value,
        } => {
            if target == JOURNEY_TARGET {
                return journey_field_plan(doc, path, value);
            }
            if let Some(node) = doc.nodes.iter().find(|n| &n.id == target) {
                let node: JourneyNode = set_at(node, path, value, &format!("state `{target}`"))?;
                if node.id != *target {
                    return Err(Error::Rejected(format!(
                        "state `{target}`: its id cannot change"
                    )));
                }
                Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertState(node))]))
            } else if let Some(edge) = doc.edges.iter().find(|e| &e.id == target) {
                let edge: JourneyEdge =
                    set_at(edge, path, value, &format!("transition `{target}`"))?;
                if edge.id != *target {
                    return Err(Error::Rejected(format!(
                        "transition `{target}`: its id cannot change"
                    )));
                }
                Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertTransition(
                    edge,
                ))]))
            } else {
                Err(missing("state or transition", target))
            }
        }
        Edit::SetLabel { target, label } => {
            if let Some(node) = doc.nodes.iter().find(|n| &n.id == target) {
                let mut node = node.clone();
                node.action = Maybe::Value(label.clone());
                Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertState(node))]))
            } else if let Some(edge) = doc.edges.iter().find(|e| &e.id == target) {
                let mut edge = edge.clone();
                edge.condition = if label.trim().is_empty() {
                    Maybe::Null
                } else {
                    Maybe::Value(label.clone())
                };
                Ok(Plan::of(vec![Change::Model(ModelEdit::UpsertTransition(
                    edge,
                ))]))
            } else {
                Err(missing("state or transition", target))
            }
        }
        Edit::Duplicate { node_ids, offset } => {
            if let Some(id) = node_ids
                .iter()
                .find(|id| **id == doc.journey.root_id || *id == END_NODE_ID)
            {
                return Err(Error::Rejected(format!(
                    "duplicate: `{id}` cannot be copied (a journey has one root and one end)"
                )));
            }
            let ids = new_ids(
                node_ids,
                |id| doc.node(id).is_some(),
                "state",
                || short_id("state"),
            )?;
            let mut plan = Plan::of(Vec::new());
            let positions = doc.editor.get().and_then(|e| e.positions.get());
            for (old, new) in &ids {
                let Some(node) = doc.node(old) else { continue };
                let copy: JourneyNode = with_new_ids(node, &ids, "state")?;
                plan.changes
                    .push(Change::Model(ModelEdit::UpsertState(copy)));
                if let Some(p) = positions.and_then(|p| p.get(old.as_str())) {
                    let (x, y) = (p.x.as_f64().unwrap_or(0.0), p.y.as_f64().unwrap_or(0.0));
                    plan.changes.push(Change::Position {
                        id: new.clone(),
                        at: Some(place(x + offset.x, y + offset.y)?),
                    });
                }
                plan.created.push(new.clone());
            }
            for edge in doc
                .edges
                .iter()
                .filter(|e| ids.contains_key(&e.source) && ids.contains_key(&e.target))
            {
                let mut copy: JourneyEdge = with_new_ids(edge, &ids, "transition")?;
                copy.id = short_id("edge");
                plan.created.push(copy.id.clone());
                plan.changes
                    .push(Change::Model(ModelEdit::UpsertTransition(copy)));
            }
            Ok(plan)
        }
    }
}
