// The documents the canvas bench opens, and the same graphs as bare React Flow nodes and edges
// for its baseline page.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../e2e/harness.mjs";

/** A journey of `n` states: a spine of chat/tool states with a fork every 10 states, 40 a row. */
export function journey(n) {
  const nodes = [{ id: "root", action: null, tools: [], metadata: {} }];
  const edges = [];
  const positions = { root: { x: 0, y: 0 } };
  let prev = "root";
  for (let i = 1; i < n; i++) {
    const id = `s${i}`;
    const kind = i % 10 === 0 ? "fork" : i % 7 === 0 ? "tool" : "chat";
    nodes.push({
      id,
      action: kind === "fork" ? null : kind === "tool" ? `Use the tool lookup_${i}` : `Ask the customer about step ${i}`,
      tools: kind === "tool" ? [{ service_name: "svc", tool_name: `lookup_${i}` }] : [],
      metadata: { journey_node: { kind } },
    });
    positions[id] = { x: (i % 40) * 260, y: Math.floor(i / 40) * 140 };
    edges.push({ id: `e${i}`, source: prev, target: id, condition: prev.startsWith("s") && Number(prev.slice(1)) % 10 === 0 ? `the customer picks option ${i}` : null, metadata: {} });
    if (kind === "fork") edges.push({ id: `x${i}`, source: id, target: "end", condition: `the customer wants to stop at ${i}`, metadata: {} });
    prev = id;
  }
  edges.push({ id: "last", source: prev, target: "end", condition: null, metadata: {} });
  positions.end = { x: 0, y: (Math.floor(n / 40) + 1) * 140 };
  return {
    format: "parlant-journey",
    version: 1,
    journey: { title: `Bench ${n}`, description: "benchmark", conditions: ["the customer asks"], root_id: "root", tags: [] },
    nodes,
    edges,
    editor: { positions },
  };
}

/** The blocks a bench workflow is made of: real blocks of the fixtures, with their sub-blocks. */
function templates() {
  const out = [];
  for (const f of ["support-triage-condition.json", "refund-router.json", "disabled-and-notes.json"]) {
    const state = JSON.parse(readFileSync(join(REPO, "fixtures/sim", f), "utf8")).state;
    for (const b of Object.values(state.blocks)) {
      if (["note", "start_trigger", "starter", "loop", "parallel"].includes(b.type)) continue;
      // The handles its branches leave by (condition-<id>-if, router-<id>-route1, error).
      const handles = [...new Set(state.edges.filter((e) => e.source === b.id).map((e) => e.sourceHandle))].filter((h) => h !== "source-right");
      out.push({ block: b, handles: handles.length ? handles : ["source"] });
    }
  }
  return out;
}

/**
 * A Sim export of `n` blocks: a start trigger, then copies of the fixtures' real blocks (agents,
 * api calls, conditions, routers, functions, evaluators, Slack, Gmail, human in the loop, wait,
 * variables) in rows of 40; each block's branches lead to the next blocks.
 */
export function workflow(n) {
  const tpl = templates();
  const start = JSON.parse(readFileSync(join(REPO, "fixtures/sim/support-triage-condition.json"), "utf8")).state.blocks["c8e6322a-f771-4c63-8f8d-ccc1a18a4870"];
  const blocks = { b0: { ...start, id: "b0", position: { x: 0, y: 0 } } };
  const edges = [];
  const handlesOf = { b0: ["source"] };
  for (let i = 1; i < n; i++) {
    const { block, handles } = tpl[i % tpl.length];
    const id = `b${i}`;
    const copy = JSON.parse(JSON.stringify(block).split(block.id).join(id));
    copy.name = `${block.name} ${i}`;
    copy.position = { x: (i % 40) * 420, y: Math.floor(i / 40) * 380 };
    blocks[id] = copy;
    handlesOf[id] = handles.map((h) => h.split(block.id).join(id));
  }
  for (let i = 0; i < n - 1; i++) {
    handlesOf[`b${i}`].forEach((h, k) => {
      const t = Math.min(n - 1, i + 1 + k);
      edges.push({ id: `e${i}-${k}`, source: `b${i}`, target: `b${t}`, sourceHandle: h, targetHandle: "target", type: "workflowEdge" });
    });
  }
  return {
    version: "1.0",
    exportedAt: "2026-12-01T00:00:00.000Z",
    workflow: { id: "bench-workflow", name: `Bench workflow ${n}`, description: "benchmark", workspaceId: "bench", folderId: null },
    state: { blocks, edges, loops: {}, parallels: {}, metadata: {}, variables: {} },
  };
}

/** The same graph for bare React Flow: default nodes at the same positions, default edges. */
export function bare(doc) {
  if (doc.format === "parlant-journey") {
    const pos = doc.editor.positions;
    return {
      nodes: Object.keys(pos).map((id) => ({ id, position: pos[id], data: { label: doc.nodes.find((n) => n.id === id)?.action ?? id } })),
      edges: doc.edges.map((e) => ({ id: e.id, source: e.source, target: e.target, label: e.condition ?? undefined })),
    };
  }
  const blocks = Object.values(doc.state.blocks);
  return {
    nodes: blocks.map((b) => ({ id: b.id, position: b.position, data: { label: b.name } })),
    edges: doc.state.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}
