import { memo, useEffect, useState } from "react";
import type { Edit } from "../api/types";
import { fieldText, fieldsOf, findElement, parseField, type Field } from "../lib/inspect";

function FieldEditor({ target, field, onEdits }: { target: string; field: Field; onEdits: (e: Edit[]) => void }) {
  const [text, setText] = useState(fieldText(field));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(fieldText(field)), [field]);
  const commit = (t: string) => {
    if (t === fieldText(field)) return;
    const r = parseField(field, t);
    if (r.error) return setError(r.error);
    setError(null);
    onEdits([{ op: "set_field", target, path: field.path, value: r.value ?? null }]);
  };
  if (field.as === "bool") {
    return (
      <label className="field field-bool">
        <input type="checkbox" checked={text === "true"} onChange={(e) => commit(String(e.target.checked))} /> {field.label}
      </label>
    );
  }
  const multiline = field.as === "json" || text.length > 40 || text.includes("\n");
  return (
    <label className="field">
      <span>{field.label}</span>
      {multiline ? (
        <textarea value={text} rows={Math.min(10, text.split("\n").length + 1)} onChange={(e) => setText(e.target.value)} onBlur={() => commit(text)} data-field={field.path.join(".")} />
      ) : (
        <input value={text} onChange={(e) => setText(e.target.value)} onBlur={() => commit(text)} onKeyDown={(e) => e.key === "Enter" && commit(text)} data-field={field.path.join(".")} />
      )}
      {error && <span className="inline-error">{error}</span>}
    </label>
  );
}

export const Inspector = memo(function Inspector({
  content,
  kind,
  selected,
  onEdits,
}: {
  content: unknown;
  kind: string;
  selected: string | null;
  onEdits: (e: Edit[]) => void;
}) {
  if (!selected) return <p className="muted">Select a step or a transition to edit it.</p>;
  const el = findElement(content, selected);
  if (!el) return <p className="muted">`{selected}` is not in the document.</p>;
  const fields = fieldsOf(kind, el);
  return (
    <div className="inspector" data-testid="inspector">
      <h3>
        {el.what} <code>{selected}</code>
      </h3>
      {fields.length === 0 && <p className="muted">Nothing to edit here.</p>}
      {fields.map((f) => (
        <FieldEditor key={`${selected}:${f.path.join(".")}`} target={selected} field={f} onEdits={onEdits} />
      ))}
    </div>
  );
});
