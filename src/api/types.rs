//! Arguments and results of the commands. Stored documents are named by number ids, documents
//! open in the editor by session ids; a document's content crosses only on import and export.

use crate::editor::{CanvasView, Delta, DiagnosticCounts, DiagnosticEntry, Edit, SessionStatus};
pub use crate::store::RemoteKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct NoArgs {}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct WorkspaceInfo {
    pub path: String,
    pub workspace_id: String,
    #[ts(type = "number")]
    pub schema_version: i64,
    pub documents: usize,
    pub version: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct OpenWorkspaceArgs {
    /// The workspace file (SQLite); its folder must exist.
    pub path: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ListDocumentsArgs {
    #[ts(optional)]
    #[serde(default)]
    pub query: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub kind: DocumentKind,
    #[ts(type = "number")]
    pub revisions: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentList {
    pub documents: Vec<DocumentEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ImportDocumentArgs {
    #[ts(optional)]
    #[serde(default)]
    pub name: Option<String>,
    /// The file's text.
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentRef {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub kind: DocumentKind,
    #[ts(type = "number")]
    pub revision: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentIdArgs {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportedDocument {
    pub name: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RevisionEntry {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub parent: Option<i64>,
    pub message: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentHistory {
    pub revisions: Vec<RevisionEntry>,
}

/// The document kinds Journey Studio edits.
pub use crate::document::DocumentKind;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RevisionRef {
    #[ts(type = "number")]
    pub revision: i64,
    /// True when the content equals the head: no new revision.
    pub unchanged: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SessionArgs {
    pub session: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OpenedDocument {
    pub session: String,
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub kind: DocumentKind,
    pub view: CanvasView,
    pub diagnostics: Vec<DiagnosticEntry>,
    pub counts: DiagnosticCounts,
    pub status: SessionStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ApplyEditsArgs {
    pub session: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EditResult {
    /// What changed (empty when nothing did, e.g. undo with nothing to undo).
    pub delta: Delta,
    /// Ids of the nodes and edges created by `add_node`, `connect` and `duplicate`, in order.
    pub created: Vec<String>,
    pub status: SessionStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct InspectArgs {
    pub session: String,
    /// A node or edge id, or `journey` for the journey's own fields.
    pub target: String,
}

/// Which way to convert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ConvertTo {
    Journey,
    Workflow,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConvertArgs {
    pub session: String,
    pub to: ConvertTo,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConvertPreview {
    pub kind: DocumentKind,
    pub view: CanvasView,
    /// How source elements map to output elements, with the approximations.
    pub mapping: crate::convert::Mapping,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SaveConvertedArgs {
    pub session: String,
    pub to: ConvertTo,
    /// The new document's name (default: the open one's, with the new kind; a taken name gets a
    /// number).
    #[ts(optional)]
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimStartArgs {
    /// The editor session of the journey to preview (as it is now, edits included).
    pub session: String,
    /// Tool mocks (`{tools: {name: {...}}}`), as the simulator reads them.
    #[ts(optional)]
    #[serde(default)]
    pub mocks: Option<Value>,
    /// Initial context variables.
    #[ts(optional)]
    #[serde(default)]
    pub context: Option<Value>,
    /// How the preview understands and paces the conversation; without it, the settings'
    /// `preview` options.
    #[ts(optional)]
    #[serde(default)]
    pub options: Option<crate::simulate::SessionOptions>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimArgs {
    /// The preview's id (`sim_start` answers it).
    pub sim: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimSendArgs {
    pub sim: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimChooseArgs {
    pub sim: String,
    pub edge_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimStep {
    pub sim: String,
    /// The previewed document.
    #[ts(type = "number")]
    pub document_id: i64,
    /// What happened in this step, in order.
    pub events: Vec<crate::simulate::Event>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_node: Option<String>,
    pub variables: Value,
    pub transcript: Value,
    pub ended: bool,
    /// The matcher this preview runs: the paraphrase model, or keywords (without the model, or
    /// chosen in the options).
    pub matcher: crate::simulate::MatcherKind,
    /// Why this matcher (for keywords without the model: why the model is not there).
    pub matcher_detail: String,
    /// The options the preview runs with (threshold, pace, ...).
    pub options: crate::simulate::SessionOptions,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimSaveScenarioArgs {
    pub sim: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ScenarioRef {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LiveChatStartArgs {
    /// A Parlant remote.
    pub remote: String,
    /// The agent (name or id); default: the remote's agent.
    #[ts(optional)]
    #[serde(default)]
    pub agent: Option<String>,
    /// A customer id (default: Parlant's guest).
    #[ts(optional)]
    #[serde(default)]
    pub customer: Option<String>,
    /// The editor session of the open journey: its states are lit as the agent reaches them
    /// (when it was pushed to this remote and the server has the graph module).
    #[ts(optional)]
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LiveChatSendArgs {
    pub chat: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LiveSent {
    /// The customer message's offset: the agent's answer follows it.
    #[ts(type = "number")]
    pub offset: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LiveChatEventsArgs {
    pub chat: String,
    /// The first offset wanted.
    #[ts(type = "number")]
    pub from: u64,
    /// Seconds to wait for the first event (at most 10; default 5).
    #[ts(optional, type = "number")]
    #[serde(default)]
    pub wait_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimRunStreamArgs {
    /// A Sim remote.
    pub remote: String,
    /// A Sim workflow id, or a document synced with the remote.
    pub workflow: String,
    /// The run's input fields.
    #[ts(optional)]
    #[serde(default)]
    pub input: Option<Value>,
    /// Outputs to stream as they are produced (`Block.path`).
    #[ts(optional)]
    #[serde(default)]
    pub selected_outputs: Option<Vec<String>>,
    /// Seconds the whole stream may take (default 120).
    #[ts(optional, type = "number")]
    #[serde(default)]
    pub timeout_secs: Option<u64>,
    /// The editor session of the open workflow: when the run is of it (the same Sim workflow
    /// on this remote), its blocks are lit as they stream (`sim_stream_start`).
    #[ts(optional)]
    #[serde(default)]
    pub session: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimStreamPollArgs {
    /// The handle `sim_stream_start` answered.
    pub stream: String,
    /// The last `version` seen: the answer waits for a newer one (or the end).
    #[ts(type = "number")]
    #[serde(default)]
    pub seen: u64,
    /// Seconds to wait for something new (at most 10; default 5).
    #[ts(optional, type = "number")]
    #[serde(default)]
    pub wait_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SimStreamArgs {
    pub stream: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LiveChatArgs {
    pub chat: String,
}

/// The open document's scenarios.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ScenarioList {
    pub document: String,
    pub scenarios: Vec<crate::app::scenarios::ScenarioSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ScenariosRunArgs {
    pub session: String,
    /// One scenario by name; all of them when absent.
    #[ts(optional)]
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ScenarioExpectationsArgs {
    pub session: String,
    pub name: String,
    pub expect: crate::simulate::scenario::Expectations,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ScenarioNameArgs {
    pub session: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct TemplatesListArgs {
    /// Every version of each template, not only the newest.
    #[ts(optional)]
    #[serde(default)]
    pub all_versions: Option<bool>,
    #[ts(optional)]
    #[serde(default)]
    pub query: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub category: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub tag: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateEntry {
    pub id: String,
    pub version: String,
    /// `built-in`, or the template file.
    pub source: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateList {
    pub templates: Vec<TemplateEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateIdArgs {
    /// `id` or `id@version`.
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateDetail {
    pub entry: TemplateEntry,
    /// The parameters, resolved (inherited ones included).
    pub parameters: Vec<crate::template::ParamSpec>,
    /// The whole template as stored.
    pub template: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateInstantiateArgs {
    pub id: String,
    #[serde(default)]
    pub params: serde_json::Map<String, Value>,
    /// The new document's name (default: the template's; a taken name gets a number).
    #[ts(optional)]
    #[serde(default)]
    pub name: Option<String>,
}

pub use crate::app::remotes::{RemoteItem, RemoteSpec, RemoteSummary};
pub use crate::store::{OutboxEntry, OutboxState};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RemoteList {
    pub remotes: Vec<RemoteSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// Pushes waiting or stopped, with their attempts and last error.
    pub outbox: Vec<OutboxEntry>,
    pub conflicts: Vec<ConflictEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SettingsPatchArgs {
    /// Fields of `Settings` to change; the rest stay.
    pub patch: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Deleted {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RestoreRevisionArgs {
    /// The document.
    #[ts(type = "number")]
    pub id: i64,
    /// The revision to make the head again (as a new revision).
    #[ts(type = "number")]
    pub revision: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RevisionDiffArgs {
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DiffText {
    /// A unified diff.
    pub diff: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RemoteAddArgs {
    #[serde(flatten)]
    pub spec: RemoteSpec,
    /// Stored in the OS keyring (or the 0600 fallback file), never in the workspace, never
    /// returned.
    #[ts(optional)]
    #[serde(default)]
    pub api_key: Option<String>,
    /// Sim: the editor's session cookie (`better-auth.session_token`), stored like a key; needed
    /// to update workflows in place.
    #[ts(optional)]
    #[serde(default)]
    pub session_cookie: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RemoteNameArgs {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RemoteTestResult {
    pub ok: bool,
    /// What the server answered, or why it could not be reached.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PushArgs {
    #[ts(type = "number")]
    pub document_id: i64,
    pub remote: String,
    /// Overwrite the remote even when it changed since the last sync.
    #[ts(optional)]
    #[serde(default)]
    pub force: Option<bool>,
    /// Sim: import as a new workflow (publishing without an editor session cookie).
    #[ts(optional)]
    #[serde(default)]
    pub as_new: Option<bool>,
    /// Push even with validation errors (the app asks first).
    #[ts(optional)]
    #[serde(default)]
    pub allow_invalid: Option<bool>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct SyncRetryArgs {
    /// Only this remote's entries.
    #[ts(optional)]
    #[serde(default)]
    pub remote: Option<String>,
    /// Everything waiting, due or not.
    #[ts(optional)]
    #[serde(default)]
    pub now: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncRetried {
    pub outcomes: Vec<SyncOutcome>,
}

/// What a push or pull did: src/sync's `PushOutcome` and `PullOutcome` results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncResult {
    /// The remote now equals the local revision.
    Pushed,
    /// Nothing to send or fetch.
    UpToDate,
    /// Kept in the outbox; retried later.
    Queued,
    /// Both sides changed: resolve it.
    Conflict,
    /// A pull created the local document.
    Created,
    /// A pull brought the remote's changes in.
    Updated,
    /// Local edits not pushed yet; the remote did not change.
    LocalAhead,
    /// Refused before anything was sent: the document has validation errors.
    Invalid,
}

/// What a push or pull did (src/sync's `PushOutcome` / `PullOutcome`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncOutcome {
    pub result: SyncResult,
    pub document: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_id: Option<String>,
    #[ts(optional, type = "number")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// On a conflict: remote (theirs) against local (mine).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Queued: why the server did not take it now; invalid: the errors, one per line.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Sim pushed as new: the workflow it replaced (left unchanged on the server).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded: Option<String>,
    /// Invalid: the validation errors that stopped the push.
    #[serde(default)]
    pub problems: Vec<DiagnosticEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PullArgs {
    pub remote: String,
    /// The journey (Parlant) or workflow (Sim) id; without it, lists what the remote holds.
    #[ts(optional)]
    #[serde(default)]
    pub remote_id: Option<String>,
    /// The document to pull into (default: the one linked to `remote_id`, else `remote_id`).
    #[ts(optional)]
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PullResult {
    /// Set when `remote_id` was given.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<SyncOutcome>,
    /// What the remote holds, when no `remote_id` was given.
    pub items: Vec<RemoteItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConflictEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub document: String,
    pub remote: String,
    pub created_at: String,
    /// Remote (theirs) against local (mine), unified.
    pub diff: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ResolveConflictArgs {
    pub document: String,
    pub remote: String,
    pub how: crate::sync::engine::Resolution,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Message {
    pub message: String,
}

/// Which palette: Sim block types or journey states.
pub use crate::sim::registry::PaletteKind;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaletteArgs {
    pub kind: PaletteKind,
}

/// One thing the palette offers, without its fields (ask `palette_item` for those): the whole
/// workflow palette with fields is ~0.8 MB, this list a few KB.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaletteEntry {
    /// The Sim block type or journey state kind, as `add_node` takes it.
    #[serde(rename = "type")]
    pub item_type: String,
    pub name: String,
    pub category: crate::sim::registry::BlockCategory,
    /// Sim's icon component name (`AgentIcon`), or a state's.
    pub icon: String,
    pub color: String,
    pub description: String,
    pub handles: crate::sim::registry::BlockHandles,
    /// Key words of the type (its integration, its fields' titles) for the quick-add search.
    pub keywords: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaletteList {
    pub kind: PaletteKind,
    /// The Sim the workflow palette was read from.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sim: Option<crate::sim::registry::SimSource>,
    /// What can be added, in Sim's toolbar order (superseded types Sim hides are left out).
    pub items: Vec<PaletteEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaletteItemArgs {
    pub kind: PaletteKind,
    #[serde(rename = "type")]
    pub item_type: String,
}

/// What a new document starts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NewDocumentKind {
    /// Sim's start block only.
    Workflow,
    /// A journey with its root state, titled `name`.
    Journey,
    /// A template instantiated with `params`.
    Template,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreateDocumentArgs {
    pub kind: NewDocumentKind,
    /// The document's name (a taken name gets a number); a journey's title.
    pub name: String,
    /// For `template`: `id` or `id@version`.
    #[ts(optional)]
    #[serde(default)]
    pub template: Option<String>,
    #[ts(optional, as = "Option<serde_json::Map<String, Value>>")]
    #[serde(default)]
    pub params: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReferencesArgs {
    pub session: String,
    /// The block whose fields are being edited.
    pub block: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReferenceList {
    pub references: Vec<crate::editor::complete::Completion>,
}

/// A problem of a template or of the values given to its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TemplateProblem {
    /// `parameters.<name>`, a path in the body (`body.nodes[2].action`), `extends`, ...
    pub at: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateProblems {
    pub problems: Vec<TemplateProblem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateCheckArgs {
    /// `id` or `id@version`.
    pub id: String,
    #[serde(default)]
    pub params: serde_json::Map<String, Value>,
}

/// A text of the open document that can become a template parameter.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateText {
    pub text: String,
    /// Where it is (`journey.title`, `nodes[2].action`).
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateTexts {
    pub texts: Vec<TemplateText>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateParamChoice {
    /// The parameter's name (letters, digits, `_`).
    pub name: String,
    /// The text (or part of one) it replaces wherever it appears; its default.
    pub text: String,
    #[ts(optional)]
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateSaveArgs {
    /// The open document to save as a template.
    pub session: String,
    /// Lowercase letters, digits and `-`.
    pub id: String,
    /// Semantic version (default `1.0.0`).
    #[ts(optional)]
    #[serde(default)]
    pub version: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub name: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub description: Option<String>,
    #[ts(optional)]
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub params: Vec<TemplateParamChoice>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TemplateSaved {
    pub entry: TemplateEntry,
    /// The template file written (in the workspace's template folder).
    pub path: String,
    /// What `template lint` finds in it (empty: it instantiates with its defaults).
    pub problems: Vec<TemplateProblem>,
}
