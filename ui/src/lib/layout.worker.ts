// Runs dagre off the main thread for big graphs.
import { layoutGraph, type LayoutEdge, type LayoutNode } from "./layout";

self.onmessage = (ev: MessageEvent<{ nodes: LayoutNode[]; edges: LayoutEdge[] }>) => {
  const positions = layoutGraph(ev.data.nodes, ev.data.edges);
  (self as unknown as Worker).postMessage(positions);
};
