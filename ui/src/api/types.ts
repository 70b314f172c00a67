// The UI's names for the types generated from the core (ui/src/api/generated, written by
// `cargo test --lib api`). Nothing here declares a command's shape: those come from
// generated/commands.ts only.
import type { Commands } from "./generated/commands";

export type { Commands, CommandName } from "./generated/commands";
export type { CanvasView } from "./generated/CanvasView";
export type { CanvasNode as ViewNode } from "./generated/CanvasNode";
export type { CanvasEdge as ViewEdge } from "./generated/CanvasEdge";
export type { CanvasHandle as ViewHandle } from "./generated/CanvasHandle";
export type { Edit } from "./generated/Edit";
export type { Point as Position } from "./generated/Point";
export type { ValidationReport as Report } from "./generated/ValidationReport";
export type { DiagnosticEntry as Diagnostic } from "./generated/DiagnosticEntry";
export type { DocumentEntry as DocumentSummary } from "./generated/DocumentEntry";
export type { TemplateEntry as TemplateSummary } from "./generated/TemplateEntry";
export type { SimStep as SimState } from "./generated/SimStep";
export type { JsonValue } from "./generated/serde_json/JsonValue";
export type { RemoteEntry } from "./generated/RemoteEntry";
export type { SyncOutcome } from "./generated/SyncOutcome";
export type { ConflictEntry } from "./generated/ConflictEntry";
export type { Settings } from "./generated/Settings";

export type ArgsOf<C extends keyof Commands> = Commands[C]["args"];
export type ResultOf<C extends keyof Commands> = Commands[C]["result"];

// The core sends these as untyped JSON (`serde_json::Value` in src/api/types.rs); these are the
// fields the UI reads from them, checked where they are read (lib/mapping.ts, lib/chat.ts,
// lib/params.ts).

/** One element of `ConvertResult.mapping` as src/convert serialises it. */
export interface Mapping {
  direction: string;
  nodes: { block_id: string; state_id: string; role: string }[];
  edges: { sim_edge_id?: string | null; transition_id?: string | null; handle?: string | null }[];
  variables: unknown[];
  approximations: { code: string; elements: string[]; message: string }[];
}

/** A simulator event (`SimStep.events`): `type` plus its fields. */
export type SimEvent = { type: string; [key: string]: unknown };

/** A template parameter (`TemplateDetail.parameters`). */
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
