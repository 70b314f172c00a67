// "New": a blank journey (its root state), a blank workflow (Sim's start block), or a document
// from a template (the gallery). The core creates it (`create_document`) and the app opens it.
import { useState } from "react";
import { call } from "../api/client";

type Kind = "journey" | "workflow";

export function NewDocument({ onCreated, onTemplate, onClose }: { onCreated: (id: number) => void; onTemplate: () => void; onClose: () => void }) {
  const [kind, setKind] = useState<Kind>("journey");
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    try {
      const doc = await call("create_document", { kind, name: name.trim() || (kind === "journey" ? "New journey" : "New workflow") });
      onCreated(doc.id);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="modal" data-testid="new-document" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <form
        className="modal-box narrow"
        onSubmit={(e) => {
          e.preventDefault();
          void create();
        }}
      >
        <header>
          <h2>New document</h2>
          <button type="button" onClick={onClose}>Close</button>
        </header>
        <div className="choices">
          <label className={kind === "journey" ? "choice on" : "choice"}>
            <input type="radio" name="kind" checked={kind === "journey"} onChange={() => setKind("journey")} data-testid="new-kind-journey" />
            <b>Parlant journey</b>
            <small className="muted">Starts with its root state; add chat, tool and fork states.</small>
          </label>
          <label className={kind === "workflow" ? "choice on" : "choice"}>
            <input type="radio" name="kind" checked={kind === "workflow"} onChange={() => setKind("workflow")} data-testid="new-kind-workflow" />
            <b>Sim workflow</b>
            <small className="muted">Starts with Sim's start block; add agents, conditions, API calls…</small>
          </label>
        </div>
        <label className="field">
          <span className="field-label">{kind === "journey" ? "Title" : "Name"}</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} placeholder={kind === "journey" ? "Book a flight" : "Support triage"} data-testid="new-name" />
        </label>
        {error && <div className="inline-error" data-testid="new-error">{error}</div>}
        <div className="row">
          <button type="button" onClick={onTemplate} data-testid="new-from-template">From a template…</button>
          <span className="spacer" />
          <button type="submit" className="primary" data-testid="new-create">Create</button>
        </div>
      </form>
    </div>
  );
}
