//! The registry's types: what a Sim block type is (its look, handles, outputs and fields) and
//! what one field is. Field names and values are Sim's (`apps/sim/blocks/types.ts`,
//! `packages/workflow-types/src/blocks.ts`); the TypeScript the editor uses is generated from here.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Where Sim lists a block: its toolbar tabs (`BlockCategory`); `states` for journey states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BlockCategory {
    Blocks,
    Tools,
    Triggers,
    States,
}

/// A sub-block type, as Sim names it (`SubBlockType`), plus `json` (the raw value, for anything
/// the registry does not know) and the two list types journey states need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    ShortInput,
    LongInput,
    Dropdown,
    Combobox,
    Slider,
    Table,
    Code,
    Switch,
    ToolInput,
    SkillInput,
    CheckboxList,
    GroupedCheckboxList,
    ConditionInput,
    EvalInput,
    TimeInput,
    OauthInput,
    WebhookConfig,
    ScheduleInfo,
    FileSelector,
    SheetSelector,
    ProjectSelector,
    ChannelSelector,
    UserSelector,
    FolderSelector,
    KnowledgeBaseSelector,
    KnowledgeTagFilters,
    DocumentSelector,
    DocumentTagEntry,
    McpServerSelector,
    McpToolSelector,
    McpDynamicArgs,
    InputFormat,
    ResponseFormat,
    FilterBuilder,
    SortBuilder,
    FileUpload,
    InputMapping,
    VariablesInput,
    MessagesInput,
    WorkflowSelector,
    WorkflowInputMapper,
    Text,
    RouterInput,
    TableSelector,
    ColumnSelector,
    Modal,
    /// The raw JSON value: sub-blocks the registry does not know, or values of another shape.
    Json,
    /// A list of texts (a journey state's labels).
    StringList,
    /// A list of `{service_name, tool_name}` (a journey tool state's tools).
    ToolIds,
}

/// `SubBlockConfig.mode`: which side of the block's basic/advanced toggle shows a field, or
/// whether it belongs to the block's trigger mode. Absent means `both`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum FieldMode {
    Basic,
    Advanced,
    Both,
    Trigger,
    TriggerAdvanced,
}

/// Where a field's value lives in a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldLocation {
    /// `subBlocks.<id>.value`.
    #[default]
    SubBlock,
    /// `data.<id>` (a loop's or parallel's settings).
    Data,
    /// A journey state's own field (`action`, `tools`, ...).
    Node,
}

/// Sim's `condition: {field, value, not?, and?}`: the field shows when another field's value
/// equals `value` (or is one of them, when `value` is a list); `not` inverts; `and` must hold too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldCondition {
    pub field: String,
    pub value: Value,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub not: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub and: Option<Box<FieldCondition>>,
}

/// One option of a dropdown, combobox or checkbox list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldOption {
    pub id: String,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub hidden: bool,
}

/// One field of a block type: a sub-block as Sim's block config declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FieldSpec {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<String>,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mode: Option<FieldMode>,
    #[serde(default, skip_serializing_if = "is_sub_block")]
    #[ts(optional, as = "Option<FieldLocation>")]
    pub location: FieldLocation,
    /// The value a new block starts with (`defaultValue`, or what Sim's `value()` returns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default: Option<Value>,
    /// A new block gets a fresh random id here (Sim's `value: () => generateId()`, e.g. a
    /// webhook's auth token), never a shared one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub default_new_id: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub required: bool,
    /// Required only while this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub required_when: Option<FieldCondition>,
    /// Sim computes `required_when` from the block's values; this is its form for a new block.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub required_dynamic: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    /// Shown only while this holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub condition: Option<FieldCondition>,
    /// Sim computes the condition from the block's values at run time (an agent's provider
    /// fields follow the model); `condition` is its form for a new block. Treated as shown.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub condition_dynamic: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<FieldOption>>")]
    pub options: Vec<FieldOption>,
    /// Sim fills the options at run time (models, workspace resources); `options` is what is known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub options_dynamic: bool,
    /// For `code`: `javascript`, `json`, `python` or `shell`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub step: Option<f64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub integer: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rows: Option<u32>,
    /// For `table`: the column names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(optional, as = "Option<Vec<String>>")]
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub multi_select: bool,
    /// For `file-upload`: several files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub multiple: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub accepted_types: Option<String>,
    /// For `oauth-input`: the OAuth service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub service: Option<String>,
    /// A secret: shown masked, and Sim's export clears it unless it is a `{{ENV}}` reference.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub password: bool,
    /// Never shown in Sim's editor (kept for the executor).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub read_only: bool,
    /// A combobox where "nothing selected" is a real choice (no first-option default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub empty_is_valid: bool,
    /// Basic and advanced variants of one parameter share this id (`canonicalParamId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub canonical: Option<String>,
    /// Only configures the block when an agent uses it as a tool; not on the canvas.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub tool_input_only: bool,
    /// A sub-block copy of a container's `data` field (Sim's copilot writes both).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub mirror: bool,
    /// A sub-block an older Sim version wrote: which version dropped or renamed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub legacy: Option<String>,
}

fn is_sub_block(location: &FieldLocation) -> bool {
    *location == FieldLocation::SubBlock
}

/// `sunset`: a superseded block type and its successor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Sunset {
    /// `legacy` or `deprecated`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub replaced_by: Option<String>,
}

/// A Sim block type as the registry knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BlockSpec {
    #[serde(rename = "type")]
    pub block_type: String,
    pub name: String,
    pub description: String,
    pub category: BlockCategory,
    /// Sim's icon component name (`AgentIcon`, `SlackIcon`, ...).
    pub icon: String,
    /// Sim's `bgColor` (a CSS colour; the agent's is `var(--brand)`).
    pub color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub integration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub docs: Option<String>,
    /// Not offered in Sim's toolbar (`hideFromToolbar`: superseded versions); old workflows still use it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub sunset: Option<Sunset>,
    /// The block can also start a run (`triggerMode`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub trigger_capable: bool,
    /// A new block of this type is created in trigger mode (Sim's Triggers tab does so).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub trigger_mode: bool,
    /// The `outputs` a new block stores (`name -> type` or `{type, description}`, nested).
    #[ts(as = "std::collections::HashMap<String, Value>")]
    pub outputs: IndexMap<String, Value>,
    /// The outputs when the block is switched to trigger mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<std::collections::HashMap<String, Value>>")]
    pub trigger_outputs: Option<IndexMap<String, Value>>,
    /// What other blocks may reference when it differs from `outputs` (a container's `results`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, as = "Option<std::collections::HashMap<String, Value>>")]
    pub reference_outputs: Option<IndexMap<String, Value>>,
    pub fields: Vec<FieldSpec>,
}

/// What an output handle is. `per_branch` handles exist once per condition branch or route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HandleKind {
    Source,
    Error,
    Condition,
    Router,
    LoopStart,
    LoopEnd,
    ParallelStart,
    ParallelEnd,
    /// A journey state's outgoing transition.
    Transition,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandleSpec {
    /// The handle id; for `per_branch` handles, the prefix before the branch id (`condition-`).
    pub id: String,
    pub kind: HandleKind,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(optional, as = "Option<bool>")]
    pub per_branch: bool,
    pub label: String,
}

/// A node's connection points: whether it takes an incoming edge, and its outputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct BlockHandles {
    pub target: bool,
    pub sources: Vec<HandleSpec>,
}

/// One output a reference can read: `<block.path>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutputField {
    /// Dotted path below the block (`content`, `tokens.prompt`).
    pub path: String,
    /// Sim's type name: `string`, `number`, `boolean`, `json`, `array`, `file`, `file[]`, `any`.
    #[serde(rename = "type")]
    pub output_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    /// Present only while a field has a value (Sim's output `condition`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub condition: Option<FieldCondition>,
}
