import { memo, useMemo } from "react";
import type { Diagnostic, DiagnosticCounts } from "../api/types";
import { sortDiagnostics } from "../lib/problems";
import type { TemplateProblemsReport } from "./Templates";

export const Problems = memo(function Problems({
  diagnostics,
  counts,
  onFocus,
  template,
  onDismissTemplate,
}: {
  diagnostics: Map<string, Diagnostic> | null;
  counts: DiagnosticCounts | null;
  onFocus: (id: string) => void;
  /** The last template lint (save as template, or Lint in the gallery). */
  template?: TemplateProblemsReport | null;
  onDismissTemplate?: () => void;
}) {
  const sorted = useMemo(() => (diagnostics ? sortDiagnostics([...diagnostics.values()]) : []), [diagnostics]);
  return (
    <div className="problems" data-testid="problems">
      {template && (
        <section className="template-problems" data-testid="template-problems" data-template={template.template}>
          <h3>
            Template {template.template} <button className="link" onClick={onDismissTemplate}>dismiss</button>
          </h3>
          {template.problems.length === 0 ? (
            <p className="ok" data-testid="template-clean">No problems: it instantiates with its defaults.</p>
          ) : (
            <ul>
              {template.problems.map((p, i) => (
                <li key={i} className="diag diag-error" data-testid="template-problem">
                  <span className="sev sev-error">lint</span> <code>{p.at}</code> {p.message}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {!diagnostics || !counts ? (
        <p className="muted">No document open.</p>
      ) : (
        <>
          <p className="counts" data-testid="problem-counts">
            {counts.errors} errors, {counts.warnings} warnings, {counts.infos} infos
          </p>
          {sorted.length === 0 && <p className="muted">No problems.</p>}
          <ul>
            {sorted.map((d) => {
              const target = d.node_ids[0] ?? d.edge_ids[0];
              return (
                <li key={d.id} className={`diag diag-${d.severity}`} data-testid="problem" data-code={d.code} data-severity={d.severity}>
                  <button disabled={!target} onClick={() => target && onFocus(target)}>
                    <span className={`sev sev-${d.severity}`}>{d.severity}</span> <code>{d.code}</code> {d.message}
                  </button>
                  {d.hint && <div className="hint">{d.hint}</div>}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
});
