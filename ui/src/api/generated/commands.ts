// Generated from src/api/mod.rs (`commands!`) by `cargo test --lib api`. Do not edit.

import type { ApplyEditsArgs } from "./ApplyEditsArgs";
import type { ApplyEditsResult } from "./ApplyEditsResult";
import type { CanvasView } from "./CanvasView";
import type { ContentArgs } from "./ContentArgs";
import type { ConvertArgs } from "./ConvertArgs";
import type { ConvertResult } from "./ConvertResult";
import type { Deleted } from "./Deleted";
import type { DiffText } from "./DiffText";
import type { DocumentContent } from "./DocumentContent";
import type { DocumentHistory } from "./DocumentHistory";
import type { DocumentIdArgs } from "./DocumentIdArgs";
import type { DocumentList } from "./DocumentList";
import type { DocumentRef } from "./DocumentRef";
import type { ExportedDocument } from "./ExportedDocument";
import type { ImportDocumentArgs } from "./ImportDocumentArgs";
import type { ListDocumentsArgs } from "./ListDocumentsArgs";
import type { Message } from "./Message";
import type { NoArgs } from "./NoArgs";
import type { OpenWorkspaceArgs } from "./OpenWorkspaceArgs";
import type { PullArgs } from "./PullArgs";
import type { PullResult } from "./PullResult";
import type { PushArgs } from "./PushArgs";
import type { RemoteAddArgs } from "./RemoteAddArgs";
import type { RemoteEntry } from "./RemoteEntry";
import type { RemoteList } from "./RemoteList";
import type { RemoteNameArgs } from "./RemoteNameArgs";
import type { RemoteTestResult } from "./RemoteTestResult";
import type { ResolveConflictArgs } from "./ResolveConflictArgs";
import type { RestoreRevisionArgs } from "./RestoreRevisionArgs";
import type { RevisionDiffArgs } from "./RevisionDiffArgs";
import type { SaveDocumentArgs } from "./SaveDocumentArgs";
import type { SaveResult } from "./SaveResult";
import type { ScenarioRef } from "./ScenarioRef";
import type { Settings } from "./Settings";
import type { SettingsPatchArgs } from "./SettingsPatchArgs";
import type { SimChooseArgs } from "./SimChooseArgs";
import type { SimSaveScenarioArgs } from "./SimSaveScenarioArgs";
import type { SimSendArgs } from "./SimSendArgs";
import type { SimSessionArgs } from "./SimSessionArgs";
import type { SimStartArgs } from "./SimStartArgs";
import type { SimStep } from "./SimStep";
import type { SyncOutcome } from "./SyncOutcome";
import type { SyncStatus } from "./SyncStatus";
import type { TemplateDetail } from "./TemplateDetail";
import type { TemplateIdArgs } from "./TemplateIdArgs";
import type { TemplateInstance } from "./TemplateInstance";
import type { TemplateInstantiateArgs } from "./TemplateInstantiateArgs";
import type { TemplateList } from "./TemplateList";
import type { TemplatesListArgs } from "./TemplatesListArgs";
import type { ValidationReport } from "./ValidationReport";
import type { WorkspaceInfo } from "./WorkspaceInfo";

/** Every command: its arguments and its result. */
export interface Commands {
  /** The open workspace: its file and counts. */
  workspace_info: { args: NoArgs; result: WorkspaceInfo };
  /** Opens another workspace file (created when missing) and remembers it in the settings. */
  open_workspace: { args: OpenWorkspaceArgs; result: WorkspaceInfo };
  /** Documents in the workspace, optionally filtered by a text in their name or kind. */
  list_documents: { args: ListDocumentsArgs; result: DocumentList };
  /** Imports any JSON the core reads (Sim export or state, journey) as a new document. */
  import_document: { args: ImportDocumentArgs; result: DocumentRef };
  get_document: { args: DocumentIdArgs; result: DocumentContent };
  /** Saves new content as a revision (autosave) and validates it. */
  save_document: { args: SaveDocumentArgs; result: SaveResult };
  export_document: { args: DocumentIdArgs; result: ExportedDocument };
  /** Deletes a document with its history, sync state and scenarios. */
  delete_document: { args: DocumentIdArgs; result: Deleted };
  document_history: { args: DocumentIdArgs; result: DocumentHistory };
  /** Makes an old revision the head again, as a new revision. */
  restore_revision: { args: RestoreRevisionArgs; result: SaveResult };
  /** A unified diff between two revisions of one document. */
  revision_diff: { args: RevisionDiffArgs; result: DiffText };
  /** What the canvas draws: nodes (families, kinds, handles) and edges (labels). */
  canvas_view: { args: ContentArgs; result: CanvasView };
  /** Applies canvas edits on the model; returns the new content, its view and diagnostics. */
  apply_edits: { args: ApplyEditsArgs; result: ApplyEditsResult };
  validate: { args: ContentArgs; result: ValidationReport };
  convert: { args: ConvertArgs; result: ConvertResult };
  /** Starts a journey conversation; `session` is an opaque snapshot to send back. */
  sim_start: { args: SimStartArgs; result: SimStep };
  sim_send: { args: SimSendArgs; result: SimStep };
  /** Forces a transition (by edge id) from the active state. */
  sim_choose: { args: SimChooseArgs; result: SimStep };
  sim_back: { args: SimSessionArgs; result: SimStep };
  sim_restart: { args: SimSessionArgs; result: SimStep };
  /** Saves the conversation so far as a scenario of a document. */
  sim_save_scenario: { args: SimSaveScenarioArgs; result: ScenarioRef };
  templates_list: { args: TemplatesListArgs; result: TemplateList };
  template_show: { args: TemplateIdArgs; result: TemplateDetail };
  template_instantiate: { args: TemplateInstantiateArgs; result: TemplateInstance };
  /** Configured remotes (secrets are never returned). */
  remotes_list: { args: NoArgs; result: RemoteList };
  /** Adds (or updates) a remote; the API key goes to the OS keyring, never the workspace. */
  remote_add: { args: RemoteAddArgs; result: RemoteEntry };
  /** Removes a remote and its stored key. */
  remote_remove: { args: RemoteNameArgs; result: Message };
  /** Reaches the remote with its stored credentials. */
  remote_test: { args: RemoteNameArgs; result: RemoteTestResult };
  /** Pushes a document's head to a remote through the outbox (a changed remote is a conflict). */
  push: { args: PushArgs; result: SyncOutcome };
  /** Pulls `remote_id` into a document (three-way); without `remote_id`, lists the remote. */
  pull: { args: PullArgs; result: PullResult };
  /** Resolves an open conflict: keep_mine, take_theirs or both. */
  resolve_conflict: { args: ResolveConflictArgs; result: Message };
  /** The outbox of pending pushes and the open conflicts (with their diffs). */
  sync_status: { args: NoArgs; result: SyncStatus };
  settings_get: { args: NoArgs; result: Settings };
  /** Merges `patch` into the settings and saves them. */
  settings_update: { args: SettingsPatchArgs; result: Settings };
}

export type CommandName = keyof Commands;

export const COMMAND_NAMES: CommandName[] = [
  "workspace_info",
  "open_workspace",
  "list_documents",
  "import_document",
  "get_document",
  "save_document",
  "export_document",
  "delete_document",
  "document_history",
  "restore_revision",
  "revision_diff",
  "canvas_view",
  "apply_edits",
  "validate",
  "convert",
  "sim_start",
  "sim_send",
  "sim_choose",
  "sim_back",
  "sim_restart",
  "sim_save_scenario",
  "templates_list",
  "template_show",
  "template_instantiate",
  "remotes_list",
  "remote_add",
  "remote_remove",
  "remote_test",
  "push",
  "pull",
  "resolve_conflict",
  "sync_status",
  "settings_get",
  "settings_update",
];
