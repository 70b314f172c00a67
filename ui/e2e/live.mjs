// Live in the app, from the UI against real servers: a Sim remote's deployed workflow run as a
// stream (the Sim stand-in, frames 1 s apart), each block shown and lit on the open workflow AS
// ITS CHUNK ARRIVES, while the run is still going; and a live chat with a real Parlant 3.3.2
// server (echo engine) whose journey state is lit on the open journey. Screenshots into
// target/e2e-screens.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, api, startParlant, startSimStandin } from "./harness.mjs";
import { screenshot } from "./authoring.mjs";

// Start (one input field) -> Greet (function) -> Reply (response).
const GREET = {
  version: "1.0",
  exportedAt: "2026-11-01T00:00:00.000Z",
  state: {
    blocks: {
      s1: { id: "s1", type: "start_trigger", name: "Start", position: { x: 0, y: 0 }, enabled: true, outputs: {},
        subBlocks: { inputFormat: { id: "inputFormat", type: "input-format", value: [{ id: "f1", name: "name", type: "string", value: "", collapsed: false }] } } },
      f1: { id: "f1", type: "function", name: "Greet", position: { x: 320, y: 0 }, enabled: true, outputs: {},
        subBlocks: { language: { id: "language", type: "dropdown", value: "javascript" }, code: { id: "code", type: "code", value: "return 'Hello, ' + <start.name> + '!';" } } },
      r1: { id: "r1", type: "response", name: "Reply", position: { x: 640, y: 0 }, enabled: true, outputs: {},
        subBlocks: { dataMode: { id: "dataMode", type: "dropdown", value: "json" }, data: { id: "data", type: "code", value: "<greet.result>" }, status: { id: "status", type: "short-input", value: "200" } } },
    },
    edges: [
      { id: "e1", source: "s1", target: "f1", sourceHandle: "source", targetHandle: "target" },
      { id: "e2", source: "f1", target: "r1", sourceHandle: "source", targetHandle: "target" },
    ],
    loops: {},
    parallels: {},
    variables: {},
  },
};

async function importFile(page, name, content) {
  const dir = mkdtempSync(join(tmpdir(), "js-e2e-live-"));
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(content));
  try {
    await page.setInputFiles('[data-testid="import-file"]', file);
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const nodeClass = (page, id) => page.evaluate((i) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${i}"]`)?.className ?? "", id);

export function registerLive(test) {
  test("live/sim-stream: a Sim remote's run streams in block by block, each block lit on the open workflow while the run goes on", async (page, core) => {
    const sim = await startSimStandin({ ws: "e2e-live", streamGap: 1.0 });
    if (!sim) return; // no venv outside CI (startSimStandin throws under CI=true)
    try {
      await importFile(page, "stream-greet", GREET);
      const doc = (await api(core, "list_documents", {})).documents.find((d) => d.name.includes("stream-greet"));
      assert.ok(doc, "the imported workflow is listed");
      await api(core, "remote_add", { name: "sim-live", kind: "sim", url: sim.url, api_key: sim.key, session_cookie: sim.session, sim_workspace: sim.workspace });
      const pushed = await api(core, "push", { document_id: doc.id, remote: "sim-live" });
      assert.equal(pushed.result, "pushed", JSON.stringify(pushed));
      // Deploying is the Sim CLI's (`journey-studio sim deploy`); here it is setup, straight to the stand-in.
      const deployed = await fetch(`${sim.url}/api/v2/workflows/${pushed.remote_id}/deploy`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-API-Key": sim.key },
        body: "{}",
      });
      assert.ok(deployed.ok, `deploy: ${deployed.status}`);

      await page.click('[data-testid="tab-live"]');
      await page.waitForSelector('[data-testid="sim-stream"]');
      await page.selectOption('[data-testid="sim-stream-remote"]', "sim-live");
      await page.fill('[data-testid="sim-stream-workflow"]', doc.name);
      await page.fill('[data-testid="sim-stream-field"]', "name");
      await page.fill('[data-testid="sim-stream-value"]', "Ada");
      await page.fill('[data-testid="sim-stream-selected"]', "Greet.result, Reply.data");
      // Every change of the panel or the canvas, recorded in the page as it happens.
      await page.evaluate(() => {
        window.__seen = [];
        const snap = () => {
          const result = document.querySelector('[data-testid="sim-stream-result"]');
          const cls = (id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.className ?? "";
          window.__seen.push({
            t: performance.now(),
            status: result?.getAttribute("data-status") ?? null,
            blocks: [...document.querySelectorAll('[data-testid="sim-stream-block"]')].map((b) => `${b.getAttribute("data-block")}:${b.getAttribute("data-state")}`),
            greet: /run-(\w+)/.exec(cls("f1"))?.[1] ?? null,
            reply: /run-(\w+)/.exec(cls("r1"))?.[1] ?? null,
          });
        };
        new MutationObserver(snap).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class", "data-status", "data-state"] });
      });
      await page.click('[data-testid="canvas"] .react-flow__controls-fitview');
      await page.click('[data-testid="sim-stream-run"]');
      // Mid-run: Greet is there and lit as running, Reply not yet, the run not finished.
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="sim-stream-block"]').length === 1, null, { timeout: 30_000 });
      // The canvas lights the block in its own render, just after the panel lists it.
      await page.waitForFunction(() => /run-running/.test(document.querySelector('[data-testid="canvas"] .react-flow__node[data-id="f1"]')?.className ?? ""), null, { timeout: 5_000 });
      assert.equal(await page.getAttribute('[data-testid="sim-stream-result"]', "data-status"), "running");
      assert.doesNotMatch(await nodeClass(page, "r1"), /run-/);
      await screenshot(page, "live-sim-stream-running");
      await page.waitForFunction(() => document.querySelector('[data-testid="sim-stream-result"]')?.getAttribute("data-status") === "completed", null, { timeout: 30_000 });
      const blocks = page.locator('[data-testid="sim-stream-block"]');
      assert.deepEqual(await blocks.evaluateAll((bs) => bs.map((b) => [b.getAttribute("data-block"), b.getAttribute("data-state")])), [["Greet", "done"], ["Reply", "done"]]);
      assert.match(await blocks.nth(0).textContent(), /Hello, Ada!/);
      assert.match(await nodeClass(page, "f1"), /run-ran/);
      assert.match(await nodeClass(page, "r1"), /run-ran/);
      await screenshot(page, "live-sim-stream-done");

      // What the page saw, in order: Greet alone while running, then Greet done with Reply
      // streaming, still running; each lit as it came, a frame (~1 s) apart.
      const seen = await page.evaluate(() => window.__seen);
      const first = seen.find((s) => s.blocks.length === 1 && s.status === "running" && s.greet === "running" && s.reply === null);
      const second = seen.find((s) => s.blocks.join() === "Greet:done,Reply:streaming" && s.status === "running" && s.greet === "ran" && s.reply === "running");
      assert.ok(first, `Greet alone, lit running, while the run goes on: ${JSON.stringify(seen.slice(-20))}`);
      assert.ok(second, `Reply streaming after Greet, still running: ${JSON.stringify(seen.slice(-20))}`);
      const done = seen.find((s) => s.status === "completed");
      assert.ok(second.t - first.t > 600, `a frame apart: ${second.t - first.t} ms`);
      assert.ok(done.t > second.t);
      console.log(`     live/sim-stream: Greet shown at +0, Reply at +${Math.round(second.t - first.t)} ms, completed at +${Math.round(done.t - first.t)} ms`);
      assert.deepEqual(await sim.violations(), []);
    } finally {
      await api(core, "remote_remove", { name: "sim-live" }).catch(() => undefined);
      await sim.stop();
    }
  });

  test("live/journey-state: a live chat's journey state (Parlant's ready event, echo engine) is lit on the open journey", async (page, core) => {
    const parlant = await startParlant({ echo: true });
    if (!parlant) return; // no venv outside CI (startParlant throws under CI=true)
    try {
      const res = await fetch(`${parlant.url}/agents`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Refund desk" }),
      });
      assert.ok(res.ok, `create the agent: ${res.status}`);
      // The refund journey without its guidelines and variables (they need a tool service and the agent `shopwell-support`).
      const journey = JSON.parse(readFileSync(join(REPO, "fixtures/journeys/refund-request.json"), "utf8"));
      delete journey.guidelines;
      delete journey.context_variables;
      await importFile(page, "live-refunds", journey);
      const doc = (await api(core, "list_documents", {})).documents.find((d) => d.name.includes("live-refunds"));
      await api(core, "remote_add", { name: "live-journeys", kind: "parlant", url: parlant.url, agent: "Refund desk" });
      const pushed = await api(core, "push", { document_id: doc.id, remote: "live-journeys" });
      assert.equal(pushed.result, "pushed", JSON.stringify(pushed));

      await page.click('[data-testid="tab-live"]');
      await page.selectOption('[data-testid="live-remote"]', "live-journeys");
      await page.click('[data-testid="live-start"]');
      await page.waitForSelector('[data-testid="live-session"]');
      assert.match(await page.textContent('[data-testid="live-session"]'), /following the open journey/);
      const steps = [
        ["wants a refund for an order", "ask-order"],
        ["cannot find their order number", "ask-email"],
      ];
      for (const [i, [text, state]] of steps.entries()) {
        await page.fill('[data-testid="live-input"]', text);
        await page.press('[data-testid="live-input"]', "Enter");
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid="live-agent-message"]').length === n, i + 1, { timeout: 60_000 });
        await page.waitForFunction((s) => document.querySelector('[data-testid="live-journey-state"]')?.getAttribute("data-states") === s, state, { timeout: 60_000 });
        await page.waitForFunction((s) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${s}"]`)?.classList.contains("is-active"), state);
      }
      assert.match(await page.textContent('[data-testid="live-journey-state"]'), /Journey state: Ask for the email address/);
      assert.doesNotMatch(await nodeClass(page, "ask-order"), /is-active/);
      assert.equal(await page.locator('[data-testid="live-error"]').count(), 0);
      await screenshot(page, "live-journey-state");
    } finally {
      await api(core, "remote_remove", { name: "live-journeys" }).catch(() => undefined);
      await parlant.stop();
    }
  });
}
