// The inspector: the core says which fields the selected element has (typed from Sim's block
// registry, or the journey's and its states' own fields), their values and the problems at each;
// this renders one control per field kind and sends `set_field` edits back. Every edit is one
// undoable step in the core.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { call } from "../api/client";
import type { Diagnostic, Edit, InspectorField, InspectorView, JsonValue, ViewEdge } from "../api/types";
import {
  MESSAGE_ROLES,
  addBranch,
  addRoute,
  canMoveBranch,
  canRemoveBranch,
  cellText,
  encodeList,
  fieldText,
  listOf,
  messagesOf,
  moveItem,
  newRow,
  newTableRow,
  parseFieldText,
  plainText,
  rowText,
  titled,
  withCell,
  withValue,
} from "../lib/fields";
import { CodeEditor, type Reference } from "./CodeEditor";
import { TypeIcon } from "./icons";

type Obj = { [key: string]: JsonValue | undefined };
type Commit = (value: JsonValue, extra?: Edit[]) => void;

interface Ctx {
  target: string;
  session: string;
  edges: ViewEdge[];
  references: () => Promise<Reference[]>;
}

/**
 * A list being edited here. A new stored value replaces what is shown, except when it is this
 * list's own commit coming back (the designer may have typed on meanwhile) or the same value
 * again (the inspector is asked again after every edit, of any field).
 */
function useDraft<T>(stored: T[]): [T[], (next: T[] | ((cur: T[]) => T[])) => void, (row: T) => void, (next: T[]) => boolean] {
  const [items, setItems] = useState<T[]>(stored);
  const shown = useRef(JSON.stringify(stored));
  // What this list sent and has not seen come back yet, oldest first.
  const echoes = useRef<string[]>([]);
  useEffect(() => {
    const s = JSON.stringify(stored);
    if (s === shown.current) return;
    shown.current = s;
    const at = echoes.current.indexOf(s);
    if (at >= 0) {
      echoes.current = echoes.current.slice(at + 1);
      return;
    }
    echoes.current = [];
    setItems(stored);
  }, [stored]);
  const add = useCallback((row: T) => setItems((cur) => [...cur, row]), []);
  // Whether `next` is news (not what is stored, nor what was just sent and is on its way); if
  // so it is recorded as sent.
  const claim = useCallback((next: T[]) => {
    const s = JSON.stringify(next);
    const pending = echoes.current[echoes.current.length - 1] ?? shown.current;
    if (s === pending) return false;
    echoes.current.push(s);
    return true;
  }, []);
  return [items, setItems, add, claim];
}

function FieldProblems({ diagnostics }: { diagnostics: Diagnostic[] }) {
  if (!diagnostics.length) return null;
  return (
    <ul className="field-problems">
      {diagnostics.map((d) => (
        <li key={d.id} className={`sev-${d.severity}`} data-testid="field-problem" data-code={d.code}>
          <b>{d.code}</b> {d.message}
          {d.hint && <div className="hint">{d.hint}</div>}
        </li>
      ))}
    </ul>
  );
}

/** A text box committed on blur or Enter. */
function TextInput({ field, commit, multiline, type }: { field: InspectorField; commit: Commit; multiline?: boolean; type?: string }) {
  const shown = fieldText(field);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  // A new value from the core replaces the text, unless the designer is typing in it (an
  // earlier commit coming back must not undo what was typed since; leaving commits it).
  useEffect(() => {
    if (box.current && document.activeElement === box.current) return;
    setText(shown);
  }, [shown]);
  // Commits read the control's own value: a blur right after typing may come before React has
  // rendered the typed text into this closure's `text`.
  const send = (t: string) => {
    if (t === shown) return;
    const r = parseFieldText(field, t);
    if (r.error !== undefined) return setError(r.error);
    setError(null);
    commit(r.value as JsonValue);
  };
  const common = { "data-field": field.path.join("."), "aria-label": field.label, placeholder: field.placeholder ?? undefined, ref: box };
  return (
    <>
      {multiline ? (
        <textarea
          className={field.kind === "json" ? "mono" : undefined}
          value={text}
          rows={Math.min(14, Math.max(field.kind === "json" ? 4 : 3, text.split("\n").length + 1))}
          onChange={(e) => setText(e.target.value)}
          onBlur={(e) => send(e.currentTarget.value)}
          {...common}
        />
      ) : (
        <input
          type={field.password ? "password" : type ?? "text"}
          value={text}
          autoComplete="off"
          list={field.kind === "combobox" ? `${field.path.join(".")}-options` : undefined}
          onChange={(e) => setText(e.target.value)}
          onBlur={(e) => send(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && send(e.currentTarget.value)}
          {...common}
        />
      )}
      {field.kind === "combobox" && (
        <datalist id={`${field.path.join(".")}-options`}>
          {field.options.map((o) => (
            <option key={o.id} value={o.id}>{o.label}</option>
          ))}
        </datalist>
      )}
      {error && <span className="inline-error" data-testid="field-error">{error}</span>}
    </>
  );
}

function SelectInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const value = field.value == null ? "" : String(field.value);
  const known = field.options.some((o) => o.id === value);
  return (
    <select value={value} onChange={(e) => commit(e.target.value === "" && field.optional ? null : e.target.value)} data-field={field.path.join(".")} aria-label={field.label}>
      {(field.optional || value === "") && <option value="">{field.optional ? "(none)" : "(choose)"}</option>}
      {!known && value !== "" && <option value={value}>{value}</option>}
      {field.options.map((o) => (
        <option key={o.id} value={o.id}>{o.label}</option>
      ))}
    </select>
  );
}

function SwitchInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const on = field.value === true || field.value === "true";
  return (
    <label className="switch">
      <input type="checkbox" role="switch" checked={on} onChange={(e) => commit(e.target.checked)} data-field={field.path.join(".")} aria-label={field.label} />
      <span className="switch-track" />
      <span>{field.label}</span>
    </label>
  );
}

function SliderInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const min = field.min ?? 0;
  const max = field.max ?? 1;
  const step = field.step ?? (max - min <= 2 ? 0.1 : 1);
  const current = typeof field.value === "number" ? field.value : Number(field.value ?? min);
  const [v, setV] = useState(Number.isFinite(current) ? current : min);
  useEffect(() => setV(Number.isFinite(current) ? current : min), [current, min]);
  const send = () => v !== current && commit(v);
  return (
    <div className="slider">
      <input
        type="range"
        min={min}
        max={max}
        step={step}
        value={v}
        onChange={(e) => setV(Number(e.target.value))}
        onPointerUp={send}
        onKeyUp={send}
        onBlur={send}
        data-field={field.path.join(".")}
        aria-label={field.label}
      />
      <output data-testid="slider-value">{Number(v.toFixed(4))}</output>
    </div>
  );
}

/** A list of texts, one box each (activation conditions, labels, tags). */
function TextListInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const stored = useMemo(() => (Array.isArray(field.value) ? field.value.map((x) => String(x)) : []), [field.value]);
  const [items, setItems, add, sent] = useDraft<string>(stored);
  const send = (next: string[]) => {
    const clean = next.map((t) => t.trim()).filter(Boolean);
    setItems(next);
    if (sent(clean)) commit(clean);
  };
  return (
    <div className="list-editor" data-field={field.path.join(".")}>
      {items.map((t, i) => (
        <div className="list-row" key={i} data-testid="list-item">
          <input
            value={t}
            aria-label={`${field.label} ${i + 1}`}
            placeholder={field.placeholder ?? undefined}
            onChange={(e) => setItems(items.map((x, j) => (j === i ? e.target.value : x)))}
            onBlur={() => send(items)}
            onKeyDown={(e) => e.key === "Enter" && send(items)}
          />
          <button type="button" title="Remove" onClick={() => send(items.filter((_, j) => j !== i))} data-testid="list-remove">×</button>
        </div>
      ))}
      <button type="button" className="add" onClick={() => add("")} data-testid="list-add">+ Add</button>
    </div>
  );
}

/** Sim's table (an API block's headers and params): rows of cells. */
function TableInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const columns = (field.columns ?? []).map((c) => c.key);
  const stored = useMemo(() => listOf(field.value), [field.value]);
  const [rows, setRows, add, sent] = useDraft<Obj>(stored);
  const send = (next: Obj[]) => {
    setRows(next);
    if (sent(next)) commit(next as JsonValue);
  };
  return (
    <div className="table-editor" data-field={field.path.join(".")}>
      <table>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={String(row.id ?? i)} data-testid="table-row">
              {columns.map((c) => (
                <td key={c}>
                  <input
                    value={cellText(row, c)}
                    aria-label={`${field.label} ${c} ${i + 1}`}
                    data-column={c}
                    onChange={(e) => setRows(rows.map((r, j) => (j === i ? withCell(r, c, e.target.value) : r)))}
                    onBlur={() => send(rows)}
                  />
                </td>
              ))}
              <td>
                <button type="button" title="Remove row" onClick={() => send(rows.filter((_, j) => j !== i))}>×</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="add" onClick={() => add(newTableRow(columns))} data-testid="table-add">+ Row</button>
    </div>
  );
}

/** A list of objects edited by columns (guidelines, context variables, tools, input format). */
function RowsInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const stored = useMemo(() => listOf(field.value), [field.value]);
  const [rows, setRows, add, sent] = useDraft<Obj>(stored);
  const send = (next: Obj[]) => {
    setRows(next);
    if (sent(next)) commit(next as JsonValue);
  };
  const columns = field.columns ?? [];
  return (
    <div className="rows-editor" data-field={field.path.join(".")}>
      {rows.map((row, i) => (
        <div className="row-card" key={i} data-testid="row">
          {columns.map((c) => (
            <label key={c.key} className="row-cell">
              <span>{c.label}</span>
              {c.kind === "select" ? (
                <select
                  value={rowText(row, c.key)}
                  data-column={c.key}
                  onChange={(e) => {
                    const next = rows.map((r, j) => (j === i ? withValue(r, c.key, e.target.value, c.kind) : r));
                    setRows(next);
                    send(next);
                  }}
                >
                  {!c.options?.some((o) => o.id === rowText(row, c.key)) && <option value={rowText(row, c.key)}>{rowText(row, c.key) || "(none)"}</option>}
                  {(c.options ?? []).map((o) => (
                    <option key={o.id} value={o.id}>{o.label}</option>
                  ))}
                </select>
              ) : c.kind === "long_text" ? (
                <textarea
                  rows={2}
                  value={rowText(row, c.key)}
                  data-column={c.key}
                  onChange={(e) => setRows(rows.map((r, j) => (j === i ? withValue(r, c.key, e.target.value, c.kind) : r)))}
                  onBlur={() => send(rows)}
                />
              ) : (
                <input
                  value={rowText(row, c.key)}
                  data-column={c.key}
                  onChange={(e) => setRows(rows.map((r, j) => (j === i ? withValue(r, c.key, e.target.value, c.kind) : r)))}
                  onBlur={() => send(rows)}
                  onKeyDown={(e) => e.key === "Enter" && send(rows)}
                />
              )}
            </label>
          ))}
          <div className="row-actions">
            <button type="button" title="Move up" disabled={i === 0} onClick={() => send(moveItem(rows, i, -1))}>↑</button>
            <button type="button" title="Move down" disabled={i === rows.length - 1} onClick={() => send(moveItem(rows, i, 1))}>↓</button>
            <button type="button" title="Remove" onClick={() => send(rows.filter((_, j) => j !== i))} data-testid="row-remove">Remove</button>
          </div>
        </div>
      ))}
      <button type="button" className="add" onClick={() => add(newRow(field))} data-testid="rows-add">+ Add</button>
    </div>
  );
}

function MessagesInput({ field, commit }: { field: InspectorField; commit: Commit }) {
  const stored = useMemo(() => messagesOf(field.value), [field.value]);
  const [items, setItems, add, sent] = useDraft(stored);
  const send = (next: typeof items) => {
    setItems(next);
    if (sent(next)) commit(next as unknown as JsonValue);
  };
  return (
    <div className="messages-editor" data-field={field.path.join(".")}>
      {items.map((m, i) => (
        <div className="message" key={i} data-testid="message">
          <div className="message-head">
            <select
              value={m.role}
              aria-label={`role of message ${i + 1}`}
              data-testid="message-role"
              onChange={(e) => {
                const next = items.map((x, j) => (j === i ? { ...x, role: e.target.value } : x));
                setItems(next);
                send(next);
              }}
            >
              {MESSAGE_ROLES.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
            <button type="button" title="Remove message" onClick={() => send(items.filter((_, j) => j !== i))}>×</button>
          </div>
          <textarea
            rows={3}
            value={m.content}
            aria-label={`message ${i + 1}`}
            data-testid="message-content"
            onChange={(e) => setItems(items.map((x, j) => (j === i ? { ...x, content: e.target.value } : x)))}
            onBlur={() => send(items)}
          />
        </div>
      ))}
      <button type="button" className="add" onClick={() => add({ role: items.length ? "user" : "system", content: "" })} data-testid="message-add">+ Message</button>
    </div>
  );
}

/** The edges leaving from a branch's or route's handle (removed with it, as Sim does). */
function edgesFrom(ctx: Ctx, handle: string): Edit[] {
  const ids = ctx.edges.filter((e) => e.source === ctx.target && e.source_handle === handle).map((e) => e.id);
  return ids.length ? [{ op: "delete", node_ids: [], edge_ids: ids }] : [];
}

/** A Condition block's branches: an expression each; add, remove and reorder `else if`s. */
function BranchesInput({ field, commit, ctx }: { field: InspectorField; commit: Commit; ctx: Ctx }) {
  const list = useMemo(() => listOf(field.value), [field.value]);
  const send = (next: Obj[], extra: Edit[] = []) => commit(encodeList(field, titled(next) as JsonValue[]), extra);
  return (
    <div className="branches-editor" data-field={field.path.join(".")}>
      {list.map((b, i) => {
        const isElse = i === list.length - 1 && list.length > 1;
        return (
          <div className="branch" key={String(b.id)} data-testid="branch" data-title={String(b.title)} data-id={String(b.id)}>
            <div className="branch-head">
              <span className="branch-title">{String(b.title)}</span>
              <span className="spacer" />
              <button type="button" title="Move up" disabled={!canMoveBranch(list, i, -1)} onClick={() => send(moveItem(list, i, -1))} data-testid="branch-up">↑</button>
              <button type="button" title="Move down" disabled={!canMoveBranch(list, i, 1)} onClick={() => send(moveItem(list, i, 1))} data-testid="branch-down">↓</button>
              <button type="button" title="Remove branch" disabled={!canRemoveBranch(list, i)} onClick={() => send(list.filter((_, j) => j !== i), edgesFrom(ctx, `condition-${b.id}`))} data-testid="branch-remove">×</button>
            </div>
            {isElse ? (
              <div className="muted small">Taken when no branch above holds.</div>
            ) : (
              <CodeEditor
                compact
                value={String(b.value ?? "")}
                diagnostics={field.diagnostics.filter((d) => d.message.includes(String(b.id)))}
                references={ctx.references}
                label={`${String(b.title)} condition`}
                placeholder="<agent.content>.includes('refund')"
                testId="branch-code"
                onCommit={(text) => send(list.map((x, j) => (j === i ? { ...x, value: text } : x)))}
              />
            )}
          </div>
        );
      })}
      <button type="button" className="add" onClick={() => send(addBranch(list, ctx.target, Date.now()))} data-testid="branch-add">+ else if</button>
    </div>
  );
}

/** A router's routes: a title and a description of when each is taken. */
function RoutesInput({ field, commit, ctx }: { field: InspectorField; commit: Commit; ctx: Ctx }) {
  const stored = useMemo(() => listOf(field.value), [field.value]);
  const [list, setList, , sent] = useDraft<Obj>(stored);
  const send = (next: Obj[], extra: Edit[] = []) => {
    setList(next);
    if (sent(next)) commit(encodeList(field, next as JsonValue[]), extra);
  };
  return (
    <div className="routes-editor" data-field={field.path.join(".")}>
      {list.map((r, i) => (
        <div className="branch" key={String(r.id)} data-testid="route">
          <div className="branch-head">
            <input
              value={String(r.title ?? "")}
              aria-label={`route ${i + 1} title`}
              data-testid="route-title"
              onChange={(e) => setList(list.map((x, j) => (j === i ? { ...x, title: e.target.value } : x)))}
              onBlur={() => send(list)}
            />
            <button type="button" title="Move up" disabled={i === 0} onClick={() => send(moveItem(list, i, -1))}>↑</button>
            <button type="button" title="Move down" disabled={i === list.length - 1} onClick={() => send(moveItem(list, i, 1))}>↓</button>
            <button type="button" title="Remove route" disabled={list.length <= 1} onClick={() => send(list.filter((_, j) => j !== i), edgesFrom(ctx, `router-${r.id}`))} data-testid="route-remove">×</button>
          </div>
          <textarea
            rows={2}
            value={String(r.value ?? "")}
            placeholder="When the request is about …"
            aria-label={`route ${i + 1} description`}
            data-testid="route-value"
            onChange={(e) => setList(list.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
            onBlur={() => send(list)}
          />
        </div>
      ))}
      <button type="button" className="add" onClick={() => send(addRoute(list, ctx.target, Date.now()))} data-testid="route-add">+ Route</button>
    </div>
  );
}

function FieldEditor({ field, ctx, onEdits }: { field: InspectorField; ctx: Ctx; onEdits: (e: Edit[]) => void }) {
  const commit: Commit = useCallback(
    (value, extra = []) => onEdits([{ op: "set_field", target: ctx.target, path: field.path, value }, ...extra]),
    [onEdits, ctx.target, field.path],
  );
  let control;
  switch (field.kind) {
    case "bool":
      control = <SwitchInput field={field} commit={commit} />;
      break;
    case "select":
      control = <SelectInput field={field} commit={commit} />;
      break;
    case "slider":
      control = <SliderInput field={field} commit={commit} />;
      break;
    case "number":
      control = <TextInput field={field} commit={commit} type="number" />;
      break;
    case "text":
    case "combobox":
      control = <TextInput field={field} commit={commit} />;
      break;
    case "long_text":
    case "json":
      control = <TextInput field={field} commit={commit} multiline />;
      break;
    case "code":
      control = (
        <CodeEditor
          value={typeof field.value === "string" ? field.value : ""}
          language={field.language ?? "javascript"}
          diagnostics={field.diagnostics}
          references={ctx.references}
          label={field.label}
          placeholder={field.placeholder ?? undefined}
          onCommit={(text) => commit(text === "" && field.optional ? null : text)}
        />
      );
      break;
    case "text_list":
      control = <TextListInput field={field} commit={commit} />;
      break;
    case "table":
      control = <TableInput field={field} commit={commit} />;
      break;
    case "rows":
      control = <RowsInput field={field} commit={commit} />;
      break;
    case "messages":
      control = <MessagesInput field={field} commit={commit} />;
      break;
    case "branches":
      control = <BranchesInput field={field} commit={commit} ctx={ctx} />;
      break;
    case "routes":
      control = <RoutesInput field={field} commit={commit} ctx={ctx} />;
      break;
    case "read_only":
      control = <div className="read-only">{plainText(typeof field.value === "string" ? field.value : fieldText(field))}</div>;
      break;
  }
  const key = field.path.join(".");
  const hasProblem = field.diagnostics.some((d) => d.severity !== "info");
  return (
    <div className={`field field-${field.kind}${hasProblem ? " has-problem" : ""}`} data-field-wrap={key} data-kind={field.kind}>
      {field.kind !== "bool" && (
        <span className="field-label">
          {field.label}
          {field.required && <span className="required" title="required"> *</span>}
          {field.sim_type && field.kind === "json" && <small className="muted"> {field.sim_type}</small>}
        </span>
      )}
      {control}
      {field.problem && <small className="muted" data-testid="raw-json-reason">{field.problem}</small>}
      {field.help && field.kind !== "read_only" && <small className="muted help">{field.help}</small>}
      <FieldProblems diagnostics={field.diagnostics} />
    </div>
  );
}

/** An empty field the inspector has no form for (tools, files): tucked under "More fields". */
function tucked(f: InspectorField): boolean {
  const empty = f.value === null || (Array.isArray(f.value) && f.value.length === 0) || f.value === "";
  return f.kind === "json" && empty && !f.required && !f.problem && f.diagnostics.length === 0;
}

/** What the inspector shows for `target` in the open session, asked again after every change. */
export const Inspector = memo(function Inspector({
  session,
  target,
  version,
  edges,
  onEdits,
  onFocus,
}: {
  session: string;
  target: string | null;
  /** The document's version: a change may have changed the fields. */
  version: number;
  edges: ViewEdge[];
  onEdits: (e: Edit[]) => void;
  onFocus?: (id: string) => void;
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
  const references = useCallback(
    () => (target ? call("references", { session, block: target }).then((r) => r.references as Reference[]) : Promise.resolve([])),
    [session, target],
  );
  const ctx = useMemo(() => ({ target: target ?? "", session, edges, references }), [target, session, edges, references]);
  if (!target) return <p className="muted">Select a step or a transition to edit it.</p>;
  if (error) return <p className="muted">{error}</p>;
  if (!view || view.target !== target) return null;
  return (
    <div className="inspector" data-testid="inspector" data-what={view.what} data-target={view.target}>
      <header className="inspector-head">
        <TypeIcon icon={view.icon ?? undefined} kind={view.what === "journey" ? "root" : view.type_name ?? view.what} color={view.color ?? undefined} />
        <div>
          <div className="inspector-type">{view.type_name ?? view.what}</div>
          <h3 data-testid="inspector-title">{view.title || view.target}</h3>
        </div>
      </header>
      {view.problems.length > 0 && (
        <ul className="field-problems element-problems">
          {view.problems.map((d) => (
            <li key={d.id} className={`sev-${d.severity}`} data-testid="element-problem" data-code={d.code}>
              <b>{d.code}</b> {d.message}
              {onFocus && d.node_ids.find((id) => id !== target) && (
                <button type="button" className="link" onClick={() => onFocus(d.node_ids.find((id) => id !== target) ?? "")}>show</button>
              )}
            </li>
          ))}
        </ul>
      )}
      {view.fields.length === 0 && <p className="muted">Nothing to edit here.</p>}
      {view.fields.filter((f) => !tucked(f)).map((f) => (
        <FieldEditor key={`${view.target}:${f.path.join(".")}`} field={f} ctx={ctx} onEdits={onEdits} />
      ))}
      {view.fields.some(tucked) && (
        <details className="more-fields" data-testid="more-fields">
          <summary>More fields, edited as JSON: {view.fields.filter(tucked).map((f) => f.label).join(", ")}</summary>
          {view.fields.filter(tucked).map((f) => (
            <FieldEditor key={`${view.target}:${f.path.join(".")}`} field={f} ctx={ctx} onEdits={onEdits} />
          ))}
        </details>
      )}
    </div>
  );
});
