import { layoutGraph, type LayoutEdge, type LayoutNode } from "./layout";

/** Small graphs are laid out inline; from this many nodes on, in a Web Worker. */
export const WORKER_THRESHOLD = 300;

export function runLayout(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Record<string, { x: number; y: number }>> {
  if (nodes.length < WORKER_THRESHOLD || typeof Worker === "undefined") {
    return Promise.resolve(layoutGraph(nodes, edges));
  }
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (ev) => {
      resolve(ev.data);
      w.terminate();
    };
    w.onerror = (ev) => {
      reject(new Error(ev.message));
      w.terminate();
    };
    w.postMessage({ nodes, edges });
  });
}
