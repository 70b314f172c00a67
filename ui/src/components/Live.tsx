// The Live panel: chat with the real agent on a Parlant remote, and a Sim remote's workflow run
// as a stream. The core opens the session and long-polls the server's events (`app::live`, the
// service `journey-studio chat` uses); this panel asks for the events after each message and
// shows them as they arrive, with the journey state the core read from them lit on the open
// journey. A streamed run runs on a thread of the core's; the panel long-polls its progress and
// shows each block as its chunks arrive, lit on the open workflow when the run is of it.
import { useEffect, useRef, useState } from "react";
import { call } from "../api/client";
import type { Commands } from "../api/generated/commands";
import type { RemoteSummary } from "../api/types";
import type { RunMarks } from "../api/generated/RunMarks";

type LiveChat = Commands["live_chat_start"]["result"];
type LiveEvent = Commands["live_chat_events"]["result"]["events"][number];
type JourneyState = NonNullable<Commands["live_chat_events"]["result"]["journey_state"]>;
type Progress = Commands["sim_stream_poll"]["result"];

interface SimStreamProps {
  remotes: RemoteSummary[];
  /** The open workflow's editor session: its blocks are lit when the run is of it. */
  session: string | null;
  onMarks: (marks: RunMarks | null) => void;
}

/** Runs a Sim remote's deployed workflow as a stream and shows what each block sent, as it comes. */
function SimStream({ remotes, session, onMarks }: SimStreamProps) {
  const [remote, setRemote] = useState(remotes[0]?.name ?? "");
  const [workflow, setWorkflow] = useState("");
  const [fields, setFields] = useState<[string, string][]>([["", ""]]);
  const [selected, setSelected] = useState("");
  const [run, setRun] = useState<Progress | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const streamRef = useRef<string | null>(null);
  // False once the panel is gone: a poll answering after that is dropped (another document may be open).
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      if (streamRef.current) void call("sim_stream_forget", { stream: streamRef.current }).catch(() => undefined);
    };
  }, []);
  const go = async () => {
    setBusy(true);
    setError(null);
    setRun(null);
    onMarks(null);
    const input: Record<string, string> = {};
    for (const [k, v] of fields) if (k.trim()) input[k.trim()] = v;
    const selected_outputs = selected
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    try {
      if (streamRef.current) await call("sim_stream_forget", { stream: streamRef.current }).catch(() => undefined);
      let p = await call("sim_stream_start", { remote, workflow: workflow.trim(), input, selected_outputs, session: session ?? undefined });
      streamRef.current = p.stream;
      // Each answer comes as soon as the core has read another event of the stream.
      for (;;) {
        setRun(p);
        if (p.marks) onMarks(p.marks);
        if (p.done) break;
        p = await call("sim_stream_poll", { stream: p.stream, seen: p.version, wait_secs: 5 });
        if (!alive.current || streamRef.current !== p.stream) return;
      }
    } catch (e) {
      if (!alive.current) return;
      setError(message(e));
    }
    setBusy(false);
  };
  if (remotes.length === 0) return <p className="muted">No Sim remote yet: add one in the Sync tab.</p>;
  return (
    <div className="form" data-testid="sim-stream">
      <label className="field">
        <span className="field-label">Remote</span>
        <select value={remote} onChange={(e) => setRemote(e.target.value)} data-testid="sim-stream-remote">
          {remotes.map((r) => (
            <option key={r.name} value={r.name}>
              {r.name} ({r.url})
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Workflow</span>
        <span className="help muted">A document pushed to this remote, or a Sim workflow id (its deployed version runs).</span>
        <input value={workflow} onChange={(e) => setWorkflow(e.target.value)} data-testid="sim-stream-workflow" />
      </label>
      <div className="field">
        <span className="field-label">Input</span>
        {fields.map(([k, v], i) => (
          <div className="list-row" key={i}>
            <input value={k} placeholder="field" onChange={(x) => setFields(fields.map((p, j) => (j === i ? [x.target.value, p[1]] : p)))} data-testid="sim-stream-field" />
            <input value={v} placeholder="value" onChange={(x) => setFields(fields.map((p, j) => (j === i ? [p[0], x.target.value] : p)))} data-testid="sim-stream-value" />
          </div>
        ))}
        <button type="button" onClick={() => setFields([...fields, ["", ""]])}>+ Add</button>
      </div>
      <label className="field">
        <span className="field-label">Outputs to stream</span>
        <span className="help muted">Block.path, comma separated (e.g. Greet.result).</span>
        <input value={selected} onChange={(e) => setSelected(e.target.value)} data-testid="sim-stream-selected" />
      </label>
      <div className="row">
        <button onClick={go} disabled={busy || !remote || !workflow.trim()} data-testid="sim-stream-run">{busy ? "Running…" : "Run streamed"}</button>
      </div>
      {error && <div className="inline-error" data-testid="sim-stream-error">{error}</div>}
      {run && (
        <div data-testid="sim-stream-result" data-status={run.run?.status ?? (run.error ? "failed" : "running")}>
          <div className={run.run?.status === "failed" || run.error ? "inline-error" : "ok"}>
            {run.run?.status ?? (run.error ? "failed" : "running…")} · {run.events} event(s){run.run?.run_id ? ` · run ${run.run.run_id}` : ""}
          </div>
          {!run.document && session && <div className="muted small" data-testid="sim-stream-not-lit">The open workflow is not this run&apos;s workflow on {run.remote}: nothing is lit on the canvas.</div>}
          <ul className="scenario-list">
            {run.blocks.map((b) => (
              <li key={b.block_id} className={`scenario stream-block stream-${b.state}`} data-testid="sim-stream-block" data-block={b.name ?? b.block_id} data-state={b.state}>
                <b>{b.name ?? b.block_id}</b>
                <span className="muted small">
                  {" "}
                  {b.state === "streaming" ? "streaming…" : "done"} · +{b.first_ms} ms
                </span>
                {b.chunks.map((c, i) => (
                  <div key={i} className="bubble bubble-agent">{c}</div>
                ))}
              </li>
            ))}
          </ul>
          {run.error && <div className="inline-error">{run.error}</div>}
          {run.run?.error && <div className="inline-error">{run.run.error}</div>}
          {run.run?.output !== undefined && (
            <div className="muted small" data-testid="sim-stream-output">output: {JSON.stringify(run.run.output)}</div>
          )}
        </div>
      )}
    </div>
  );
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** How long one turn may take before the panel stops waiting for the agent. */
const TURN_MS = 60_000;

interface LiveProps {
  /** The open document's editor session and kind. */
  session: string | null;
  kind: "journey" | "workflow" | null;
  /** The journey state to light on the open journey (null: none). */
  onActive: (state: string | null) => void;
  /** A streamed run's blocks to light on the open workflow. */
  onMarks: (marks: RunMarks | null) => void;
  /** The open document's step names by id. */
  names?: Map<string, string>;
}

export function Live({ session, kind, onActive, onMarks, names }: LiveProps) {
  const [remotes, setRemotes] = useState<RemoteSummary[]>([]);
  const [simRemotes, setSimRemotes] = useState<RemoteSummary[] | null>(null);
  const [remote, setRemote] = useState("");
  const [agent, setAgent] = useState("");
  const [chat, setChat] = useState<LiveChat | null>(null);
  const [log, setLog] = useState<LiveEvent[]>([]);
  const [status, setStatus] = useState<string | null>(null);
  const [msg, setMsg] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [journey, setJourney] = useState<JourneyState | null>(null);
  const chatRef = useRef<string | null>(null);
  chatRef.current = chat?.chat ?? null;

  useEffect(() => {
    call("remotes_list", {})
      .then((r) => {
        const parlant = r.remotes.filter((x) => x.kind === "parlant");
        setSimRemotes(r.remotes.filter((x) => x.kind === "sim"));
        setRemotes(parlant);
        if (parlant.length > 0) {
          setRemote(parlant[0].name);
          setAgent(parlant[0].agent ?? "");
        }
      })
      .catch((e) => setError(message(e)));
    return () => {
      if (chatRef.current) void call("live_chat_stop", { chat: chatRef.current }).catch(() => undefined);
    };
  }, []);

  const start = async () => {
    setError(null);
    setBusy(true);
    try {
      if (chat) await call("live_chat_stop", { chat: chat.chat }).catch(() => undefined);
      setChat(await call("live_chat_start", { remote, agent: agent.trim() || undefined, session: kind === "journey" && session ? session : undefined }));
      setLog([]);
      setStatus(null);
      setJourney(null);
      onActive(null);
    } catch (e) {
      setError(message(e));
    }
    setBusy(false);
  };

  const send = async (text: string) => {
    if (!chat) return;
    setError(null);
    setBusy(true);
    try {
      const { offset } = await call("live_chat_send", { chat: chat.chat, message: text });
      setLog((l) => [...l, { offset, kind: "message", source: "customer", text }]);
      // The agent's events stream in: each long poll answers as soon as one exists.
      let from = offset + 1;
      const deadline = Date.now() + TURN_MS;
      for (;;) {
        if (Date.now() > deadline) {
          setStatus(`no answer within ${TURN_MS / 1000} s`);
          break;
        }
        const got = await call("live_chat_events", { chat: chat.chat, from, wait_secs: 5 });
        from = got.next;
        const shown = got.events.filter((e) => e.kind === "message" && e.source !== "customer");
        if (shown.length) setLog((l) => [...l, ...shown]);
        const last = [...got.events].reverse().find((e) => e.status);
        if (last?.status) setStatus(last.status);
        if (got.journey_state) {
          setJourney(got.journey_state);
          onActive(got.journey_state.states[0] ?? null);
        }
        if (got.error) {
          setError(`the agent failed: ${got.error}`);
          break;
        }
        if (got.ready) break;
      }
    } catch (e) {
      setError(message(e));
    }
    setBusy(false);
  };

  return (
    <div className="live" data-testid="live">
      <h3>Chat with a Parlant agent</h3>
      {remotes.length === 0 ? (
        <p className="muted">No Parlant remote yet: add one in the Sync tab.</p>
      ) : (
        <div className="form">
          <label className="field">
            <span className="field-label">Remote</span>
            <select value={remote} onChange={(e) => setRemote(e.target.value)} data-testid="live-remote">
              {remotes.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.name} ({r.url})
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Agent</span>
            <input value={agent} onChange={(e) => setAgent(e.target.value)} placeholder="the remote's agent" data-testid="live-agent" />
          </label>
          <div className="row">
            <button onClick={start} disabled={busy || !remote} data-testid="live-start">
              {chat ? "New session" : "Start session"}
            </button>
          </div>
        </div>
      )}
      {chat && (
        <div className="muted small" data-testid="live-session">
          Session {chat.session} with {chat.agent} on {chat.remote}
          {chat.journey ? ` · following the open journey (${chat.journey})` : ""}
        </div>
      )}
      {chat?.journey_note && <div className="muted small" data-testid="live-journey-note">{chat.journey_note}</div>}
      {journey && (
        <div className={`live-journey${journey.states.length ? "" : " live-journey-none"}`} data-testid="live-journey-state" data-states={journey.states.join(" ")}>
          {journey.document_journey ? (
            <>
              Journey state: <b>{journey.states.length ? journey.states.map((s) => names?.get(s) ?? s).join(", ") : "the journey ended or has no state"}</b>
            </>
          ) : journey.activity.journeys.length ? (
            <>Active journeys: {journey.activity.journeys.join(", ")} (not the open document)</>
          ) : (
            <>No journey is active.</>
          )}
        </div>
      )}
      <div className="chat-log" data-testid="live-log">
        {log.map((e, i) => (
          <div key={i} className={`bubble bubble-${e.source === "customer" ? "customer" : "agent"}`} data-testid={e.source === "customer" ? "live-customer" : "live-agent-message"}>
            {e.text}
          </div>
        ))}
      </div>
      {status && (
        <div className="muted small" data-testid="live-status" data-status={status}>
          Agent: {status}
        </div>
      )}
      {error && <div className="inline-error" data-testid="live-error">{error}</div>}
      <form
        className="chat-input"
        onSubmit={(e) => {
          e.preventDefault();
          if (!msg.trim() || busy) return;
          const m = msg;
          setMsg("");
          void send(m);
        }}
      >
        <input value={msg} onChange={(e) => setMsg(e.target.value)} placeholder={chat ? "Say something as the customer" : "Start a session first"} disabled={!chat} data-testid="live-input" />
        <button type="submit" disabled={!chat || busy}>Send</button>
      </form>
      <h3>Run a Sim workflow, streamed</h3>
      {simRemotes && <SimStream remotes={simRemotes} session={kind === "workflow" ? session : null} onMarks={onMarks} />}
    </div>
  );
}
