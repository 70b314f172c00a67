// End-to-end tests: the built UI in Chromium against the real core behind `journey-studio serve`.
// Run with `npm run e2e` (builds ui/dist first). JOURNEY_STUDIO_BIN=<path> skips `cargo run`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, api, launch, startCore, startParlant } from "./harness.mjs";
import { registerAuthoring } from "./authoring.mjs";
import { registerRuns } from "./runs.mjs";
import { registerGolden } from "./golden.mjs";
import { registerPreview } from "./preview.mjs";
import { registerLive } from "./live.mjs";
import { registerLod } from "./lod.mjs";

const FIXTURE = join(REPO, "fixtures/journeys/book-flight.json");
const fixture = JSON.parse(readFileSync(FIXTURE, "utf8"));

const tests = [];
const test = (name, fn, options = {}) => tests.push({ name, fn, options });

async function importFixture(page) {
  await page.setInputFiles('[data-testid="import-file"]', FIXTURE);
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
}
/** Clicks empty canvas (top right, away from the steps and the tools): nothing selected. */
async function clickEmpty(page, testId = "canvas") {
  const pane = page.locator(`[data-testid="${testId}"] .react-flow__pane`);
  const box = await pane.boundingBox();
  await page.mouse.click(box.x + box.width - 40, box.y + 70);
}
const mainNodes = (page) => page.locator('[data-testid="canvas"] .react-flow__node');
const problemCodes = async (page) => {
  await page.click('[data-testid="tab-problems"]');
  return page.locator('[data-testid="problem"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
};

test("opens a fixture: one node per state plus end, edges drawn", async (page) => {
  await importFixture(page);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length === n, fixture.nodes.length + 1);
  assert.equal(await mainNodes(page).count(), fixture.nodes.length + 1);
  assert.equal(await page.locator('[data-testid="canvas"] .react-flow__edge').count(), fixture.edges.length);
  assert.match(await page.textContent('[data-testid="doc-title"]'), /Parlant journey/);
  assert.match(await page.textContent('[data-testid="doc-list"]'), /book-flight/);
});

test("editing a tool state's tools makes J009 appear; undo makes it disappear; autosaved", async (page) => {
  await importFixture(page);
  const tool = fixture.nodes.find((n) => n.metadata?.journey_node?.kind === "tool");
  assert.ok(tool, "the fixture has a tool state");
  assert.ok(!(await problemCodes(page)).includes("J009"));
  await page.click('[data-testid="tab-inspector"]');
  await page.click(`[data-testid="canvas"] .react-flow__node[data-id="${tool.id}"]`);
  // The tools are rows of service and tool name: removing the only one leaves none.
  const field = page.locator('[data-field="tools"]');
  await field.locator('[data-testid="row"]').first().waitFor();
  assert.equal(await field.locator('[data-testid="row"]').count(), tool.tools.length);
  await field.locator('[data-testid="row-remove"]').click();
  await page.waitForSelector(`[data-testid="canvas"] .react-flow__node[data-id="${tool.id}"] [data-testid="problem-badge"]`);
  assert.ok((await problemCodes(page)).includes("J009"));
  await page.waitForFunction(() => /saved/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""));
  await page.click('[data-testid="canvas"] .react-flow__pane');
  await page.keyboard.press("Control+z");
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid="problem"]')].some((e) => e.getAttribute("data-code") === "J009"));
  assert.ok(!(await problemCodes(page)).includes("J009"));
});

test("journey properties: the title is edited in the inspector, relabels the root, and undo/redo follow", async (page) => {
  await importFixture(page);
  await page.click('[data-testid="tab-inspector"]');
  await clickEmpty(page);
  await page.waitForSelector('[data-testid="inspector"][data-what="journey"]');
  const title = page.locator('[data-field="journey.title"]');
  await title.fill("Book a trip");
  await title.press("Enter");
  const root = fixture.journey.root_id;
  const label = () => page.textContent(`[data-testid="canvas"] .react-flow__node[data-id="${root}"] .node-label`);
  await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-label`)?.textContent === "Book a trip", root);
  // Activation conditions are a list: one box each.
  const conditions = page.locator('[data-field="journey.conditions"]');
  await conditions.locator('[data-testid="list-item"] input').first().fill("The customer wants to travel");
  await conditions.locator('[data-testid="list-add"]').click();
  await conditions.locator('[data-testid="list-item"] input').nth(1).fill("The customer asks about flights");
  await conditions.locator('[data-testid="list-item"] input').nth(1).press("Enter");
  await page.waitForFunction(() => !document.querySelector('[data-testid="undo"]')?.disabled);
  // The title, then the activation conditions as they were committed: undo until the title is back.
  await page.waitForFunction(() => document.querySelectorAll('[data-field="journey.conditions"] [data-testid="list-item"]').length === 2);
  await page.waitForFunction(() => document.querySelector('[data-field="journey.conditions"]')?.closest('[data-field-wrap]') !== null);
  for (let i = 0; i < 6 && (await label()) !== fixture.journey.title; i++) {
    await page.click('[data-testid="undo"]');
    await page.waitForTimeout(300);
  }
  await page.waitForFunction((t) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${t.root}"] .node-label`)?.textContent === t.title, { root, title: fixture.journey.title });
  assert.equal(await label(), fixture.journey.title);
  await page.click('[data-testid="redo"]');
  await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-label`)?.textContent === "Book a trip", root);
  await page.waitForFunction(() => document.querySelector('[data-field="journey.title"]')?.value === "Book a trip");
});

test("copy and paste duplicates a state through the core, with a new id", async (page) => {
  await importFixture(page);
  const chat = fixture.nodes.find((n) => n.metadata?.journey_node?.kind === "chat");
  const before = await mainNodes(page).count();
  await page.click(`[data-testid="canvas"] .react-flow__node[data-id="${chat.id}"]`);
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length === n, before + 1);
  const ids = await mainNodes(page).evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
  const known = new Set([...fixture.nodes.map((n) => n.id), "end"]);
  const fresh = ids.filter((id) => !known.has(id));
  assert.equal(fresh.length, 1, `one new state: ${fresh}`);
  const label = (id) => page.textContent(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-label`);
  assert.equal(await label(fresh[0]), await label(chat.id), "the copy keeps the state's action");
});

test("convert shows the workflow beside the journey; selecting a state highlights its block", async (page) => {
  await importFixture(page);
  await page.check('[data-testid="convert-toggle"]');
  await page.waitForSelector('[data-testid="canvas-converted"] .react-flow__node');
  assert.ok((await page.locator('[data-testid="canvas-converted"] .react-flow__node').count()) > 3);
  const chat = fixture.nodes.find((n) => n.metadata?.journey_node?.kind === "chat");
  await page.click(`[data-testid="canvas"] .react-flow__node[data-id="${chat.id}"]`);
  await page.waitForSelector('[data-testid="canvas-converted"] .react-flow__node.is-highlight');
});

test("chat through the journey: the active node moves on the canvas", async (page) => {
  await importFixture(page);
  await page.click('[data-testid="tab-chat"]');
  await page.click('[data-testid="chat-start"]');
  await page.waitForSelector('[data-testid="chat-active"]');
  const first = await page.textContent('[data-testid="chat-active"]');
  assert.equal(await page.locator(`[data-testid="canvas"] .react-flow__node.is-active`).getAttribute("data-id"), first);
  await page.fill('[data-testid="chat-input"]', "I have a destination in mind: Lisbon");
  await page.press('[data-testid="chat-input"]', "Enter");
  await page.waitForFunction((f) => document.querySelector('[data-testid="chat-active"]')?.textContent !== f, first);
  const second = await page.textContent('[data-testid="chat-active"]');
  assert.notEqual(second, first);
  assert.equal(await page.locator(`[data-testid="canvas"] .react-flow__node.is-active`).getAttribute("data-id"), second);
  assert.ok((await page.locator(".bubble-customer").count()) >= 1);
  await page.click('[data-testid="chat-back"]');
  await page.waitForFunction((f) => document.querySelector('[data-testid="chat-active"]')?.textContent === f, first);
});

test("instantiate a template into a new document", async (page) => {
  await page.click('[data-testid="open-templates"]');
  await page.waitForSelector('[data-testid="template-card"]');
  assert.ok((await page.locator('[data-testid="template-card"]').count()) >= 5);
  await page.locator('[data-testid="template-card"]', { hasText: "refund-request" }).first().click();
  const company = page.locator('[data-param="company"] input');
  await company.fill("X");
  await page.click('[data-testid="template-create"]');
  await page.waitForSelector('[data-param="company"] [data-testid="param-error"]');
  await company.fill("Harbor & Pine");
  await page.click('[data-testid="template-create"]');
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
  assert.ok((await mainNodes(page).count()) > 3);
  assert.match(await page.textContent('[data-testid="doc-title"]'), /Refund request/);
});

test("moving a node is saved through the core", async (page, core) => {
  await importFixture(page);
  const node = fixture.nodes[0];
  const el = page.locator(`[data-testid="canvas"] .react-flow__node[data-id="${node.id}"]`);
  const box = await el.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 8 });
  await page.mouse.up();
  await page.waitForFunction(() => /saved/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""));
  const docs = (await api(core, "list_documents", {})).documents;
  // The document just imported: the newest one.
  const id = Math.max(...docs.map((d) => d.id));
  const stored = JSON.parse((await api(core, "export_document", { id })).text);
  const moved = stored.editor.positions[node.id];
  const before = fixture.editor.positions[node.id];
  assert.ok(moved.x - before.x > 40, `x moved: ${before.x} -> ${moved.x}`);
});

test("sync panel: add a remote, its connection test fails offline, a push waits in the outbox", async (page) => {
  await importFixture(page);
  await page.click('[data-testid="tab-sync"]');
  await page.fill('[data-testid="remote-name"]', "offline");
  // A loopback port nothing listens on.
  await page.fill('[data-testid="remote-url"]', "http://127.0.0.1:9");
  await page.click('[data-testid="remote-add-button"]');
  await page.waitForSelector('[data-testid="remote"][data-name="offline"]');
  await page.click('[data-testid="remote"][data-name="offline"] [data-testid="remote-test"]');
  await page.waitForSelector('[data-testid="remote-test-result"][data-ok="false"]');
  await page.click('[data-testid="push"]');
  // The core keeps it in the outbox (queued) or reports the failed attempt; either way it waits.
  await page.waitForSelector('[data-testid="sync-outcome"][data-result="queued"], [data-testid="sync-error"]');
  await page.waitForSelector('[data-testid="outbox-entry"]');
  assert.match(await page.textContent('[data-testid="outbox"]'), /offline/);
  assert.match(await page.textContent('[data-testid="history"]'), /#\d+/);
});

test("push validates first: errors are listed, nothing is sent, and 'push anyway' queues it", async (page, core) => {
  await importFixture(page);
  const tool = fixture.nodes.find((n) => n.metadata?.journey_node?.kind === "tool");
  await page.click(`[data-testid="canvas"] .react-flow__node[data-id="${tool.id}"]`);
  // The tool state's only tool removed: J009.
  const field = page.locator('[data-field="tools"]');
  await field.locator('[data-testid="row-remove"]').first().click();
  await page.waitForSelector(`[data-testid="canvas"] .react-flow__node[data-id="${tool.id}"] [data-testid="problem-badge"]`);
  await page.click('[data-testid="tab-sync"]');
  await page.fill('[data-testid="remote-name"]', "strict");
  await page.fill('[data-testid="remote-url"]', "http://127.0.0.1:9");
  await page.click('[data-testid="remote-add-button"]');
  await page.waitForSelector('[data-testid="remote"][data-name="strict"]');
  await page.selectOption('[data-testid="sync-remote"]', "strict");
  const before = (await api(core, "sync_status", {})).outbox.length;
  await page.click('[data-testid="push"]');
  await page.waitForSelector('[data-testid="sync-outcome"][data-result="invalid"]');
  const codes = await page.locator('[data-testid="push-problems"] li').evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
  assert.ok(codes.includes("J009"), `problems listed: ${codes}`);
  assert.equal((await api(core, "sync_status", {})).outbox.length, before, "nothing queued");
  page.once("dialog", (d) => d.accept());
  await page.click('[data-testid="push-anyway"]');
  await page.waitForSelector('[data-testid="sync-outcome"][data-result="queued"], [data-testid="sync-error"]');
  assert.equal((await api(core, "sync_status", {})).outbox.length, before + 1, "queued once pushed anyway");
  await page.waitForSelector('[data-testid="outbox-indicator"]');
});

test("settings: hiding the minimap is kept by the core across a reload", async (page) => {
  await importFixture(page);
  await page.waitForSelector('[data-testid="canvas"] .react-flow__minimap');
  await page.click('[data-testid="tab-settings"]');
  await page.uncheck('[data-testid="setting-minimap"]');
  await page.waitForFunction(() => !document.querySelector('[data-testid="canvas"] .react-flow__minimap'));
  await page.reload();
  await page.locator('[data-testid="document-item"]').first().click();
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
  assert.equal(await page.locator('[data-testid="canvas"] .react-flow__minimap').count(), 0);
  await page.click('[data-testid="tab-settings"]');
  await page.check('[data-testid="setting-minimap"]');
  await page.waitForSelector('[data-testid="canvas"] .react-flow__minimap');
});

test("deleting the open document removes it from the list and the canvas", async (page, core) => {
  await importFixture(page);
  const before = (await api(core, "list_documents", {})).documents.length;
  page.once("dialog", (d) => d.accept());
  await page.click('.doc-list li.current [data-testid="document-delete"]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="document-item"]').length === n, before - 1);
  assert.equal(await page.locator('[data-testid="canvas"]').count(), 0);
  assert.equal((await api(core, "list_documents", {})).documents.length, before - 1);
});

test("opening another workspace shows its documents; the first one is kept and listed as recent", async (page, core) => {
  await importFixture(page);
  const before = (await api(core, "list_documents", {})).documents.length;
  const other = join(core.dir, "other.sqlite");
  await page.click('[data-testid="workspace"] summary');
  await page.fill('[data-testid="workspace-input"]', other);
  await page.click('[data-testid="workspace-open"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace-path"]')?.textContent === "other.sqlite");
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="document-item"]').length === 0);
  assert.equal(await page.locator('[data-testid="canvas"]').count(), 0, "nothing of the old workspace stays open");
  // Back to the first one through the recent list: its documents are all there.
  await page.click('[data-testid="workspace"] .recent button');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="document-item"]').length === n, before);
  assert.equal((await api(core, "workspace_info", {})).path, core.workspace);
});

// The authoring tests need a real Parlant server for their pushes.
let parlant = null;
registerAuthoring(test, { parlant: () => parlant });
registerRuns(test);
registerGolden(test, { parlant: () => parlant });
registerPreview(test);
registerLive(test);
registerLod(test);

const started = Date.now();
// E2E_FILTER=<text>: only the tests whose name contains it (for working on one).
const only = process.env.E2E_FILTER;
const selected = only ? tests.filter((t) => t.name.includes(only)) : tests;
const core = await startCore();
let browser = null;
let failed = 0;
const timings = [];
try {
  parlant = await startParlant();
  browser = await launch();
  for (const t of selected) {
    // A fresh page per test; the workspace is shared, so each test starts from the app's start page.
    const ctx = await browser.newContext({ viewport: t.options.viewport ?? { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    const t0 = Date.now();
    try {
      await page.goto(core.url);
      await page.evaluate(() => 0);
      await t.fn(page, core);
      assert.deepEqual(errors, [], "no uncaught page errors");
      console.log(`ok   ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      failed += 1;
      console.log(`FAIL ${t.name}\n     ${String(e?.stack ?? e).split("\n").slice(0, 8).join("\n     ")}`);
      await page.screenshot({ path: `/tmp/e2e-${tests.indexOf(t)}.png` }).catch(() => {});
    }
    timings.push([t.name, Date.now() - t0]);
    await ctx.close();
  }
} finally {
  await browser?.close();
  core.stop();
  await parlant?.stop();
}
console.log(`${selected.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failed ? 1 : 0);
