// Level of detail for big graphs seen whole. Zoomed out below FAR_ZOOM a node's text is under
// 5 px, unreadable anyway; there a big graph is drawn as a scene of coloured boxes (one per node,
// the colour of its kind) and straight lines (one per edge) on a single <canvas> (LodLayer)
// instead of thousands of DOM nodes. What the designer must still see stays: the simulator's
// active step, highlighted steps, the run's states and selection as a ring around the box,
// problems as a corner mark in their severity's colour. This module only builds the scene and
// answers which box is under a point; it draws nothing.
import type { Edge } from "@xyflow/react";
import { STEP_HEIGHT, widthOf, type StepNode } from "./flow";

/** Below this zoom a big graph is drawn as boxes and lines. */
export const FAR_ZOOM = 0.45;
/** From this many nodes on, a graph zoomed out below FAR_ZOOM is drawn as boxes and lines. */
export const LOD_MIN_NODES = 300;

export function isFar(zoom: number): boolean {
  return zoom < FAR_ZOOM;
}

export interface LodBox {
  id: string;
  /** Flow coordinates of the top-left corner (absolute: a child's parent offset added). */
  x: number;
  y: number;
  w: number;
  h: number;
  fill: string;
  /** A container (loop, parallel) is drawn as an outline around its children. */
  container: boolean;
  /** Greyed: a dead path of the run drawn on the canvas, or a disabled block. */
  dim: boolean;
  /** The ring around the box: active step, highlight, run state, selection. */
  ring: string | null;
  /** The corner mark: the worst problem's severity colour. */
  mark: string | null;
}

export interface LodLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  color: string;
}

export interface LodScene {
  boxes: LodBox[];
  lines: LodLine[];
}

export const LOD_COLORS = {
  active: "#2f9e44",
  highlight: "#f59f00",
  selected: "#2680c2",
  ran: "#2f9e44",
  failed: "#c62828",
  paused: "#e67700",
  error: "#c62828",
  warning: "#e67700",
  info: "#2680c2",
  edge: "#9aa5b1",
  edgeTaken: "#2f9e44",
  edgeDead: "#d9e2ec",
  note: "#fff3bf",
} as const;

function classes(className: string | undefined): Set<string> {
  return new Set((className ?? "").split(" ").filter(Boolean));
}

/** The ring around a node's box, most important first. */
function ringOf(n: StepNode, cls: Set<string>): string | null {
  if (cls.has("is-active")) return LOD_COLORS.active;
  if (cls.has("run-error") || cls.has("run-failed")) return LOD_COLORS.failed;
  if (cls.has("run-paused")) return LOD_COLORS.paused;
  if (cls.has("is-highlight")) return LOD_COLORS.highlight;
  if (n.selected) return LOD_COLORS.selected;
  if (cls.has("run-ran")) return LOD_COLORS.ran;
  return null;
}

function lineColor(e: Edge, cls: Set<string>): string {
  if (cls.has("is-active") || cls.has("is-highlight")) return LOD_COLORS.highlight;
  if (e.selected) return LOD_COLORS.selected;
  if (cls.has("run-taken")) return LOD_COLORS.edgeTaken;
  if (cls.has("run-dead")) return LOD_COLORS.edgeDead;
  return LOD_COLORS.edge;
}

/** A node's size as drawn: measured by React Flow when it was, else its style or known size. */
export function sizeOf(n: StepNode): { w: number; h: number } {
  const style = n.style as { width?: unknown; height?: unknown } | undefined;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  return {
    w: n.measured?.width ?? num(style?.width) ?? n.initialWidth ?? widthOf(n.data.view.kind),
    h: n.measured?.height ?? num(style?.height) ?? n.initialHeight ?? STEP_HEIGHT,
  };
}

/**
 * The scene of a graph: a box per node (parents before children, so a container is drawn under
 * its children) and a straight line per edge from the source's right side to the target's left.
 * `fillOf` gives a node's colour (its kind's).
 */
export function lodScene(nodes: StepNode[], edges: Edge[], fillOf: (n: StepNode) => string): LodScene {
  const at = new Map<string, LodBox>();
  const boxes: LodBox[] = [];
  for (const n of nodes) {
    const parent = n.parentId ? at.get(n.parentId) : undefined;
    const { w, h } = sizeOf(n);
    const cls = classes(n.className);
    const kind = n.data.view.kind;
    const box: LodBox = {
      id: n.id,
      x: n.position.x + (parent?.x ?? 0),
      y: n.position.y + (parent?.y ?? 0),
      w,
      h,
      fill: kind === "note" ? LOD_COLORS.note : fillOf(n),
      container: n.type === "container",
      dim: cls.has("run-dead") || n.data.view.enabled === false,
      ring: ringOf(n, cls),
      mark: n.data.problem ? LOD_COLORS[n.data.problem] : null,
    };
    at.set(n.id, box);
    boxes.push(box);
  }
  const lines: LodLine[] = [];
  for (const e of edges) {
    const s = at.get(e.source);
    const t = at.get(e.target);
    if (!s || !t) continue;
    lines.push({ x1: s.x + s.w, y1: s.y + s.h / 2, x2: t.x, y2: t.y + t.h / 2, color: lineColor(e, classes(e.className)) });
  }
  return { boxes, lines };
}

/** The node whose box is under a flow point: the innermost (drawn last), a container only on its own. */
export function boxAt(scene: LodScene, x: number, y: number): string | null {
  let container: string | null = null;
  for (let i = scene.boxes.length - 1; i >= 0; i--) {
    const b = scene.boxes[i];
    if (x < b.x || y < b.y || x > b.x + b.w || y > b.y + b.h) continue;
    if (!b.container) return b.id;
    container ??= b.id;
  }
  return container;
}

/** Whether a box overlaps the visible flow rectangle (culling). */
export function overlaps(b: { x: number; y: number; w: number; h: number }, view: { x: number; y: number; w: number; h: number }): boolean {
  return b.x < view.x + view.w && b.x + b.w > view.x && b.y < view.y + view.h && b.y + b.h > view.y;
}
