// The Scenarios panel: the open document's golden conversations (saved from the Chat tab), run
// one or all on the document as it is now with pass/fail badges and the first failed
// expectation, and their expectations edited in a typed form. Running and judging is the core's
// (`app::scenarios`, shared with `journey-studio simulate --all`); this only shows and asks.
import { useCallback, useEffect, useState } from "react";
import { call } from "../api/client";
import type { Commands } from "../api/generated/commands";
import type { CanvasView, JsonValue } from "../api/types";

type Summary = Commands["scenarios_list"]["result"]["scenarios"][number];
type Expectations = Summary["expect"];
type CaseOutcome = Commands["scenarios_run"]["result"]["cases"][number];

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A list of texts edited as rows (add, remove, reorder by editing). */
function TextList({
  label,
  help,
  values,
  onChange,
  options,
  testid,
}: {
  label: string;
  help: string;
  values: string[];
  onChange: (v: string[]) => void;
  options?: string[];
  testid: string;
}) {
  const listId = options ? `${testid}-options` : undefined;
  return (
    <div className="field" data-testid={testid}>
      <span className="field-label">{label}</span>
      <span className="help muted">{help}</span>
      <div className="list-editor">
        {values.map((v, i) => (
          <div className="list-row" key={i}>
            <input
              value={v}
              list={listId}
              onChange={(e) => onChange(values.map((x, j) => (j === i ? e.target.value : x)))}
              data-testid={`${testid}-item`}
            />
            <button type="button" title="Remove" onClick={() => onChange(values.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" onClick={() => onChange([...values, ""])} data-testid={`${testid}-add`}>
          + Add
        </button>
      </div>
      {options && (
        <datalist id={listId}>
          {options.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
      )}
    </div>
  );
}

/** A variable's expected value: written as it reads (numbers, true/false, text). */
function showValue(v: JsonValue | undefined): string {
  return typeof v === "string" ? v : JSON.stringify(v ?? null);
}
function readValue(text: string): JsonValue {
  const t = text.trim();
  if (t === "") return "";
  try {
    return JSON.parse(t) as JsonValue;
  } catch {
    return text;
  }
}

function ExpectationsForm({
  initial,
  states,
  onSave,
  onCancel,
}: {
  initial: Expectations;
  states: string[];
  onSave: (e: Expectations) => Promise<void>;
  onCancel: () => void;
}) {
  const [e, setE] = useState<Expectations>(initial);
  const [vars, setVars] = useState<[string, string][]>(Object.entries(initial.variables ?? {}).map(([k, v]) => [k, showValue(v)]));
  const [error, setError] = useState<string | null>(null);
  const clean = (xs: string[] | undefined) => (xs ?? []).map((x) => x.trim()).filter((x) => x !== "");
  const submit = async (ev: React.FormEvent) => {
    ev.preventDefault();
    setError(null);
    const variables: Record<string, JsonValue> = {};
    for (const [k, v] of vars) if (k.trim()) variables[k.trim()] = readValue(v);
    const path = clean(e.path ?? undefined);
    const out: Expectations = {
      ...e,
      path: e.path == null ? undefined : path,
      path_includes: clean(e.path_includes),
      path_excludes: clean(e.path_excludes),
      messages_contain: clean(e.messages_contain),
      variables,
      final_state: e.final_state?.trim() ? e.final_state.trim() : undefined,
    };
    try {
      await onSave(out);
    } catch (err) {
      setError(message(err));
    }
  };
  return (
    <form className="form expectations-form" onSubmit={submit} data-testid="expectations-form">
      <label className="field">
        <span className="field-label">
          <input type="checkbox" checked={e.path != null} onChange={(x) => setE({ ...e, path: x.target.checked ? (e.path ?? []) : undefined })} data-testid="expect-path-on" /> Exact path
        </span>
      </label>
      {e.path != null && (
        <TextList label="Path" help="The states visited, in order." values={e.path ?? []} onChange={(path) => setE({ ...e, path })} options={states} testid="expect-path" />
      )}
      <TextList label="Visits (in order)" help="States that must be visited in this order; others may come between." values={e.path_includes ?? []} onChange={(path_includes) => setE({ ...e, path_includes })} options={states} testid="expect-includes" />
      <TextList label="Never visits" help="States that must not be visited." values={e.path_excludes ?? []} onChange={(path_excludes) => setE({ ...e, path_excludes })} options={states} testid="expect-excludes" />
      <TextList label="Agent says" help="Texts some agent message must contain (any case)." values={e.messages_contain ?? []} onChange={(messages_contain) => setE({ ...e, messages_contain })} testid="expect-messages" />
      <label className="field">
        <span className="field-label">Final state</span>
        <select value={e.final_state ?? ""} onChange={(x) => setE({ ...e, final_state: x.target.value || undefined })} data-testid="expect-final-state">
          <option value="">(any)</option>
          {[...new Set([...states, "end", ...(e.final_state ? [e.final_state] : [])])].map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <div className="field" data-testid="expect-variables">
        <span className="field-label">Variables</span>
        <span className="help muted">Final values: text, a number, true/false.</span>
        {vars.map(([k, v], i) => (
          <div className="list-row" key={i}>
            <input value={k} placeholder="name" onChange={(x) => setVars(vars.map((p, j) => (j === i ? [x.target.value, p[1]] : p)))} />
            <input value={v} placeholder="value" onChange={(x) => setVars(vars.map((p, j) => (j === i ? [p[0], x.target.value] : p)))} />
            <button type="button" title="Remove" onClick={() => setVars(vars.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setVars([...vars, ["", ""]])}>
          + Add
        </button>
      </div>
      {error && <div className="inline-error">{error}</div>}
      <div className="row">
        <button type="submit" data-testid="expect-save">Save expectations</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

function Badge({ outcome }: { outcome: CaseOutcome | undefined }) {
  if (!outcome) return <span className="scenario-badge scenario-badge-none" data-testid="scenario-badge" data-result="none">not run</span>;
  return (
    <span className={`scenario-badge ${outcome.passed ? "scenario-badge-pass" : "scenario-badge-fail"}`} data-testid="scenario-badge" data-result={outcome.passed ? "pass" : "fail"}>
      {outcome.passed ? "PASS" : "FAIL"}
    </span>
  );
}

export function Scenarios({ session, view }: { session: string; view: CanvasView | null }) {
  const [list, setList] = useState<Summary[]>([]);
  const [document, setDocument] = useState("");
  const [results, setResults] = useState<Record<string, CaseOutcome>>({});
  const [editing, setEditing] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const states = (view?.nodes ?? []).map((n) => n.id);

  const load = useCallback(async () => {
    try {
      const l = await call("scenarios_list", { session });
      setList(l.scenarios);
      setDocument(l.document);
    } catch (e) {
      setError(message(e));
    }
  }, [session]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (name?: string) => {
    setBusy(true);
    setError(null);
    try {
      const suite = await call("scenarios_run", { session, name });
      setResults((r) => {
        const next = name ? { ...r } : {};
        for (const c of suite.cases) next[c.name] = c;
        return next;
      });
    } catch (e) {
      setError(message(e));
    }
    setBusy(false);
  };

  const ran = list.filter((s) => results[s.name]);
  const failed = ran.filter((s) => !results[s.name].passed).length;

  return (
    <div className="scenarios" data-testid="scenarios">
      <div className="row">
        <button onClick={() => run()} disabled={busy || list.length === 0} data-testid="scenarios-run-all">
          {busy ? "Running…" : "Run all"}
        </button>
        <button onClick={() => void load()} data-testid="scenarios-refresh">Refresh</button>
        {ran.length > 0 && (
          <span className={failed ? "inline-error" : "ok"} data-testid="scenarios-summary">
            {ran.length - failed} passed, {failed} failed
          </span>
        )}
      </div>
      {list.length === 0 && <p className="muted">No scenarios for {document || "this document"} yet: play a conversation in the Chat tab and save it as a scenario.</p>}
      {error && <div className="inline-error">{error}</div>}
      <ul className="scenario-list">
        {list.map((s) => {
          const r = results[s.name];
          return (
            <li key={s.id} className="scenario" data-testid="scenario" data-name={s.name}>
              <div className="scenario-head">
                <Badge outcome={r} />
                <b>{s.name}</b>
                <span className="scenario-actions">
                  <button onClick={() => run(s.name)} disabled={busy} data-testid="scenario-run">Run</button>
                  <button onClick={() => setEditing(editing === s.name ? null : s.name)} data-testid="scenario-edit">Edit</button>
                  <button
                    onClick={async () => {
                      await call("scenario_delete", { session, name: s.name }).catch((e) => setError(message(e)));
                      await load();
                    }}
                  >
                    Delete
                  </button>
                </span>
              </div>
              {s.problem && <div className="inline-error">{s.problem}</div>}
              {r && !r.passed && (
                <div className="scenario-failure" data-testid="scenario-first-failure">
                  {r.failures[0]}
                  {r.failures.length > 1 && <span className="muted"> (+{r.failures.length - 1} more)</span>}
                </div>
              )}
              <details>
                <summary>{s.turns.length} turn(s)</summary>
                <ol className="scenario-turns">
                  {s.turns.map((t, i) => (
                    <li key={i}>{t}</li>
                  ))}
                </ol>
              </details>
              {editing === s.name && (
                <ExpectationsForm
                  initial={s.expect}
                  states={states}
                  onCancel={() => setEditing(null)}
                  onSave={async (expect) => {
                    await call("scenario_set_expectations", { session, name: s.name, expect });
                    setEditing(null);
                    setResults((rs) => {
                      const next = { ...rs };
                      delete next[s.name];
                      return next;
                    });
                    await load();
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
