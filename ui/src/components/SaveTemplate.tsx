// "Save as template" for the open document, as `journey-studio template save`: the designer picks
// texts of the document (the core lists them) that become parameters, each with a name; the
// core writes the template into the workspace's template folder and lints it (problems go to the
// Problems panel).
import { useEffect, useMemo, useState } from "react";
import { CallError, call } from "../api/client";
import type { TemplateProblemsReport } from "./Templates";

interface Pick {
  name: string;
  text: string;
}

/** A parameter name from a text: its first words, lower case, `_` between. */
export function suggestName(text: string, taken: Set<string>): string {
  const base =
    text
      .toLowerCase()
      .replace(/[^a-z0-9\s]/g, " ")
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 3)
      .join("_") || "text";
  const start = /^[a-z_]/.test(base) ? base : `p_${base}`;
  let name = start;
  let n = 2;
  while (taken.has(name)) name = `${start}_${n++}`;
  return name;
}

export function SaveTemplate({ session, name, onClose, onSaved }: { session: string; name: string; onClose: () => void; onSaved: (r: TemplateProblemsReport & { path: string }) => void }) {
  const [texts, setTexts] = useState<{ text: string; at: string }[]>([]);
  const [picks, setPicks] = useState<Record<string, Pick>>({});
  const [filter, setFilter] = useState("");
  const [form, setForm] = useState({
    id: name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "my-template",
    version: "1.0.0",
    name,
    description: "",
    category: "",
  });
  const [errors, setErrors] = useState<string[]>([]);
  useEffect(() => {
    call("template_texts", { session }).then((r) => setTexts(r.texts), (e) => setErrors([(e as Error).message]));
  }, [session]);
  const shown = useMemo(() => texts.filter((t) => !filter || t.text.toLowerCase().includes(filter.toLowerCase())).slice(0, 80), [texts, filter]);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const toggle = (t: { text: string; at: string }) =>
    setPicks((p) => {
      const next = { ...p };
      if (next[t.at]) delete next[t.at];
      else next[t.at] = { name: suggestName(t.text, new Set(Object.values(p).map((x) => x.name))), text: t.text };
      return next;
    });

  const save = async () => {
    try {
      const params = Object.values(picks).map((p) => ({ name: p.name.trim(), text: p.text }));
      const r = await call("template_save", { session, id: form.id.trim(), version: form.version.trim(), name: form.name, description: form.description, category: form.category, tags: [], params });
      onSaved({ template: `${r.entry.id}@${r.entry.version}`, problems: r.problems, path: r.path });
    } catch (e) {
      const problems = e instanceof CallError && e.problems.length ? e.problems.map((p) => `${p.at}: ${p.message}`) : [(e as Error).message];
      setErrors(problems);
    }
  };

  return (
    <div className="modal" data-testid="save-template">
      <form
        className="modal-box"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <header>
          <h2>Save as template</h2>
          <button type="button" onClick={onClose}>Close</button>
        </header>
        <div className="grid2">
          <label className="field">
            <span className="field-label">Id *</span>
            <input value={form.id} onChange={set("id")} data-testid="tpl-id" />
          </label>
          <label className="field">
            <span className="field-label">Version *</span>
            <input value={form.version} onChange={set("version")} data-testid="tpl-version" />
          </label>
          <label className="field">
            <span className="field-label">Name</span>
            <input value={form.name} onChange={set("name")} data-testid="tpl-name" />
          </label>
          <label className="field">
            <span className="field-label">Category</span>
            <input value={form.category} onChange={set("category")} />
          </label>
        </div>
        <label className="field">
          <span className="field-label">Description</span>
          <textarea rows={2} value={form.description} onChange={set("description")} />
        </label>
        <h3>Parameters</h3>
        <p className="muted small">Tick the texts a user of the template fills in; the text stays the default. Edit a text down to the part that changes (a company name inside a sentence).</p>
        <input placeholder="Filter texts" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="tpl-filter" />
        <ul className="template-texts">
          {shown.map((t) => {
            const pick = picks[t.at];
            return (
              <li key={t.at} data-testid="tpl-text" data-at={t.at}>
                <label className="tpl-pick">
                  <input type="checkbox" checked={Boolean(pick)} onChange={() => toggle(t)} data-testid="tpl-pick" />
                  <span>{t.text}</span>
                  <small className="muted">{t.at}</small>
                </label>
                {pick && (
                  <div className="tpl-param">
                    <input
                      value={pick.name}
                      aria-label="parameter name"
                      data-testid="tpl-param-name"
                      onChange={(e) => setPicks({ ...picks, [t.at]: { ...pick, name: e.target.value } })}
                    />
                    <input
                      value={pick.text}
                      aria-label="text it replaces"
                      data-testid="tpl-param-text"
                      onChange={(e) => setPicks({ ...picks, [t.at]: { ...pick, text: e.target.value } })}
                    />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
        {errors.map((m) => (
          <div key={m} className="inline-error" data-testid="tpl-error">{m}</div>
        ))}
        <div className="row">
          <span className="spacer" />
          <button type="submit" className="primary" data-testid="tpl-save">Save template</button>
        </div>
      </form>
    </div>
  );
}
