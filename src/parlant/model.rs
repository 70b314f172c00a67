//! Parlant journeys as Journey Studio stores them on disk.
//!
//! The field names are Parlant's own (parlant/core/journeys.py and its REST DTOs, 3.3.2):
//! a `Journey`, its `JourneyNode`s (the root included; the kind lives in
//! `metadata.journey_node.kind`) and `JourneyEdge`s, whose target may be the virtual `end`.
//! The document adds a `format`/`version` header, the entities a journey relies on (tags,
//! guidelines, context variables), and an `editor` section for layout, kept apart so that
//! nothing the editor stores leaks into what is pushed to Parlant. See docs/journey-format.md.

use crate::json::Maybe;
use crate::lossless_struct;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Number, Value};

pub const FORMAT: &str = "parlant-journey";
pub const FORMAT_VERSION: u32 = 1;
/// Parlant's `JourneyStore.END_NODE_ID`: a virtual node every journey may transition to.
pub const END_NODE_ID: &str = "end";

lossless_struct! {
    pub struct JourneyDocument {
        required {
            "format" => format: String,
            "version" => version: u32,
            "journey" => journey: Journey,
            "nodes" => nodes: Vec<JourneyNode>,
            "edges" => edges: Vec<JourneyEdge>,
        }
        optional {
            "tags" => tags: Vec<Tag>,
            "guidelines" => guidelines: Vec<Guideline>,
            "context_variables" => context_variables: Vec<ContextVariable>,
            "editor" => editor: EditorData,
        }
    }
}

lossless_struct! {
    /// `Journey`: `conditions` are the condition texts (what `POST /journeys` takes); Parlant turns
    /// each into a guideline tagged `journey:<id>`.
    pub struct Journey {
        required {
            "title" => title: String,
            "description" => description: String,
            "conditions" => conditions: Vec<String>,
            "root_id" => root_id: String,
        }
        optional {
            "id" => id: String,
            "tags" => tags: Vec<String>,
            "composition_mode" => composition_mode: String,
            "labels" => labels: Vec<String>,
            "priority" => priority: Number,
        }
    }
}

lossless_struct! {
    /// `JourneyNode`: a state. `action` is what the agent does there (none for the root).
    pub struct JourneyNode {
        required {
            "id" => id: String,
        }
        optional {
            "action" => action: String,
            "tools" => tools: Vec<ToolId>,
            "metadata" => metadata: IndexMap<String, Value>,
            "description" => description: String,
            "composition_mode" => composition_mode: String,
            "labels" => labels: Vec<String>,
        }
    }
}

lossless_struct! {
    /// `ToolId`: a tool by service and name.
    pub struct ToolId {
        required {
            "service_name" => service_name: String,
            "tool_name" => tool_name: String,
        }
        optional {}
    }
}

lossless_struct! {
    /// `JourneyEdge`: a transition, taken when `condition` holds (always, when it has none).
    pub struct JourneyEdge {
        required {
            "id" => id: String,
            "source" => source: String,
            "target" => target: String,
        }
        optional {
            "condition" => condition: String,
            "metadata" => metadata: IndexMap<String, Value>,
        }
    }
}

lossless_struct! {
    pub struct Tag {
        required {
            "id" => id: String,
            "name" => name: String,
        }
        optional {}
    }
}

lossless_struct! {
    /// A guideline the journey relies on (`POST /guidelines`).
    pub struct Guideline {
        required {
            "condition" => condition: String,
        }
        optional {
            "id" => id: String,
            "action" => action: String,
            "description" => description: String,
            "criticality" => criticality: String,
            "enabled" => enabled: bool,
            "metadata" => metadata: IndexMap<String, Value>,
            "tags" => tags: Vec<String>,
        }
    }
}

lossless_struct! {
    /// A context variable (`POST /context-variables`); `value` is the editor's preview value.
    pub struct ContextVariable {
        required {
            "name" => name: String,
        }
        optional {
            "id" => id: String,
            "description" => description: String,
            "tool_id" => tool_id: ToolId,
            "freshness_rules" => freshness_rules: String,
            "tags" => tags: Vec<String>,
            "value" => value: Value,
        }
    }
}

lossless_struct! {
    /// Editor-only data: never sent to Parlant.
    pub struct EditorData {
        required {}
        optional {
            "positions" => positions: IndexMap<String, EditorPosition>,
            "viewport" => viewport: Value,
        }
    }
}

lossless_struct! {
    pub struct EditorPosition {
        required {
            "x" => x: Number,
            "y" => y: Number,
        }
        optional {}
    }
}

/// What a state is, read from `metadata.journey_node.kind` (the root and `end` by id).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Root,
    Chat,
    Tool,
    Fork,
    End,
    /// A kind this version does not know, as written.
    Other(String),
}

impl NodeKind {
    pub fn as_str(&self) -> &str {
        match self {
            NodeKind::Root => "root",
            NodeKind::Chat => "chat",
            NodeKind::Tool => "tool",
            NodeKind::Fork => "fork",
            NodeKind::End => "end",
            NodeKind::Other(s) => s,
        }
    }

    fn from_metadata(kind: &str) -> NodeKind {
        match kind {
            "chat" => NodeKind::Chat,
            "tool" => NodeKind::Tool,
            "fork" => NodeKind::Fork,
            other => NodeKind::Other(other.to_string()),
        }
    }
}

impl JourneyNode {
    /// A node with the kind recorded as Parlant's SDK records it.
    pub fn new(id: impl Into<String>, kind: &NodeKind, action: Option<String>) -> JourneyNode {
        let mut metadata = IndexMap::new();
        if !matches!(kind, NodeKind::Root | NodeKind::End) {
            metadata.insert(
                "journey_node".to_string(),
                serde_json::json!({ "kind": kind.as_str() }),
            );
        }
        JourneyNode {
            id: id.into(),
            action: action.map_or(Maybe::Null, Maybe::Value),
            tools: Maybe::Value(Vec::new()),
            metadata: Maybe::Value(metadata),
            description: Maybe::Absent,
            composition_mode: Maybe::Absent,
            labels: Maybe::Absent,
            extra: IndexMap::new(),
        }
    }

    /// `metadata.journey_node.kind`, when present.
    pub fn declared_kind(&self) -> Option<&str> {
        self.metadata
            .get()?
            .get("journey_node")?
            .get("kind")?
            .as_str()
    }

    pub fn action_text(&self) -> Option<&str> {
        self.action.get().map(String::as_str)
    }

    pub fn tool_ids(&self) -> &[ToolId] {
        self.tools.get().map(Vec::as_slice).unwrap_or(&[])
    }

    /// A metadata value by key (`metadata.<key>`).
    pub fn meta(&self, key: &str) -> Option<&Value> {
        self.metadata.get()?.get(key)
    }
}

impl JourneyEdge {
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        target: impl Into<String>,
        condition: Option<String>,
    ) -> JourneyEdge {
        JourneyEdge {
            id: id.into(),
            source: source.into(),
            target: target.into(),
            condition: condition.map_or(Maybe::Null, Maybe::Value),
            metadata: Maybe::Value(IndexMap::new()),
            extra: IndexMap::new(),
        }
    }

    /// Whether Parlant takes the transition without a condition: no condition, or `""`
    /// (Parlant 3.3.2 tests `not condition` in the SDK's `JourneyState._transition` and in the
    /// reachable-nodes evaluation; `"  "` is a condition there).
    pub fn is_unconditional(&self) -> bool {
        self.condition.get().is_none_or(|c| c.is_empty())
    }

    /// The condition text, when the edge has a non-empty one.
    pub fn condition_text(&self) -> Option<&str> {
        self.condition
            .get()
            .map(String::as_str)
            .filter(|c| !c.trim().is_empty())
    }

    pub fn meta(&self, key: &str) -> Option<&Value> {
        self.metadata.get()?.get(key)
    }
}

impl ToolId {
    pub fn new(service_name: impl Into<String>, tool_name: impl Into<String>) -> ToolId {
        ToolId {
            service_name: service_name.into(),
            tool_name: tool_name.into(),
            extra: IndexMap::new(),
        }
    }
}

impl EditorData {
    /// No layout saved yet.
    pub fn empty() -> EditorData {
        EditorData {
            positions: Maybe::Absent,
            viewport: Maybe::Absent,
            extra: IndexMap::new(),
        }
    }
}

impl std::fmt::Display for ToolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.service_name, self.tool_name)
    }
}

impl JourneyDocument {
    /// An empty journey: a root state and nothing else.
    pub fn new(
        title: impl Into<String>,
        description: impl Into<String>,
        conditions: Vec<String>,
    ) -> JourneyDocument {
        let root = JourneyNode::new("root", &NodeKind::Root, None);
        JourneyDocument {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            journey: Journey {
                title: title.into(),
                description: description.into(),
                conditions,
                root_id: root.id.clone(),
                id: Maybe::Absent,
                tags: Maybe::Value(Vec::new()),
                composition_mode: Maybe::Absent,
                labels: Maybe::Absent,
                priority: Maybe::Absent,
                extra: IndexMap::new(),
            },
            nodes: vec![root],
            edges: Vec::new(),
            tags: Maybe::Absent,
            guidelines: Maybe::Absent,
            context_variables: Maybe::Absent,
            editor: Maybe::Absent,
            extra: IndexMap::new(),
        }
    }

    pub fn node(&self, id: &str) -> Option<&JourneyNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The kind of a node id (`end` and the root by id, the rest from metadata).
    pub fn kind_of(&self, id: &str) -> Option<NodeKind> {
        if id == END_NODE_ID {
            return Some(NodeKind::End);
        }
        if id == self.journey.root_id {
            return Some(NodeKind::Root);
        }
        Some(self.kind_of_node(self.node(id)?))
    }

    /// The kind of a state of this journey (the root by id, the rest from metadata).
    pub fn kind_of_node(&self, node: &JourneyNode) -> NodeKind {
        if node.id == self.journey.root_id {
            return NodeKind::Root;
        }
        match node.declared_kind() {
            Some(kind) => NodeKind::from_metadata(kind),
            // Parlant's SDK always records a kind; a node written without one reads by its shape.
            None if !node.tool_ids().is_empty() => NodeKind::Tool,
            None => NodeKind::Chat,
        }
    }

    pub fn context_variables(&self) -> &[ContextVariable] {
        self.context_variables
            .get()
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn position_of(&self, id: &str) -> Option<(f64, f64)> {
        let p = self.editor.get()?.positions.get()?.get(id)?;
        Some((p.x.as_f64()?, p.y.as_f64()?))
    }
}
