// Kinds of document Journey Studio edits, and how the UI names them.

export type DocumentKind = "sim-workflow" | "parlant-journey";

const LABELS: Record<DocumentKind, string> = {
  "sim-workflow": "Sim workflow",
  "parlant-journey": "Parlant journey",
};

// The core spells kinds `sim` / `journey` (store) and `sim_workflow` / `parlant_journey` (canvas).
const ALIASES: Record<string, DocumentKind> = {
  sim: "sim-workflow",
  sim_workflow: "sim-workflow",
  journey: "parlant-journey",
  parlant_journey: "parlant-journey",
};

/** Human-readable label of a document kind; unknown kinds are shown as "Unknown (<kind>)". */
export function documentKindLabel(kind: string): string {
  if (isDocumentKind(kind)) return LABELS[kind];
  if (Object.prototype.hasOwnProperty.call(ALIASES, kind)) return LABELS[ALIASES[kind]];
  return `Unknown (${kind || "empty"})`;
}

export function isDocumentKind(kind: string): kind is DocumentKind {
  return Object.prototype.hasOwnProperty.call(LABELS, kind);
}

/**
 * Window/header title: "Journey Studio" alone without a document, otherwise
 * "<name> — <kind label> — Journey Studio", with a leading "• " when there are unsaved changes.
 */
export function windowTitle(
  doc: { name: string; kind: string; dirty?: boolean } | null,
): string {
  if (!doc) return "Journey Studio";
  const name = doc.name.trim() || "Untitled";
  const title = `${name} — ${documentKindLabel(doc.kind)} — Journey Studio`;
  return doc.dirty ? `• ${title}` : title;
}
