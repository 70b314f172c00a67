// Turns the core's canvas view into React Flow nodes and edges. The core decides families,
// handles and labels; this only picks a node component and orders parents before children
// (React Flow requires a parent to come before the nodes inside it).
import { MarkerType, type Edge, type Node } from "@xyflow/react";
import type { CanvasView, ViewEdge, ViewHandle, ViewNode } from "../api/types";
import type { BlockMark } from "../api/generated/BlockMark";

export interface StepData extends Record<string, unknown> {
  view: ViewNode;
  /** Worst diagnostic severity on this node, if any. */
  problem?: "error" | "warning" | "info";
  problemCount?: number;
  /** How the block fared in the run drawn on the canvas, if any. */
  run?: BlockMark;
}

export type StepNode = Node<StepData>;

/** The width of a step node (styles.css `.node`), and its usual height. */
export const STEP_WIDTH = 250;
export const STEP_HEIGHT = 96;
/** Journey states are narrower (journeys are laid out closer). */
export const STATE_WIDTH = 200;
const STATE_KINDS = new Set(["root", "chat", "tool", "fork", "end"]);

/** The width a node of this kind is drawn with (styles.css). */
export function widthOf(kind: string): number {
  return STATE_KINDS.has(kind) ? STATE_WIDTH : STEP_WIDTH;
}

const CONTAINER_KINDS = new Set(["loop", "parallel"]);

/** The node component that draws a view node of this kind. */
export function componentFor(kind: string): string {
  switch (kind) {
    case "loop":
    case "parallel":
      return "container";
    case "note":
      return "note";
    case "condition":
    case "router":
    case "fork":
      return "branch";
    default:
      return "step";
  }
}

export function isContainer(kind: string): boolean {
  return CONTAINER_KINDS.has(kind);
}

/** Parents first (depth order), keeping document order among siblings. Cycles and missing parents fall back to top level. */
export function orderParentsFirst(nodes: ViewNode[]): ViewNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const depthOf = (n: ViewNode): number => {
    const known = depth.get(n.id);
    if (known !== undefined) return known;
    let d = 0;
    let cur: ViewNode | undefined = n;
    const seen = new Set<string>();
    while (cur && cur.parent && byId.has(cur.parent) && !seen.has(cur.id)) {
      seen.add(cur.id);
      cur = byId.get(cur.parent);
      d += 1;
      if (d > nodes.length) break;
    }
    depth.set(n.id, d);
    return d;
  };
  return nodes
    .map((n, i) => ({ n, i, d: depthOf(n) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map((x) => x.n);
}

type Problems = Map<string, { worst: "error" | "warning" | "info"; count: number }>;
// The flow node made for each view node, while the view node and its problems stay the same: a
// delta replaces only the view nodes it changed, so React Flow sees the others unchanged.
const made = new WeakMap<ViewNode, { problem?: string; count?: number; parent: boolean; node: StepNode }>();

export function toFlowNodes(view: CanvasView, problems: Problems): StepNode[] {
  const ids = new Set(view.nodes.map((n) => n.id));
  return orderParentsFirst(view.nodes).map((v) => {
    const p = problems.get(v.id);
    const hasParent = !!v.parent && ids.has(v.parent);
    const cached = made.get(v);
    if (cached && cached.problem === p?.worst && cached.count === p?.count && cached.parent === hasParent) return cached.node;
    const node = flowNode(v, p, hasParent);
    made.set(v, { problem: p?.worst, count: p?.count, parent: hasParent, node });
    return node;
  });
}

function flowNode(v: ViewNode, p: { worst: "error" | "warning" | "info"; count: number } | undefined, hasParent: boolean): StepNode {
  const node: StepNode = {
    id: v.id,
    type: componentFor(v.kind),
    position: { x: v.position.x, y: v.position.y },
    data: { view: v, problem: p?.worst, problemCount: p?.count },
  };
  if (hasParent && v.parent) {
    node.parentId = v.parent;
    node.extent = "parent";
  }
  if (v.size) {
    node.style = { width: v.size.width, height: v.size.height };
  } else {
    // Known before measuring, so React Flow can skip drawing off-screen nodes of a big graph.
    node.initialWidth = widthOf(v.kind);
    node.initialHeight = STEP_HEIGHT;
  }
  return node;
}

/** Whether an edge's label is a text the designer edits on the canvas (a journey transition's condition). */
export function editableLabel(e: ViewEdge): boolean {
  return e.kind === "transition" || e.kind === "conditional";
}

const ARROW = { type: MarkerType.ArrowClosed, width: 16, height: 16 };

export function toFlowEdges(view: CanvasView): Edge[] {
  return view.edges.map((e: ViewEdge) => ({
    id: e.id,
    source: e.source,
    target: e.target,
    sourceHandle: e.source_handle ?? undefined,
    targetHandle: e.target_handle ?? undefined,
    label: e.label ?? undefined,
    className: `edge-${e.kind}`,
    type: "labeled",
    markerEnd: ARROW,
    data: { editable: editableLabel(e), kind: e.kind },
  }));
}

/** Source handles of a node: the core's `source`-like handles, or one default handle. */
export function sourceHandles(handles: ViewHandle[]): ViewHandle[] {
  return handles.filter((h) => h.kind !== "target");
}

/** Whether the core gave the node an input handle. */
export function hasTargetHandle(node: ViewNode): boolean {
  return node.handles.some((h) => h.kind === "target");
}

/** The id of the node's input handle as the core names it (edges may refer to it). */
export function targetHandleId(node: ViewNode): string | undefined {
  return node.handles.find((h) => h.kind === "target")?.id;
}
