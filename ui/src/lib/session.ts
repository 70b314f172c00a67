// What the UI holds of a document open in the core: the canvas view and the diagnostics, kept up
// to date by applying the deltas the core answers. Unchanged nodes keep their object identity, so
// the canvas re-renders only what changed.
import type { CanvasView, Delta, Diagnostic, DiagnosticCounts, DocumentKind, OpenedDocument, SessionStatus } from "../api/types";

export interface OpenDoc {
  session: string;
  id: number;
  name: string;
  kind: DocumentKind;
  view: CanvasView;
  /** By diagnostic id. */
  diagnostics: Map<string, Diagnostic>;
  counts: DiagnosticCounts;
  status: SessionStatus;
  /** Bumped on every applied delta (what the inspector and the convert view follow). */
  version: number;
}

export function fromOpened(o: OpenedDocument): OpenDoc {
  return {
    session: o.session,
    id: o.id,
    name: o.name,
    kind: o.kind,
    view: o.view,
    diagnostics: new Map(o.diagnostics.map((d) => [d.id, d])),
    counts: o.counts,
    status: o.status,
    version: 0,
  };
}

function patch<T extends { id: string }>(items: T[], added: T[], changed: T[], removed: string[]): T[] {
  if (added.length === 0 && changed.length === 0 && removed.length === 0) return items;
  const gone = new Set(removed);
  const byId = new Map(changed.map((x) => [x.id, x]));
  const out: T[] = [];
  for (const x of items) {
    if (gone.has(x.id)) continue;
    out.push(byId.get(x.id) ?? x);
  }
  // An id both removed and added (undo of a removal) comes back at the end.
  out.push(...added);
  return out;
}

/** The document after `delta`; parts the delta does not touch keep their identity. */
export function applyDelta(doc: OpenDoc, delta: Delta, status: SessionStatus): OpenDoc {
  const view: CanvasView = {
    kind: doc.view.kind,
    nodes: patch(doc.view.nodes, delta.added_nodes, delta.changed_nodes, delta.removed_nodes),
    edges: patch(doc.view.edges, delta.added_edges, delta.changed_edges, delta.removed_edges),
  };
  let diagnostics = doc.diagnostics;
  if (delta.added_diagnostics.length || delta.removed_diagnostics.length) {
    diagnostics = new Map(doc.diagnostics);
    for (const id of delta.removed_diagnostics) diagnostics.delete(id);
    for (const d of delta.added_diagnostics) diagnostics.set(d.id, d);
  }
  const same = view.nodes === doc.view.nodes && view.edges === doc.view.edges;
  return { ...doc, view: same ? doc.view : view, diagnostics, counts: delta.counts, status, version: doc.version + 1 };
}

/** A label for a document kind. */
export const KIND_LABEL: Record<DocumentKind, string> = {
  sim_workflow: "Sim workflow",
  parlant_journey: "Parlant journey",
};

/** Window title: "<name> — <kind> — Journey Studio", with "• " when edits are not saved yet. */
export function windowTitle(doc: { name: string; kind: DocumentKind; dirty?: boolean } | null): string {
  if (!doc) return "Journey Studio";
  const title = `${doc.name.trim() || "Untitled"} — ${KIND_LABEL[doc.kind]} — Journey Studio`;
  return doc.dirty ? `• ${title}` : title;
}
