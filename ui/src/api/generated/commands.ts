// Generated from src/api/mod.rs (`commands!`) by `cargo test --lib api`. Do not edit.

import type { ApplyEditsArgs } from "./ApplyEditsArgs";
import type { ConvertArgs } from "./ConvertArgs";
import type { ConvertPreview } from "./ConvertPreview";
import type { CreateDocumentArgs } from "./CreateDocumentArgs";
import type { Deleted } from "./Deleted";
import type { DiffText } from "./DiffText";
import type { DocumentHistory } from "./DocumentHistory";
import type { DocumentIdArgs } from "./DocumentIdArgs";
import type { DocumentList } from "./DocumentList";
import type { DocumentRef } from "./DocumentRef";
import type { EditResult } from "./EditResult";
import type { ExportedDocument } from "./ExportedDocument";
import type { ImportDocumentArgs } from "./ImportDocumentArgs";
import type { InspectArgs } from "./InspectArgs";
import type { InspectorView } from "./InspectorView";
import type { ListDocumentsArgs } from "./ListDocumentsArgs";
import type { LiveChat } from "./LiveChat";
import type { LiveChatArgs } from "./LiveChatArgs";
import type { LiveChatEventsArgs } from "./LiveChatEventsArgs";
import type { LiveChatSendArgs } from "./LiveChatSendArgs";
import type { LiveChatStartArgs } from "./LiveChatStartArgs";
import type { LiveEvents } from "./LiveEvents";
import type { LiveSent } from "./LiveSent";
import type { Message } from "./Message";
import type { NoArgs } from "./NoArgs";
import type { OpenWorkspaceArgs } from "./OpenWorkspaceArgs";
import type { OpenedDocument } from "./OpenedDocument";
import type { PaletteArgs } from "./PaletteArgs";
import type { PaletteItem } from "./PaletteItem";
import type { PaletteItemArgs } from "./PaletteItemArgs";
import type { PaletteList } from "./PaletteList";
import type { ParityArgs } from "./ParityArgs";
import type { ParityView } from "./ParityView";
import type { PullArgs } from "./PullArgs";
import type { PullResult } from "./PullResult";
import type { PushArgs } from "./PushArgs";
import type { ReferenceList } from "./ReferenceList";
import type { ReferencesArgs } from "./ReferencesArgs";
import type { RemoteAddArgs } from "./RemoteAddArgs";
import type { RemoteList } from "./RemoteList";
import type { RemoteNameArgs } from "./RemoteNameArgs";
import type { RemoteSummary } from "./RemoteSummary";
import type { RemoteTestResult } from "./RemoteTestResult";
import type { ResolveConflictArgs } from "./ResolveConflictArgs";
import type { RestoreRevisionArgs } from "./RestoreRevisionArgs";
import type { RevisionDiffArgs } from "./RevisionDiffArgs";
import type { RevisionRef } from "./RevisionRef";
import type { RunArgs } from "./RunArgs";
import type { RunFormArgs } from "./RunFormArgs";
import type { RunResumeArgs } from "./RunResumeArgs";
import type { RunStartArgs } from "./RunStartArgs";
import type { RunView } from "./RunView";
import type { SaveConvertedArgs } from "./SaveConvertedArgs";
import type { ScenarioExpectationsArgs } from "./ScenarioExpectationsArgs";
import type { ScenarioList } from "./ScenarioList";
import type { ScenarioNameArgs } from "./ScenarioNameArgs";
import type { ScenarioRef } from "./ScenarioRef";
import type { ScenariosRunArgs } from "./ScenariosRunArgs";
import type { SessionArgs } from "./SessionArgs";
import type { SessionStatus } from "./SessionStatus";
import type { Settings } from "./Settings";
import type { SettingsPatchArgs } from "./SettingsPatchArgs";
import type { SimArgs } from "./SimArgs";
import type { SimChooseArgs } from "./SimChooseArgs";
import type { SimRunStreamArgs } from "./SimRunStreamArgs";
import type { SimSaveScenarioArgs } from "./SimSaveScenarioArgs";
import type { SimSendArgs } from "./SimSendArgs";
import type { SimStartArgs } from "./SimStartArgs";
import type { SimStep } from "./SimStep";
import type { SimStreamArgs } from "./SimStreamArgs";
import type { SimStreamPollArgs } from "./SimStreamPollArgs";
import type { SimStreamProgress } from "./SimStreamProgress";
import type { SimStreamRun } from "./SimStreamRun";
import type { StartForm } from "./StartForm";
import type { SuiteOutcome } from "./SuiteOutcome";
import type { SyncOutcome } from "./SyncOutcome";
import type { SyncRetried } from "./SyncRetried";
import type { SyncRetryArgs } from "./SyncRetryArgs";
import type { SyncStatus } from "./SyncStatus";
import type { TemplateCheckArgs } from "./TemplateCheckArgs";
import type { TemplateDetail } from "./TemplateDetail";
import type { TemplateIdArgs } from "./TemplateIdArgs";
import type { TemplateInstantiateArgs } from "./TemplateInstantiateArgs";
import type { TemplateList } from "./TemplateList";
import type { TemplateProblems } from "./TemplateProblems";
import type { TemplateSaveArgs } from "./TemplateSaveArgs";
import type { TemplateSaved } from "./TemplateSaved";
import type { TemplateTexts } from "./TemplateTexts";
import type { TemplatesListArgs } from "./TemplatesListArgs";
import type { WorkspaceInfo } from "./WorkspaceInfo";

/** Every command: its arguments and its result. */
export interface Commands {
  /** The open workspace: its file and counts. */
  workspace_info: { args: NoArgs; result: WorkspaceInfo };
  /** Opens another workspace file (created when missing) and remembers it in the settings. */
  open_workspace: { args: OpenWorkspaceArgs; result: WorkspaceInfo };
  settings_get: { args: NoArgs; result: Settings };
  /** Merges `patch` into the settings and saves them. */
  settings_update: { args: SettingsPatchArgs; result: Settings };
  /** Documents in the workspace, optionally filtered by a text in their name or kind. */
  list_documents: { args: ListDocumentsArgs; result: DocumentList };
  /** Imports any JSON the core reads (Sim export or state, journey) as a new document. */
  import_document: { args: ImportDocumentArgs; result: DocumentRef };
  export_document: { args: DocumentIdArgs; result: ExportedDocument };
  /** A new document: a blank workflow (Sim's start block), a blank journey, or from a template. */
  create_document: { args: CreateDocumentArgs; result: DocumentRef };
  /** Deletes a document with its history, sync state and scenarios (an open one is closed
   * without saving). */
  delete_document: { args: DocumentIdArgs; result: Deleted };
  document_history: { args: DocumentIdArgs; result: DocumentHistory };
  /** Makes an old revision the head again, as a new revision (the open document is saved and
   * closed first; open it again). */
  restore_revision: { args: RestoreRevisionArgs; result: RevisionRef };
  /** A unified diff between two revisions of one document. */
  revision_diff: { args: RevisionDiffArgs; result: DiffText };
  /** Opens a document in the editor: its session, the whole canvas view and diagnostics. */
  open_document: { args: DocumentIdArgs; result: OpenedDocument };
  /** Applies edits as one undoable step; answers only what changed. */
  apply_edits: { args: ApplyEditsArgs; result: EditResult };
  undo: { args: SessionArgs; result: EditResult };
  redo: { args: SessionArgs; result: EditResult };
  /** Saves the session's edits now (they are autosaved anyway). */
  save_now: { args: SessionArgs; result: SessionStatus };
  /** Saves what is not saved yet and closes the session. */
  close_document: { args: SessionArgs; result: SessionStatus };
  session_status: { args: SessionArgs; result: SessionStatus };
  /** What the inspector shows for a node, an edge or `journey`: typed fields and their paths. */
  inspect: { args: InspectArgs; result: InspectorView };
  /** What can be added to a workflow or a journey: a light list (look, handles), no fields. */
  palette: { args: PaletteArgs; result: PaletteList };
  /** One palette item whole: its fields (types, options, defaults) and outputs. */
  palette_item: { args: PaletteItemArgs; result: PaletteItem };
  /** The `<block.path>` references a block's fields can use: outputs of the blocks upstream,
   * loop and parallel variables, workflow variables. */
  references: { args: ReferencesArgs; result: ReferenceList };
  /** The open document converted (not saved): its canvas view and the mapping. */
  convert: { args: ConvertArgs; result: ConvertPreview };
  /** Saves the open document converted, as a new document of the workspace. */
  save_converted: { args: SaveConvertedArgs; result: DocumentRef };
  /** Starts a conversation with the open journey as it is now; answers the preview's id. */
  sim_start: { args: SimStartArgs; result: SimStep };
  /** The customer's next message. */
  sim_send: { args: SimSendArgs; result: SimStep };
  /** Forces a transition (by edge id) from the active state. */
  sim_choose: { args: SimChooseArgs; result: SimStep };
  sim_back: { args: SimArgs; result: SimStep };
  sim_restart: { args: SimArgs; result: SimStep };
  /** Ends a preview and forgets it. */
  sim_stop: { args: SimArgs; result: Message };
  /** Saves the conversation so far as a scenario of its document, expecting what happened
   * (its path, final state and agent messages). */
  sim_save_scenario: { args: SimSaveScenarioArgs; result: ScenarioRef };
  /** The open workflow's start block and its input form (typed fields). */
  run_form: { args: RunFormArgs; result: StartForm };
  /** Runs the open workflow with mocks: the trace, each block and edge as the canvas draws
   * it, the open pauses with their forms; answers the run's id. */
  run_start: { args: RunStartArgs; result: RunView };
  /** Answers a pause (human in the loop) of a run; the run goes on from it. */
  run_resume: { args: RunResumeArgs; result: RunView };
  /** Forgets a run. */
  run_stop: { args: RunArgs; result: Message };
  /** The open workflow and its converted journey (or a journey of the workspace) under one
   * customer message: each side's steps and where they first diverge. */
  parity_check: { args: ParityArgs; result: ParityView };
  /** The open document's scenarios: turns and expectations. */
  scenarios_list: { args: SessionArgs; result: ScenarioList };
  /** Runs the open document's scenarios (or the one named) on the document as edited now. */
  scenarios_run: { args: ScenariosRunArgs; result: SuiteOutcome };
  /** Replaces a scenario's expectations (its turns and mocks stay). */
  scenario_set_expectations: { args: ScenarioExpectationsArgs; result: ScenarioRef };
  scenario_delete: { args: ScenarioNameArgs; result: Message };
  /** Opens a chat with the real agent on a Parlant remote (a new session). */
  live_chat_start: { args: LiveChatStartArgs; result: LiveChat };
  /** Posts a customer message to a live chat; the agent's answer follows its offset. */
  live_chat_send: { args: LiveChatSendArgs; result: LiveSent };
  /** The live chat's events from an offset, long-polling up to `wait_secs` for the first. */
  live_chat_events: { args: LiveChatEventsArgs; result: LiveEvents };
  live_chat_stop: { args: LiveChatArgs; result: Message };
  /** Runs a Sim remote's deployed workflow as a Server-Sent Events stream; answers its chunks
   * per block, its status and output. */
  sim_run_stream: { args: SimRunStreamArgs; result: SimStreamRun };
  /** Starts the same run on a thread of the core's and answers at once; `sim_stream_poll`
   * follows it chunk by chunk (its blocks lit on the open workflow when the run is of it). */
  sim_stream_start: { args: SimRunStreamArgs; result: SimStreamProgress };
  /** A streamed run's progress once it passes `seen` (long-polling up to `wait_secs`). */
  sim_stream_poll: { args: SimStreamPollArgs; result: SimStreamProgress };
  /** Forgets a streamed run. */
  sim_stream_forget: { args: SimStreamArgs; result: Message };
  templates_list: { args: TemplatesListArgs; result: TemplateList };
  template_show: { args: TemplateIdArgs; result: TemplateDetail };
  /** Instantiates a template as a new document of the workspace. */
  template_instantiate: { args: TemplateInstantiateArgs; result: DocumentRef };
  /** Checks parameter values against a template's specs (every problem, nothing created). */
  template_check: { args: TemplateCheckArgs; result: TemplateProblems };
  /** What `template lint` finds in a template of the library. */
  template_lint: { args: TemplateIdArgs; result: TemplateProblems };
  /** The texts of the open document that can become template parameters. */
  template_texts: { args: SessionArgs; result: TemplateTexts };
  /** Saves the open document as a template (the workspace's template folder) and lints it. */
  template_save: { args: TemplateSaveArgs; result: TemplateSaved };
  /** Configured remotes (secrets are never returned). */
  remotes_list: { args: NoArgs; result: RemoteList };
  /** Adds (or updates) a remote; its secrets go to the OS keyring, never the workspace. */
  remote_add: { args: RemoteAddArgs; result: RemoteSummary };
  /** Removes a remote and its stored key. */
  remote_remove: { args: RemoteNameArgs; result: Message };
  /** Reaches the remote with its stored credentials. */
  remote_test: { args: RemoteNameArgs; result: RemoteTestResult };
  /** Pushes a document's head to a remote through the outbox (a changed remote is a conflict;
   * validation errors stop it unless `allow_invalid`); the open document's edits are saved
   * first. */
  push: { args: PushArgs; result: SyncOutcome };
  /** Pulls `remote_id` into a document (three-way); without `remote_id`, lists the remote. */
  pull: { args: PullArgs; result: PullResult };
  /** Resolves an open conflict: keep_mine, take_theirs or both. */
  resolve_conflict: { args: ResolveConflictArgs; result: Message };
  /** The outbox of pending pushes and the open conflicts (with their diffs). */
  sync_status: { args: NoArgs; result: SyncStatus };
  /** Sends what waits in the outbox (what is due, or everything with `now`). */
  sync_retry: { args: SyncRetryArgs; result: SyncRetried };
}

export type CommandName = keyof Commands;

export const COMMAND_NAMES: CommandName[] = [
  "workspace_info",
  "open_workspace",
  "settings_get",
  "settings_update",
  "list_documents",
  "import_document",
  "export_document",
  "create_document",
  "delete_document",
  "document_history",
  "restore_revision",
  "revision_diff",
  "open_document",
  "apply_edits",
  "undo",
  "redo",
  "save_now",
  "close_document",
  "session_status",
  "inspect",
  "palette",
  "palette_item",
  "references",
  "convert",
  "save_converted",
  "sim_start",
  "sim_send",
  "sim_choose",
  "sim_back",
  "sim_restart",
  "sim_stop",
  "sim_save_scenario",
  "run_form",
  "run_start",
  "run_resume",
  "run_stop",
  "parity_check",
  "scenarios_list",
  "scenarios_run",
  "scenario_set_expectations",
  "scenario_delete",
  "live_chat_start",
  "live_chat_send",
  "live_chat_events",
  "live_chat_stop",
  "sim_run_stream",
  "sim_stream_start",
  "sim_stream_poll",
  "sim_stream_forget",
  "templates_list",
  "template_show",
  "template_instantiate",
  "template_check",
  "template_lint",
  "template_texts",
  "template_save",
  "remotes_list",
  "remote_add",
  "remote_remove",
  "remote_test",
  "push",
  "pull",
  "resolve_conflict",
  "sync_status",
  "sync_retry",
];
