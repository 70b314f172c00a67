// A workflow run drawn on the canvas from the core's marks (`RunMarks`): each node gets a
// `run-<state>` class and its mark in its data (the order badge, the iteration count); each edge
// `run-taken`, `run-dead` or `run-pending`. Nothing here decides what ran: the core does.
import type { Edge } from "@xyflow/react";
import type { RunMarks } from "../api/generated/RunMarks";
import type { StepNode } from "./flow";

function reclass(className: string | undefined, extra: string | null): string | undefined {
  const base = (className ?? "").split(" ").filter((c) => c && !c.startsWith("run-"));
  return [...base, ...(extra ? [extra] : [])].join(" ") || undefined;
}

/** Nodes and edges with the run's classes (and node marks); unchanged items are kept as they are. */
export function withMarks(nodes: StepNode[], edges: Edge[], marks: RunMarks | null): [StepNode[], Edge[]] {
  const byBlock = new Map((marks?.blocks ?? []).map((m) => [m.block, m]));
  const byEdge = new Map((marks?.edges ?? []).map((m) => [m.edge, m.state]));
  let nodesChanged = false;
  const ns = nodes.map((n) => {
    const mark = byBlock.get(n.id);
    const cls = reclass(n.className, mark ? `run-${mark.state}` : null);
    if ((n.className || undefined) === cls && n.data.run === mark) return n;
    nodesChanged = true;
    return { ...n, className: cls, data: { ...n.data, run: mark } };
  });
  let edgesChanged = false;
  const es = edges.map((e) => {
    const state = byEdge.get(e.id);
    const cls = reclass(e.className, state ? `run-${state}` : null);
    if ((e.className || undefined) === cls) return e;
    edgesChanged = true;
    return { ...e, className: cls };
  });
  return [nodesChanged ? ns : nodes, edgesChanged ? es : edges];
}
