//! What the inspector shows for a selected element, decided by the core: typed fields with their
//! current values, the `set_field` path each one writes, and the problems found at each field.
//! A Sim block's fields come from the block registry (`sim::registry::inspector_fields`: Sim's
//! own sub-block types, options, bounds and visibility rules); whatever the registry does not
//! know is a raw `json` field, so nothing a block holds is hidden or lost. The UI renders one
//! control per field kind and never reads the document itself.

use super::diagnostics::DiagnosticEntry;
use super::edit::{DocRef, JOURNEY_TARGET};
use crate::error::{Error, Result};
use crate::json::{JsonPath, Segment};
use crate::parlant::{JourneyDocument, NodeKind};
use crate::sim::registry::{self, FieldLocation, FieldType, FieldView};
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
    /// Code in `language` (a code editor; JavaScript gets the core's diagnostics and `<block.path>`
    /// completions).
    Code,
    /// A switch.
    Bool,
    Number,
    /// A number between `min` and `max` in `step`s.
    Slider,
    /// One of `options` (an empty value is allowed when `optional`).
    Select,
    /// One of `options` or any text (Sim's combobox: models, resources listed at run time).
    Combobox,
    /// A list of texts, one per line.
    TextList,
    /// Sim's table: rows `{id, cells: {<column>: text}}` (an API block's headers and params).
    Table,
    /// A list of objects, one row each, edited by `columns` (other keys of a row are kept).
    Rows,
    /// An agent's messages: `[{role, content}]` (a text is one system message).
    Messages,
    /// A Condition block's branches in order (`if`, `else if`..., `else`): `[{id, title, value}]`.
    Branches,
    /// A router's routes: `[{id, title, value}]`, the value describing when the route is taken.
    Routes,
    /// Text shown, not edited (Sim's display-only setup instructions).
    ReadOnly,
    /// Any JSON value, edited as text (what the inspector has no form for; nothing is lost).
    Json,
}

/// A choice of a `select` or `combobox`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Choice {
    pub id: String,
    pub label: String,
}

/// A column of a `rows` or `table` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Column {
    /// The key in a row (`rows`) or the cell name (`table`).
    pub key: String,
    pub label: String,
    /// `text`, `long_text`, `select` or `number`.
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<Choice>>")]
    pub options: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Field {
    /// Keys from the element down to the value, as `set_field` takes them.
    pub path: Vec<String>,
    pub label: String,
    pub kind: FieldKind,
    /// The current value (for `text_encoded` fields, the parsed list).
    pub value: Value,
    #[serde(default)]
    pub options: Vec<Choice>,
    /// An empty value is allowed (written as `null`).
    #[serde(default)]
    pub optional: bool,
    /// It must hold a value (Sim's `required` as it holds now; Parlant's required fields).
    #[serde(default)]
    pub required: bool,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    /// The value is stored as JSON text (how Sim keeps branches and routes): write it back with
    /// `JSON.stringify`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub text_encoded: bool,
    /// For `code`: `javascript`, `json`, `python`, ...
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<Column>>")]
    pub columns: Vec<Column>,
    /// A secret: shown masked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub password: bool,
    /// The registry's type of a Sim field (`short-input`, `tool-input`, ...).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim_type: Option<String>,
    /// Why a field is shown as raw JSON.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The document's problems that point inside this field.
    #[serde(default)]
    pub diagnostics: Vec<DiagnosticEntry>,
}

impl Field {
    fn new(path: &[&str], label: &str, kind: FieldKind, value: Value) -> Field {
        Field {
            path: path.iter().map(|s| s.to_string()).collect(),
            label: label.into(),
            kind,
            value,
            options: Vec::new(),
            optional: false,
            required: false,
            help: None,
            placeholder: None,
            text_encoded: false,
            language: None,
            min: None,
            max: None,
            step: None,
            columns: Vec::new(),
            password: false,
            sim_type: None,
            problem: None,
            diagnostics: Vec::new(),
        }
    }

    fn options(mut self, options: &[&str]) -> Field {
        self.options = options
            .iter()
            .map(|s| Choice {
                id: s.to_string(),
                label: s.replace('_', " "),
            })
            .collect();
        self
    }

    fn optional(mut self) -> Field {
        self.optional = true;
        self
    }

    fn required(mut self) -> Field {
        self.required = true;
        self
    }

    fn help(mut self, help: &str) -> Field {
        self.help = Some(help.into());
        self
    }

    fn placeholder(mut self, text: &str) -> Field {
        self.placeholder = Some(text.into());
        self
    }

    fn columns(mut self, columns: Vec<Column>) -> Field {
        self.columns = columns;
        self
    }
}

fn column(key: &str, label: &str, kind: FieldKind) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        kind,
        options: Vec::new(),
    }
}

fn select_column(key: &str, label: &str, options: &[&str]) -> Column {
    Column {
        key: key.into(),
        label: label.into(),
        kind: FieldKind::Select,
        options: options
            .iter()
            .map(|o| Choice {
                id: o.to_string(),
                label: o.to_string(),
            })
            .collect(),
    }
}

/// What the inspector shows for one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct InspectorView {
    pub target: String,
    /// `block`, `edge`, `state`, `transition` or `journey`.
    pub what: String,
    pub title: String,
    /// The block type's or state kind's name (`Agent`, `Chat state`).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// The registry's icon and colour for it.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    pub fields: Vec<Field>,
    /// Problems of this element that point at no field shown here.
    pub problems: Vec<DiagnosticEntry>,
}

/// Parlant 3.3.2's `CompositionModeDTO` values (its OpenAPI spec).
pub const COMPOSITION_MODES: [&str; 4] = [
    "fluid",
    "canned_fluid",
    "composited_canned",
    "strict_canned",
];
/// Parlant 3.3.2's `CriticalityDTO` values (a guideline's criticality).
pub const CRITICALITIES: [&str; 3] = ["low", "medium", "high"];
/// The value types of a row of Sim's input format (`input-format.tsx`; those real exports carry).
pub const INPUT_TYPES: [&str; 6] = ["string", "number", "boolean", "object", "array", "file[]"];

/// The inspector's view of `target`, with `diagnostics` (the document's) placed at the fields
/// they point into.
pub fn inspect(
    doc: DocRef<'_>,
    target: &str,
    diagnostics: &[DiagnosticEntry],
) -> Result<InspectorView> {
    let mut view = match doc {
        DocRef::Sim(sim) => sim_inspect(sim, target)?,
        DocRef::Journey(journey) => journey_inspect(journey, target)?,
    };
    attach(doc, &mut view, diagnostics);
    Ok(view)
}

fn value_of<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn sim_inspect(doc: &SimDocument, target: &str) -> Result<InspectorView> {
    let state = doc.state();
    if let Some(block) = state.blocks.get(target) {
        let spec = registry::block_spec(&block.block_type);
        return Ok(InspectorView {
            target: target.into(),
            what: "block".into(),
            title: block.name.clone(),
            type_name: Some(spec.map_or_else(|| block.block_type.clone(), |s| s.name.clone())),
            icon: spec.map(|s| s.icon.clone()),
            color: spec.map(|s| s.color.clone()),
            fields: block_fields(block),
            problems: Vec::new(),
        });
    }
    if let Some(edge) = state.edges.iter().find(|e| e.id == target) {
        let name = |id: &str| {
            state
                .blocks
                .get(id)
                .map_or_else(|| id.to_string(), |b| b.name.clone())
        };
        return Ok(InspectorView {
            target: target.into(),
            what: "edge".into(),
            title: format!("{} → {}", name(&edge.source), name(&edge.target)),
            type_name: edge.source_handle.get().cloned(),
            icon: None,
            color: None,
            fields: Vec::new(),
            problems: Vec::new(),
        });
    }
    Err(Error::NotFound(format!("no block or edge `{target}`")))
}

/// A block's own settings, then the fields Sim's editor shows for it now (its advanced toggle,
/// trigger mode and field conditions), then what the registry does not know, as JSON.
fn block_fields(block: &Block) -> Vec<Field> {
    let spec = registry::block_spec(&block.block_type);
    let mut fields = vec![
        Field::new(&["name"], "Name", FieldKind::Text, json!(block.name))
            .required()
            .help("Unique in the workflow; other blocks read it as `<name.output>`"),
        Field::new(
            &["enabled"],
            "Enabled",
            FieldKind::Bool,
            json!(block.enabled),
        ),
    ];
    let has_advanced = spec.is_some_and(|s| {
        s.fields.iter().any(|f| {
            matches!(f.mode, Some(registry::FieldMode::Advanced)) && f.legacy.is_none() && !f.hidden
        })
    });
    if has_advanced {
        fields.push(
            Field::new(
                &["advancedMode"],
                "Advanced settings",
                FieldKind::Bool,
                json!(block.advanced_mode.get().copied().unwrap_or(false)),
            )
            .help("Shows the block's advanced fields, as Sim's editor toggle does"),
        );
    }
    for view in registry::inspector_fields(block) {
        // Sim's editor does not show these now; they are kept in the block as they are.
        if !view.visible {
            continue;
        }
        fields.push(sim_field(&view));
    }
    fields
}

fn choices(view: &FieldView) -> Vec<Choice> {
    view.spec
        .as_ref()
        .map(|s| {
            s.options
                .iter()
                .filter(|o| !o.hidden)
                .map(|o| Choice {
                    id: o.id.clone(),
                    label: o.label.clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The JSON a Sim branch or route list is stored as (a JSON text, or the list itself).
fn parsed_list(value: &Value) -> (Value, bool) {
    match value {
        Value::Null => (json!([]), true),
        Value::String(text) if text.trim().is_empty() => (json!([]), true),
        Value::String(text) => (serde_json::from_str(text).unwrap_or(Value::Null), true),
        other => (other.clone(), false),
    }
}

/// `inputFormat` → `Input format` (a field Sim gives no title).
fn humanize(id: &str) -> String {
    let mut out = String::new();
    for (i, c) in id.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else if c == '_' || c == '-' {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// One registry field as the inspector edits it.
fn sim_field(view: &FieldView) -> Field {
    let path: Vec<String> = match view.location {
        FieldLocation::Data => vec!["data".into(), view.id.clone()],
        _ => vec!["subBlocks".into(), view.id.clone(), "value".into()],
    };
    let spec = view.spec.as_ref();
    let mut field = Field {
        path,
        label: if view.title == view.id {
            humanize(&view.id)
        } else {
            view.title.clone()
        },
        kind: FieldKind::Json,
        value: view.value.clone(),
        options: choices(view),
        optional: !view.required,
        required: view.required,
        help: spec.and_then(|s| s.description.clone()),
        placeholder: spec.and_then(|s| s.placeholder.clone()),
        text_encoded: false,
        language: spec.and_then(|s| s.language.clone()),
        min: spec.and_then(|s| s.min),
        max: spec.and_then(|s| s.max),
        step: spec.and_then(|s| s.step),
        columns: Vec::new(),
        password: spec.is_some_and(|s| s.password),
        sim_type: Some(
            serde_json::to_value(spec.map_or(view.field_type, |s| s.field_type))
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        ),
        problem: view.problem.clone(),
        diagnostics: Vec::new(),
    };
    use FieldType as T;
    field.kind = match view.field_type {
        T::ShortInput
        | T::TimeInput
        | T::OauthInput
        | T::FileSelector
        | T::SheetSelector
        | T::ProjectSelector
        | T::ChannelSelector
        | T::UserSelector
        | T::FolderSelector
        | T::KnowledgeBaseSelector
        | T::DocumentSelector
        | T::McpServerSelector
        | T::McpToolSelector
        | T::WorkflowSelector
        | T::TableSelector
        | T::ColumnSelector
            if !view.value.is_array() =>
        {
            FieldKind::Text
        }
        T::LongInput => FieldKind::LongText,
        T::Dropdown if spec.is_some_and(|s| s.multi_select) => FieldKind::Json,
        T::Dropdown => FieldKind::Select,
        T::Combobox if spec.is_some_and(|s| s.multi_select) => FieldKind::Json,
        T::Combobox => FieldKind::Combobox,
        T::Slider => FieldKind::Slider,
        T::Switch => FieldKind::Bool,
        T::Code => {
            if field.language.is_none() {
                field.language = Some("javascript".into());
            }
            if view.value.is_object() || view.value.is_array() {
                FieldKind::Json
            } else {
                FieldKind::Code
            }
        }
        T::Table => {
            let names = spec.map(|s| s.columns.clone()).unwrap_or_default();
            field.columns = names
                .iter()
                .map(|c| column(c, c, FieldKind::Text))
                .collect();
            if view.value.is_null() {
                field.value = json!([]);
            }
            FieldKind::Table
        }
        T::InputFormat | T::ResponseFormat => {
            field.columns = vec![
                column("name", "Name", FieldKind::Text),
                select_column("type", "Type", &INPUT_TYPES),
                column("value", "Value", FieldKind::Text),
            ];
            if view.value.is_null() {
                field.value = json!([]);
            }
            FieldKind::Rows
        }
        T::ConditionInput | T::RouterInput => {
            let (list, encoded) = parsed_list(&view.value);
            field.value = list;
            field.text_encoded = encoded;
            if view.field_type == T::ConditionInput {
                FieldKind::Branches
            } else {
                FieldKind::Routes
            }
        }
        T::MessagesInput => {
            if view.value.is_null() {
                field.value = json!([]);
            }
            FieldKind::Messages
        }
        T::Text => FieldKind::ReadOnly,
        T::StringList => FieldKind::TextList,
        _ => FieldKind::Json,
    };
    field
}

fn journey_inspect(doc: &JourneyDocument, target: &str) -> Result<InspectorView> {
    if target == JOURNEY_TARGET {
        return Ok(InspectorView {
            target: target.into(),
            what: "journey".into(),
            title: doc.journey.title.clone(),
            type_name: Some("Journey".into()),
            icon: Some("Route".into()),
            color: None,
            fields: journey_fields(doc),
            problems: Vec::new(),
        });
    }
    if let Some(node) = doc.node(target) {
        let kind = doc.kind_of_node(node);
        let mut fields = Vec::new();
        if kind != NodeKind::Root {
            fields.push(
                Field::new(&["metadata", "journey_node", "kind"], "Kind", FieldKind::Select, json!(node.declared_kind().unwrap_or(kind.as_str())))
                    .options(&["chat", "tool", "fork"])
                    .required()
                    .help("chat: the agent speaks and waits; tool: the agent calls tools; fork: only transitions"),
            );
            if kind == NodeKind::Tool {
                fields.push(
                    Field::new(&["tools"], "Tools", FieldKind::Rows, value_of(&node.tools))
                        .columns(vec![
                            column("service_name", "Service", FieldKind::Text),
                            column("tool_name", "Tool", FieldKind::Text),
                        ])
                        .required()
                        .help("The tools this state calls, each by service and tool name"),
                );
            }
            if kind != NodeKind::Fork {
                let label = if kind == NodeKind::Tool {
                    "Tool instruction"
                } else {
                    "Action"
                };
                let mut action = Field::new(&["action"], label, FieldKind::LongText, value_of(&node.action))
                    .optional()
                    .help("What the agent does or says in this state; Parlant pairs it with each incoming transition's condition");
                if kind == NodeKind::Chat {
                    action = action.required().placeholder("Ask the customer …");
                }
                fields.push(action);
            }
            fields.push(
                Field::new(
                    &["description"],
                    "Description",
                    FieldKind::LongText,
                    value_of(&node.description),
                )
                .optional(),
            );
            fields.push(
                Field::new(
                    &["composition_mode"],
                    "Composition mode",
                    FieldKind::Select,
                    value_of(&node.composition_mode),
                )
                .options(&COMPOSITION_MODES)
                .optional()
                .help("Empty: as the journey and the agent"),
            );
            fields.push(
                Field::new(
                    &["labels"],
                    "Labels",
                    FieldKind::TextList,
                    value_of(&node.labels),
                )
                .optional(),
            );
        }
        let title = node.action_text().filter(|a| !a.is_empty()).map_or_else(
            || {
                if kind == NodeKind::Root {
                    doc.journey.title.clone()
                } else {
                    node.id.clone()
                }
            },
            str::to_string,
        );
        let type_name = match &kind {
            NodeKind::Root => "Root state".to_string(),
            NodeKind::Chat => "Chat state".to_string(),
            NodeKind::Tool => "Tool state".to_string(),
            NodeKind::Fork => "Fork".to_string(),
            NodeKind::End => "End".to_string(),
            NodeKind::Other(other) => format!("`{other}` state"),
        };
        return Ok(InspectorView {
            target: target.into(),
            what: "state".into(),
            title,
            type_name: Some(type_name),
            icon: None,
            color: None,
            fields,
            problems: Vec::new(),
        });
    }
    if let Some(edge) = doc.edges.iter().find(|e| e.id == target) {
        let fields = vec![Field::new(&["condition"], "Condition", FieldKind::LongText, value_of(&edge.condition))
            .optional()
            .placeholder("The customer …")
            .help("When this transition is taken; empty: always (double-click the edge's label to edit it on the canvas)")];
        return Ok(InspectorView {
            target: target.into(),
            what: "transition".into(),
            title: format!("{} → {}", edge.source, edge.target),
            type_name: Some("Transition".into()),
            icon: None,
            color: None,
            fields,
            problems: Vec::new(),
        });
    }
    Err(Error::NotFound(format!(
        "no state or transition `{target}`"
    )))
}

fn journey_fields(doc: &JourneyDocument) -> Vec<Field> {
    let j = &doc.journey;
    vec![
        Field::new(
            &["journey", "title"],
            "Title",
            FieldKind::Text,
            json!(j.title),
        )
        .required()
        .help("1 to 100 characters (Parlant's limit)"),
        Field::new(
            &["journey", "description"],
            "Description",
            FieldKind::LongText,
            json!(j.description),
        ),
        Field::new(
            &["journey", "conditions"],
            "Activation conditions",
            FieldKind::TextList,
            json!(j.conditions),
        )
        .required()
        .placeholder("The customer wants to …")
        .help("The journey becomes active when one of these holds"),
        Field::new(
            &["journey", "composition_mode"],
            "Composition mode",
            FieldKind::Select,
            value_of(&j.composition_mode),
        )
        .options(&COMPOSITION_MODES)
        .optional(),
        Field::new(
            &["journey", "priority"],
            "Priority",
            FieldKind::Number,
            value_of(&j.priority),
        )
        .optional()
        .help("Higher wins when several journeys apply"),
        Field::new(
            &["journey", "labels"],
            "Labels",
            FieldKind::TextList,
            value_of(&j.labels),
        )
        .optional(),
        Field::new(
            &["journey", "tags"],
            "Tags",
            FieldKind::TextList,
            value_of(&j.tags),
        )
        .optional()
        .help("Tag ids; `agent:<id>` shows the journey to one agent"),
        Field::new(
            &["guidelines"],
            "Guidelines",
            FieldKind::Rows,
            value_of(&doc.guidelines),
        )
        .optional()
        .columns(vec![
            column("condition", "When", FieldKind::LongText),
            column("action", "Then", FieldKind::LongText),
            select_column("criticality", "Criticality", &CRITICALITIES),
        ])
        .help("Rules the agent follows while in this journey"),
        Field::new(
            &["context_variables"],
            "Context variables",
            FieldKind::Rows,
            value_of(&doc.context_variables),
        )
        .optional()
        .columns(vec![
            column("name", "Name", FieldKind::Text),
            column("description", "Description", FieldKind::LongText),
            column("value", "Preview value", FieldKind::Text),
        ])
        .help("What the agent knows about the customer (the value is the preview's)"),
    ]
}

/// Where a diagnostic's path points: the element (a node or edge id, or `journey`) and the keys
/// below it.
pub fn relative_path(doc: DocRef<'_>, path: &str) -> Option<(String, Vec<String>)> {
    let parsed = JsonPath::parse(path)?;
    let segs = &parsed.0;
    let text = |s: &Segment| match s {
        Segment::Key(k) => k.clone(),
        Segment::Index(i) => i.to_string(),
    };
    let rest = |from: usize| segs[from..].iter().map(text).collect::<Vec<_>>();
    match doc {
        DocRef::Sim(sim) => {
            let state = sim.state();
            for i in 0..segs.len().saturating_sub(1) {
                match (&segs[i], &segs[i + 1]) {
                    (Segment::Key(k), Segment::Key(id))
                        if k == "blocks" && state.blocks.contains_key(id) =>
                    {
                        return Some((id.clone(), rest(i + 2)))
                    }
                    (Segment::Key(k), Segment::Index(n)) if k == "edges" => {
                        return state.edges.get(*n).map(|e| (e.id.clone(), rest(i + 2)))
                    }
                    _ => {}
                }
            }
            None
        }
        DocRef::Journey(j) => match (segs.first(), segs.get(1)) {
            (Some(Segment::Key(k)), Some(Segment::Index(n))) if k == "nodes" => {
                j.nodes.get(*n).map(|s| (s.id.clone(), rest(2)))
            }
            (Some(Segment::Key(k)), Some(Segment::Index(n))) if k == "edges" => {
                j.edges.get(*n).map(|e| (e.id.clone(), rest(2)))
            }
            (Some(Segment::Key(k)), _)
                if ["journey", "guidelines", "context_variables", "tags"].contains(&k.as_str()) =>
            {
                Some((JOURNEY_TARGET.into(), rest(0)))
            }
            _ => None,
        },
    }
}

/// Places the element's diagnostics at the fields they point into; the rest go to `problems`.
fn attach(doc: DocRef<'_>, view: &mut InspectorView, diagnostics: &[DiagnosticEntry]) {
    for d in diagnostics {
        let at = relative_path(doc, &d.path);
        let here = match &at {
            Some((element, _)) => element == &view.target,
            None => false,
        };
        let mentions = d.node_ids.contains(&view.target) || d.edge_ids.contains(&view.target);
        if !here && !mentions {
            continue;
        }
        let rel = at.filter(|_| here).map(|(_, rel)| rel).unwrap_or_default();
        let field = view.fields.iter_mut().find(|f| {
            !rel.is_empty()
                && (rel.starts_with(&f.path) || (rel.len() >= 2 && f.path.starts_with(&rel)))
        });
        match field {
            Some(f) => f.diagnostics.push(d.clone()),
            None => view.problems.push(d.clone()),
        }
    }
}
