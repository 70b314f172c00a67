import { describe, expect, it } from "vitest";
import type { CanvasView, ViewNode } from "../api/types";
import { toFlowEdges, toFlowNodes } from "./flow";
import { withMarks } from "./runMarks";
import { LOD_COLORS, boxAt, isFar, lodScene, overlaps } from "./lod";

const node = (id: string, kind: string, extra: Partial<ViewNode> = {}): ViewNode => ({
  id,
  kind,
  type: kind,
  label: id,
  position: { x: 0, y: 0 },
  handles: [],
  enabled: true,
  ...extra,
});

const view: CanvasView = {
  kind: "sim_workflow",
  nodes: [
    node("loop", "loop", { position: { x: 1000, y: 500 }, size: { width: 600, height: 300 } }),
    node("a", "agent", { position: { x: 0, y: 0 } }),
    node("in", "function", { parent: "loop", position: { x: 50, y: 60 } }),
    node("off", "api", { position: { x: 400, y: 0 }, enabled: false }),
  ],
  edges: [
    { id: "e1", source: "a", target: "loop", kind: "default" },
    { id: "e2", source: "a", target: "ghost", kind: "default" },
  ],
};
const fill = () => "#123456";

describe("level of detail", () => {
  it("is far below the zoom where 11 px text falls under 5 px", () => {
    expect(isFar(0.3)).toBe(true);
    expect(isFar(0.5)).toBe(false);
  });

  it("draws a box per node at its absolute place and a line per edge between drawn nodes", () => {
    const nodes = toFlowNodes(view, new Map());
    const scene = lodScene(nodes, toFlowEdges(view), fill);
    const inner = scene.boxes.find((b) => b.id === "in")!;
    expect(inner).toMatchObject({ x: 1050, y: 560, w: 250, h: 96, container: false, fill: "#123456" });
    expect(scene.boxes.find((b) => b.id === "loop")).toMatchObject({ container: true, w: 600, h: 300 });
    expect(scene.boxes.find((b) => b.id === "off")?.dim).toBe(true);
    // The edge to a node that is not drawn has no line.
    expect(scene.lines).toEqual([{ x1: 250, y1: 48, x2: 1000, y2: 650, color: LOD_COLORS.edge }]);
  });

  it("keeps the active step, highlights, selection, run states and problems visible", () => {
    const nodes = toFlowNodes(view, new Map([["a", { worst: "error" as const, count: 1 }], ["off", { worst: "warning" as const, count: 2 }]]));
    const marked = withMarks(
      nodes.map((n) => (n.id === "in" ? { ...n, className: "is-active" } : n.id === "loop" ? { ...n, selected: true } : n)),
      toFlowEdges(view),
      { blocks: [{ block: "a", state: "ran", order: 1, runs: 1 }], edges: [{ edge: "e1", state: "taken" }] } as never,
    );
    const scene = lodScene(marked[0], marked[1], fill);
    const by = (id: string) => scene.boxes.find((b) => b.id === id)!;
    expect(by("in").ring).toBe(LOD_COLORS.active);
    expect(by("loop").ring).toBe(LOD_COLORS.selected);
    expect(by("a").ring).toBe(LOD_COLORS.ran);
    expect(by("a").mark).toBe(LOD_COLORS.error);
    expect(by("off").mark).toBe(LOD_COLORS.warning);
    expect(scene.lines[0].color).toBe(LOD_COLORS.edgeTaken);
  });

  it("answers the innermost box under a point, a container only on its own", () => {
    const scene = lodScene(toFlowNodes(view, new Map()), [], fill);
    expect(boxAt(scene, 1100, 600)).toBe("in");
    expect(boxAt(scene, 1500, 700)).toBe("loop");
    expect(boxAt(scene, 10, 10)).toBe("a");
    expect(boxAt(scene, -10, -10)).toBeNull();
  });

  it("culls boxes outside the visible rectangle", () => {
    const v = { x: 0, y: 0, w: 100, h: 100 };
    expect(overlaps({ x: 90, y: 90, w: 20, h: 20 }, v)).toBe(true);
    expect(overlaps({ x: 100, y: 0, w: 20, h: 20 }, v)).toBe(false);
    expect(overlaps({ x: -30, y: 10, w: 20, h: 20 }, v)).toBe(false);
  });
});
