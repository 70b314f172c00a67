import { describe, expect, it } from "vitest";
import type { CanvasView, Diagnostic, Mapping, TemplateParameter, ViewNode } from "../api/types";
import { tokenFromHash, toCallError } from "../api/client";
import { chatLines } from "./chat";
import { componentFor, orderParentsFirst, toFlowEdges, toFlowNodes } from "./flow";
import { History } from "./history";
import { fieldsOf, findElement, parseField } from "./inspect";
import { layoutGraph } from "./layout";
import { counterparts, sideOf } from "./mapping";
import { problemsByParam, readField } from "./params";
import { problemsByNode, sortDiagnostics } from "./problems";
import { searchNodes } from "./search";
import { percentile } from "./stats";

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

describe("flow", () => {
  it("puts parents before their children and keeps document order otherwise", () => {
    const ns = [node("child", "agent", { parent: "loop" }), node("a", "trigger"), node("loop", "loop"), node("grand", "api", { parent: "child" })];
    expect(orderParentsFirst(ns).map((n) => n.id)).toEqual(["a", "loop", "child", "grand"]);
  });

  it("survives a parent cycle and a missing parent", () => {
    const ns = [node("x", "agent", { parent: "y" }), node("y", "agent", { parent: "x" }), node("z", "agent", { parent: "gone" })];
    expect(orderParentsFirst(ns).map((n) => n.id).sort()).toEqual(["x", "y", "z"]);
    const flow = toFlowNodes({ kind: "sim_workflow", nodes: ns, edges: [] }, new Map());
    expect(flow.find((n) => n.id === "z")?.parentId).toBeUndefined();
  });

  it("maps kinds to components and carries problems and sizes", () => {
    expect(componentFor("loop")).toBe("container");
    expect(componentFor("condition")).toBe("branch");
    expect(componentFor("note")).toBe("note");
    expect(componentFor("chat")).toBe("step");
    const view: CanvasView = {
      kind: "sim_workflow",
      nodes: [node("l", "loop", { size: { width: 500, height: 300 } }), node("c", "agent", { parent: "l" })],
      edges: [{ id: "e", source: "l", target: "c", source_handle: "loop-start-source", kind: "loop_start", label: "go" }],
    };
    const flow = toFlowNodes(view, new Map([["c", { worst: "error" as const, count: 2 }]]));
    expect(flow[0].style).toEqual({ width: 500, height: 300 });
    expect(flow[1].parentId).toBe("l");
    expect(flow[1].data.problem).toBe("error");
    expect(toFlowEdges(view)[0]).toMatchObject({ sourceHandle: "loop-start-source", label: "go", className: "edge-loop_start" });
  });
});

describe("history", () => {
  it("undoes and redoes, and a new edit clears redo", () => {
    const h = new History<number>(3);
    h.record(1);
    h.record(2);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBe(1);
    expect(h.undo(1)).toBeNull();
    expect(h.redo(1)).toBe(2);
    h.record(2);
    expect(h.canRedo).toBe(false);
  });
  it("keeps at most `limit` steps", () => {
    const h = new History<number>(2);
    [1, 2, 3].forEach((n) => h.record(n));
    expect(h.undo(4)).toBe(3);
    expect(h.undo(3)).toBe(2);
    expect(h.undo(2)).toBeNull();
  });
});

describe("problems", () => {
  const d = (severity: Diagnostic["severity"], ids: string[]): Diagnostic => ({ code: "X", severity, message: "m", node_ids: ids, edge_ids: [], path: "", hint: "" });
  it("keeps the worst severity per node and counts", () => {
    const m = problemsByNode([d("info", ["a"]), d("error", ["a", "b"]), d("warning", ["a"])]);
    expect(m.get("a")).toEqual({ worst: "error", count: 3 });
    expect(m.get("b")).toEqual({ worst: "error", count: 1 });
  });
  it("sorts errors first, stably", () => {
    const ds = [d("info", ["1"]), d("error", ["2"]), d("warning", ["3"]), d("error", ["4"])];
    expect(sortDiagnostics(ds).map((x) => x.node_ids[0])).toEqual(["2", "4", "3", "1"]);
  });
});

describe("mapping", () => {
  const m: Mapping = {
    direction: "workflow_to_journey",
    nodes: [{ block_id: "b1", state_id: "s1", role: "agent->chat" }, { block_id: "b1", state_id: "s2", role: "x" }],
    edges: [{ sim_edge_id: "e1", transition_id: "t1", handle: "source" }, { sim_edge_id: null, transition_id: "t2", handle: null }],
    variables: [],
    approximations: [],
  };
  it("finds counterparts both ways", () => {
    expect(counterparts(m, "workflow", "b1")).toEqual(["s1", "s2"]);
    expect(counterparts(m, "journey", "s2")).toEqual(["b1"]);
    expect(counterparts(m, "journey", "t1")).toEqual(["e1"]);
    expect(counterparts(m, "journey", "t2")).toEqual([]);
  });
  it("knows the side of a document kind", () => {
    expect(sideOf("parlant_journey")).toBe("journey");
    expect(sideOf("sim_workflow")).toBe("workflow");
  });
});

describe("search", () => {
  it("matches all words, label matches first", () => {
    const ns = [node("x1", "agent", { label: "Refund agent", detail: "check order" }), node("order", "api", { label: "Lookup" }), node("x3", "api", { label: "Order lookup" })];
    expect(searchNodes(ns, "order").map((n) => n.id)).toEqual(["x3", "x1", "order"]);
    expect(searchNodes(ns, "refund check").map((n) => n.id)).toEqual(["x1"]);
    expect(searchNodes(ns, "  ")).toEqual([]);
  });
});

describe("template parameters", () => {
  const num: TemplateParameter = { name: "sla", type: "number" };
  it("reads values by type", () => {
    expect(readField(num, "12")).toEqual({ value: 12 });
    expect(readField(num, "abc").error).toMatch(/not a number/);
    expect(readField(num, "")).toEqual({});
    expect(readField({ name: "b", type: "boolean" }, "true")).toEqual({ value: true });
    expect(readField({ name: "l", type: "list" }, '["a"]')).toEqual({ value: ["a"] });
    expect(readField({ name: "l", type: "list" }, '{"a":1}').error).toMatch(/JSON array/);
  });
  it("places the core's problems under their parameter", () => {
    const r = problemsByParam(["sla", "company"], [
      { at: "parameters.sla", message: "500 is more than the maximum 72" },
      { at: "body.nodes[2].action", message: "bad" },
      { at: "parameters.colour", message: "no such parameter" },
    ]);
    expect(r.byParam).toEqual({ sla: ["500 is more than the maximum 72"] });
    expect(r.general).toEqual(["body.nodes[2].action: bad", "parameters.colour: no such parameter"]);
    const fromText = problemsByParam(["company"], "template x:\n  - parameters.company: too short");
    expect(fromText.byParam.company).toEqual(["too short"]);
  });
});

describe("inspector fields", () => {
  const journey = { nodes: [{ id: "a", action: "Ask", tools: [] }], edges: [{ id: "e", source: "a", target: "end", condition: null }] };
  const sim = { state: { blocks: { b: { id: "b", name: "Agent", enabled: true, subBlocks: { model: { value: "gpt" }, tools: { value: [] } } } }, edges: [] } };
  it("finds journey nodes and edges and their fields", () => {
    const n = findElement(journey, "a");
    expect(n?.what).toBe("node");
    expect(fieldsOf("parlant_journey", n!).map((f) => f.path.join("."))).toEqual(["action", "tools"]);
    const e = findElement(journey, "e")!;
    expect(fieldsOf("parlant_journey", e)[0]).toMatchObject({ path: ["condition"], value: "" });
    expect(findElement(journey, "nope")).toBeNull();
  });
  it("lists a Sim block's sub-block values as key paths", () => {
    const f = fieldsOf("sim_workflow", findElement(sim, "b")!);
    expect(f.map((x) => x.path.join("."))).toEqual(["name", "enabled", "subBlocks.model.value", "subBlocks.tools.value"]);
    expect(f[3].as).toBe("json");
  });
  it("parses edits; an empty condition is unconditional", () => {
    expect(parseField({ path: ["condition"], label: "", as: "text", value: "" }, " ")).toEqual({ value: null });
    expect(parseField({ path: ["tools"], label: "", as: "json", value: [] }, "[1")).toHaveProperty("error");
  });
});

describe("layout", () => {
  it("lays a chain out left to right without overlap, children relative to their container", () => {
    const pos = layoutGraph(
      [
        { id: "a", width: 200, height: 60 },
        { id: "b", width: 200, height: 60 },
        { id: "L", width: 400, height: 300 },
        { id: "c", parent: "L", width: 200, height: 60 },
      ],
      [{ source: "a", target: "b" }, { source: "b", target: "L" }],
    );
    expect(pos.b.x).toBeGreaterThanOrEqual(pos.a.x + 200);
    expect(pos.L.x).toBeGreaterThanOrEqual(pos.b.x + 200);
    expect(pos.c.x).toBeGreaterThanOrEqual(0);
    expect(pos.c.x).toBeLessThan(400);
  });
});

describe("client helpers", () => {
  it("reads the token from the fragment", () => {
    expect(tokenFromHash("#token=abc123")).toBe("abc123");
    expect(tokenFromHash("#x=1&token=t")).toBe("t");
    expect(tokenFromHash("")).toBeNull();
  });
  it("normalises rejections, keeping template problems", () => {
    const e = toCallError({ kind: "template", message: "bad", problems: [{ at: "parameters.a", message: "m" }] });
    expect(e.kind).toBe("template");
    expect(e.problems).toHaveLength(1);
    expect(toCallError("boom").message).toBe("boom");
  });
});

describe("chat and stats", () => {
  it("turns events into chat lines", () => {
    const lines = chatLines([
      { type: "customer_message", text: "hi" },
      { type: "agent_message", state: "a", text: "Hello", canned: false },
      { type: "transition", from: "a", to: "b", edge: "e1", forced: true, score: 1, reason: "forced", candidates: [] },
      { type: "end", state: "b" },
    ]);
    expect(lines.map((l) => l.who)).toEqual(["customer", "agent", "system", "system"]);
    expect(lines[2].text).toBe("a → b (forced)");
  });
  it("computes nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(Number.isNaN(percentile([], 95))).toBe(true);
  });
});
