// The core's diagnostics placed in a code field's text (CodeMirror's lint ranges).
import type { Diagnostic } from "../api/types";
import { quotedReferences } from "./fields";

export interface Placed {
  from: number;
  to: number;
  severity: "error" | "warning" | "info";
  message: string;
  source: string;
}

/** At each reference a diagnostic quotes (`reads \`<agent.contnt>\``), else on the first line. */
export function placeDiagnostics(text: string, diagnostics: Diagnostic[]): Placed[] {
  const out: Placed[] = [];
  const firstLineEnd = text.indexOf("\n") < 0 ? text.length : text.indexOf("\n");
  for (const d of diagnostics) {
    const message = `${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ""}`;
    let placed = false;
    for (const ref of quotedReferences(d.message)) {
      let at = text.indexOf(ref);
      while (at >= 0) {
        out.push({ from: at, to: at + ref.length, severity: d.severity, message, source: "Journey Studio" });
        placed = true;
        at = text.indexOf(ref, at + ref.length);
      }
    }
    if (!placed) out.push({ from: 0, to: Math.max(0, firstLineEnd), severity: d.severity, message, source: "Journey Studio" });
  }
  return out;
}

/**
 * The text with each Sim reference (`<block.path>`, `<loop.index>`) replaced by an identifier of
 * the same length, so a JavaScript parser checks the code around them and positions stay true
 * (the core's validator does the same before its own syntax check).
 */
export function withoutReferences(text: string): string {
  return text.replace(/<([A-Za-z_][\w-]*)(\.[\w\-[\]]+)+>/g, (m) => "_".repeat(m.length));
}
