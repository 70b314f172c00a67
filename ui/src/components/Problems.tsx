import { memo, useMemo } from "react";
import type { Diagnostic, DiagnosticCounts } from "../api/types";
import { sortDiagnostics } from "../lib/problems";

export const Problems = memo(function Problems({
  diagnostics,
  counts,
  onFocus,
}: {
  diagnostics: Map<string, Diagnostic> | null;
  counts: DiagnosticCounts | null;
  onFocus: (id: string) => void;
}) {
  const sorted = useMemo(() => (diagnostics ? sortDiagnostics([...diagnostics.values()]) : []), [diagnostics]);
  if (!diagnostics || !counts) return <p className="muted">No document open.</p>;
  return (
    <div className="problems" data-testid="problems">
      <p className="counts">
        {counts.errors} errors, {counts.warnings} warnings, {counts.infos} infos
      </p>
      {sorted.length === 0 && <p className="muted">No problems.</p>}
      <ul>
        {sorted.map((d) => {
          const target = d.node_ids[0] ?? d.edge_ids[0];
          return (
            <li key={d.id} className={`diag diag-${d.severity}`} data-testid="problem" data-code={d.code}>
              <button disabled={!target} onClick={() => target && onFocus(target)}>
                <span className={`sev sev-${d.severity}`}>{d.severity}</span> <code>{d.code}</code> {d.message}
              </button>
              {d.hint && <div className="hint">{d.hint}</div>}
            </li>
          );
        })}
      </ul>
    </div>
  );
});
