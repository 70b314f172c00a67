import { useEffect, useState } from "react";
import { CallError, call } from "../api/client";
import type { JsonValue, TemplateParameter, TemplateSummary } from "../api/types";

/** A top-level parameter: the core always names those (only list items/fields are unnamed). */
type NamedParameter = TemplateParameter & { name: string };
type Chosen = TemplateSummary & { parameters: NamedParameter[] };
import { fieldKind, initialText, problemsByParam, readField } from "../lib/params";

export function Templates({ onCreated, onClose }: { onCreated: (id: number) => void; onClose: () => void }) {
  const [query, setQuery] = useState("");
  const [list, setList] = useState<TemplateSummary[]>([]);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<{ byParam: Record<string, string[]>; general: string[] }>({ byParam: {}, general: [] });

  useEffect(() => {
    let live = true;
    call("templates_list", { query: query || undefined })
      .then((l) => live && setList(l.templates))
      .catch((e) => live && setErrors({ byParam: {}, general: [(e as Error).message] }));
    return () => {
      live = false;
    };
  }, [query]);

  const open = async (id: string) => {
    const t = await call("template_show", { id });
    const parameters = t.parameters.filter((p): p is NamedParameter => Boolean(p.name));
    setChosen({ ...t.entry, parameters });
    setTexts(Object.fromEntries(parameters.map((p) => [p.name, initialText(p)])));
    setErrors({ byParam: {}, general: [] });
  };

  const instantiate = async () => {
    if (!chosen) return;
    const params: Record<string, JsonValue> = {};
    const local: Record<string, string[]> = {};
    for (const p of chosen.parameters) {
      const r = readField(p, texts[p.name] ?? "");
      if (r.error) local[p.name] = [r.error];
      else if (r.value !== undefined) params[p.name] = r.value as JsonValue;
    }
    if (Object.keys(local).length) return setErrors({ byParam: local, general: [] });
    const names = chosen.parameters.map((p) => p.name);
    try {
      const doc = await call("template_instantiate", { id: `${chosen.id}@${chosen.version}`, params });
      onCreated(doc.id);
    } catch (e) {
      const problems = e instanceof CallError && e.problems.length ? e.problems : (e as Error).message;
      setErrors(problemsByParam(names, problems));
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
            <input placeholder="Search templates" value={query} onChange={(e) => setQuery(e.target.value)} />
            <ul className="gallery">
              {list.map((t) => (
                <li key={`${t.id}@${t.version}`}>
                  <button onClick={() => open(`${t.id}@${t.version}`)} data-testid="template-card">
                    <strong>{t.name}</strong> <small>{t.id}@{t.version}</small>
                    <div className="muted">{t.description}</div>
                    <div className="tags">{[t.category, ...t.tags].filter(Boolean).map((x) => <span key={x}>{x}</span>)}</div>
                  </button>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <form
            className="param-form"
            onSubmit={(e) => {
              e.preventDefault();
              void instantiate();
            }}
          >
            <h3>{chosen.name}</h3>
            {chosen.parameters.map((p) => {
              const k = fieldKind(p);
              const v = texts[p.name] ?? "";
              const set = (x: string) => setTexts((t) => ({ ...t, [p.name]: x }));
              return (
                <label key={p.name} className="field" data-param={p.name}>
                  <span>
                    {p.name}
                    {p.required ? " *" : ""}
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
              <button type="submit" data-testid="template-create">Create document</button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
