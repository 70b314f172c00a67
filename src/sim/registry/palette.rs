//! The editor's palette: what can be added to a workflow (the registry's Sim block types) or to
//! a journey (Parlant's chat, tool and fork states, and the virtual end), each with its look,
//! handles and fields; and blank journeys.

use super::spec::{
    BlockCategory, BlockHandles, FieldLocation, FieldOption, FieldSpec, FieldType, HandleKind,
    HandleSpec, OutputField, Sunset,
};
use super::{registry, SimSource};
use crate::error::{Error, Result};
use crate::parlant::{JourneyDocument, JourneyNode, NodeKind, END_NODE_ID};
use crate::sync::parlant::COMPOSITION_MODES;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PaletteKind {
    Workflow,
    Journey,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Palette {
    pub kind: PaletteKind,
    /// The Sim the workflow palette was read from (none for journeys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sim: Option<SimSource>,
    pub items: Vec<PaletteItem>,
}

/// Something that can be added: a Sim block type or a journey state kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PaletteItem {
    /// The Sim block type (`agent`), or the journey state kind (`chat`, `tool`, `fork`, `end`).
    #[serde(rename = "type")]
    pub item_type: String,
    pub name: String,
    pub category: BlockCategory,
    pub icon: String,
    pub color: String,
    pub description: String,
    pub handles: BlockHandles,
    pub fields: Vec<FieldSpec>,
    /// What a reference `<block.path>` can read from it.
    pub outputs: Vec<OutputField>,
    /// Kept for old workflows; not offered for adding (Sim's toolbar hides it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sunset: Option<Sunset>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub trigger_capable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub docs: Option<String>,
}

/// Every item that can be added to a document of this kind. For workflows, every type the
/// registry knows, in Sim's toolbar order (blocks, triggers, tools); hidden ones are there so
/// that old blocks have a look and fields, flagged `hidden`.
pub fn palette(kind: PaletteKind) -> Palette {
    match kind {
        PaletteKind::Workflow => Palette {
            kind,
            sim: Some(registry().sim.clone()),
            items: registry()
                .blocks()
                .iter()
                .map(|b| PaletteItem {
                    item_type: b.block_type.clone(),
                    name: b.name.clone(),
                    category: b.category,
                    icon: b.icon.clone(),
                    color: b.color.clone(),
                    description: b.description.clone(),
                    handles: b.handles(),
                    // Only what a new block offers: not the sub-blocks of older Sim versions.
                    fields: b
                        .fields
                        .iter()
                        .filter(|f| f.legacy.is_none() && !f.mirror)
                        .cloned()
                        .collect(),
                    outputs: b.output_fields(),
                    hidden: b.hidden,
                    sunset: b.sunset.clone(),
                    trigger_capable: b.trigger_capable,
                    docs: b.docs.clone(),
                })
                .collect(),
        },
        PaletteKind::Journey => Palette {
            kind,
            sim: None,
            items: journey_items(),
        },
    }
}

fn node_field(
    id: &str,
    title: &str,
    field_type: FieldType,
    required: bool,
    placeholder: Option<&str>,
    description: &str,
) -> FieldSpec {
    FieldSpec {
        id: id.into(),
        title: Some(title.into()),
        field_type,
        mode: None,
        location: FieldLocation::Node,
        default: None,
        default_new_id: false,
        required,
        required_when: None,
        required_dynamic: false,
        placeholder: placeholder.map(str::to_string),
        description: Some(description.into()),
        condition: None,
        condition_dynamic: false,
        options: Vec::new(),
        options_dynamic: false,
        language: None,
        min: None,
        max: None,
        step: None,
        integer: false,
        rows: None,
        columns: Vec::new(),
        multi_select: false,
        multiple: false,
        accepted_types: None,
        service: None,
        password: false,
        hidden: false,
        read_only: false,
        empty_is_valid: false,
        canonical: None,
        tool_input_only: false,
        mirror: false,
        legacy: None,
    }
}

/// The fields every state has (Parlant's `JourneyNode`: description, composition_mode, labels).
fn common_fields() -> Vec<FieldSpec> {
    let mut mode = node_field(
        "composition_mode",
        "Composition mode",
        FieldType::Dropdown,
        false,
        Some("As the journey"),
        "How the agent composes its message in this state; empty follows the journey and the agent.",
    );
    mode.options = COMPOSITION_MODES
        .iter()
        .map(|m| FieldOption {
            id: m.to_string(),
            label: m.replace('_', " "),
            group: None,
            hidden: false,
        })
        .collect();
    mode.empty_is_valid = true;
    vec![
        node_field(
            "description",
            "Description",
            FieldType::LongInput,
            false,
            None,
            "A note on what this state is for.",
        ),
        mode,
        node_field(
            "labels",
            "Labels",
            FieldType::StringList,
            false,
            None,
            "Labels Parlant attaches to the state.",
        ),
    ]
}

fn journey_items() -> Vec<PaletteItem> {
    let handles = |target: bool, source: bool| BlockHandles {
        target,
        sources: if source {
            vec![HandleSpec {
                id: "source".into(),
                kind: HandleKind::Transition,
                per_branch: false,
                label: "next".into(),
            }]
        } else {
            Vec::new()
        },
    };
    let item = |kind: &str,
                name: &str,
                icon: &str,
                color: &str,
                description: &str,
                handles: BlockHandles,
                fields: Vec<FieldSpec>| PaletteItem {
        item_type: kind.into(),
        name: name.into(),
        category: BlockCategory::States,
        icon: icon.into(),
        color: color.into(),
        description: description.into(),
        handles,
        fields,
        outputs: Vec::new(),
        hidden: false,
        sunset: None,
        trigger_capable: false,
        docs: None,
    };
    let action = node_field(
        "action",
        "Action",
        FieldType::LongInput,
        true,
        Some("What the agent says or does in this state"),
        "The agent's instruction in this state; Parlant pairs it with each incoming transition's condition.",
    );
    let mut tool_action = node_field(
        "action",
        "Tool instruction",
        FieldType::LongInput,
        false,
        Some("Use the tool <name>"),
        "How to call the tools; Parlant's SDK writes \"Use the tool <name>\" for a single tool.",
    );
    tool_action.required = false;
    let tools = node_field(
        "tools",
        "Tools",
        FieldType::ToolIds,
        true,
        None,
        "The tools this state calls, each by service and tool name.",
    );
    let mut chat_fields = vec![action];
    chat_fields.extend(common_fields());
    let mut tool_fields = vec![tools, tool_action];
    tool_fields.extend(common_fields());
    vec![
        item("chat", "Chat state", "MessageSquare", "#3B82F6", "The agent says or asks something and waits for the customer.", handles(true, true), chat_fields),
        item("tool", "Tool state", "Wrench", "#8B5CF6", "The agent calls tools; their results feed the next state.", handles(true, true), tool_fields),
        item(
            "fork",
            "Fork",
            "GitFork",
            "#F59E0B",
            "No action: picks the next state by the conditions on its transitions (all of them need one).",
            handles(true, true),
            common_fields(),
        ),
        item("end", "End", "CircleStop", "#64748B", "Parlant's end of the journey; transitions may lead here.", handles(true, false), Vec::new()),
    ]
}

/// Parlant's limit on a journey title (`POST /journeys`, 1..100 characters).
const MAX_TITLE_CHARS: usize = 100;

/// A new journey: the title, and the root state every journey has.
pub fn blank_journey(title: &str) -> Result<JourneyDocument> {
    let chars = title.trim().chars().count();
    if chars == 0 || chars > MAX_TITLE_CHARS {
        return Err(Error::Rejected(format!(
            "a journey title has 1 to {MAX_TITLE_CHARS} characters; this one has {chars}"
        )));
    }
    Ok(JourneyDocument::new(title.trim(), "", Vec::new()))
}

/// A new journey state of a palette kind (`chat`, `tool`, `fork`), recorded as Parlant's SDK
/// records it (`metadata.journey_node.kind`).
pub fn new_journey_state(kind: &str, id: &str) -> Result<JourneyNode> {
    let kind = match kind {
        "chat" => NodeKind::Chat,
        "tool" => NodeKind::Tool,
        "fork" => NodeKind::Fork,
        "end" => {
            return Err(Error::Rejected(format!(
                "`{END_NODE_ID}` is Parlant's virtual end state: connect a transition to it instead of adding it"
            )))
        }
        other => return Err(Error::NotFound(format!("unknown journey state kind `{other}` (chat, tool or fork)"))),
    };
    if id.trim().is_empty()
        || id == END_NODE_ID
        || id.chars().count() > 200
        || id.chars().any(char::is_control)
    {
        return Err(Error::Rejected(format!(
            "`{}` cannot be a state id (non-empty, not `{END_NODE_ID}`, at most 200 characters)",
            id.escape_debug()
        )));
    }
    Ok(JourneyNode::new(id, &kind, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journey_palette_has_the_state_kinds() {
        let p = palette(PaletteKind::Journey);
        let kinds: Vec<&str> = p.items.iter().map(|i| i.item_type.as_str()).collect();
        assert_eq!(kinds, ["chat", "tool", "fork", "end"]);
        let tool = &p.items[1];
        assert_eq!(tool.fields[0].field_type, FieldType::ToolIds);
        assert!(tool.fields[0].required);
        assert!(p.items[3].handles.sources.is_empty() && p.items[3].handles.target);
        let mode = p.items[0]
            .fields
            .iter()
            .find(|f| f.id == "composition_mode")
            .unwrap();
        assert_eq!(mode.options.len(), COMPOSITION_MODES.len());
    }

    #[test]
    fn blank_journey_and_states() {
        let j = blank_journey("Book a flight").unwrap();
        assert_eq!(j.journey.title, "Book a flight");
        assert_eq!(j.nodes.len(), 1);
        assert!(blank_journey("  ")
            .unwrap_err()
            .to_string()
            .contains("1 to 100"));
        assert!(blank_journey(&"x".repeat(101)).is_err());
        let node = new_journey_state("fork", "check").unwrap();
        assert_eq!(node.declared_kind(), Some("fork"));
        assert!(new_journey_state("end", "x")
            .unwrap_err()
            .to_string()
            .contains("virtual end"));
        assert!(new_journey_state("chat", "end").is_err());
        assert!(new_journey_state("wait", "x")
            .unwrap_err()
            .to_string()
            .contains("unknown journey state kind `wait`"));
    }
}
