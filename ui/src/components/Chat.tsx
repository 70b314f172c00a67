import { useEffect, useRef, useState } from "react";
import { call } from "../api/client";
import type { CanvasView, JsonValue, SimCandidate, SimEvent, SimState } from "../api/types";
import { PACE_LABELS, candidateRows, ruleSource, turnSummary, type Turn } from "../lib/chat";

/**
 * The chat preview of the open journey. The conversation lives in the core (`sim`); a turn sends
 * only the customer's message. Each turn shows what was said, the transitions the matcher scored
 * (best first, the winner marked, why it won) and Parlant's pacing decision (stayed, skipped, went
 * back, exited, resumed...). The matcher and threshold come from the settings (`preview`).
 * Mount it with `key={session}` so another document starts afresh.
 */
export function Chat({
  session,
  view,
  onActive,
}: {
  /** The editor session of the journey previewed. */
  session: string;
  view: CanvasView | null;
  onActive: (id: string | null) => void;
}) {
  const [state, setState] = useState<SimState | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [msg, setMsg] = useState("");
  const [mocks, setMocks] = useState("{}");
  const [error, setError] = useState<string | null>(null);
  const [scenario, setScenario] = useState("");
  const simRef = useRef<string | null>(null);
  const logRef = useRef<HTMLDivElement | null>(null);
  simRef.current = state?.sim ?? null;
  // Leaving (another document, another tab): the core forgets the conversation, the canvas its
  // active step.
  useEffect(
    () => () => {
      if (simRef.current) void call("sim_stop", { sim: simRef.current }).catch(() => undefined);
      onActive(null);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );
  // The newest turn in view.
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [turns]);

  /** `mode`: a new conversation, one more turn, or the last turn undone. */
  const run = async (f: () => Promise<SimState>, mode: "reset" | "append" | "back") => {
    setError(null);
    try {
      const s = await f();
      setState(s);
      const events = s.events;
      setTurns((t) => (mode === "reset" ? [events] : mode === "append" ? [...t, events] : t.length > 1 ? t.slice(0, -1) : t));
      onActive(s.active_node ?? null);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const start = () =>
    run(async () => {
      let m: JsonValue | undefined = undefined;
      if (mocks.trim() && mocks.trim() !== "{}") m = JSON.parse(mocks);
      if (state) await call("sim_stop", { sim: state.sim }).catch(() => undefined);
      return call("sim_start", { session, mocks: m });
    }, "reset");

  const outgoing = view && state?.active_node ? view.edges.filter((e) => e.source === state.active_node) : [];
  const threshold = state?.options.threshold ?? 0.5;

  return (
    <div className="chat" data-testid="chat">
      <div className="chat-controls">
        <button onClick={start} data-testid="chat-start">{state ? "Restart" : "Start"}</button>
        <button disabled={!state} onClick={() => state && run(() => call("sim_back", { sim: state.sim }), "back")} data-testid="chat-back">Back</button>
        <button disabled={!state} onClick={() => state && run(() => call("sim_restart", { sim: state.sim }), "reset")}>Reset</button>
      </div>
      {state && <MatcherNotice state={state} />}
      <details>
        <summary>Tool mocks</summary>
        <textarea value={mocks} onChange={(e) => setMocks(e.target.value)} rows={5} data-testid="chat-mocks" />
      </details>
      <div className="chat-log" data-testid="chat-log" ref={logRef}>
        {turns.map((turn, i) => (
          <TurnView key={i} turn={turn} threshold={threshold} />
        ))}
      </div>
      {error && <div className="inline-error">{error}</div>}
      <form
        className="chat-input"
        onSubmit={(e) => {
          e.preventDefault();
          if (!state || !msg.trim()) return;
          const m = msg;
          setMsg("");
          run(() => call("sim_send", { sim: state.sim, message: m }), "append");
        }}
      >
        <input value={msg} onChange={(e) => setMsg(e.target.value)} placeholder={state ? "Say something as the customer" : "Start the preview first"} disabled={!state} data-testid="chat-input" />
        <button type="submit" disabled={!state}>Send</button>
      </form>
      {outgoing.length > 0 && (
        <div className="force">
          <span>Force a branch:</span>
          {outgoing.map((e) => (
            <button key={e.id} onClick={() => state && run(() => call("sim_choose", { sim: state.sim, edge_id: e.id }), "append")} data-testid="chat-force">
              {e.label || `→ ${e.target}`}
            </button>
          ))}
        </div>
      )}
      {state?.ended && <div className="muted" data-testid="chat-ended">The journey ended.</div>}
      {state && (
        <div className="variables" data-testid="chat-variables">
          <h4>Active: <code data-testid="chat-active">{state.active_node ?? "—"}</code></h4>
          <table>
            <tbody>
              {Object.entries(state.variables ?? {}).map(([k, v]) => (
                <tr key={k}>
                  <td>{k}</td>
                  <td><code>{JSON.stringify(v)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
          <form
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                await call("sim_save_scenario", { sim: state.sim, name: scenario || "scenario" });
                setScenario("");
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            <input value={scenario} onChange={(e) => setScenario(e.target.value)} placeholder="Scenario name" />
            <button type="submit">Save as scenario</button>
          </form>
        </div>
      )}
    </div>
  );
}

/** Which matcher understands the customer; without the model, a notice that says why. */
function MatcherNotice({ state }: { state: SimState }) {
  const o = state.options;
  const settings = `threshold ${o.threshold.toFixed(2)}${o.parlant_pace ? ", Parlant's pace" : ", plain state machine"} (Settings → Chat preview)`;
  if (state.matcher === "keywords") {
    return (
      <div className="notice" role="status" data-testid="chat-matcher" data-matcher="keywords">
        <strong>Keyword matcher only:</strong> customers' paraphrases of a condition will often not match. Why: {state.matcher_detail.replace(/^keywords( only)?: /, "")}.
        <div>{settings}</div>
      </div>
    );
  }
  return (
    <div className="muted chat-matcher" data-testid="chat-matcher" data-matcher="paraphrase" title={state.matcher_detail}>
      Paraphrase matcher (sentence embeddings with keywords) · {settings}
    </div>
  );
}

function TurnView({ turn, threshold }: { turn: Turn; threshold: number }) {
  const summary = turnSummary(turn);
  return (
    <section className="turn" data-testid="chat-turn">
      {turn.map((e, i) => (
        <EventView key={i} event={e} threshold={threshold} />
      ))}
      {summary && (
        <div className="turn-summary" data-testid="chat-turn-summary">
          {summary}
        </div>
      )}
    </section>
  );
}

function EventView({ event: e, threshold }: { event: SimEvent; threshold: number }) {
  switch (e.type) {
    case "customer_message":
      return <div className="bubble bubble-customer">{e.text}</div>;
    case "agent_message":
      return <div className="bubble bubble-agent">{e.text}</div>;
    case "tool_call":
      return (
        <div className="bubble bubble-tool">
          {e.tool} → {e.error ? `failed: ${e.error}` : e.mocked ? summariseValue(e.output) : "no mock, so no output (add one under Tool mocks)"}
        </div>
      );
    case "transition":
      return (
        <div className="decision" data-testid="chat-decision" data-edge={e.edge} data-forced={e.forced}>
          <div className="decision-head">
            {e.forced ? "Forced" : "Took"} <b>{e.from} → {e.to}</b>
            {e.condition && <> when “{e.condition}”</>}
          </div>
          {!e.forced && e.candidates.length > 0 && <div className="decision-why" data-testid="chat-why">Why: {e.reason}</div>}
          {e.candidates.length > 1 && <Candidates candidates={e.candidates} winner={e.edge} threshold={threshold} />}
        </div>
      );
    case "no_match":
      return (
        <div className="decision decision-none" data-testid="chat-decision" data-edge="">
          <div className="decision-head">
            No transition out of <b>{e.state}</b> reached {threshold.toFixed(2)}
          </div>
          <Candidates candidates={e.candidates} winner={null} threshold={threshold} />
        </div>
      );
    case "pacing":
      return (
        <div className={`pace pace-${e.decision}`} data-testid="chat-pace" data-decision={e.decision}>
          <span className="pace-badge">{PACE_LABELS[e.decision]}</span> <span className="pace-state">at {e.state}</span>: {e.reason}
          <div className="pace-rule" title={e.rule}>
            Parlant 3.3.2: {ruleSource(e.rule)}
          </div>
        </div>
      );
    case "tie":
      return <div className="bubble bubble-system">tie at {e.state} ({e.score.toFixed(2)}): took {e.chosen}, the first in order</div>;
    case "end":
      return <div className="bubble bubble-system">The journey ended.</div>;
    case "matcher":
      return null;
  }
}

function Candidates({ candidates, winner, threshold }: { candidates: SimCandidate[]; winner: string | null; threshold: number }) {
  const rows = candidateRows(candidates, winner, threshold);
  if (!rows.length) return null;
  return (
    <ol className="candidates" data-testid="chat-candidates">
      {rows.map((c) => (
        <li key={c.edge} className={c.winner ? "winner" : ""} data-testid="chat-candidate" data-edge={c.edge} data-winner={c.winner} data-score={c.score}>
          <span className="score-bar" aria-hidden>
            <span className={c.passes ? "fill pass" : "fill"} style={{ width: `${Math.round(c.score * 100)}%` }} />
            <span className="mark" style={{ left: `${Math.round(threshold * 100)}%` }} />
          </span>
          <span className="score">{c.score.toFixed(2)}</span>
          <span className="cand-text">
            {c.winner && <b>✓ </b>}“{c.condition}” → {c.target}
            <small>{c.parts}</small>
          </span>
        </li>
      ))}
    </ol>
  );
}

function summariseValue(v: JsonValue | undefined): string {
  const text = JSON.stringify(v ?? null);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
