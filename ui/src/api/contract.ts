// Provisional command types, written from DESKTOP.md while the generated bindings
// (ui/src/api/generated/, written by the core) do not exist yet. Every type here is replaced by
// the generated one as soon as it lands; nothing else in the UI declares command shapes.

export interface CoreError {
  kind: string;
  message: string;
  location?: unknown;
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
  hint?: string | null;
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
  | { op: "set_field"; target: string; path: string; value: unknown };

export interface DocumentSummary {
  id: string;
  name: string;
  kind: string;
  revision?: number;
  updated_at?: string;
}

export interface DocumentData {
  id: string;
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
  active_node: string | null;
  variables: Record<string, unknown>;
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
  description?: string;
  category?: string;
  tags?: string[];
}

export interface TemplateDetail extends TemplateSummary {
  parameters: TemplateParameter[];
}

export interface Commands {
  workspace_info: [Record<string, never>, unknown];
  list_documents: [{ query?: string }, DocumentSummary[]];
  import_document: [{ name?: string; content: string }, string];
  get_document: [{ id: string }, DocumentData];
  save_document: [{ id: string; content: unknown }, { revision: number; diagnostics: Report }];
  export_document: [{ id: string }, string];
  delete_document: [{ id: string }, unknown];
  canvas_view: [{ content: unknown }, CanvasView];
  apply_edits: [{ content: unknown; edits: Edit[] }, { content: unknown; view: CanvasView; diagnostics: Report }];
  validate: [{ content: unknown }, Report];
  convert: [{ content: unknown; to: "journey" | "workflow" }, { output: unknown; mapping: Mapping }];
  sim_start: [{ content: unknown; mocks?: unknown }, SimState];
  sim_send: [{ session: unknown; message: string }, SimState];
  sim_choose: [{ session: unknown; edge_id: string }, SimState];
  sim_back: [{ session: unknown }, SimState];
  sim_restart: [{ session: unknown }, SimState];
  sim_save_scenario: [{ document_id: string; session: unknown; name: string }, unknown];
  templates_list: [{ query?: string; category?: string; tag?: string }, TemplateSummary[]];
  template_show: [{ id: string }, TemplateDetail];
  template_instantiate: [{ id: string; params: Record<string, unknown> }, { content: unknown; problems?: unknown }];
}

export type CommandName = keyof Commands;
export type ArgsOf<C extends CommandName> = Commands[C][0];
export type ResultOf<C extends CommandName> = Commands[C][1];
