import { useEffect, useRef, useState } from "react";
import { call } from "../api/client";
import type { CanvasView, JsonValue, SimEvent, SimState } from "../api/types";
import { chatLines } from "../lib/chat";

/**
 * The chat preview of the open journey. The conversation lives in the core (`sim`); a turn sends
 * only the customer's message. Mount it with `key={session}` so another document starts afresh.
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
  const [log, setLog] = useState<SimEvent[]>([]);
  const [msg, setMsg] = useState("");
  const [mocks, setMocks] = useState("{}");
  const [error, setError] = useState<string | null>(null);
  const [scenario, setScenario] = useState("");
  const simRef = useRef<string | null>(null);
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

  const run = async (f: () => Promise<SimState>, append: boolean) => {
    setError(null);
    try {
      const s = await f();
      setState(s);
      const events = s.events;
      setLog((l) => (append ? [...l, ...events] : events));
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
    }, false);

  const outgoing = view && state?.active_node ? view.edges.filter((e) => e.source === state.active_node) : [];

  return (
    <div className="chat" data-testid="chat">
      <div className="chat-controls">
        <button onClick={start} data-testid="chat-start">{state ? "Restart" : "Start"}</button>
        <button disabled={!state} onClick={() => state && run(() => call("sim_back", { sim: state.sim }), false)} data-testid="chat-back">Back</button>
        <button disabled={!state} onClick={() => state && run(() => call("sim_restart", { sim: state.sim }), false)}>Reset</button>
      </div>
      <details>
        <summary>Tool mocks</summary>
        <textarea value={mocks} onChange={(e) => setMocks(e.target.value)} rows={5} data-testid="chat-mocks" />
      </details>
      <div className="chat-log" data-testid="chat-log">
        {chatLines(log).map((l, i) => (
          <div key={i} className={`bubble bubble-${l.who}`}>{l.text}</div>
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
          run(() => call("sim_send", { sim: state.sim, message: m }), true);
        }}
      >
        <input value={msg} onChange={(e) => setMsg(e.target.value)} placeholder={state ? "Say something as the customer" : "Start the preview first"} disabled={!state} data-testid="chat-input" />
        <button type="submit" disabled={!state}>Send</button>
      </form>
      {outgoing.length > 0 && (
        <div className="force">
          <span>Force a branch:</span>
          {outgoing.map((e) => (
            <button key={e.id} onClick={() => state && run(() => call("sim_choose", { sim: state.sim, edge_id: e.id }), true)} data-testid="chat-force">
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
          {(
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
          )}
        </div>
      )}
    </div>
  );
}
