// The workspace picker: which SQLite workspace is open, and opening (or creating) another one
// by path. The core opens it (`open_workspace`) and remembers it in the settings.
import { memo, useCallback, useEffect, useState } from "react";
import { call } from "../api/client";
import type { WorkspaceInfo } from "../api/types";

export interface WorkspaceProps {
  recent: string[];
  /** Called after another workspace was opened. */
  onOpened: () => void;
  onError: (e: unknown) => void;
}

export const Workspace = memo(function Workspace({ recent, onOpened, onError }: WorkspaceProps) {
  const [info, setInfo] = useState<WorkspaceInfo | null>(null);
  const [path, setPath] = useState("");

  useEffect(() => {
    call("workspace_info", {}).then(setInfo).catch(onError);
  }, [onError]);

  const openPath = useCallback(
    async (target: string) => {
      try {
        setInfo(await call("open_workspace", { path: target }));
        setPath("");
        onOpened();
      } catch (e) {
        onError(e);
      }
    },
    [onOpened, onError],
  );

  return (
    <details className="workspace" data-testid="workspace">
      <summary title={info?.path}>
        Workspace: <span data-testid="workspace-path">{info ? baseName(info.path) : "…"}</span>
        {info && <small> · {info.documents} documents</small>}
      </summary>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void openPath(path.trim());
        }}
      >
        <input placeholder="/path/to/workspace.db (created when missing)" value={path} onChange={(e) => setPath(e.target.value)} data-testid="workspace-input" />
        <button type="submit" disabled={!path.trim()} data-testid="workspace-open">Open</button>
      </form>
      {recent.length > 1 && (
        <ul className="recent">
          {recent
            .filter((p) => p !== info?.path)
            .map((p) => (
              <li key={p}>
                <button onClick={() => void openPath(p)} title={p}>{baseName(p)}</button>
              </li>
            ))}
        </ul>
      )}
    </details>
  );
});

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
