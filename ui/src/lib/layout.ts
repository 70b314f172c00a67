// Auto-layout with dagre: top-level nodes and nodes inside each container are laid out
// separately (positions of children are relative to their parent, as React Flow draws them).
import dagre from "@dagrejs/dagre";

export interface LayoutNode {
  id: string;
  parent?: string | null;
  width: number;
  height: number;
}
export interface LayoutEdge {
  source: string;
  target: string;
  /** Drawn on the edge (a transition's condition): dagre keeps room for it between the ranks. */
  label?: string | null;
}

/** The box an edge label takes (styles.css `.edge-label`: 12.5 px text, at most 230 px wide). */
export function labelBox(label: string): { width: number; height: number } {
  const perLine = 34;
  const lines = Math.max(1, Math.ceil(label.length / perLine));
  return { width: Math.min(230, label.length * 7 + 16), height: lines * 17 + 6 };
}

export const NODE_W = 250;
export const NODE_H = 96;

/** New positions (top-left corners) by node id, left to right. */
export function layoutGraph(nodes: LayoutNode[], edges: LayoutEdge[]): Record<string, { x: number; y: number }> {
  const groups = new Map<string, LayoutNode[]>();
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) {
    const key = n.parent && ids.has(n.parent) ? n.parent : "";
    const g = groups.get(key);
    if (g) g.push(n);
    else groups.set(key, [n]);
  }
  const out: Record<string, { x: number; y: number }> = {};
  for (const [parent, members] of groups) {
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 70, marginx: parent ? 30 : 0, marginy: parent ? 50 : 0 });
    g.setDefaultEdgeLabel(() => ({}));
    const inGroup = new Set(members.map((m) => m.id));
    for (const m of members) g.setNode(m.id, { width: m.width, height: m.height });
    for (const e of edges) {
      if (!inGroup.has(e.source) || !inGroup.has(e.target) || e.source === e.target) continue;
      g.setEdge(e.source, e.target, e.label ? { ...labelBox(e.label), labelpos: "c" } : {});
    }
    dagre.layout(g);
    for (const m of members) {
      const p = g.node(m.id);
      if (p) out[m.id] = { x: Math.round(p.x - m.width / 2), y: Math.round(p.y - m.height / 2) };
    }
  }
  return out;
}
