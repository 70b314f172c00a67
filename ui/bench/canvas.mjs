// Canvas benchmark in Chromium against the real core: journeys of 100/500/1,000/2,000 states.
// For each: time from clicking the document to its nodes drawn (React Flow has measured them and
// made them visible), then the p95 frame time during a scripted pan and zoom.
// Targets: 1,000 nodes open < 1.5 s, p95 frame < 20 ms. Run: `npm run bench:canvas`.
import { loadavg } from "node:os";
import { api, launch, startCore } from "../e2e/harness.mjs";

// The first size is the baseline measured in the same run: a 2-state journey (an almost empty
// canvas) through exactly the same steps, so the figures read against this machine's floor.
const BASELINE = 2;
const SIZES = [BASELINE, ...(process.env.BENCH_SIZES ?? "100,500,1000,2000").split(",").map(Number)];

/** A journey of `n` states: a spine of chat/tool states with a fork every 10 states. */
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

const core = await startCore();
const browser = await launch();
const rows = [];
try {
  // BENCH_MINIMAP=0: measure without the minimap (it draws every node, on screen or not).
  if (process.env.BENCH_MINIMAP === "0") await api(core, "settings_update", { patch: { show_minimap: false } });
  for (const n of SIZES) await api(core, "import_document", { name: `bench-${n}`, content: JSON.stringify(journey(n)) });
  for (const n of SIZES) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(core.url);
    const item = page.locator('[data-testid="document-item"]', { hasText: new RegExp(`^bench-${n}(?!\\d)`) }).first();
    await item.waitFor();
    const t0 = await page.evaluate(() => performance.now());
    await item.click();
    // Drawn = nodes in the DOM, measured and made visible by React Flow, two frames stable.
    await page.waitForFunction(() => {
      const ns = document.querySelectorAll('[data-testid="canvas"] .react-flow__node');
      if (ns.length === 0) return false;
      for (const el of ns) if (getComputedStyle(el).visibility === "hidden") return false;
      const w = window;
      if (w.__benchCount === ns.length) return true;
      w.__benchCount = ns.length;
      return false;
    }, null, { polling: "raf", timeout: 60_000 });
    const t1 = await page.evaluate(() => performance.now());
    const drawn = await page.locator('[data-testid="canvas"] .react-flow__node').count();

    // Frame times during a scripted pan and zoom.
    await page.evaluate(() => {
      const w = window;
      w.__frames = [];
      let last = performance.now();
      const tick = (t) => {
        w.__frames.push(t - last);
        last = t;
        if (!w.__stop) requestAnimationFrame(tick);
      };
      w.__stop = false;
      requestAnimationFrame(tick);
    });
    const box = await page.locator('[data-testid="canvas"] .react-flow__pane').boundingBox();
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    for (let round = 0; round < 2; round++) {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let i = 0; i < 30; i++) await page.mouse.move(cx - i * 15, cy - i * 6);
      await page.mouse.up();
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, -120);
      for (let i = 0; i < 15; i++) await page.mouse.wheel(0, 120);
    }
    const frames = await page.evaluate(() => {
      const w = window;
      w.__stop = true;
      return w.__frames.slice(1);
    });
    frames.sort((a, b) => a - b);
    const p95 = frames[Math.min(frames.length - 1, Math.ceil(0.95 * frames.length) - 1)];
    const p50 = frames[Math.floor(frames.length / 2)];
    const slow = frames.filter((f) => f > 20).length / frames.length;
    rows.push({ nodes: n, drawnInDom: drawn, openMs: Math.round(t1 - t0), p50FrameMs: Number(p50.toFixed(1)), p95FrameMs: Number(p95.toFixed(1)), slowPct: Math.round(slow * 100), frames: frames.length });
    await page.close();
  }
} finally {
  await browser.close();
  core.stop();
}
console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (the machine's other work competes with Chromium's software raster)`);
console.log("| states | nodes in DOM | open → drawn (ms) | p50 frame (ms) | p95 frame (ms) | frames > 20 ms | frames |");
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.nodes === BASELINE ? `${r.nodes} (baseline)` : r.nodes} | ${r.drawnInDom} | ${r.openMs} | ${r.p50FrameMs} | ${r.p95FrameMs} | ${r.slowPct} % | ${r.frames} |`);
const k = rows.find((r) => r.nodes === 1000);
if (k) console.log(`\n1,000 states: open ${k.openMs} ms (target < 1500), p95 frame ${k.p95FrameMs} ms (target < 20)`);
