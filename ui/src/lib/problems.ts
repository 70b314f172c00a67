import type { Diagnostic, Severity } from "../api/types";

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** Per node id: the worst severity and the number of diagnostics naming it. */
export function problemsByNode(diags: Iterable<Diagnostic>): Map<string, { worst: Severity; count: number }> {
  const out = new Map<string, { worst: Severity; count: number }>();
  for (const d of diags) {
    for (const id of d.node_ids) {
      const cur = out.get(id);
      if (!cur) out.set(id, { worst: d.severity, count: 1 });
      else {
        cur.count += 1;
        if (RANK[d.severity] > RANK[cur.worst]) cur.worst = d.severity;
      }
    }
  }
  return out;
}

/** Errors first, then warnings, then infos; by path within a severity. */
export function sortDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => RANK[b.severity] - RANK[a.severity] || a.path.localeCompare(b.path) || a.code.localeCompare(b.code) || a.id.localeCompare(b.id));
}
