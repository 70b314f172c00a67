// The template gallery, as the CLI's `template list|show|instantiate|lint`: every version of each
// template (pick one), a form with one field per parameter checked by the core as it is typed,
// and a lint of the chosen template whose problems go to the Problems panel.
import { useEffect, useMemo, useRef, useState } from "react";
import { CallError, call } from "../api/client";
import type { JsonValue, TemplateParameter, TemplateSummary } from "../api/types";
import { fieldKind, initialText, problemsByParam, readField } from "../lib/params";

/** A top-level parameter: the core always names those (only list items/fields are unnamed). */
type NamedParameter = TemplateParameter & { name: string };
type Chosen = TemplateSummary & { parameters: NamedParameter[] };
export interface TemplateProblemsReport {
  template: string;
  problems: { at: string; message: string }[];
}

/** A reference to exactly one version (`id@version` alone is a range: `^version`). */
export function exactly(id: string, version: string): string {
  return `${id}@=${version}`;
}

/** Newest first, by semantic version. */
function byVersion(a: string, b: string): number {
  const pa = a.split(/[.+-]/).map((x) => Number(x));
  const pb = b.split(/[.+-]/).map((x) => Number(x));
  for (let i = 0; i < 3; i++) if ((pa[i] || 0) !== (pb[i] || 0)) return (pb[i] || 0) - (pa[i] || 0);
  return 0;
}

export function Templates({ onCreated, onClose, onLint }: { onCreated: (id: number) => void; onClose: () => void; onLint: (r: TemplateProblemsReport) => void }) {
  const [query, setQuery] = useState("");
  const [list, setList] = useState<TemplateSummary[]>([]);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<{ byParam: Record<string, string[]>; general: string[] }>({ byParam: {}, general: [] });
  const checkSeq = useRef(0);

  useEffect(() => {
    let live = true;
    call("templates_list", { query: query || undefined, all_versions: true })
      .then((l) => live && setList(l.templates))
      .catch((e) => live && setErrors({ byParam: {}, general: [(e as Error).message] }));
    return () => {
      live = false;
    };
  }, [query]);

  // One card per template (its newest version); the versions to pick from.
  const versions = useMemo(() => {
    const m = new Map<string, TemplateSummary[]>();
    for (const t of list) m.set(t.id, [...(m.get(t.id) ?? []), t]);
    for (const v of m.values()) v.sort((a, b) => byVersion(a.version, b.version));
    return m;
  }, [list]);

  const open = async (ref: string) => {
    try {
      const t = await call("template_show", { id: ref });
      const parameters = t.parameters.filter((p): p is NamedParameter => Boolean(p.name));
      setChosen({ ...t.entry, parameters });
      setTexts(Object.fromEntries(parameters.map((p) => [p.name, initialText(p)])));
      setErrors({ byParam: {}, general: [] });
    } catch (e) {
      setErrors({ byParam: {}, general: [(e as Error).message] });
    }
  };

  /** The values as typed; a local problem (not a number, bad JSON) is reported without the core. */
  const read = (c: Chosen, t: Record<string, string>) => {
    const params: Record<string, JsonValue> = {};
    const local: Record<string, string[]> = {};
    for (const p of c.parameters) {
      const r = readField(p, t[p.name] ?? "");
      if (r.error) local[p.name] = [r.error];
      else if (r.value !== undefined) params[p.name] = r.value as JsonValue;
    }
    return { params, local };
  };

  // Parameters are checked by the core as they are typed (a moment after the last key).
  useEffect(() => {
    if (!chosen) return;
    const seq = ++checkSeq.current;
    const t = window.setTimeout(async () => {
      const { params, local } = read(chosen, texts);
      try {
        const r = await call("template_check", { id: exactly(chosen.id, chosen.version), params });
        if (seq !== checkSeq.current) return;
        const found = problemsByParam(chosen.parameters.map((p) => p.name), r.problems);
        for (const [k, v] of Object.entries(local)) found.byParam[k] = v;
        setErrors(found);
      } catch (e) {
        if (seq === checkSeq.current) setErrors({ byParam: local, general: [(e as Error).message] });
      }
    }, 250);
    return () => window.clearTimeout(t);
  }, [chosen, texts]);

  const instantiate = async () => {
    if (!chosen) return;
    const { params, local } = read(chosen, texts);
    if (Object.keys(local).length) return setErrors({ byParam: local, general: [] });
    const names = chosen.parameters.map((p) => p.name);
    try {
      const doc = await call("template_instantiate", { id: exactly(chosen.id, chosen.version), params });
      onCreated(doc.id);
    } catch (e) {
      const problems = e instanceof CallError && e.problems.length ? e.problems : (e as Error).message;
      setErrors(problemsByParam(names, problems));
    }
  };

  const lint = async () => {
    if (!chosen) return;
    const ref = `${chosen.id}@${chosen.version}`;
    try {
      const r = await call("template_lint", { id: exactly(chosen.id, chosen.version) });
      onLint({ template: ref, problems: r.problems });
    } catch (e) {
      onLint({ template: ref, problems: [{ at: "template", message: (e as Error).message }] });
    }
  };

  return (
    <div className="modal" data-testid="templates">
      <div className="modal-box">
        <header>
          <h2>Templates</h2>
          <button onClick={onClose}>Close</button>
        </header>
        {!chosen ? (
          <>
            <input placeholder="Search templates" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="template-search" />
            <ul className="gallery">
              {[...versions.values()].map((vs) => {
                const t = vs[0];
                return (
                  <li key={t.id}>
                    <button onClick={() => open(exactly(t.id, t.version))} data-testid="template-card" data-id={t.id}>
                      <strong>{t.name}</strong> <small>{t.id}@{t.version}</small>
                      {vs.length > 1 && <small className="muted"> · {vs.length} versions</small>}
                      <div className="muted">{t.description}</div>
                      <div className="tags">{[t.category, ...t.tags, t.source === "built-in" ? "" : "yours"].filter(Boolean).map((x) => <span key={x}>{x}</span>)}</div>
                    </button>
                  </li>
                );
              })}
            </ul>
            {errors.general.map((m) => (
              <div key={m} className="inline-error">{m}</div>
            ))}
          </>
        ) : (
          <form
            className="param-form"
            onSubmit={(e) => {
              e.preventDefault();
              void instantiate();
            }}
          >
            <h3>
              {chosen.name}{" "}
              <select value={chosen.version} onChange={(e) => void open(exactly(chosen.id, e.target.value))} data-testid="template-version" aria-label="version">
                {(versions.get(chosen.id) ?? [chosen]).map((v) => (
                  <option key={v.version} value={v.version}>{v.version}</option>
                ))}
              </select>
            </h3>
            {chosen.description && <p className="muted">{chosen.description}</p>}
            {chosen.parameters.map((p) => {
              const k = fieldKind(p);
              const v = texts[p.name] ?? "";
              const set = (x: string) => setTexts((t) => ({ ...t, [p.name]: x }));
              return (
                <label key={p.name} className="field" data-param={p.name}>
                  <span className="field-label">
                    {p.name}
                    {p.required ? " *" : ""} <small className="muted">{p.type}</small>
                  </span>
                  {k === "checkbox" ? (
                    <input type="checkbox" checked={v === "true"} onChange={(e) => set(String(e.target.checked))} />
                  ) : k === "select" ? (
                    <select value={v} onChange={(e) => set(e.target.value)}>
                      {!p.required && <option value="">(none)</option>}
                      {(p.values ?? []).map((o) => <option key={o}>{o}</option>)}
                    </select>
                  ) : k === "list" ? (
                    <textarea value={v} rows={4} onChange={(e) => set(e.target.value)} />
                  ) : (
                    <input type={k === "number" ? "number" : "text"} value={v} onChange={(e) => set(e.target.value)} />
                  )}
                  {p.description && <small className="muted">{p.description}</small>}
                  {(errors.byParam[p.name] ?? []).map((m) => (
                    <span key={m} className="inline-error" data-testid="param-error">{m}</span>
                  ))}
                </label>
              );
            })}
            {errors.general.map((m) => (
              <div key={m} className="inline-error">{m}</div>
            ))}
            <div className="row">
              <button type="button" onClick={() => setChosen(null)}>Back</button>
              <button type="button" onClick={lint} data-testid="template-lint" title="Check the template itself; problems go to the Problems panel">Lint</button>
              <span className="spacer" />
              <button type="submit" className="primary" data-testid="template-create">Create document</button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
