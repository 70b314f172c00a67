//! Edits from the canvas applied by the core on the model: Sim blocks and edges, journey states
//! and transitions. Ids of new elements are generated here. An edit naming something that does
//! not exist is an error that names it; nothing is applied then (edits are all-or-nothing).

use super::canvas::Point;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::json::Maybe;
use crate::parlant::{EditorData, JourneyDocument, JourneyEdge, JourneyNode, NodeKind, END_NODE_ID};
use crate::sim::{Block, Edge, SimDocument, SourceHandle};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Moves a node (Sim block position; journey `editor.positions`).
    MoveNode { id: String, x: f64, y: f64 },
    /// Adds a node: a Sim block type (`agent`, `condition`, ...) or a journey state kind
    /// (`chat`, `tool`, `fork`). Its id is generated.
    AddNode {
        kind: String,
        position: Point,
        #[ts(optional)]
        #[serde(default)]
        name: Option<String>,
    },
    /// Connects two nodes; `source_handle` is a Sim handle (`source`, `error`, `condition-<id>`).
    Connect {
        source: String,
        #[ts(optional)]
        #[serde(default)]
        source_handle: Option<String>,
        target: String,
    },
    /// Deletes nodes (and the edges touching them) and edges.
    Delete {
        #[serde(default)]
        node_ids: Vec<String>,
        #[serde(default)]
        edge_ids: Vec<String>,
    },
    /// Sets a value under a node or edge, `path` being keys (or array indexes) from it, e.g.
    /// `["subBlocks", "model", "value"]` or `["action"]`.
    SetField { target: String, path: Vec<String>, value: serde_json::Value },
    /// The visible text: a block's name, a state's action, a transition's condition.
    SetLabel { target: String, label: String },
    /// Pastes copies of nodes, `offset` away, with the edges among them. Copies get new ids
    /// everywhere the old ones appear (a Condition's branch ids and handles, a child's
    /// container) and Sim blocks a unique name. Creates the new node ids, then the new edge ids.
    Duplicate { node_ids: Vec<String>, offset: Point },
}

/// Applies edits in order and returns the new document and the ids created by `add_node`,
/// `connect` and `duplicate`, in order.
pub fn apply(doc: &Document, edits: &[Edit]) -> Result<(Document, Vec<String>)> {
    let mut doc = doc.clone();
    let mut created = Vec::new();
    for (i, edit) in edits.iter().enumerate() {
        let result = match &mut doc {
            Document::Sim(sim) => sim_edit(sim, edit),
            Document::Journey(journey) => journey_edit(journey, edit),
        };
        match result {
            Ok(ids) => created.extend(ids),
            Err(e) => return Err(Error::Unsupported(format!("edit {i}: {e}"))),
        }
    }
    Ok((doc, created))
}

/// A random RFC 4122 v4 id, the form Sim gives blocks and edges.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    // getrandom only fails when the OS has no randomness source at all.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        b = nanos.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// Sets `value` at `path` inside a serialisable model value and reads it back, so every model
/// rule still holds (a wrong type is an error naming the path).
fn set_at<T: Serialize + for<'de> Deserialize<'de>>(item: &mut T, path: &[String], value: &Value, what: &str) -> Result<()> {
    let mut root = serde_json::to_value(&*item).map_err(|e| Error::Unsupported(e.to_string()))?;
    let Some((last, parents)) = path.split_last() else {
        return Err(Error::Unsupported(format!("set_field on {what}: the path is empty")));
    };
    let mut cur = &mut root;
    for key in parents {
        cur = match cur {
            Value::Object(map) => map.entry(key.clone()).or_insert_with(|| json!({})),
            Value::Array(items) => key
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get_mut(i))
                .ok_or_else(|| Error::NotFound(format!("{what}: no item `{key}` in {}", path.join("."))))?,
            _ => return Err(Error::Unsupported(format!("{what}: `{key}` in {} is not an object", path.join(".")))),
        };
    }
    match cur {
        Value::Object(map) => {
            map.insert(last.clone(), value.clone());
        }
        Value::Array(items) => {
            let slot = last.parse::<usize>().ok().and_then(|i| items.get_mut(i));
            *slot.ok_or_else(|| Error::NotFound(format!("{what}: no item `{last}` in {}", path.join("."))))? = value.clone();
        }
        _ => return Err(Error::Unsupported(format!("{what}: {} is not inside an object", path.join(".")))),
    }
    *item = serde_json::from_value(root).map_err(|e| Error::Unsupported(format!("{what}: {}: {e}", path.join("."))))?;
    Ok(())
}

fn missing(what: &str, id: &str) -> Error {
    Error::NotFound(format!("no {what} `{id}`"))
}

fn sim_edit(doc: &mut SimDocument, edit: &Edit) -> Result<Vec<String>> {
    let state = doc.state_mut();
    match edit {
        Edit::MoveNode { id, x, y } => {
            let block = state.blocks.get_mut(id).ok_or_else(|| missing("block", id))?;
            block.position = crate::sim::Position::new(*x, *y);
            Ok(Vec::new())
        }
        Edit::AddNode { kind, position, name } => {
            let id = new_id();
            let count = state.blocks.values().filter(|b| &b.block_type == kind).count();
            let name = name.clone().unwrap_or_else(|| format!("{} {}", title_case(kind), count + 1));
            let block: Block = serde_json::from_value(json!({
                "id": id, "type": kind, "name": name,
                "position": {"x": position.x, "y": position.y},
                "subBlocks": {}, "outputs": {}, "enabled": true,
            }))
            .map_err(|e| Error::Unsupported(format!("add_node: {e}")))?;
            state.blocks.insert(id.clone(), block);
            Ok(vec![id])
        }
        Edit::Connect { source, source_handle, target } => {
            for end in [source, target] {
                if !state.blocks.contains_key(end) {
                    return Err(missing("block", end));
                }
            }
            let handle = SourceHandle::parse(source_handle.as_deref()).as_handle();
            if state.edges.iter().any(|e| &e.source == source && &e.target == target && SourceHandle::parse(e.source_handle.get().map(String::as_str)).as_handle() == handle) {
                return Err(Error::Unsupported(format!("`{source}` ({handle}) is already connected to `{target}`")));
            }
            let id = new_id();
            let mut edge = Edge::new(id.clone(), source.clone(), target.clone(), &handle);
            edge.target_handle = Maybe::Value("target".into());
            state.edges.push(edge);
            Ok(vec![id])
        }
        Edit::Delete { node_ids, edge_ids } => {
            for id in node_ids {
                state.blocks.shift_remove(id).ok_or_else(|| missing("block", id))?;
            }
            for id in edge_ids {
                if !state.edges.iter().any(|e| &e.id == id) {
                    return Err(missing("edge", id));
                }
            }
            state.edges.retain(|e| !edge_ids.contains(&e.id) && !node_ids.contains(&e.source) && !node_ids.contains(&e.target));
            Ok(Vec::new())
        }
        Edit::SetField { target, path, value } => {
            if let Some(block) = state.blocks.get_mut(target) {
                set_at(block, path, value, &format!("block `{target}`"))?;
                if block.id != *target {
                    return Err(Error::Unsupported(format!("block `{target}`: its id cannot change")));
                }
            } else if let Some(edge) = state.edges.iter_mut().find(|e| &e.id == target) {
                set_at(edge, path, value, &format!("edge `{target}`"))?;
            } else {
                return Err(missing("block or edge", target));
            }
            Ok(Vec::new())
        }
        Edit::SetLabel { target, label } => {
            let block = state.blocks.get_mut(target).ok_or_else(|| missing("block", target))?;
            block.name = label.clone();
            Ok(Vec::new())
        }
        Edit::Duplicate { node_ids, offset } => {
            let ids = new_ids(node_ids, |id| state.blocks.contains_key(id), "block", new_id)?;
            let mut created = Vec::new();
            let mut names: std::collections::HashSet<String> = state.blocks.values().map(|b| crate::sim::references::normalize_block_name(&b.name)).collect();
            for (old, new) in &ids {
                let mut block: Block = with_new_ids(&state.blocks[old.as_str()], &ids, "block")?;
                block.name = unique_copy_name(&block.name, &mut names);
                let (x, y) = block.position.xy();
                block.position = crate::sim::Position::new(x + offset.x, y + offset.y);
                state.blocks.insert(new.clone(), block);
                created.push(new.clone());
            }
            let inner: Vec<Edge> = state.edges.iter().filter(|e| ids.contains_key(&e.source) && ids.contains_key(&e.target)).cloned().collect();
            for edge in inner {
                let mut copy: Edge = with_new_ids(&edge, &ids, "edge")?;
                copy.id = new_id();
                created.push(copy.id.clone());
                state.edges.push(copy);
            }
            Ok(created)
        }
    }
}

/// A new id for each of `node_ids` (which must exist and be distinct), in order.
fn new_ids(node_ids: &[String], exists: impl Fn(&str) -> bool, what: &str, make: impl Fn() -> String) -> Result<indexmap::IndexMap<String, String>> {
    if node_ids.is_empty() {
        return Err(Error::Unsupported("duplicate: no nodes given".into()));
    }
    let mut ids = indexmap::IndexMap::new();
    for id in node_ids {
        if !exists(id) {
            return Err(missing(what, id));
        }
        if ids.insert(id.clone(), make()).is_some() {
            return Err(Error::Unsupported(format!("duplicate: `{id}` is listed twice")));
        }
    }
    Ok(ids)
}

/// `item` with every copied node's old id replaced by its new one, wherever it appears (ids are
/// long random strings, so a match elsewhere is not a concern).
fn with_new_ids<T: Serialize + for<'de> Deserialize<'de>>(item: &T, ids: &indexmap::IndexMap<String, String>, what: &str) -> Result<T> {
    let mut text = serde_json::to_string(item).map_err(|e| Error::Unsupported(format!("duplicate: {what}: {e}")))?;
    for (old, new) in ids {
        text = text.replace(old.as_str(), new);
    }
    serde_json::from_str(&text).map_err(|e| Error::Unsupported(format!("duplicate: {what}: {e}")))
}

/// `name (copy)`, `name (copy 2)`, ... the first not yet taken (Sim block names are unique).
fn unique_copy_name(name: &str, taken: &mut std::collections::HashSet<String>) -> String {
    let mut candidate = format!("{name} (copy)");
    let mut n = 2;
    while taken.contains(&crate::sim::references::normalize_block_name(&candidate)) {
        candidate = format!("{name} (copy {n})");
        n += 1;
    }
    taken.insert(crate::sim::references::normalize_block_name(&candidate));
    candidate
}

fn title_case(s: &str) -> String {
    let mut out = String::new();
    for (i, word) in s.split('_').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut chars = word.chars();
        if let Some(c) = chars.next() {
            out.extend(c.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

fn journey_edit(doc: &mut JourneyDocument, edit: &Edit) -> Result<Vec<String>> {
    match edit {
        Edit::MoveNode { id, x, y } => {
            if id != END_NODE_ID && doc.node(id).is_none() {
                return Err(missing("state", id));
            }
            let editor = doc.editor.get_or_insert_with(|| serde_json::from_value::<EditorData>(json!({})).unwrap_or_else(|_| unreachable!()));
            let positions = editor.positions.get_or_insert_with(Default::default);
            let pos = serde_json::from_value(json!({"x": x, "y": y})).map_err(|e| Error::Unsupported(e.to_string()))?;
            positions.insert(id.clone(), pos);
            Ok(Vec::new())
        }
        Edit::AddNode { kind, position, name } => {
            let kind = match kind.as_str() {
                "chat" => NodeKind::Chat,
                "tool" => NodeKind::Tool,
                "fork" => NodeKind::Fork,
                other => return Err(Error::Unsupported(format!("add_node: a journey state is `chat`, `tool` or `fork`, not `{other}`"))),
            };
            let id = format!("state-{}", &new_id()[..8]);
            let action = if kind == NodeKind::Fork { None } else { Some(name.clone().unwrap_or_default()) };
            doc.nodes.push(JourneyNode::new(id.clone(), &kind, action));
            journey_edit(doc, &Edit::MoveNode { id: id.clone(), x: position.x, y: position.y })?;
            Ok(vec![id])
        }
        Edit::Connect { source, target, .. } => {
            if source == END_NODE_ID || doc.node(source).is_none() {
                return Err(missing("source state", source));
            }
            if target != END_NODE_ID && doc.node(target).is_none() {
                return Err(missing("state", target));
            }
            let id = format!("edge-{}", &new_id()[..8]);
            doc.edges.push(JourneyEdge::new(id.clone(), source.clone(), target.clone(), None));
            Ok(vec![id])
        }
        Edit::Delete { node_ids, edge_ids } => {
            for id in node_ids {
                if id == &doc.journey.root_id {
                    return Err(Error::Unsupported(format!("the root state `{id}` cannot be deleted")));
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
            doc.nodes.retain(|n| !node_ids.contains(&n.id));
            doc.edges.retain(|e| !edge_ids.contains(&e.id) && !node_ids.contains(&e.source) && !node_ids.contains(&e.target));
            if let Some(positions) = doc.editor.get_mut().and_then(|e| e.positions.get_mut()) {
                positions.retain(|id, _| !node_ids.contains(id));
            }
            Ok(Vec::new())
        }
        Edit::SetField { target, path, value } => {
            if let Some(node) = doc.nodes.iter_mut().find(|n| &n.id == target) {
                set_at(node, path, value, &format!("state `{target}`"))?;
                if node.id != *target {
                    return Err(Error::Unsupported(format!("state `{target}`: its id cannot change")));
                }
            } else if let Some(edge) = doc.edges.iter_mut().find(|e| &e.id == target) {
                set_at(edge, path, value, &format!("transition `{target}`"))?;
            } else {
                return Err(missing("state or transition", target));
            }
            Ok(Vec::new())
        }
        Edit::SetLabel { target, label } => {
            if let Some(node) = doc.nodes.iter_mut().find(|n| &n.id == target) {
                node.action = Maybe::Value(label.clone());
            } else if let Some(edge) = doc.edges.iter_mut().find(|e| &e.id == target) {
                edge.condition = if label.trim().is_empty() { Maybe::Null } else { Maybe::Value(label.clone()) };
            } else {
                return Err(missing("state or transition", target));
            }
            Ok(Vec::new())
        }
        Edit::Duplicate { node_ids, offset } => {
            if let Some(id) = node_ids.iter().find(|id| **id == doc.journey.root_id || *id == END_NODE_ID) {
                return Err(Error::Unsupported(format!("duplicate: `{id}` cannot be copied (a journey has one root and one end)")));
            }
            let ids = new_ids(node_ids, |id| doc.node(id).is_some(), "state", || format!("state-{}", &new_id()[..8]))?;
            let mut created = Vec::new();
            for (old, new) in &ids {
                let Some(node) = doc.node(old) else { continue };
                let copy: JourneyNode = with_new_ids(node, &ids, "state")?;
                let at = doc.editor.get().and_then(|e| e.positions.get()).and_then(|p| p.get(old.as_str())).map(|p| (p.x.as_f64().unwrap_or(0.0), p.y.as_f64().unwrap_or(0.0)));
                doc.nodes.push(copy);
                if let Some((x, y)) = at {
                    journey_edit(doc, &Edit::MoveNode { id: new.clone(), x: x + offset.x, y: y + offset.y })?;
                }
                created.push(new.clone());
            }
            let inner: Vec<JourneyEdge> = doc.edges.iter().filter(|e| ids.contains_key(&e.source) && ids.contains_key(&e.target)).cloned().collect();
            for edge in inner {
                let mut copy: JourneyEdge = with_new_ids(&edge, &ids, "transition")?;
                copy.id = format!("edge-{}", &new_id()[..8]);
                created.push(copy.id.clone());
                doc.edges.push(copy);
            }
            Ok(created)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::test_fixture as load;
    use crate::api::canvas::view;

    #[test]
    fn sim_add_connect_move_label_delete() {
        let doc = load("fixtures/sim/support-triage-condition.json");
        let first = view(&doc).nodes[0].id.clone();
        let (doc, ids) = apply(&doc, &[Edit::AddNode { kind: "function".into(), position: Point { x: 5.0, y: 6.0 }, name: None }]).unwrap();
        let new = ids[0].clone();
        let (doc, ids) = apply(&doc, &[
            Edit::Connect { source: first.clone(), source_handle: None, target: new.clone() },
            Edit::MoveNode { id: new.clone(), x: 10.0, y: 20.0 },
            Edit::SetLabel { target: new.clone(), label: "Compute".into() },
            Edit::SetField { target: new.clone(), path: vec!["subBlocks".into(), "code".into()], value: json!({"id": "code", "type": "code", "value": "return 1"}) },
        ]).unwrap();
        let v = view(&doc);
        let node = v.nodes.iter().find(|n| n.id == new).unwrap();
        assert_eq!((node.kind.as_str(), node.label.as_str(), node.position), ("function", "Compute", Point { x: 10.0, y: 20.0 }));
        assert_eq!(node.detail.as_deref(), Some("return 1"));
        assert!(v.edges.iter().any(|e| e.id == ids[0] && e.source == first && e.target == new));
        // The document still reads back as a Sim workflow.
        let text = doc.to_json();
        Document::parse("x", &text).unwrap();
        let (doc, _) = apply(&doc, &[Edit::Delete { node_ids: vec![new.clone()], edge_ids: vec![] }]).unwrap();
        let v = view(&doc);
        assert!(v.nodes.iter().all(|n| n.id != new) && v.edges.iter().all(|e| e.target != new));
    }

    #[test]
    fn journey_edits_and_errors_name_what_is_missing() {
        let doc = load("fixtures/journeys/book-flight.json");
        let Document::Journey(j) = &doc else { panic!() };
        let root = j.journey.root_id.clone();
        let (doc, ids) = apply(&doc, &[Edit::AddNode { kind: "chat".into(), position: Point { x: 1.0, y: 2.0 }, name: Some("Ask".into()) }]).unwrap();
        let (doc, eids) = apply(&doc, &[
            Edit::Connect { source: root.clone(), source_handle: None, target: ids[0].clone() },
        ]).unwrap();
        let (doc, _) = apply(&doc, &[Edit::SetLabel { target: eids[0].clone(), label: "the customer wants it".into() }]).unwrap();
        let v = view(&doc);
        let n = v.nodes.iter().find(|n| n.id == ids[0]).unwrap();
        assert_eq!((n.kind.as_str(), n.label.as_str(), n.position), ("chat", "Ask", Point { x: 1.0, y: 2.0 }));
        let e = v.edges.iter().find(|e| e.id == eids[0]).unwrap();
        assert_eq!((e.kind.as_str(), e.label.as_deref()), ("conditional", Some("the customer wants it")));
        let err = apply(&doc, &[Edit::MoveNode { id: "nope".into(), x: 0.0, y: 0.0 }]).unwrap_err();
        assert!(err.to_string().contains("`nope`"), "{err}");
        let err = apply(&doc, &[Edit::Delete { node_ids: vec![root.clone()], edge_ids: vec![] }]).unwrap_err();
        assert!(err.to_string().contains("root"), "{err}");
        let err = apply(&doc, &[Edit::SetField { target: ids[0].clone(), path: vec!["tools".into()], value: json!(7) }]).unwrap_err();
        assert!(err.to_string().contains("tools"), "{err}");
    }

    #[test]
    fn duplicate_copies_nodes_with_new_ids_everywhere_and_the_edges_among_them() {
        let doc = load("fixtures/sim/support-triage-condition.json");
        let Document::Sim(sim) = &doc else { panic!("a workflow") };
        let state = sim.state();
        // A Condition block and the blocks its branches lead to.
        let cond = state.blocks.values().find(|b| b.block_type == "condition").unwrap().id.clone();
        let targets: Vec<String> = state.edges.iter().filter(|e| e.source == cond).map(|e| e.target.clone()).collect();
        let mut picked = vec![cond.clone()];
        picked.extend(targets.iter().cloned());
        let (after, created) = apply(&doc, &[Edit::Duplicate { node_ids: picked.clone(), offset: Point { x: 40.0, y: 0.0 } }]).unwrap();
        let Document::Sim(after) = &after else { panic!() };
        let new_state = after.state();
        assert_eq!(new_state.blocks.len(), state.blocks.len() + picked.len());
        assert_eq!(new_state.edges.len(), state.edges.len() + targets.len(), "only the edges among the copies are copied");
        let new_cond = &new_state.blocks[created[0].as_str()];
        assert_eq!(new_cond.block_type, "condition");
        assert!(new_cond.name.ends_with("(copy)"), "{}", new_cond.name);
        let conditions = new_cond.sub_str("conditions").unwrap();
        assert!(conditions.contains(&created[0]) && !conditions.contains(&cond), "branch ids follow the new block id");
        let (x0, _) = state.blocks[cond.as_str()].position.xy();
        assert_eq!(new_cond.position.xy().0, x0 + 40.0);
        for edge in new_state.edges.iter().filter(|e| created.contains(&e.id)) {
            assert_eq!(edge.source, created[0]);
            assert!(created.contains(&edge.target));
            let handle = edge.source_handle.get().unwrap();
            assert!(handle.contains(&created[0]), "{handle}");
        }
        // The copy is a valid workflow: names stay unique, handles match branches.
        let report = crate::validate::validate(&Document::Sim(after.clone())).unwrap();
        let before = crate::validate::validate(&doc).unwrap();
        assert_eq!(report.errors, before.errors, "{:?}", report.diagnostics);

        let err = apply(&doc, &[Edit::Duplicate { node_ids: vec!["ghost".into()], offset: Point { x: 0.0, y: 0.0 } }]).unwrap_err();
        assert!(err.to_string().contains("ghost"), "{err}");
    }

    #[test]
    fn duplicating_journey_states_keeps_one_root() {
        let doc = load("fixtures/journeys/book-flight.json");
        let Document::Journey(j) = &doc else { panic!("a journey") };
        let err = apply(&doc, &[Edit::Duplicate { node_ids: vec![j.journey.root_id.clone()], offset: Point { x: 0.0, y: 0.0 } }]).unwrap_err();
        assert!(err.to_string().contains("one root"), "{err}");
        let pair: Vec<String> = j.edges.iter().find(|e| e.source != j.journey.root_id && e.target != END_NODE_ID && e.source != e.target).map(|e| vec![e.source.clone(), e.target.clone()]).unwrap();
        let (after, created) = apply(&doc, &[Edit::Duplicate { node_ids: pair.clone(), offset: Point { x: 10.0, y: 10.0 } }]).unwrap();
        let Document::Journey(after) = &after else { panic!() };
        assert_eq!(after.nodes.len(), j.nodes.len() + 2);
        let copied_edge = after.edges.iter().find(|e| created.contains(&e.id)).unwrap();
        assert_eq!((&copied_edge.source, &copied_edge.target), (&created[0], &created[1]));
    }
}
