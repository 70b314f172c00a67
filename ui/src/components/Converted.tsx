// The converted side of the Convert view: the conversion's approximations (each jumps to its
// step), "Save as new document", and "Save and push" to a chosen remote of the right kind.
import { memo, useEffect, useState } from "react";
import { call } from "../api/client";
import type { ConvertPreview, RemoteSummary, SyncOutcome } from "../api/types";
import { KIND_LABEL } from "../lib/session";

export const ConvertedBar = memo(function ConvertedBar({
  converted,
  onSave,
  onSaveAndPush,
  onFocus,
}: {
  converted: ConvertPreview;
  onSave: () => void;
  /** Saves, then pushes the new document; answers what the push did. */
  onSaveAndPush: (remote: string) => Promise<SyncOutcome>;
  /** Jumps to a step of the open document. */
  onFocus: (id: string) => void;
}) {
  const [remotes, setRemotes] = useState<RemoteSummary[]>([]);
  const [remote, setRemote] = useState("");
  const [outcome, setOutcome] = useState<{ result: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const wanted = converted.kind === "parlant_journey" ? "parlant" : "sim";
  useEffect(() => {
    call("remotes_list", {}).then((r) => {
      const fit = r.remotes.filter((x) => x.kind === wanted);
      setRemotes(fit);
      setRemote((cur) => (fit.some((x) => x.name === cur) ? cur : fit[0]?.name ?? ""));
    }, () => setRemotes([]));
  }, [wanted]);
  const push = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const o = await onSaveAndPush(remote);
      setOutcome({ result: o.result, text: `${o.result.replace(/_/g, " ")}${o.remote_id ? ` → ${o.remote_id}` : ""}${o.error ? `: ${o.error}` : ""}` });
    } catch (e) {
      setOutcome({ result: "error", text: (e as Error).message });
    }
    setBusy(false);
  };
  const approximations = converted.mapping.approximations;
  return (
    <div className="converted-side">
      <div className="converted-bar">
        <span>
          As a <b>{KIND_LABEL[converted.kind]}</b>
        </span>
        <span className="spacer" />
        <button onClick={onSave} data-testid="save-converted">Save as new document</button>
        <select value={remote} onChange={(e) => setRemote(e.target.value)} data-testid="push-remote" aria-label="remote to push to" disabled={remotes.length === 0}>
          {remotes.length === 0 && <option value="">no {wanted === "parlant" ? "Parlant" : "Sim"} remote (add one in Sync)</option>}
          {remotes.map((r) => (
            <option key={r.name} value={r.name}>{r.name}</option>
          ))}
        </select>
        <button onClick={push} disabled={!remote || busy} data-testid="save-push">{busy ? "Pushing…" : "Save and push"}</button>
      </div>
      {outcome && (
        <div className={["error", "queued", "conflict", "invalid"].includes(outcome.result) ? "inline-error" : "ok"} data-testid="push-outcome" data-result={outcome.result}>
          {outcome.text}
        </div>
      )}
      <details className="approximations" data-testid="approximations" open>
        <summary>
          {approximations.length} approximation{approximations.length === 1 ? "" : "s"}
        </summary>
        {approximations.length === 0 && <p className="muted small">Nothing was approximated: the conversion is exact.</p>}
        <ul>
          {approximations.map((a, i) => {
            const target = a.nodes[0] ?? a.edges[0];
            return (
              <li key={i} data-testid="approximation" data-code={a.code}>
                <button disabled={!target} onClick={() => target && onFocus(target)} title={target ? "Show the step" : undefined}>
                  <code>{a.code}</code> {a.message}
                </button>
              </li>
            );
          })}
        </ul>
      </details>
    </div>
  );
});
