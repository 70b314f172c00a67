import type { Diagnostic } from "../api/types";

/** `DiagnosticEntry.severity` is one of these (src/validate). */
export type Severity = "error" | "warning" | "info";
const severity = (d: Diagnostic): Severity => (d.severity === "error" || d.severity === "warning" ? d.severity : "info");
const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** Per node id: the worst severity and the number of diagnostics naming it. */
export function problemsByNode(diags: Diagnostic[]): Map<string, { worst: Severity; count: number }> {
  const out = new Map<string, { worst: Severity; count: number }>();
  for (const d of diags) {
    for (const id of d.node_ids) {
      const cur = out.get(id);
      if (!cur) out.set(id, { worst: severity(d), count: 1 });
      else {
        cur.count += 1;
        if (RANK[severity(d)] > RANK[cur.worst]) cur.worst = severity(d);
      }
    }
  }
  return out;
}

/** Errors first, then warnings, then infos; stable within a severity. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) => RANK[severity(b.d)] - RANK[severity(a.d)] || a.i - b.i)
    .map((x) => x.d);
}
