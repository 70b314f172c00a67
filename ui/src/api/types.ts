// The UI's names for the types generated from the core (ui/src/api/generated, written by
// `cargo test --lib api`). Nothing here declares a shape: every type is the core's.
import type { Commands } from "./generated/commands";

export type { Commands, CommandName } from "./generated/commands";
export type { CanvasView } from "./generated/CanvasView";
export type { CanvasNode as ViewNode } from "./generated/CanvasNode";
export type { CanvasEdge as ViewEdge } from "./generated/CanvasEdge";
export type { CanvasHandle as ViewHandle } from "./generated/CanvasHandle";
export type { Edit } from "./generated/Edit";
export type { Point as Position } from "./generated/Point";
export type { DiagnosticEntry as Diagnostic } from "./generated/DiagnosticEntry";
export type { DiagnosticCounts } from "./generated/DiagnosticCounts";
export type { Delta } from "./generated/Delta";
export type { DocumentKind } from "./generated/DocumentKind";
export type { OpenedDocument } from "./generated/OpenedDocument";
export type { SessionStatus } from "./generated/SessionStatus";
export type { InspectorView } from "./generated/InspectorView";
export type { Field as InspectorField } from "./generated/Field";
export type { FieldKind } from "./generated/FieldKind";
export type { Severity } from "./generated/Severity";
export type { ConvertPreview } from "./generated/ConvertPreview";
export type { EditResult } from "./generated/EditResult";
export type { DocumentEntry as DocumentSummary } from "./generated/DocumentEntry";
export type { TemplateEntry as TemplateSummary } from "./generated/TemplateEntry";
export type { SimStep as SimState } from "./generated/SimStep";
export type { JsonValue } from "./generated/serde_json/JsonValue";
export type { RemoteSummary } from "./generated/RemoteSummary";
export type { OutboxEntry } from "./generated/OutboxEntry";
export type { SyncOutcome } from "./generated/SyncOutcome";
export type { ConflictEntry } from "./generated/ConflictEntry";
export type { Settings } from "./generated/Settings";
export type { Theme } from "./generated/Theme";
export type { RemoteKind } from "./generated/RemoteKind";

export type ArgsOf<C extends keyof Commands> = Commands[C]["args"];
export type ResultOf<C extends keyof Commands> = Commands[C]["result"];

export type { Mapping } from "./generated/Mapping";
export type { ParamSpec as TemplateParameter } from "./generated/ParamSpec";

export type { Event as SimEvent } from "./generated/Event";
export type { WorkspaceInfo } from "./generated/WorkspaceInfo";
export type { Candidate as SimCandidate } from "./generated/Candidate";
export type { Pace } from "./generated/Pace";
export type { SessionOptions as PreviewOptions } from "./generated/SessionOptions";
export type { MatcherSetting } from "./generated/MatcherSetting";
