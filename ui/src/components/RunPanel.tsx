import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { call } from "../api/client";
import type { JsonValue } from "../api/types";
import type { FormField } from "../api/generated/FormField";
import type { RunMarks } from "../api/generated/RunMarks";
import type { RunView } from "../api/generated/RunView";
import type { StartForm } from "../api/generated/StartForm";
import type { TraceEvent } from "../api/generated/TraceEvent";
import { ParityPanel } from "./ParityPanel";

export type FormValues = Record<string, string | boolean>;

/** What a form control starts with: the field's declared value, as the control shows it. */
export function initialValues(fields: FormField[]): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const d = f.default;
    if (f.type === "boolean") out[f.name] = d === true || d === "true";
    else if (d === undefined || d === null) out[f.name] = "";
    else out[f.name] = typeof d === "string" ? d : JSON.stringify(d);
  }
  return out;
}

/** The values sent to the core: the controls' text and booleans (the core reads them by type). */
export function formInput(fields: FormField[], values: FormValues): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (v === undefined) continue;
    if (typeof v === "string" && v === "" && f.type !== "string") continue;
    out[f.name] = v;
  }
  return out;
}

/** One control per declared field: text, number, a checkbox, a choice, or JSON text for an object or array. */
export function TypedForm({ fields, values, onChange, testId }: { fields: FormField[]; values: FormValues; onChange: (v: FormValues) => void; testId: string }) {
  const set = (name: string, v: string | boolean) => onChange({ ...values, [name]: v });
  return (
    <div className="run-form" data-testid={testId}>
      {fields.map((f) => {
        const label = (
          <>
            {f.label}
            {f.required ? " *" : ""} <small>{f.type}{f.description ? ` · ${f.description}` : ""}</small>
          </>
        );
        const tid = `${testId}-${f.name}`;
        if (f.type === "boolean") {
          return (
            <label key={f.name} className="check">
              <input type="checkbox" checked={values[f.name] === true} onChange={(e) => set(f.name, e.target.checked)} data-testid={tid} />
              {label}
            </label>
          );
        }
        const value = typeof values[f.name] === "string" ? (values[f.name] as string) : "";
        if ((f.options ?? []).length > 0) {
          return (
            <label key={f.name}>
              {label}
              <select value={value} onChange={(e) => set(f.name, e.target.value)} data-testid={tid}>
                <option value="">—</option>
                {(f.options ?? []).map((o) => (
                  <option key={o} value={o}>{o}</option>
                ))}
              </select>
            </label>
          );
        }
        if (f.type === "object" || f.type === "array") {
          return (
            <label key={f.name}>
              {label}
              <textarea rows={2} value={value} placeholder={f.type === "array" ? '["first", "second"]' : '{"key": "value"}'} onChange={(e) => set(f.name, e.target.value)} data-testid={tid} />
            </label>
          );
        }
        return (
          <label key={f.name}>
            {label}
            <input type={f.type === "number" ? "number" : "text"} step="any" value={value} onChange={(e) => set(f.name, e.target.value)} data-testid={tid} />
          </label>
        );
      })}
    </div>
  );
}

function frameText(e: TraceEvent): string {
  return (e.frames ?? []).map((f) => `${f.kind === "parallel" ? "branch" : "iteration"} ${f.index + 1}`).join(" · ");
}

function pretty(v: JsonValue | undefined): string {
  return JSON.stringify(v ?? null, null, 2);
}

/** One block's runs: its inputs (references resolved) and output, per iteration. */
function BlockRuns({ events, name }: { events: TraceEvent[]; name: string }) {
  return (
    <div className="run-block" data-testid="run-block">
      <h3>
        {name} <small className="muted">{events.length === 0 ? "did not run" : `ran ${events.length} time(s)`}</small>
      </h3>
      {events.map((e) => (
        <div key={e.seq}>
          <div className="small">
            <b>#{e.seq + 1}</b> {frameText(e)} <span className={`st-${e.status}`}>{e.status}</span>
            {e.mocked ? " · mocked" : ""}
            {e.note ? ` · ${e.note}` : ""}
          </div>
          {e.error && <div className="inline-error">{e.error}</div>}
          <div className="small muted">input</div>
          <pre className="run-io" data-testid="run-block-input">{pretty(e.inputs)}</pre>
          <div className="small muted">output</div>
          <pre className="run-io" data-testid="run-block-output">{pretty(e.output)}</pre>
        </div>
      ))}
    </div>
  );
}

/**
 * The Run panel of a Sim workflow: the start block's input as a typed form, mocks, a run kept in
 * the core (`run_start`) drawn on the canvas, its log with each block's input and output, the
 * open pauses answered in typed forms (`run_resume`), and parity with the converted journey.
 * Mount it with `key={session}`.
 */
export function RunPanel({
  session,
  selected,
  names,
  onMarks,
  onFocus,
}: {
  session: string;
  /** The block selected on the canvas (its runs are shown). */
  selected: string | null;
  /** Block names by id, for titles. */
  names: Map<string, string>;
  onMarks: (marks: RunMarks | null) => void;
  onFocus: (id: string) => void;
}) {
  const [form, setForm] = useState<StartForm | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [message, setMessage] = useState("");
  const [mocks, setMocks] = useState("");
  const [run, setRun] = useState<RunView | null>(null);
  const [answers, setAnswers] = useState<Record<string, FormValues>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState<string | null>(null);
  const runRef = useRef<string | null>(null);
  runRef.current = run?.run ?? null;

  useEffect(() => {
    call("run_form", { session })
      .then((f) => {
        setForm(f);
        setValues(initialValues(f.fields));
      })
      .catch((e) => setError((e as Error).message));
  }, [session]);

  // Leaving: the core forgets the run, the canvas its marks.
  useEffect(
    () => () => {
      if (runRef.current) void call("run_stop", { run: runRef.current }).catch(() => undefined);
      onMarks(null);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  const input = useCallback((): Record<string, JsonValue> => {
    const fields = form?.fields ?? [];
    const out = formInput(fields, values);
    if (fields.length === 0 && message.trim()) out.input = message;
    return out;
  }, [form, values, message]);

  const shown = (r: RunView) => {
    setRun(r);
    onMarks(r.marks);
    const next: Record<string, FormValues> = {};
    for (const p of r.pauses) next[p.context_id] = initialValues(p.fields);
    setAnswers(next);
  };

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      if (run) await call("run_stop", { run: run.run }).catch(() => undefined);
      const r = await call("run_start", { session, input: input(), mocks: mocks.trim() ? mocks : undefined });
      shown(r);
      setPicked(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const resume = async (pause: string, fields: FormField[]) => {
    if (!run) return;
    setError(null);
    setBusy(true);
    try {
      shown(await call("run_resume", { run: run.run, pause, input: formInput(fields, answers[pause] ?? {}) }));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  // A block picked in the trace, until another is selected on the canvas.
  useEffect(() => setPicked(null), [selected]);
  const block = picked ?? selected;
  const blockEvents = useMemo(() => (run && block ? run.trace.filter((e) => e.block === block) : []), [run, block]);

  return (
    <div className="run-panel" data-testid="run-panel">
      <h3>Input{form?.name ? ` of ${form.name}` : ""}</h3>
      {form && form.fields.length > 0 ? (
        <TypedForm fields={form.fields} values={values} onChange={setValues} testId="run-input" />
      ) : (
        <div className="run-form">
          <label>
            Input <small>the start block declares no fields; this text is the run's `input`</small>
            <input type="text" value={message} onChange={(e) => setMessage(e.target.value)} data-testid="run-input-text" />
          </label>
        </div>
      )}
      <details>
        <summary>Mocks (blocks, tools, routes, env)</summary>
        <textarea value={mocks} onChange={(e) => setMocks(e.target.value)} rows={5} placeholder='{"blocks": {"Agent 1": {"output": {"content": "…"}}}, "routes": {"Router": "Route title"}}' data-testid="run-mocks" />
      </details>
      <div className="chat-controls">
        <button className="primary" onClick={() => void start()} disabled={busy || !form} data-testid="run-start">
          {run ? "Run again" : "Run"}
        </button>
        {run && (
          <button
            onClick={() => {
              void call("run_stop", { run: run.run }).catch(() => undefined);
              setRun(null);
              onMarks(null);
            }}
            data-testid="run-clear"
          >
            Clear
          </button>
        )}
      </div>
      {error && <div className="inline-error" data-testid="run-error">{error}</div>}
      {run && (
        <>
          <div className={`run-status run-status-${run.status}`} data-testid="run-status">
            {run.status}
            {run.error ? `: ${run.error}` : ""}
          </div>
          {run.pauses.map((p) => (
            <form
              key={p.context_id}
              className="run-pause"
              data-testid="run-pause"
              onSubmit={(e) => {
                e.preventDefault();
                void resume(p.context_id, p.fields);
              }}
            >
              <b>{p.name}</b> waits for {p.kind === "human" ? "a human" : "a timer"}
              {p.fields.length > 0 ? (
                <TypedForm fields={p.fields} values={answers[p.context_id] ?? {}} onChange={(v) => setAnswers((a) => ({ ...a, [p.context_id]: v }))} testId="run-answer" />
              ) : (
                <div className="small muted">No fields to fill: resume to go on.</div>
              )}
              <button type="submit" className="primary" disabled={busy} data-testid="run-resume">
                Resume
              </button>
            </form>
          ))}
          <h3>Trace</h3>
          <ol className="run-trace" data-testid="run-trace">
            {run.trace.map((e) => (
              <li key={e.seq} className={block === e.block ? "on" : undefined}>
                <button
                  onClick={() => {
                    setPicked(e.block);
                    onFocus(e.block);
                  }}
                  data-testid="run-trace-item"
                  data-block={e.block}
                >
                  <span className="seq">{e.seq + 1}</span>
                  <span>{e.name}</span>
                  <span className="frames">{frameText(e)}</span>
                  <span className={`st-${e.status}`}>{e.status === "ok" ? "" : e.status}</span>
                </button>
              </li>
            ))}
          </ol>
          {block && <BlockRuns events={blockEvents} name={names.get(block) ?? block} />}
          <h3>Output</h3>
          <pre className="run-io" data-testid="run-output">{pretty(run.output)}</pre>
          {run.warnings.length > 0 && (
            <ul className="small muted">
              {run.warnings.map((w, i) => (
                <li key={i}>{w}</li>
              ))}
            </ul>
          )}
        </>
      )}
      <ParityPanel session={session} input={input} mocks={mocks} />
    </div>
  );
}
