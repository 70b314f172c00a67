// Provisional command types, written from DESKTOP.md while the generated bindings
// (ui/src/api/generated/, written by the core) do not exist yet. Every type here is replaced by
// the generated one as soon as it lands; nothing else in the UI declares command shapes.

export interface CoreError {
  kind: string;
  message: string;
  location?: unknown;
  /** Template problems: `{at, message}` each (kind `template`). */
  problems?: { at: string; message: string }[];
}

export interface Position {
  x: number;
  y: number;
}

export interface ViewHandle {
  id: string;
  label?: string | null;
  kind: string;
}

export interface ViewNode {
  id: string;
  kind: string;
  type: string;
  label: string;
  position: Position;
  parent?: string | null;
  size?: { width: number; height: number } | null;
  handles: ViewHandle[];
  enabled: boolean;
  detail?: string | null;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  source_handle?: string | null;
  target_handle?: string | null;
  label?: string | null;
  kind: string;
}

export interface CanvasView {
  kind: string;
  nodes: ViewNode[];
  edges: ViewEdge[];
}

export interface Diagnostic {
  code: string;
  severity: "error" | "warning" | "info";
  message: string;
  node_ids: string[];
  edge_ids: string[];
  path: string;
  hint: string;
}

export interface Report {
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  infos: number;
}

export type Edit =
  | { op: "move_node"; id: string; x: number; y: number }
  | { op: "add_node"; kind: string; position: Position; name?: string }
  | { op: "connect"; source: string; source_handle?: string | null; target: string }
  | { op: "delete"; node_ids: string[]; edge_ids: string[] }
  | { op: "set_field"; target: string; path: string[]; value: unknown }
  | { op: "set_label"; target: string; label: string };

export interface DocumentSummary {
  id: number;
  name: string;
  kind: string;
  revisions: number;
  updated_at: string;
}

export interface DocumentRef {
  id: number;
  name: string;
  kind: string;
  revision: number;
}

export interface DocumentData {
  id: number;
  name: string;
  kind: string;
  content: unknown;
  revision: number;
}

export interface Mapping {
  direction: string;
  nodes: { block_id: string; state_id: string; role: string }[];
  edges: { sim_edge_id?: string | null; transition_id?: string | null; handle?: string | null }[];
  variables: unknown[];
  approximations: { code: string; elements: string[]; message: string }[];
}

export interface SimState {
  session: unknown;
  events: SimEvent[];
  active_node?: string;
  variables: Record<string, unknown>;
  transcript: unknown;
  ended: boolean;
}

export type SimEvent = { type: string; [key: string]: unknown };

export interface TemplateParameter {
  name: string;
  type: string;
  required?: boolean;
  default?: unknown;
  description?: string | null;
  values?: string[];
  min?: number;
  max?: number;
  integer?: boolean;
  pattern?: string;
  items?: unknown;
}

export interface TemplateSummary {
  id: string;
  version: string;
  name: string;
  description: string;
  category: string;
  tags: string[];
}

export interface TemplateDetail {
  entry: TemplateSummary;
  parameters: TemplateParameter[];
  template: unknown;
}

export interface Commands {
  workspace_info: [Record<string, never>, unknown];
  list_documents: [{ query?: string }, { documents: DocumentSummary[] }];
  import_document: [{ name?: string; content: string }, DocumentRef];
  get_document: [{ id: number }, DocumentData];
  save_document: [{ id: number; content: unknown }, { revision: number; unchanged: boolean; diagnostics: Report }];
  export_document: [{ id: number }, { name: string; text: string }];
  delete_document: [{ id: number }, unknown];
  canvas_view: [{ content: unknown }, CanvasView];
  apply_edits: [{ content: unknown; edits: Edit[] }, { content: unknown; view: CanvasView; diagnostics: Report; created: string[] }];
  validate: [{ content: unknown }, Report];
  convert: [{ content: unknown; to: string }, { output: unknown; mapping: unknown }];
  sim_start: [{ content: unknown; mocks?: unknown; context?: unknown }, SimState];
  sim_send: [{ session: unknown; message: string }, SimState];
  sim_choose: [{ session: unknown; edge_id: string }, SimState];
  sim_back: [{ session: unknown }, SimState];
  sim_restart: [{ session: unknown }, SimState];
  sim_save_scenario: [{ document_id: number; session: unknown; name: string }, { id: number }];
  templates_list: [{ query?: string; category?: string; tag?: string }, { templates: TemplateSummary[] }];
  template_show: [{ id: string }, TemplateDetail];
  template_instantiate: [{ id: string; params: Record<string, unknown> }, { content: unknown; template: string }];
}

export type CommandName = keyof Commands;
export type ArgsOf<C extends CommandName> = Commands[C][0];
export type ResultOf<C extends CommandName> = Commands[C][1];
