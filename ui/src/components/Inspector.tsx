// The inspector: the core says which fields the selected element has, their kind and value;
// this renders one control per kind and sends `set_field` edits back.
import { memo, useEffect, useState } from "react";
import { call } from "../api/client";
import type { Edit, InspectorField, InspectorView, JsonValue } from "../api/types";
import { fieldText, parseFieldText } from "../lib/fields";

function FieldEditor({ target, field, onEdits }: { target: string; field: InspectorField; onEdits: (e: Edit[]) => void }) {
  const shown = fieldText(field);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(shown), [shown]);
  // Commits read the control's own value: a blur right after typing may come before React has
  // rendered the typed text into this closure's `text`.
  const commit = (t: string) => {
    if (t === shown) return;
    const r = parseFieldText(field, t);
    if (r.error !== undefined) return setError(r.error);
    setError(null);
    onEdits([{ op: "set_field", target, path: field.path, value: r.value as JsonValue }]);
  };
  const key = field.path.join(".");
  const common = { "data-field": key, "aria-label": field.label };
  let control;
  switch (field.kind) {
    case "bool":
      return (
        <label className="field field-bool">
          <input type="checkbox" checked={text === "true"} onChange={(e) => commit(String(e.target.checked))} {...common} /> {field.label}
          {field.help && <small className="muted">{field.help}</small>}
        </label>
      );
    case "select":
      control = (
        <select value={text} onChange={(e) => commit(e.target.value)} {...common}>
          {(field.optional || !field.options.includes(text)) && <option value="">{field.optional ? "(none)" : "(choose)"}</option>}
          {field.options.map((o) => (
            <option key={o} value={o}>{o}</option>
          ))}
        </select>
      );
      break;
    case "text":
    case "number":
      control = (
        <input
          type={field.kind === "number" ? "number" : "text"}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onBlur={(e) => commit(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && commit(e.currentTarget.value)}
          {...common}
        />
      );
      break;
    default:
      control = (
        <textarea
          className={field.kind === "code" || field.kind === "json" ? "mono" : undefined}
          value={text}
          rows={Math.min(12, Math.max(field.kind === "long_text" ? 3 : 2, text.split("\n").length + 1))}
          onChange={(e) => setText(e.target.value)}
          onBlur={(e) => commit(e.currentTarget.value)}
          {...common}
        />
      );
  }
  return (
    <label className="field">
      <span>{field.label}</span>
      {control}
      {field.kind === "text_list" && <small className="muted">One per line.</small>}
      {field.help && <small className="muted">{field.help}</small>}
      {error && <span className="inline-error">{error}</span>}
    </label>
  );
}

/** What the inspector shows for `target` in the open session, asked again after every change. */
export const Inspector = memo(function Inspector({
  session,
  target,
  version,
  onEdits,
}: {
  session: string;
  target: string | null;
  /** The document's version: a change may have changed the fields. */
  version: number;
  onEdits: (e: Edit[]) => void;
}) {
  const [view, setView] = useState<InspectorView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!target) return setView(null);
    let live = true;
    call("inspect", { session, target }).then(
      (v) => live && (setView(v), setError(null)),
      (e) => live && (setView(null), setError((e as Error).message)),
    );
    return () => {
      live = false;
    };
  }, [session, target, version]);
  if (!target) return <p className="muted">Select a step or a transition to edit it, or edit the document's own properties.</p>;
  if (error) return <p className="muted">{error}</p>;
  if (!view || view.target !== target) return null;
  return (
    <div className="inspector" data-testid="inspector" data-what={view.what}>
      <h3>
        {view.title || view.target} <small className="muted">{view.what}</small>
      </h3>
      {view.fields.length === 0 && <p className="muted">Nothing to edit here.</p>}
      {view.fields.map((f) => (
        <FieldEditor key={`${view.target}:${f.path.join(".")}`} target={view.target} field={f} onEdits={onEdits} />
      ))}
    </div>
  );
});
