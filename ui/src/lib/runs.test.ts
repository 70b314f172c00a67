import { describe, expect, it } from "vitest";
import type { Edge } from "@xyflow/react";
import type { FormField } from "../api/generated/FormField";
import { formInput, initialValues } from "../components/RunPanel";
import type { StepNode } from "./flow";
import { withMarks } from "./runMarks";

const field = (name: string, type: string, extra: Partial<FormField> = {}): FormField => ({ name, label: name, type, required: false, ...extra });

describe("run marks on the canvas", () => {
  const nodes = [
    { id: "a", position: { x: 0, y: 0 }, className: "is-active", data: { view: {} } },
    { id: "b", position: { x: 0, y: 0 }, data: { view: {} } },
  ] as unknown as StepNode[];
  const edges: Edge[] = [{ id: "e", source: "a", target: "b", className: "edge-default" }];

  it("classes each node and edge by the core's marks and keeps other classes", () => {
    const [ns, es] = withMarks(nodes, edges, {
      blocks: [
        { block: "a", state: "ran", runs: 1, order: 1 },
        { block: "b", state: "dead", runs: 0 },
      ],
      edges: [{ edge: "e", state: "dead" }],
    });
    expect(ns[0].className).toBe("is-active run-ran");
    expect(ns[0].data.run?.order).toBe(1);
    expect(ns[1].className).toBe("run-dead");
    expect(es[0].className).toBe("edge-default run-dead");
    // Cleared: back to what they were.
    const [cleared, clearedEdges] = withMarks(ns, es, null);
    expect(cleared[0].className).toBe("is-active");
    expect(cleared[0].data.run).toBeUndefined();
    expect(clearedEdges[0].className).toBe("edge-default");
  });

  it("answers the same arrays when nothing changes", () => {
    const [ns, es] = withMarks(nodes, edges, null);
    expect(ns).toBe(nodes);
    expect(es).toBe(edges);
  });
});

describe("typed forms", () => {
  const fields = [field("n", "number"), field("ok", "boolean", { default: true }), field("list", "array", { default: ["x"] }), field("s", "string", { default: "hi" })];

  it("starts from the declared values, as the controls show them", () => {
    expect(initialValues(fields)).toEqual({ n: "", ok: true, list: '["x"]', s: "hi" });
  });

  it("sends the controls' values and leaves empty typed fields out (the core reads the types)", () => {
    expect(formInput(fields, { n: "", ok: false, list: '["y"]', s: "" })).toEqual({ ok: false, list: '["y"]', s: "" });
  });
});
