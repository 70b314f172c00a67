import { useEffect, useState } from "react";
import { call } from "../api/client";
import type { DocumentSummary, JsonValue } from "../api/types";
import type { ParityStep } from "../api/generated/ParityStep";
import type { ParityView } from "../api/generated/ParityView";

/**
 * Parity of the open workflow and its converted journey (or a journey of the workspace) under
 * one customer message, side by side: the core's `parity_check` (the service the CLI's `parity`
 * runs) with the Run panel's input and mocks.
 */
export function ParityPanel({ session, input, mocks }: { session: string; input: () => Record<string, JsonValue>; mocks: string }) {
  const [message, setMessage] = useState("");
  const [journeys, setJourneys] = useState<DocumentSummary[]>([]);
  const [journey, setJourney] = useState<string>("");
  const [result, setResult] = useState<ParityView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call("list_documents", {})
      .then((l) => setJourneys(l.documents.filter((d) => d.kind === "parlant_journey")))
      .catch(() => undefined);
  }, [session]);

  const check = async () => {
    setError(null);
    setBusy(true);
    try {
      setResult(
        await call("parity_check", {
          session,
          message: message.trim() || undefined,
          input: input(),
          mocks: mocks.trim() ? mocks : undefined,
          journey_id: journey ? Number(journey) : undefined,
        }),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const steps = (path: ParityStep[], diverged: number | null, side: string) => (
    <ol data-testid={`parity-${side}`}>
      {path.map((s, i) => (
        <li key={i} className={diverged === i + 1 ? "diverged" : undefined}>{s.name}</li>
      ))}
      {diverged !== null && diverged > path.length && <li className="diverged muted">(nothing more)</li>}
    </ol>
  );

  return (
    <div className="parity" data-testid="parity">
      <h3>Parity with the journey</h3>
      <div className="run-form">
        <label>
          Customer message <small>the run's input; the journey hears it at each chat state</small>
          <input type="text" value={message} onChange={(e) => setMessage(e.target.value)} data-testid="parity-message" />
        </label>
        <label>
          Journey
          <select value={journey} onChange={(e) => setJourney(e.target.value)} data-testid="parity-journey">
            <option value="">the workflow converted now</option>
            {journeys.map((d) => (
              <option key={d.id} value={String(d.id)}>{d.name}</option>
            ))}
          </select>
        </label>
      </div>
      <div className="chat-controls">
        <button onClick={() => void check()} disabled={busy} data-testid="parity-check">Check parity</button>
      </div>
      {error && <div className="inline-error" data-testid="parity-error">{error}</div>}
      {result && (
        <div data-testid="parity-result">
          <div className={`parity-verdict ${result.report.parity ? "same" : "parted"}`} data-testid="parity-verdict">
            {result.report.parity ? "Same steps on both sides" : "The two sides diverge"} <small className="muted">(journey: {result.journey})</small>
          </div>
          {result.report.runs.map((r, i) => {
            const at = r.divergence ? r.divergence.step : null;
            return (
              <div key={i}>
                <div className="parity-cols">
                  <div>
                    <b>Workflow</b> <small className="muted">{r.workflow_status}{r.workflow_error ? `: ${r.workflow_error}` : ""}</small>
                    {steps(r.workflow_path, at, "workflow")}
                  </div>
                  <div>
                    <b>Journey</b> <small className="muted">{r.journey_status}</small>
                    {steps(r.journey_path, at, "journey")}
                  </div>
                </div>
                {r.divergence && (
                  <div className="parity-divergence" data-testid="parity-divergence">
                    Diverged at step {r.divergence.step}
                    {r.divergence.after ? ` after ${r.divergence.after.name}` : ""}:
                    <div>workflow: {r.divergence.workflow}</div>
                    <div>journey: {r.divergence.journey}</div>
                  </div>
                )}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
