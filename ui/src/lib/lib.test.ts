import { describe, expect, it } from "vitest";
import type { CanvasView, Delta, Diagnostic, InspectorField, Mapping, SessionStatus, TemplateParameter, ViewNode } from "../api/types";
import { tokenFromHash, toCallError } from "../api/client";
import { candidateRows, chatLines, ruleSource, turnSummary } from "./chat";
import { componentFor, orderParentsFirst, toFlowEdges, toFlowNodes } from "./flow";
import { addBranch, addRoute, canMoveBranch, canRemoveBranch, encodeList, fieldText, messagesOf, moveItem, parseFieldText, plainText, quotedReferences, titled } from "./fields";
import { placeDiagnostics, withoutReferences } from "./code";
import { searchPalette, type PaletteEntry } from "../components/Palette";
import { suggestName } from "../components/SaveTemplate";
import { labelBox, layoutGraph } from "./layout";
import { counterparts, sideOf } from "./mapping";
import { problemsByParam, readField } from "./params";
import { problemsByNode, sortDiagnostics } from "./problems";
import { searchNodes } from "./search";
import { applyDelta, windowTitle, type OpenDoc } from "./session";
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

describe("problems", () => {
  const d = (severity: Diagnostic["severity"], ids: string[], path = ""): Diagnostic => ({ id: `${severity}-${ids.join()}`, code: "X", severity, message: "m", node_ids: ids, edge_ids: [], path, hint: "" });
  it("keeps the worst severity per node and counts", () => {
    const m = problemsByNode([d("info", ["a"]), d("error", ["a", "b"]), d("warning", ["a"])]);
    expect(m.get("a")).toEqual({ worst: "error", count: 3 });
    expect(m.get("b")).toEqual({ worst: "error", count: 1 });
  });
  it("sorts errors first, then by path", () => {
    const ds = [d("info", ["1"]), d("error", ["2"], "b"), d("warning", ["3"]), d("error", ["4"], "a")];
    expect(sortDiagnostics(ds).map((x) => x.node_ids[0])).toEqual(["4", "2", "3", "1"]);
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
  const field = (kind: InspectorField["kind"], value: unknown, optional = false): InspectorField => ({ path: ["x"], label: "X", kind, value: value as InspectorField["value"], options: [], optional, required: false, diagnostics: [] });
  it("writes each kind as its control shows it", () => {
    expect(fieldText(field("text_list", ["a", "b"]))).toBe("a\nb");
    expect(fieldText(field("json", [{ a: 1 }]))).toContain('"a": 1');
    expect(fieldText(field("text", null))).toBe("");
    expect(fieldText(field("number", 3))).toBe("3");
    expect(fieldText(field("bool", true))).toBe("true");
  });
  it("reads text back by kind; an empty optional field is null", () => {
    expect(parseFieldText(field("text_list", []), " a \n\n b")).toEqual({ value: ["a", "b"] });
    expect(parseFieldText(field("number", 0), "x").error).toMatch(/not a number/);
    expect(parseFieldText(field("number", 0), "2.5")).toEqual({ value: 2.5 });
    expect(parseFieldText(field("json", null), "[1").error).toMatch(/JSON/);
    expect(parseFieldText(field("long_text", "a", true), "  ")).toEqual({ value: null });
    expect(parseFieldText(field("text", "a"), "")).toEqual({ value: "" });
  });
});

describe("session deltas", () => {
  const status: SessionStatus = { session: "s", dirty: true, revision: 1, can_undo: true, can_redo: false };
  const base = (): OpenDoc => ({
    session: "s",
    id: 1,
    name: "d",
    kind: "parlant_journey",
    view: { kind: "parlant_journey", nodes: [node("a", "chat"), node("b", "chat")], edges: [{ id: "e", source: "a", target: "b", kind: "transition" }] },
    diagnostics: new Map([["d1", { id: "d1", code: "J1", severity: "error", message: "m", node_ids: ["a"], edge_ids: [], path: "", hint: "" }]]),
    counts: { errors: 1, warnings: 0, infos: 0 },
    status: { ...status, dirty: false },
    version: 0,
  });
  const empty: Delta = { added_nodes: [], changed_nodes: [], removed_nodes: [], added_edges: [], changed_edges: [], removed_edges: [], added_diagnostics: [], removed_diagnostics: [], counts: { errors: 1, warnings: 0, infos: 0 } };
  it("replaces changed nodes, keeps the others' identity, removes and adds", () => {
    const doc = base();
    const next = applyDelta(doc, { ...empty, changed_nodes: [node("a", "chat", { label: "A!" })], removed_edges: ["e"], added_nodes: [node("c", "fork")] }, status);
    expect(next.view.nodes.map((n) => n.id)).toEqual(["a", "b", "c"]);
    expect(next.view.nodes[0].label).toBe("A!");
    expect(next.view.nodes[1]).toBe(doc.view.nodes[1]);
    expect(next.view.edges).toEqual([]);
    expect(next.version).toBe(1);
    expect(next.status.dirty).toBe(true);
  });
  it("follows diagnostics by id and takes the core's counts", () => {
    const doc = base();
    const added = { id: "d2", code: "J2", severity: "warning" as const, message: "w", node_ids: [], edge_ids: [], path: "", hint: "" };
    const next = applyDelta(doc, { ...empty, removed_diagnostics: ["d1"], added_diagnostics: [added], counts: { errors: 0, warnings: 1, infos: 0 } }, status);
    expect([...next.diagnostics.keys()]).toEqual(["d2"]);
    expect(next.counts.warnings).toBe(1);
    expect(doc.diagnostics.has("d1")).toBe(true);
    // Nothing changed on the canvas: the same view object.
    expect(next.view).toBe(doc.view);
  });
  it("titles the window with the kind and unsaved mark", () => {
    expect(windowTitle(null)).toBe("Journey Studio");
    expect(windowTitle({ name: "Trip", kind: "parlant_journey", dirty: true })).toBe("• Trip — Parlant journey — Journey Studio");
    expect(windowTitle({ name: " ", kind: "sim_workflow" })).toBe("Untitled — Sim workflow — Journey Studio");
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
    // A labelled edge gets room for its label between the two nodes.
    const plain = layoutGraph([{ id: "a", width: 200, height: 60 }, { id: "b", width: 200, height: 60 }], [{ source: "a", target: "b" }]);
    const label = "The customer does not know where they want to go";
    const labelled = layoutGraph([{ id: "a", width: 200, height: 60 }, { id: "b", width: 200, height: 60 }], [{ source: "a", target: "b", label }]);
    expect(labelled.b.x - labelled.a.x - 200).toBeGreaterThanOrEqual(labelBox(label).width);
    expect(labelled.b.x - labelled.a.x).toBeGreaterThan(plain.b.x - plain.a.x);
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
  it("lists a turn's candidates best first, the winner first among equals, with their parts", () => {
    const rows = candidateRows(
      [
        { edge: "a", target: "x", condition: "A", score: 0.2, reason: "r", keyword: 0.2, semantic: 0.1 },
        { edge: "b", target: "y", condition: "B", score: 0.8, reason: "r", keyword: 0, semantic: 0.8 },
        { edge: "c", target: "z", condition: "C", score: 0.8, reason: "r", keyword: 0.8 },
        { edge: "d", target: "w", condition: "D", score: 0, reason: "not scored: the transition taken the last time", keyword: 0 },
      ],
      "c",
      0.5,
    );
    expect(rows.map((r) => r.edge)).toEqual(["c", "b", "a", "d"]);
    expect(rows[0].winner).toBe(true);
    expect(rows.map((r) => r.passes)).toEqual([true, true, false, false]);
    expect(rows[1].parts).toBe("paraphrase 0.80 · keywords 0.00");
    expect(rows[0].parts).toBe("keywords 0.80");
    expect(rows[3].parts).toMatch(/^not scored/);
  });
  it("sums a turn up by its pacing decisions and moves", () => {
    expect(
      turnSummary([
        { type: "customer_message", text: "Paris next friday, just me" },
        { type: "transition", from: "a", to: "b", edge: "e1", forced: false, score: 0.6, reason: "r", candidates: [] },
        { type: "pacing", decision: "skipped", state: "b", reason: "answered", rule: "x" },
        { type: "transition", from: "b", to: "c", edge: "e2", forced: false, score: 1, reason: "r", candidates: [] },
      ]),
    ).toBe("Skipped · → b → c");
    expect(turnSummary([{ type: "no_match", state: "a", candidates: [] }])).toBe("no transition matched");
    expect(turnSummary([{ type: "customer_message", text: "hi" }])).toBe("");
  });
  it("shortens a Parlant rule to its files and what it says", () => {
    expect(ruleSource("parlant 3.3.2 core/engines/alpha/engine.py: _filter_activated_journeys")).toBe("engine.py: _filter_activated_journeys");
    expect(ruleSource("parlant 3.3.2 core/a/journey_backtrack_check.py and journey_backtrack_node_selection.py")).toBe("journey_backtrack_check.py and journey_backtrack_node_selection.py");
  });
  it("computes nearest-rank percentiles", () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(Number.isNaN(percentile([], 95))).toBe(true);
  });
});

describe("inspector lists", () => {
  const field = (kind: InspectorField["kind"], value: unknown): InspectorField => ({ path: ["x"], label: "X", kind, value: value as InspectorField["value"], options: [], optional: false, required: false, diagnostics: [] });
  const b = (id: string, title = "", value = "") => ({ id, title, value, showTags: false });
  it("titles branches by position and keeps else last", () => {
    const list = [b("x-if", "if", "a"), b("x-else", "else")];
    const added = addBranch(list, "x", 42);
    expect(added.map((x) => [x.id, x.title])).toEqual([["x-if", "if"], ["x-else-if-42", "else if"], ["x-else", "else"]]);
    expect(added[1].showTags).toBe(false);
    expect(canRemoveBranch(added, 0)).toBe(false);
    expect(canRemoveBranch(added, 1)).toBe(true);
    expect(canRemoveBranch(added, 2)).toBe(false);
    expect(canMoveBranch(added, 1, -1)).toBe(true);
    expect(canMoveBranch(added, 1, 1)).toBe(false);
    expect(canMoveBranch(added, 2, -1)).toBe(false);
    // Moving the else-if first makes it the `if`; ids (and so edges) stay with their branch.
    const moved = titled(moveItem(added, 1, -1));
    expect(moved.map((x) => [x.id, x.title])).toEqual([["x-else-if-42", "if"], ["x-if", "else if"], ["x-else", "else"]]);
  });
  it("adds routes with Sim's ids and fresh titles", () => {
    const r = addRoute([{ id: "r-route1", title: "route1", value: "v" }], "r", 7);
    expect(r[1]).toMatchObject({ id: "r-route-7", title: "route2", value: "" });
  });
  it("encodes lists the way Sim stores them", () => {
    const f = { ...field("branches", []), text_encoded: true };
    expect(encodeList(f, [{ id: "a" }])).toBe('[{"id":"a"}]');
    expect(encodeList(field("branches", []), [{ id: "a" }])).toEqual([{ id: "a" }]);
  });
  it("reads an agent's messages from a text or a list", () => {
    expect(messagesOf("You help.")).toEqual([{ role: "system", content: "You help." }]);
    expect(messagesOf([{ role: "user", content: "hi", extra: 1 }])).toEqual([{ role: "user", content: "hi", extra: 1 }]);
    expect(messagesOf(null)).toEqual([]);
  });
  it("checks slider bounds and strips display-only HTML", () => {
    const s = { ...field("slider", 0.3), min: 0, max: 1 };
    expect(parseFieldText(s, "2").error).toMatch(/at most 1/);
    expect(parseFieldText(s, "0.5")).toEqual({ value: 0.5 });
    expect(plainText('<div class="mb-3"><strong>1.</strong> Copy the URL</div>')).toBe("1. Copy the URL");
  });
});

describe("code diagnostics", () => {
  const diag = (message: string): Diagnostic => ({ id: "d", code: "W014", severity: "error", message, node_ids: [], edge_ids: [], path: "", hint: "" });
  it("marks a quoted reference where it is written, else the first line", () => {
    expect(quotedReferences("`Fn` reads `<agnt.content>`, but no block is named `agnt`")).toEqual(["<agnt.content>"]);
    const text = "const a = 1;\nreturn <agnt.content>;";
    const placed = placeDiagnostics(text, [diag("`Fn` reads `<agnt.content>`, but no block is named `agnt`")]);
    expect(placed).toHaveLength(1);
    expect(text.slice(placed[0].from, placed[0].to)).toBe("<agnt.content>");
    const other = placeDiagnostics(text, [diag("something else")]);
    expect(text.slice(other[0].from, other[0].to)).toBe("const a = 1;");
  });
});

describe("references in code", () => {
  it("are replaced by identifiers of the same length", () => {
    const text = "<agent.content>.includes('x') && <start.plan> !== ''";
    const out = withoutReferences(text);
    expect(out.length).toBe(text.length);
    expect(out).toBe("_______________.includes('x') && ____________ !== ''");
    expect(withoutReferences("a < b && c > d")).toBe("a < b && c > d");
  });
});

describe("palette and templates", () => {
  const item = (type: string, name: string, keywords = ""): PaletteEntry => ({
    type,
    name,
    category: "blocks",
    icon: "",
    color: "",
    description: "",
    handles: { target: true, sources: [] },
    keywords,
  });
  it("finds palette items by name first, then by type and keywords", () => {
    const items = [item("api", "API", "http"), item("agent", "Agent"), item("router_v2", "Router", "route")];
    expect(searchPalette(items, "ag").map((i) => i.type)).toEqual(["agent"]);
    expect(searchPalette(items, "http").map((i) => i.type)).toEqual(["api"]);
    expect(searchPalette(items, "").length).toBe(3);
  });
  it("suggests parameter names from texts, never twice", () => {
    expect(suggestName("Harbor & Pine Ltd.", new Set())).toBe("harbor_pine_ltd");
    expect(suggestName("Harbor & Pine Ltd.", new Set(["harbor_pine_ltd"]))).toBe("harbor_pine_ltd_2");
    expect(suggestName("42 days", new Set())).toBe("p_42_days");
  });
});
