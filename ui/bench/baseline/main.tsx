// The canvas bench's baseline: the same nodes and edges (ids, positions, labels) drawn by bare
// @xyflow/react with its default nodes and edges, no app around it. Built apart from the app
// (bench/vite.config.ts, into bench/dist) and served to Chromium by the bench itself; never
// shipped. The graph comes from `graph.json` beside the page; `window.__benchReady` says when it
// has been handed to React Flow.
import { createRoot } from "react-dom/client";
import { ReactFlow, type Edge, type Node } from "@xyflow/react";
import "@xyflow/react/dist/style.css";

declare global {
  interface Window {
    __benchReady?: number;
  }
}

const graph: { nodes: Node[]; edges: Edge[] } = await (await fetch("graph.json")).json();
createRoot(document.getElementById("root")!).render(
  <div data-testid="canvas" style={{ width: "100%", height: "100%" }}>
    <ReactFlow defaultNodes={graph.nodes} defaultEdges={graph.edges} fitView minZoom={0.02} />
  </div>,
);
window.__benchReady = graph.nodes.length;
