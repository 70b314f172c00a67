//! What the canvas draws, decided by the core: one node per Sim block (its family, the branch
//! handles of a Condition block, a router's routes, container membership) or per journey state
//! (its kind, with `end` drawn once), and one edge per connection with its readable label.
//! The UI only draws this view.

use crate::convert::conditions::parse_branches;
use crate::document::Document;
use crate::parlant::{JourneyDocument, JourneyEdge, JourneyNode, NodeKind, END_NODE_ID};
use crate::sim::{Block, BlockFamily, Edge, SimDocument, SourceHandle};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasView {
    /// `sim_workflow` or `parlant_journey`.
    pub kind: String,
    pub nodes: Vec<CanvasNode>,
    pub edges: Vec<CanvasEdge>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasNode {
    pub id: String,
    /// Block family (`agent`, `condition`, ...) or journey state kind (`root`, `chat`, ...).
    pub kind: String,
    /// Sim block type; the state kind for journeys.
    #[serde(rename = "type")]
    pub node_type: String,
    pub label: String,
    pub position: Point,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Size>,
    pub handles: Vec<CanvasHandle>,
    pub enabled: bool,
    /// A short text for the node body (the action of a state, the tools it calls).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The type's name as people say it (`Agent`, `Chat state`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// The registry's icon name (`AgentIcon`) and colour for the type.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// One or two key fields drawn on the node (an agent's model and prompt, a condition's
    /// branches, an API call's method and URL), each cut to a readable length.
    #[ts(optional, as = "Option<Vec<KeyField>>")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<KeyField>,
}

/// A field drawn on a node: `model  claude-sonnet-5`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct KeyField {
    pub label: String,
    pub value: String,
}

/// Longest text drawn in a key field.
const KEY_FIELD_CHARS: usize = 72;

/// `text` on one line, cut at `KEY_FIELD_CHARS` with an ellipsis.
pub fn excerpt(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= KEY_FIELD_CHARS {
        return one_line;
    }
    let cut: String = one_line.chars().take(KEY_FIELD_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

fn key(label: &str, value: &str) -> Option<KeyField> {
    let value = excerpt(value);
    (!value.is_empty()).then(|| KeyField {
        label: label.into(),
        value,
    })
}

/// The text of an agent's prompt: the system message (Sim's `messages`, or the older
/// `systemPrompt` / `userPrompt` sub-blocks).
fn agent_prompt(block: &Block) -> Option<String> {
    match block.sub_value("messages") {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => return Some(s.clone()),
        Some(serde_json::Value::Array(items)) => {
            let text = items
                .iter()
                .filter_map(|m| m.get("content").and_then(serde_json::Value::as_str))
                .find(|c| !c.trim().is_empty());
            if let Some(t) = text {
                return Some(t.to_string());
            }
        }
        _ => {}
    }
    block
        .sub_str("systemPrompt")
        .or_else(|| block.sub_str("userPrompt"))
        .or_else(|| block.sub_str("prompt"))
        .map(str::to_string)
}

/// The key fields of a Sim block, by family (see `KeyField`).
fn block_key_fields(block: &Block, family: BlockFamily) -> Vec<KeyField> {
    let mut out: Vec<Option<KeyField>> = Vec::new();
    match family {
        BlockFamily::Agent => {
            out.push(block.sub_str("model").and_then(|m| key("model", m)));
            out.push(agent_prompt(block).and_then(|p| key("prompt", &p)));
        }
        BlockFamily::Condition => {
            let branches = parse_branches(block.sub_value("conditions"));
            let count = branches.len();
            for (i, b) in branches.iter().enumerate().take(4) {
                let label = branch_label(&b.title, i, count);
                let value = if b.value.trim().is_empty() && label == "else" {
                    "otherwise".to_string()
                } else {
                    b.value.clone()
                };
                out.push(key(&label, &value));
            }
        }
        BlockFamily::Router => {
            out.push(block.sub_str("model").and_then(|m| key("model", m)));
            out.push(
                block
                    .sub_str("context")
                    .or_else(|| block.sub_str("prompt"))
                    .and_then(|c| key("context", c)),
            );
        }
        BlockFamily::Function => out.push(block.sub_str("code").and_then(|c| {
            key(
                "code",
                c.lines().find(|l| !l.trim().is_empty()).unwrap_or(""),
            )
        })),
        BlockFamily::Response => {
            out.push(block.sub_str("status").and_then(|s| key("status", s)));
            out.push(block.sub_str("dataMode").and_then(|m| key("data", m)));
        }
        _ => {
            if block.block_type == "api" {
                let method = block.sub_str("method").unwrap_or("GET");
                out.push(block.sub_str("url").and_then(|u| key(method, u)));
            } else if let Some(serde_json::Value::Array(rows)) = block.sub_value("inputFormat") {
                let names: Vec<&str> = rows
                    .iter()
                    .filter_map(|r| r.get("name").and_then(serde_json::Value::as_str))
                    .filter(|n| !n.trim().is_empty())
                    .collect();
                out.push(key("inputs", &names.join(", ")));
            } else if let Some(op) = block.sub_str("operation") {
                let label = crate::sim::registry::block_spec(&block.block_type)
                    .and_then(|spec| {
                        spec.fields_with_id("operation")
                            .flat_map(|f| f.options.iter())
                            .find(|o| o.id == op)
                            .map(|o| o.label.clone())
                    })
                    .unwrap_or_else(|| op.to_string());
                out.push(key("operation", &label));
            }
        }
    }
    out.into_iter().flatten().take(4).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// An output handle of a node. `kind`: `source`, `error`, `condition`, `router`, `loop_start`,
/// `loop_end`, `parallel_start`, `parallel_end`, `target`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasHandle {
    pub id: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CanvasEdge {
    pub id: String,
    pub source: String,
    pub target: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_handle: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_handle: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The handle kind it leaves from (Sim) or `transition` / `conditional` (journeys).
    pub kind: String,
}

/// The canvas view of any document.
pub fn view(doc: &Document) -> CanvasView {
    match doc {
        Document::Sim(sim) => sim_full(sim),
        Document::Journey(journey) => journey_full(journey),
    }
}

fn handle(id: String, label: Option<String>, kind: &str) -> CanvasHandle {
    CanvasHandle {
        id,
        label,
        kind: kind.into(),
    }
}

fn handle_kind(h: &SourceHandle) -> &'static str {
    match h {
        SourceHandle::Source => "source",
        SourceHandle::Error => "error",
        SourceHandle::Condition(_) => "condition",
        SourceHandle::Router(_) => "router",
        SourceHandle::LoopStart => "loop_start",
        SourceHandle::LoopEnd => "loop_end",
        SourceHandle::ParallelStart => "parallel_start",
        SourceHandle::ParallelEnd => "parallel_end",
        SourceHandle::Other(_) => "other",
    }
}

/// Branch titles in Sim's order: `if`, `else if`, ..., `else`.
fn branch_label(title: &str, index: usize, count: usize) -> String {
    if !title.trim().is_empty() {
        return title.to_string();
    }
    match index {
        0 => "if".into(),
        i if i + 1 == count => "else".into(),
        _ => "else if".into(),
    }
}

/// The whole view of a workflow.
pub fn sim_full(doc: &SimDocument) -> CanvasView {
    let state = doc.state();
    let nodes: Vec<CanvasNode> = state.blocks.values().map(sim_node).collect();
    let by_id: std::collections::HashMap<&str, &CanvasNode> =
        nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let edges = state
        .edges
        .iter()
        .map(|e| sim_edge(e, by_id.get(e.source.as_str()).copied()))
        .collect();
    CanvasView {
        kind: "sim_workflow".into(),
        nodes,
        edges,
    }
}

/// The node of one Sim block: it depends on nothing but the block.
pub fn sim_node(block: &Block) -> CanvasNode {
    let family = BlockFamily::of(block);
    let mut handles = Vec::new();
    if family != BlockFamily::Trigger && family != BlockFamily::Note {
        handles.push(handle("target".into(), None, "target"));
    }
    match family {
        BlockFamily::Condition => {
            let branches = parse_branches(block.sub_value("conditions"));
            let count = branches.len();
            for (i, b) in branches.iter().enumerate() {
                let h = SourceHandle::Condition(b.id.clone());
                handles.push(handle(
                    h.as_handle(),
                    Some(branch_label(&b.title, i, count)),
                    "condition",
                ));
            }
        }
        BlockFamily::Router => {
            for r in parse_branches(block.sub_value("routes")) {
                let label = if r.title.is_empty() {
                    r.value.clone()
                } else {
                    r.title.clone()
                };
                handles.push(handle(
                    SourceHandle::Router(r.id).as_handle(),
                    Some(label),
                    "router",
                ));
            }
        }
        BlockFamily::Loop => {
            handles.push(handle(
                SourceHandle::LoopStart.as_handle(),
                Some("start".into()),
                "loop_start",
            ));
            handles.push(handle(
                SourceHandle::LoopEnd.as_handle(),
                Some("end".into()),
                "loop_end",
            ));
        }
        BlockFamily::Parallel => {
            handles.push(handle(
                SourceHandle::ParallelStart.as_handle(),
                Some("start".into()),
                "parallel_start",
            ));
            handles.push(handle(
                SourceHandle::ParallelEnd.as_handle(),
                Some("end".into()),
                "parallel_end",
            ));
        }
        BlockFamily::Note | BlockFamily::Response => {}
        _ => handles.push(handle("source".into(), None, "source")),
    }
    if !matches!(
        family,
        BlockFamily::Note | BlockFamily::Loop | BlockFamily::Parallel | BlockFamily::Response
    ) {
        handles.push(handle("error".into(), Some("error".into()), "error"));
    }
    let (x, y) = block.position.xy();
    let data = block.data.get();
    let size = data.and_then(|d| {
        Some(Size {
            width: d.width.get()?.as_f64()?,
            height: d.height.get()?.as_f64()?,
        })
    });
    let detail = match family {
        BlockFamily::Agent => block.sub_str("model").map(str::to_string),
        BlockFamily::Note => block.sub_str("content").map(str::to_string),
        BlockFamily::Function => block
            .sub_str("code")
            .map(|c| c.lines().next().unwrap_or("").to_string()),
        _ => None,
    };
    let spec = crate::sim::registry::block_spec(&block.block_type);
    let fields = block_key_fields(block, family);
    CanvasNode {
        type_name: spec.map(|s| s.name.clone()),
        icon: spec.map(|s| s.icon.clone()),
        color: spec.map(|s| s.color.clone()),
        fields,
        id: block.id.clone(),
        kind: family.as_str().into(),
        node_type: block.block_type.clone(),
        label: block.name.clone(),
        position: Point { x, y },
        parent: block.parent_id().map(str::to_string),
        size: if family.is_container() { size } else { None },
        handles,
        enabled: block.enabled,
        detail,
    }
}

/// The drawn edge of a Sim connection; its label is the branch, route or error handle it
/// leaves from, read from the source's node (`None` when the source is missing).
pub fn sim_edge(e: &Edge, source: Option<&CanvasNode>) -> CanvasEdge {
    let parsed = SourceHandle::parse(e.source_handle.get().map(String::as_str));
    let canonical = parsed.as_handle();
    let label = match parsed {
        SourceHandle::Condition(_) | SourceHandle::Router(_) | SourceHandle::Error => source
            .and_then(|n| n.handles.iter().find(|h| h.id == canonical))
            .and_then(|h| h.label.clone()),
        _ => None,
    };
    CanvasEdge {
        id: e.id.clone(),
        source: e.source.clone(),
        target: e.target.clone(),
        source_handle: Some(canonical),
        target_handle: e.target_handle.get().cloned(),
        label,
        kind: handle_kind(&parsed).into(),
    }
}

/// The whole view of a journey.
pub fn journey_full(doc: &JourneyDocument) -> CanvasView {
    let mut nodes: Vec<CanvasNode> = doc
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| journey_node(doc, i, node))
        .collect();
    nodes.extend(journey_end(doc));
    let edges = doc.edges.iter().map(journey_edge).collect();
    CanvasView {
        kind: "parlant_journey".into(),
        nodes,
        edges,
    }
}

/// Where a journey's node is drawn: its saved place, else a column by its index (the UI's
/// auto-layout replaces it).
fn journey_position(doc: &JourneyDocument, id: &str, index: usize) -> Point {
    doc.editor
        .get()
        .and_then(|e| e.positions.get())
        .and_then(|p| p.get(id))
        .map(|p| Point {
            x: p.x.as_f64().unwrap_or(0.0),
            y: p.y.as_f64().unwrap_or(0.0),
        })
        .unwrap_or(Point {
            x: 0.0,
            y: index as f64 * 120.0,
        })
}

/// The node of the state at `index`: it depends on the state, the journey's root and title,
/// and (without a saved place) on the index.
pub fn journey_node(doc: &JourneyDocument, index: usize, node: &JourneyNode) -> CanvasNode {
    let kind = doc.kind_of_node(node);
    let tools: Vec<String> = node
        .tool_ids()
        .iter()
        .map(|t| t.tool_name.clone())
        .collect();
    let action = node.action_text().map(str::to_string);
    let label = match (&kind, &action) {
        (NodeKind::Root, _) => doc.journey.title.clone(),
        (_, Some(a)) if !a.trim().is_empty() => a.clone(),
        (NodeKind::Tool, _) if !tools.is_empty() => tools.join(", "),
        _ => node.id.clone(),
    };
    let detail = (!tools.is_empty()).then(|| format!("tools: {}", tools.join(", ")));
    let mut handles = vec![handle("source".into(), None, "source")];
    if kind != NodeKind::Root {
        handles.insert(0, handle("target".into(), None, "target"));
    }
    let type_name = match &kind {
        NodeKind::Root => "Journey start".to_string(),
        NodeKind::Chat => "Chat state".to_string(),
        NodeKind::Tool => "Tool state".to_string(),
        NodeKind::Fork => "Fork".to_string(),
        NodeKind::End => "End".to_string(),
        NodeKind::Other(k) => format!("{k} state"),
    };
    let mut fields = Vec::new();
    if kind == NodeKind::Root {
        fields.extend(doc.journey.conditions.first().and_then(|c| key("when", c)));
    }
    CanvasNode {
        id: node.id.clone(),
        kind: kind.as_str().into(),
        node_type: kind.as_str().into(),
        label,
        position: journey_position(doc, &node.id, index),
        parent: None,
        size: None,
        handles,
        enabled: true,
        detail,
        type_name: Some(type_name),
        icon: None,
        color: None,
        fields,
    }
}

/// The virtual `end` state, drawn once when a transition leads to it.
pub fn journey_end(doc: &JourneyDocument) -> Option<CanvasNode> {
    let has_end = doc.edges.iter().any(|e| e.target == END_NODE_ID);
    (has_end && doc.node(END_NODE_ID).is_none()).then(|| CanvasNode {
        id: END_NODE_ID.into(),
        kind: "end".into(),
        node_type: "end".into(),
        label: "End".into(),
        position: journey_position(doc, END_NODE_ID, doc.nodes.len()),
        parent: None,
        size: None,
        handles: vec![handle("target".into(), None, "target")],
        enabled: true,
        detail: None,
        type_name: Some("End".into()),
        icon: None,
        color: None,
        fields: Vec::new(),
    })
}

pub fn journey_edge(e: &JourneyEdge) -> CanvasEdge {
    let label = e.condition_text().map(str::to_string);
    CanvasEdge {
        id: e.id.clone(),
        source: e.source.clone(),
        target: e.target.clone(),
        source_handle: None,
        target_handle: None,
        kind: if label.is_some() {
            "conditional".into()
        } else {
            "transition".into()
        },
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::test_fixture as load;

    #[test]
    fn journey_nodes_have_kinds_and_conditional_edges_have_labels() {
        let doc = load("fixtures/journeys/book-flight.json");
        let Document::Journey(j) = &doc else {
            panic!("a journey")
        };
        let v = view(&doc);
        assert_eq!(v.kind, "parlant_journey");
        let root = v.nodes.iter().find(|n| n.id == j.journey.root_id).unwrap();
        assert_eq!(root.kind, "root");
        for e in &j.edges {
            let ve = v.edges.iter().find(|x| x.id == e.id).unwrap();
            assert_eq!(ve.label.as_deref(), e.condition_text());
            assert!(
                v.nodes.iter().any(|n| n.id == e.target),
                "edge target {} drawn",
                e.target
            );
        }
    }

    #[test]
    fn condition_blocks_get_one_handle_per_branch_and_edges_their_label() {
        for entry in
            std::fs::read_dir(format!("{}/fixtures/sim", env!("CARGO_MANIFEST_DIR"))).unwrap()
        {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let Ok(Document::Sim(sim)) = Document::parse("x", &text) else {
                continue;
            };
            let v = view(&Document::Sim(sim.clone()));
            for block in sim
                .state()
                .blocks
                .values()
                .filter(|b| b.block_type == "condition")
            {
                let branches = parse_branches(block.sub_value("conditions"));
                let node = v.nodes.iter().find(|n| n.id == block.id).unwrap();
                assert_eq!(node.kind, "condition");
                let cond: Vec<_> = node
                    .handles
                    .iter()
                    .filter(|h| h.kind == "condition")
                    .collect();
                assert_eq!(cond.len(), branches.len());
                assert_eq!(
                    cond.first().and_then(|h| h.label.as_deref()),
                    branches.first().map(|b| if b.title.is_empty() {
                        "if"
                    } else {
                        b.title.as_str()
                    })
                );
            }
            for e in v.edges.iter().filter(|e| e.kind == "condition") {
                assert!(
                    e.label.is_some(),
                    "condition edge {} has its branch label",
                    e.id
                );
            }
        }
    }
}
