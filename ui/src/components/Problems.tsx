import { memo } from "react";
import type { Report } from "../api/types";
import { sortDiagnostics } from "../lib/problems";

export const Problems = memo(function Problems({ report, onFocus }: { report: Report | null; onFocus: (id: string) => void }) {
  if (!report) return <p className="muted">No document open.</p>;
  const diags = sortDiagnostics(report.diagnostics);
  return (
    <div className="problems" data-testid="problems">
      <p className="counts">
        {report.errors} errors, {report.warnings} warnings, {report.infos} infos
      </p>
      {diags.length === 0 && <p className="muted">No problems.</p>}
      <ul>
        {diags.map((d, i) => {
          const target = d.node_ids[0] ?? d.edge_ids[0];
          return (
            <li key={`${d.code}-${d.path}-${i}`} className={`diag diag-${d.severity}`} data-testid="problem" data-code={d.code}>
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
