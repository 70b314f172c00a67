import { useEffect, useState } from "react";
import { Background, Controls, ReactFlow, type Edge, type Node } from "@xyflow/react";
import { coreVersion } from "./core";
import { windowTitle } from "./documentKind";

const NO_NODES: Node[] = [];
const NO_EDGES: Edge[] = [];

export function App() {
  const [version, setVersion] = useState<string | null>(null);

  useEffect(() => {
    document.title = windowTitle(null);
    coreVersion()
      .then(setVersion)
      .catch((err: unknown) => console.error("core_version failed", err));
  }, []);

  return (
    <div className="app">
      <header className="app-header">
        <h1>Journey Studio</h1>
        {version && (
          <span className="core-version" data-testid="core-version">
            core {version}
          </span>
        )}
      </header>
      <main className="canvas" data-testid="canvas">
        <ReactFlow nodes={NO_NODES} edges={NO_EDGES} fitView proOptions={{ hideAttribution: true }}>
          <Background />
          <Controls />
        </ReactFlow>
      </main>
    </div>
  );
}
