// Canvas benchmark in Chromium against the real core, with the WHOLE graph in view (fit view),
// the way designers look at big journeys and workflows: journeys of 1,000 and 5,000 states and a
// Sim workflow of 1,000 real blocks (bench/graphs.mjs). For each document:
//   open → drawn (click the document until its first view is drawn), then fit view → drawn (the
//   Controls' fit-view button), the nodes and edges in the DOM, and the p50/p95 frame time during
//   a scripted pan and zoom from there; then from fit view, wheel in until text is readable
//   (zoom 0.85): time until drawn and the longest frame (full nodes coming back);
// beside a BASELINE measured in the same run: the same nodes and edges at the same positions drawn
// by bare @xyflow/react (default nodes and edges, `fitView`, no app: bench/baseline/), through
// the same steps. Prints one `README| what | figure | baseline |` line per README row (collected
// by scripts/bench) and the machine load. Targets: 1,000 states p95 < 20 ms, 5,000 states < 33 ms.
//
//   npm run bench:canvas                       # builds the app and the baseline page, then runs
//   BENCH_CASES=journey-1000 node bench/canvas.mjs   # one document; BENCH_MINIMAP=0 without the minimap
// The core: JOURNEY_STUDIO_BIN, else ../target/release/journey-studio when built, else debug.
import { existsSync, readFileSync } from "node:fs";
import { join, extname } from "node:path";
import { loadavg, cpus } from "node:os";
import { REPO, UI_DIR, api, launch, startCore } from "../e2e/harness.mjs";
import { bare, journey, workflow } from "./graphs.mjs";

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const release = join(REPO, "target/release/journey-studio");
if (!process.env.JOURNEY_STUDIO_BIN) process.env.JOURNEY_STUDIO_BIN = existsSync(release) ? release : join(REPO, "target/debug/journey-studio");
const coreKind = process.env.JOURNEY_STUDIO_BIN === release ? "release" : process.env.JOURNEY_STUDIO_BIN.includes("/debug/") ? "debug" : "given";
const BASELINE_DIR = join(UI_DIR, "bench/dist");
if (!existsSync(join(BASELINE_DIR, "index.html"))) throw new Error(`${BASELINE_DIR}/index.html is missing: run \`npm run bench:canvas\` (it builds the baseline page)`);

const CASES = [
  { name: "journey-1000", what: "1,000 journey states", target: 20, doc: () => journey(1000) },
  { name: "journey-5000", what: "5,000 journey states", target: 33, doc: () => journey(5000) },
  { name: "workflow-1000", what: "1,000-block Sim workflow", target: 20, doc: () => workflow(1000) },
].filter((c) => !process.env.BENCH_CASES || process.env.BENCH_CASES.split(",").includes(c.name));
const VIEWPORT = { width: 1400, height: 900 };

console.log(`canvas bench: core ${coreKind} (${process.env.JOURNEY_STUDIO_BIN}); Chromium ${"/usr/bin/chromium"} software raster; ${cpus().length} cores; load average at the start ${load()}`);

/** Resolves when the canvas is drawn: the level-of-detail layer painted, or every node in the DOM measured and visible; two frames stable. */
async function drawn(page) {
  await page.waitForFunction(
    () => {
      const root = document.querySelector('[data-testid="canvas"]');
      if (!root) return false;
      const lod = root.querySelector('[data-testid="lod-canvas"]');
      const ns = root.querySelectorAll(".react-flow__node");
      let key;
      if (lod && lod.dataset.drawn && Number(lod.dataset.drawn) > 0) key = `lod:${lod.dataset.drawn}:${lod.dataset.frame}:${ns.length}`;
      else {
        if (ns.length === 0) return false;
        for (const el of ns) if (getComputedStyle(el).visibility === "hidden") return false;
        key = `dom:${ns.length}`;
      }
      const w = window;
      if (w.__benchKey === key) return true;
      w.__benchKey = key;
      return false;
    },
    null,
    { polling: "raf", timeout: 180_000 },
  );
}

async function domCounts(page) {
  return page.evaluate(() => {
    const root = document.querySelector('[data-testid="canvas"] .react-flow__renderer') ?? document;
    const lod = Number(document.querySelector('[data-testid="lod-canvas"]')?.dataset.drawn ?? 0);
    return { nodes: root.querySelectorAll(".react-flow__node").length, edges: root.querySelectorAll(".react-flow__edge").length, lod };
  });
}

/** p50/p95 of the frame times (requestAnimationFrame deltas) during two rounds of pan, zoom in, zoom out. */
async function panAndZoom(page) {
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
  // The graph stays in view: a drag of 150 px and back, then 8 wheel steps in and 8 out at the
  // middle of the canvas (about 3.7x and back: still a whole-graph view).
  for (let round = 0; round < 2; round++) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 30; i++) await page.mouse.move(cx + i * 5, cy + i * 3);
    for (let i = 29; i >= 0; i--) await page.mouse.move(cx + i * 5, cy + i * 3);
    await page.mouse.up();
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -120);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, 120);
  }
  const frames = await page.evaluate(() => {
    const w = window;
    w.__stop = true;
    return w.__frames.slice(1);
  });
  frames.sort((a, b) => a - b);
  const at = (q) => frames[Math.min(frames.length - 1, Math.max(0, Math.ceil(q * frames.length) - 1))];
  return { p50: at(0.5), p95: at(0.95), frames: frames.length };
}

/**
 * From fit view, wheel in at the middle of the canvas until the text is readable (zoom >= 0.85, the app's READABLE_ZOOM),
 * then wait until drawn: the time, and the longest frame meanwhile (the full nodes coming back).
 */
async function zoomToReadable(page) {
  const box = await page.locator('[data-testid="canvas"] .react-flow__pane').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
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
  const zoom = () => page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector('[data-testid="canvas"] .react-flow__viewport').style.transform)[1]));
  const t0 = Date.now();
  for (let i = 0; i < 60 && (await zoom()) < 0.85; i++) await page.mouse.wheel(0, -120);
  await page.waitForTimeout(50);
  await drawn(page);
  const ms = Date.now() - t0;
  const longest = await page.evaluate(() => {
    const w = window;
    w.__stop = true;
    return Math.max(...w.__frames.slice(1));
  });
  return { ms, longest, zoom: await zoom(), nodes: await page.locator('[data-testid="canvas"] .react-flow__node').count() };
}

/** The baseline page: bare @xyflow/react with the same graph, served from bench/dist by Playwright. */
async function baseline(browser, graph) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const body = JSON.stringify(graph);
  const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };
  await page.route("http://bench.invalid/**", (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\//, "") || "index.html";
    if (path === "graph.json") return route.fulfill({ contentType: "application/json", body });
    return route.fulfill({ contentType: types[extname(path)] ?? "application/octet-stream", body: readFileSync(join(BASELINE_DIR, path)) });
  });
  const t0 = Date.now();
  await page.goto("http://bench.invalid/index.html");
  await page.waitForFunction(() => window.__benchReady > 0, null, { timeout: 180_000 });
  await drawn(page);
  const openMs = Date.now() - t0;
  const dom = await domCounts(page);
  const zoom = await page.evaluate(() => document.querySelector(".react-flow__viewport").style.transform);
  const frames = await panAndZoom(page);
  await page.click(".react-flow__controls-fitview").catch(() => undefined);
  const readable = await zoomToReadable(page);
  await page.close();
  return { openMs, dom, frames, zoom, readable };
}

async function app(browser, core, name) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(core.url);
  const item = page.locator('[data-testid="document-item"]', { hasText: new RegExp(`^${name}(?!\\d)`) }).first();
  await item.waitFor({ timeout: 120_000 });
  const t0 = Date.now();
  await item.click();
  await drawn(page);
  const openMs = Date.now() - t0;
  const t1 = Date.now();
  await page.click('[data-testid="canvas"] .react-flow__controls-fitview');
  await page.waitForTimeout(50);
  await drawn(page);
  const fitMs = Date.now() - t1;
  const dom = await domCounts(page);
  const zoom = await page.evaluate(() => document.querySelector('[data-testid="canvas"] .react-flow__viewport').style.transform);
  const frames = await panAndZoom(page);
  if (process.env.BENCH_SCREENS) await page.screenshot({ path: join(REPO, `target/e2e-screens/bench-${name}-far.png`) });
  await page.click('[data-testid="canvas"] .react-flow__controls-fitview');
  await page.waitForTimeout(50);
  await drawn(page);
  const readable = await zoomToReadable(page);
  if (process.env.BENCH_SCREENS) await page.screenshot({ path: join(REPO, `target/e2e-screens/bench-${name}-near.png`) });
  await page.close();
  return { openMs, fitMs, dom, frames, zoom, readable };
}

const core = await startCore();
const browser = await launch();
const results = [];
try {
  // BENCH_MINIMAP=0: measure without the minimap (it draws every node, on screen or not).
  if (process.env.BENCH_MINIMAP === "0") await api(core, "settings_update", { patch: { show_minimap: false } });
  for (const c of CASES) {
    const doc = c.doc();
    c.graph = bare(doc);
    await api(core, "import_document", { name: `bench-${c.name}`, content: JSON.stringify(doc) });
  }
  for (const c of CASES) {
    const base = await baseline(browser, c.graph);
    const mine = await app(browser, core, `bench-${c.name}`);
    results.push({ c, base, mine, load: load() });
    console.log(`${c.name}: app open ${mine.openMs} ms + fit ${mine.fitMs} ms (${mine.zoom}), ${mine.dom.nodes} nodes / ${mine.dom.edges} edges in the DOM, p50 ${mine.frames.p50.toFixed(1)} / p95 ${mine.frames.p95.toFixed(1)} ms over ${mine.frames.frames} frames; baseline drawn in ${base.openMs} ms (${base.zoom}), ${base.dom.nodes} nodes / ${base.dom.edges} edges, p50 ${base.frames.p50.toFixed(1)} / p95 ${base.frames.p95.toFixed(1)} ms over ${base.frames.frames} frames; zoom in to readable (${mine.readable.zoom.toFixed(2)}): app ${mine.readable.ms} ms, longest frame ${Math.round(mine.readable.longest)} ms, ${mine.readable.nodes} nodes; baseline ${base.readable.ms} ms, longest frame ${Math.round(base.readable.longest)} ms; load ${load()}`);
  }
} finally {
  await browser.close();
  core.stop();
}
const ms = (x) => (x >= 100 ? Math.round(x) : x.toFixed(1));
console.log(`\nload average (1, 5, 15 min) at the end: ${load()}; ${cpus().length} cores; core ${coreKind}`);
console.log("| document | open → drawn (ms) | fit view → drawn (ms) | nodes / edges in DOM | p50 frame (ms) | p95 frame (ms) | target p95 | baseline: drawn (ms) | baseline nodes in DOM | baseline p50 / p95 (ms) | zoom in to readable → drawn, longest frame (ms) | baseline: same |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const { c, base, mine } of results)
  console.log(`| ${c.what} | ${mine.openMs} | ${mine.fitMs} | ${mine.dom.nodes} / ${mine.dom.edges} | ${ms(mine.frames.p50)} | ${ms(mine.frames.p95)} | < ${c.target} | ${base.openMs} | ${base.dom.nodes} | ${ms(base.frames.p50)} / ${ms(base.frames.p95)} | ${mine.readable.ms}, ${Math.round(mine.readable.longest)} | ${base.readable.ms}, ${Math.round(base.readable.longest)} |`);
for (const { c, base, mine, load: l } of results)
  console.log(
    `README| canvas, whole ${c.what} in view (fit view): frame p50 / p95 during pan and zoom; open + fit → drawn | p50 ${ms(mine.frames.p50)} / p95 ${ms(mine.frames.p95)} ms (target p95 < ${c.target}); ${mine.dom.nodes} nodes in the DOM${mine.dom.lod ? ` (${mine.dom.lod} boxes on one canvas)` : ""}; open ${mine.openMs} + fit ${mine.fitMs} ms; zoom in to readable ${mine.readable.ms} ms (longest frame ${Math.round(mine.readable.longest)} ms) (${coreKind} core, load ${l}) | bare @xyflow/react, same nodes: p50 ${ms(base.frames.p50)} / p95 ${ms(base.frames.p95)} ms, ${base.dom.nodes} nodes in the DOM, drawn in ${base.openMs} ms; zoom in to readable ${base.readable.ms} ms (longest frame ${Math.round(base.readable.longest)} ms) |`,
  );
