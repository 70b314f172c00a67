// The Sync panel: remotes (add with their options and secrets, connection test, remove), push and
// pull of the open document (validation first, with the problems listed and a deliberate "push
// anyway"), the conflicts with their diffs and three resolutions, the outbox with its retries,
// and the document's history. Every decision (three-way compare, validation, conflicts, backoff)
// is the core's; this only shows and asks.
import { memo, useCallback, useEffect, useState } from "react";
import { call } from "../api/client";
import type { Commands } from "../api/generated/commands";
import type { ConflictEntry, OutboxEntry, RemoteKind, RemoteSummary, SyncOutcome } from "../api/types";

type Status = Commands["sync_status"]["result"];
type Item = Commands["pull"]["result"]["items"][number];
type Revision = Commands["document_history"]["result"]["revisions"][number];

export interface SyncProps {
  documentId: number | null;
  documentName: string | null;
  /** Called after anything that may have changed the workspace (pull, resolve, restore). */
  onChanged: (openId?: number) => void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const RemoteRow = memo(function RemoteRow({ remote, onRemoved }: { remote: RemoteSummary; onRemoved: () => void }) {
  const [test, setTest] = useState<{ ok: boolean; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      setTest(await call("remote_test", { name: remote.name }));
    } catch (e) {
      setTest({ ok: false, message: message(e) });
    }
    setBusy(false);
  };
  const remove = async () => {
    await call("remote_remove", { name: remote.name }).catch(() => undefined);
    onRemoved();
  };
  const details = [
    remote.agent && `agent ${remote.agent}`,
    remote.sim_workspace && `workspace ${remote.sim_workspace}`,
    remote.sim_folder && `folder ${remote.sim_folder}`,
  ].filter(Boolean);
  return (
    <li data-testid="remote" data-name={remote.name}>
      <b>{remote.name}</b> <small>{remote.kind}</small> <small className="muted">{remote.url}</small>
      {details.length > 0 && <div className="muted small">{details.join(" · ")}</div>}
      <div className="muted small">
        {remote.has_key ? "API key stored" : "no API key"}
        {remote.kind === "sim" && (remote.has_session_cookie ? " · session cookie stored (updates in place)" : " · no session cookie (pushes of edits need one, or push as new)")}
      </div>
      <div className="row">
        <button onClick={run} disabled={busy} data-testid="remote-test">{busy ? "Testing…" : "Test"}</button>
        <button onClick={remove}>Remove</button>
      </div>
      {test && (
        <div className={test.ok ? "ok" : "inline-error"} data-testid="remote-test-result" data-ok={String(test.ok)}>
          {test.message}
        </div>
      )}
    </li>
  );
});

interface RemoteForm {
  name: string;
  kind: RemoteKind;
  url: string;
  api_key: string;
  agent: string;
  sim_workspace: string;
  sim_folder: string;
  session_cookie: string;
}
const EMPTY_FORM: RemoteForm = { name: "", kind: "parlant", url: "", api_key: "", agent: "", sim_workspace: "", sim_folder: "", session_cookie: "" };

function AddRemote({ onAdded }: { onAdded: () => void }) {
  const [f, setF] = useState<RemoteForm>(EMPTY_FORM);
  const [error, setError] = useState<string | null>(null);
  const set = (k: Exclude<keyof RemoteForm, "kind">) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const given = (v: string) => (v.trim() ? v.trim() : undefined);
  const add = async () => {
    try {
      await call("remote_add", {
        name: f.name.trim(),
        kind: f.kind,
        url: f.url.trim(),
        api_key: given(f.api_key),
        ...(f.kind === "sim"
          ? { sim_workspace: given(f.sim_workspace), sim_folder: given(f.sim_folder), session_cookie: given(f.session_cookie) }
          : { agent: given(f.agent) }),
      });
      setF({ ...EMPTY_FORM, kind: f.kind });
      setError(null);
      onAdded();
    } catch (e) {
      setError(message(e));
    }
  };
  return (
    <div className="form" data-testid="remote-add">
      <input placeholder="name" value={f.name} onChange={set("name")} data-testid="remote-name" />
      <select value={f.kind} onChange={(e) => setF({ ...f, kind: e.target.value as RemoteKind })} data-testid="remote-kind">
        <option value="parlant">Parlant</option>
        <option value="sim">Sim</option>
      </select>
      <input placeholder="http://127.0.0.1:8800" value={f.url} onChange={set("url")} data-testid="remote-url" />
      {f.kind === "parlant" ? (
        <input placeholder="agent (optional)" value={f.agent} onChange={set("agent")} data-testid="remote-agent" />
      ) : (
        <>
          <input placeholder="Sim workspace id" value={f.sim_workspace} onChange={set("sim_workspace")} data-testid="remote-sim-workspace" />
          <input placeholder="folder, e.g. /Operations/Support (optional)" value={f.sim_folder} onChange={set("sim_folder")} data-testid="remote-sim-folder" />
          <input type="password" placeholder="session cookie (to update workflows in place)" value={f.session_cookie} onChange={set("session_cookie")} autoComplete="off" data-testid="remote-session-cookie" />
        </>
      )}
      <input type="password" placeholder="API key (kept in the OS keyring)" value={f.api_key} onChange={set("api_key")} autoComplete="off" />
      <button onClick={add} disabled={!f.name || !f.url} data-testid="remote-add-button">Add remote</button>
      {error && <span className="inline-error">{error}</span>}
    </div>
  );
}

const Outcome = memo(function Outcome({ outcome, onPushAnyway }: { outcome: SyncOutcome; onPushAnyway?: () => void }) {
  return (
    <div data-testid="sync-outcome" data-result={outcome.result}>
      <b>{outcome.result.replace(/_/g, " ")}</b> {outcome.document} {outcome.remote_id && <small>→ {outcome.remote_id}</small>}
      {outcome.revision !== undefined && <small> (revision {outcome.revision})</small>}
      {outcome.superseded && <div className="muted small">imported as a new workflow; {outcome.superseded} stays unchanged on the server</div>}
      {outcome.result === "invalid" ? (
        <>
          <p className="inline-error">Not pushed: the document has {outcome.problems.length} error(s) that the server would refuse or run wrongly.</p>
          <ul className="plain" data-testid="push-problems">
            {outcome.problems.map((d) => (
              <li key={d.id} className="diag diag-error" data-code={d.code}>
                <code>{d.code}</code> {d.message}
              </li>
            ))}
          </ul>
          {onPushAnyway && (
            <button onClick={onPushAnyway} data-testid="push-anyway">Push anyway</button>
          )}
        </>
      ) : (
        outcome.error && <div className="inline-error">{outcome.error}</div>
      )}
      {outcome.diff && <pre className="diff">{outcome.diff}</pre>}
    </div>
  );
});

const Conflict = memo(function Conflict({ c, onResolved }: { c: ConflictEntry; onResolved: (m: string) => void }) {
  const resolve = (how: "keep_mine" | "take_theirs" | "both") =>
    call("resolve_conflict", { document: c.document, remote: c.remote, how }).then((r) => onResolved(r.message), (e) => onResolved(message(e)));
  return (
    <li data-testid="conflict">
      <b>{c.document}</b> with {c.remote} <small className="muted">{c.created_at}</small>
      <pre className="diff">{c.diff}</pre>
      <div className="row">
        <button onClick={() => resolve("keep_mine")}>Keep mine</button>
        <button onClick={() => resolve("take_theirs")}>Take theirs</button>
        <button onClick={() => resolve("both")}>Keep both</button>
      </div>
    </li>
  );
});

function History({ documentId, onChanged }: { documentId: number; onChanged: SyncProps["onChanged"] }) {
  const [revisions, setRevisions] = useState<Revision[]>([]);
  const [diff, setDiff] = useState<string | null>(null);
  const load = useCallback(() => {
    call("document_history", { id: documentId }).then((h) => setRevisions(h.revisions), () => setRevisions([]));
  }, [documentId]);
  useEffect(load, [load]);
  const head = revisions[0]?.id;
  return (
    <>
      <ul className="plain" data-testid="history">
        {revisions.slice(0, 20).map((r) => (
          <li key={r.id}>
            #{r.id} <small>{r.message}</small>
            {r.id !== head && head !== undefined && (
              <>
                {" "}
                <button onClick={() => call("revision_diff", { from: r.id, to: head }).then((d) => setDiff(d.diff))}>diff</button>
                <button onClick={() => call("restore_revision", { id: documentId, revision: r.id }).then(() => { load(); onChanged(documentId); })}>restore</button>
              </>
            )}
          </li>
        ))}
      </ul>
      {diff !== null && <pre className="diff">{diff || "(no difference)"}</pre>}
    </>
  );
}

/** When an outbox entry is tried again, in words. */
export function nextAttempt(entry: OutboxEntry, nowSecs: number): string {
  if (entry.state === "done") return "sent";
  if (entry.state === "conflict") return "stopped: resolve the conflict";
  if (entry.state === "failed") return "stopped: refused by the server";
  const wait = entry.next_attempt_at - nowSecs;
  return wait <= 0 ? "due now" : `next try in ${wait} s`;
}

export const Sync = memo(function Sync({ documentId, documentName, onChanged }: SyncProps) {
  const [remotes, setRemotes] = useState<RemoteSummary[]>([]);
  const [status, setStatus] = useState<Status>({ outbox: [], conflicts: [] });
  const [remote, setRemote] = useState("");
  const [asNew, setAsNew] = useState(false);
  const [outcome, setOutcome] = useState<SyncOutcome | null>(null);
  const [items, setItems] = useState<Item[] | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const [r, s] = await Promise.all([call("remotes_list", {}), call("sync_status", {})]);
      setRemotes(r.remotes);
      setStatus(s);
      setRemote((cur) => (r.remotes.some((x) => x.name === cur) ? cur : r.remotes[0]?.name ?? ""));
    } catch (e) {
      setNote(message(e));
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);
  // The outbox is retried in the background (App); keep what it shows current.
  useEffect(() => {
    const t = window.setInterval(() => void refresh(), 3000);
    return () => window.clearInterval(t);
  }, [refresh]);

  const guarded = async (f: () => Promise<void>) => {
    setBusy(true);
    setNote(null);
    try {
      await f();
    } catch (e) {
      setNote(message(e));
    }
    setBusy(false);
    void refresh();
  };
  const kind = remotes.find((r) => r.name === remote)?.kind;
  const push = (allowInvalid: boolean) =>
    guarded(async () => {
      if (documentId === null) return;
      setOutcome(await call("push", { document_id: documentId, remote, as_new: kind === "sim" && asNew ? true : undefined, allow_invalid: allowInvalid || undefined }));
    });
  const pushAnyway = () => {
    if (window.confirm("Push a document with validation errors? The server may refuse it or run it wrongly.")) void push(true);
  };
  const retry = () =>
    guarded(async () => {
      const r = await call("sync_retry", { now: true });
      setNote(r.outcomes.length ? `tried ${r.outcomes.length}: ${r.outcomes.map((o) => `${o.document} ${o.result.replace(/_/g, " ")}`).join(", ")}` : "nothing waiting");
    });
  const list = () => guarded(async () => setItems((await call("pull", { remote })).items));
  const pull = (remote_id: string) =>
    guarded(async () => {
      const r = await call("pull", { remote, remote_id });
      if (r.outcome) setOutcome(r.outcome);
      onChanged();
    });
  const now = Math.floor(Date.now() / 1000);
  const waiting = status.outbox.filter((e) => e.state !== "done");

  return (
    <div className="sync" data-testid="sync-panel">
      <h3>Remotes</h3>
      <ul className="plain" data-testid="remotes">
        {remotes.map((r) => (
          <RemoteRow key={r.name} remote={r} onRemoved={refresh} />
        ))}
        {remotes.length === 0 && <li className="muted">No remotes yet.</li>}
      </ul>
      <AddRemote onAdded={refresh} />
      <h3>Push / pull</h3>
      <div className="row">
        <select value={remote} onChange={(e) => setRemote(e.target.value)} data-testid="sync-remote">
          {remotes.map((r) => (
            <option key={r.name} value={r.name}>{r.name}</option>
          ))}
        </select>
        <button onClick={() => void push(false)} disabled={busy || !remote || documentId === null} title={documentName ? `Push ${documentName}` : "Open a document first"} data-testid="push">Push</button>
        <button onClick={list} disabled={busy || !remote} data-testid="pull-list">Pull…</button>
      </div>
      {kind === "sim" && (
        <label className="field-bool">
          <input type="checkbox" checked={asNew} onChange={(e) => setAsNew(e.target.checked)} data-testid="push-as-new" /> Push as a new workflow (no session cookie needed)
        </label>
      )}
      {items && (
        <ul className="plain" data-testid="pull-items">
          {items.map((it) => (
            <li key={it.id}>
              {it.title || it.id} <small className="muted">{it.id}</small> <button onClick={() => pull(it.id)} disabled={busy}>Pull</button>
            </li>
          ))}
          {items.length === 0 && <li className="muted">The remote holds nothing.</li>}
        </ul>
      )}
      <p className="muted small">
        A push is checked first: a document with errors is not sent unless you push it anyway. A pull only fast-forwards a document with no local changes since the last sync; when both sides changed it stops with a conflict and its diff below.
      </p>
      {outcome && <Outcome outcome={outcome} onPushAnyway={outcome.result === "invalid" ? pushAnyway : undefined} />}
      {note && <div className="inline-error" data-testid="sync-error">{note}</div>}
      <h3>Conflicts ({status.conflicts.length})</h3>
      <ul className="plain" data-testid="conflicts">
        {status.conflicts.map((c) => (
          <Conflict key={c.id} c={c} onResolved={(m) => { setNote(m); void refresh(); onChanged(); }} />
        ))}
      </ul>
      <h3>
        Outbox ({waiting.length} waiting){" "}
        <button onClick={retry} disabled={busy || waiting.length === 0} data-testid="outbox-retry">Retry now</button>
      </h3>
      <table className="outbox" data-testid="outbox">
        <tbody>
          {status.outbox.map((e) => (
            <tr key={e.id} data-testid="outbox-entry" data-state={e.state}>
              <td>{e.document}</td>
              <td>{e.remote}</td>
              <td>{e.state}</td>
              <td>{e.attempts} tries</td>
              <td>{nextAttempt(e, now)}</td>
              <td className="muted">{e.last_error}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {status.outbox.length === 0 && <p className="muted">Nothing waiting.</p>}
      {documentId !== null && (
        <>
          <h3>History of {documentName}</h3>
          <History documentId={documentId} onChanged={onChanged} />
        </>
      )}
    </div>
  );
});
