//! What the inspector shows for a selected element, decided by the core: typed fields with their
//! current values and the `set_field` path each one writes. The UI renders a control per field
//! kind and never reads the document itself.

use super::edit::{DocRef, JOURNEY_TARGET};
use crate::error::{Error, Result};
use crate::parlant::{JourneyDocument, NodeKind};
use crate::sim::{Block, SimDocument};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// How a field is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// JavaScript (a code editor).
    Code,
    Bool,
    Number,
    /// One of `options` (an empty value is allowed when `optional`).
    Select,
    /// A list of texts, one per line.
    TextList,
    /// Any JSON value, edited as text (what the inspector has no form for; nothing is lost).
    Json,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Field {
    /// Keys from the element down to the value, as `set_field` takes them.
    pub path: Vec<String>,
    pub label: String,
    pub kind: FieldKind,
    pub value: Value,
    /// The choices of a `select`.
    #[serde(default)]
    pub options: Vec<String>,
    /// An empty value is allowed (written as `null`).
    #[serde(default)]
    pub optional: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Field {
    fn new(path: &[&str], label: &str, kind: FieldKind, value: Value) -> Field {
        Field { path: path.iter().map(|s| s.to_string()).collect(), label: label.into(), kind, value, options: Vec::new(), optional: false, help: None }
    }

    fn options(mut self, options: &[&str]) -> Field {
        self.options = options.iter().map(|s| s.to_string()).collect();
        self
    }

    fn optional(mut self) -> Field {
        self.optional = true;
        self
    }

    fn help(mut self, help: &str) -> Field {
        self.help = Some(help.into());
        self
    }
}

/// What the inspector shows for one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InspectorView {
    pub target: String,
    /// `block`, `edge`, `state`, `transition` or `journey`.
    pub what: String,
    pub title: String,
    pub fields: Vec<Field>,
}

/// Parlant 3.3.2's `CompositionModeDTO` values (its OpenAPI spec).
pub const COMPOSITION_MODES: [&str; 4] = ["fluid", "canned_fluid", "composited_canned", "strict_canned"];

pub fn inspect(doc: DocRef<'_>, target: &str) -> Result<InspectorView> {
    match doc {
        DocRef::Sim(sim) => sim_inspect(sim, target),
        DocRef::Journey(journey) => journey_inspect(journey, target),
    }
}

fn value_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn sim_inspect(doc: &SimDocument, target: &str) -> Result<InspectorView> {
    let state = doc.state();
    if let Some(block) = state.blocks.get(target) {
        return Ok(InspectorView { target: target.into(), what: "block".into(), title: block.name.clone(), fields: block_fields(block) });
    }
    if let Some(edge) = state.edges.iter().find(|e| e.id == target) {
        let name = |id: &str| state.blocks.get(id).map_or_else(|| id.to_string(), |b| b.name.clone());
        return Ok(InspectorView { target: target.into(), what: "edge".into(), title: format!("{} → {}", name(&edge.source), name(&edge.target)), fields: Vec::new() });
    }
    Err(Error::NotFound(format!("no block or edge `{target}`")))
}

/// Sim's sub-block types (apps/sim/blocks/types.ts `SubBlockType`) and the control each gets.
fn sub_block_kind(sub_type: &str, value: &Value) -> FieldKind {
    match (sub_type, value) {
        ("short-input" | "oauth-input" | "file-selector" | "project-selector" | "channel-selector", Value::String(_) | Value::Null) => FieldKind::Text,
        ("long-input", Value::String(_) | Value::Null) => FieldKind::LongText,
        ("code", Value::String(_) | Value::Null) => FieldKind::Code,
        ("switch" | "checkbox", Value::Bool(_) | Value::Null) => FieldKind::Bool,
        ("slider", Value::Number(_) | Value::Null) => FieldKind::Number,
        ("dropdown" | "combobox", Value::String(_) | Value::Null) => FieldKind::Text,
        (_, Value::String(s)) if !s.trim_start().starts_with(['[', '{']) => FieldKind::Text,
        _ => FieldKind::Json,
    }
}

fn block_fields(block: &Block) -> Vec<Field> {
    let mut fields = vec![
        Field::new(&["name"], "Name", FieldKind::Text, json!(block.name)),
        Field::new(&["enabled"], "Enabled", FieldKind::Bool, json!(block.enabled)),
    ];
    for (id, sub) in block.sub_blocks.iter() {
        let value = sub.value.get().cloned().unwrap_or(Value::Null);
        let kind = sub_block_kind(&sub.sub_block_type, &value);
        let mut field = Field::new(&["subBlocks", id, "value"], id, kind, value).optional();
        field.help = Some(format!("Sim sub-block `{id}` ({})", sub.sub_block_type));
        fields.push(field);
    }
    fields
}

fn journey_inspect(doc: &JourneyDocument, target: &str) -> Result<InspectorView> {
    if target == JOURNEY_TARGET {
        return Ok(InspectorView { target: target.into(), what: "journey".into(), title: doc.journey.title.clone(), fields: journey_fields(doc) });
    }
    if let Some(node) = doc.node(target) {
        let kind = doc.kind_of_node(node);
        let mut fields = Vec::new();
        if kind != NodeKind::Root {
            fields.push(Field::new(&["action"], "Action", FieldKind::LongText, value_of(&node.action)).optional().help("What the agent does or says in this state"));
            fields.push(
                Field::new(&["metadata", "journey_node", "kind"], "Kind", FieldKind::Select, json!(node.declared_kind()))
                    .options(&["chat", "tool", "fork"])
                    .help("chat: the agent speaks; tool: the agent calls a tool; fork: only transitions"),
            );
            fields.push(Field::new(&["tools"], "Tools", FieldKind::Json, value_of(&node.tools)).optional().help("[{\"service_name\": ..., \"tool_name\": ...}]"));
            fields.push(Field::new(&["description"], "Description", FieldKind::LongText, value_of(&node.description)).optional());
        }
        let title = node.action_text().filter(|a| !a.is_empty()).map_or_else(|| node.id.clone(), str::to_string);
        return Ok(InspectorView { target: target.into(), what: "state".into(), title, fields });
    }
    if let Some(edge) = doc.edges.iter().find(|e| e.id == target) {
        let fields = vec![Field::new(&["condition"], "Condition", FieldKind::LongText, value_of(&edge.condition))
            .optional()
            .help("When this transition is taken; empty: always")];
        return Ok(InspectorView { target: target.into(), what: "transition".into(), title: format!("{} → {}", edge.source, edge.target), fields });
    }
    Err(Error::NotFound(format!("no state or transition `{target}`")))
}

fn journey_fields(doc: &JourneyDocument) -> Vec<Field> {
    let j = &doc.journey;
    vec![
        Field::new(&["journey", "title"], "Title", FieldKind::Text, json!(j.title)).help("1 to 100 characters (Parlant's limit)"),
        Field::new(&["journey", "description"], "Description", FieldKind::LongText, json!(j.description)),
        Field::new(&["journey", "conditions"], "Activation conditions", FieldKind::TextList, json!(j.conditions)).help("The journey becomes active when one of these holds"),
        Field::new(&["journey", "composition_mode"], "Composition mode", FieldKind::Select, value_of(&j.composition_mode)).options(&COMPOSITION_MODES).optional(),
        Field::new(&["journey", "priority"], "Priority", FieldKind::Number, value_of(&j.priority)).optional(),
        Field::new(&["journey", "labels"], "Labels", FieldKind::TextList, value_of(&j.labels)).optional(),
        Field::new(&["journey", "tags"], "Tags", FieldKind::TextList, value_of(&j.tags)).optional().help("Tag ids; `agent:<id>` shows the journey to one agent"),
        Field::new(&["guidelines"], "Guidelines", FieldKind::Json, value_of(&doc.guidelines)).optional().help("[{\"condition\": ..., \"action\": ...}]"),
        Field::new(&["context_variables"], "Context variables", FieldKind::Json, value_of(&doc.context_variables)).optional().help("[{\"name\": ..., \"description\": ...}]"),
    ]
}
