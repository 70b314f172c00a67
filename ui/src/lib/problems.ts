import type { Diagnostic } from "../api/contract";

type Severity = Diagnostic["severity"];
const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** Per node id: the worst severity and the number of diagnostics naming it. */
export function problemsByNode(diags: Diagnostic[]): Map<string, { worst: Severity; count: number }> {
  const out = new Map<string, { worst: Severity; count: number }>();
  for (const d of diags) {
    for (const id of d.node_ids) {
      const cur = out.get(id);
      if (!cur) out.set(id, { worst: d.severity, count: 1 });
      else {
        cur.count += 1;
        if ((RANK[d.severity] ?? 0) > (RANK[cur.worst] ?? 0)) cur.worst = d.severity;
      }
    }
  }
  return out;
}

/** Errors first, then warnings, then infos; stable within a severity. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return diags
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (RANK[b.d.severity] ?? 0) - (RANK[a.d.severity] ?? 0) || a.i - b.i)
    .map((x) => x.d);
}
