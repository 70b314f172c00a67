// Authoring end to end, as a designer works: new documents, the palette, quick-add,
// connect-to-empty, the typed inspector (one test per field type), the journey's properties (one
// test per property), the book-flight journey and a triage workflow built from blank canvases,
// validated, converted, saved and pushed to a real Parlant server; screenshots of the main screens.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, SCREENS, api } from "./harness.mjs";

const BOOK_FLIGHT = JSON.parse(readFileSync(join(REPO, "fixtures/journeys/book-flight.json"), "utf8"));
const BIG = { viewport: { width: 1800, height: 1100 } };

// ---------- helpers ----------

const canvas = (page, testId = "canvas") => page.locator(`[data-testid="${testId}"]`);
const nodeEl = (page, id) => page.locator(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`);
const nodeIds = (page) => page.locator('[data-testid="canvas"] .react-flow__node').evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
const edgeCount = (page) => page.locator('[data-testid="canvas"] .react-flow__edge').count();

export async function screenshot(page, name) {
  mkdirSync(SCREENS, { recursive: true });
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(SCREENS, `${name}.png`) });
}

/** The open document's id and session (the title carries them). */
async function current(page) {
  const el = page.locator('[data-testid="doc-title"]');
  return { id: Number(await el.getAttribute("data-id")), session: await el.getAttribute("data-session") };
}

/** What the core holds for the open document (read through the same session). */
async function coreView(page, core) {
  const { id } = await current(page);
  return (await api(core, "open_document", { id })).view;
}
/** The open document as stored, after saving what the core holds (export saves first). */
async function coreJson(page, core) {
  const { id } = await current(page);
  return JSON.parse((await api(core, "export_document", { id })).text);
}

/** Flips a switch in the inspector (its checkbox is drawn as a track). */
async function toggleSwitch(page, path) {
  const input = page.locator(`[data-testid="inspector"] [data-field="${path}"]`);
  const before = await input.isChecked();
  await page.locator(`[data-testid="inspector"] [data-field-wrap="${path}"] .switch`).click();
  await page.waitForFunction(([p, b]) => document.querySelector(`[data-testid="inspector"] [data-field="${p}"]`)?.checked === !b, [path, before]);
}

/** A new document through the New dialog; answers the id of its first node. */
export async function newDocument(page, kind, name) {
  await page.click('[data-testid="new-document-button"]');
  await page.check(`[data-testid="new-kind-${kind}"]`);
  await page.fill('[data-testid="new-name"]', name);
  await page.click('[data-testid="new-create"]');
  await page.waitForFunction((n) => document.querySelector('[data-testid="doc-title"]')?.textContent?.includes(n), name);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length === 1);
  // The palette of this kind of document is there.
  await page.waitForSelector(`[data-testid="palette-item"][data-type="${kind === "journey" ? "chat" : "agent"}"]`);
  return (await nodeIds(page))[0];
}

/** Waits for a node that was not in `before`; answers its id. */
async function newNode(page, before) {
  const seen = [...before];
  await page.waitForFunction((ids) => [...document.querySelectorAll('[data-testid="canvas"] .react-flow__node')].some((e) => !ids.includes(e.getAttribute("data-id"))), seen);
  const id = (await nodeIds(page)).find((x) => !before.includes(x));
  // The new step is selected: the inspector shows it.
  await page.waitForSelector(`[data-testid="inspector"][data-target="${id}"]`);
  return id;
}

/** Drags a palette item onto the canvas at pane pixel (x, y); answers the new node's id. */
export async function dropStep(page, type, x, y) {
  const before = await nodeIds(page);
  await page.dragAndDrop(`[data-testid="palette-item"][data-type="${type}"]`, '[data-testid="canvas"] .react-flow__pane', { targetPosition: { x, y } });
  const id = await newNode(page, before);
  await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.classList.contains("selected"), id);
  return id;
}

async function handleCenter(page, nodeId, selector) {
  const h = nodeEl(page, nodeId).locator(selector).first();
  await h.scrollIntoViewIfNeeded().catch(() => {});
  const b = await h.boundingBox();
  assert.ok(b, `handle ${selector} of ${nodeId} is on screen`);
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

async function drag(page, from, to) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 6 });
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
}

/** Connects `from`'s output `handle` to `to` by dragging, as a designer does. */
export async function connect(page, from, handle, to) {
  const before = await edgeCount(page);
  const a = await handleCenter(page, from, `.react-flow__handle.source[data-handleid="${handle}"]`);
  const b = await handleCenter(page, to, ".react-flow__handle.target");
  await drag(page, a, b);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="canvas"] .react-flow__edge').length > n, before);
}

/** Drags from an output to empty canvas (pane pixel x, y), picks `query` in quick-add. */
export async function connectToEmpty(page, from, handle, x, y, query) {
  const before = await nodeIds(page);
  const edgesBefore = await edgeCount(page);
  const a = await handleCenter(page, from, `.react-flow__handle.source[data-handleid="${handle}"]`);
  const pane = await canvas(page).locator(".react-flow__pane").boundingBox();
  await drag(page, a, { x: pane.x + x, y: pane.y + y });
  await page.waitForSelector('[data-testid="quick-add"]');
  await page.fill('[data-testid="quick-add-input"]', query);
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="canvas"] .react-flow__edge').length > n, edgesBefore);
  const after = await nodeIds(page);
  return after.find((id) => !before.includes(id)) ?? null;
}

/** Selects an edge with the keyboard (focus, Enter), as React Flow's accessibility allows. */
async function selectEdge(page, id) {
  await page.focus(`[data-testid="canvas"] [data-testid="rf__edge-${id}"]`);
  await page.keyboard.press("Enter");
  await page.waitForSelector(`[data-testid="inspector"][data-target="${id}"]`);
}

async function selectNode(page, id) {
  await nodeEl(page, id).click({ position: { x: 30, y: 12 } });
  await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.classList.contains("selected"), id);
  await page.waitForSelector(`[data-testid="inspector"][data-target="${id}"]`);
}

/** The edge of the open document from `source` to `target` (through the core). */
async function edgeBetween(page, core, source, target) {
  const view = await coreView(page, core);
  const e = view.edges.find((x) => x.source === source && x.target === target);
  assert.ok(e, `an edge ${source} -> ${target}`);
  return e.id;
}

/** Polls `f` until it answers something truthy (what the core holds catches up with the UI). */
async function until(f, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await f();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The open document as the core holds it, once `check(json)` holds. */
async function coreJsonWhen(page, core, check, what) {
  let json;
  await until(async () => {
    json = await coreJson(page, core);
    return check(json);
  }, what);
  return json;
}

/** Runs `check(json)` (assertions) on the core's copy until it passes: edits land asynchronously. */
async function expectCore(page, core, check, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check(await coreJson(page, core));
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Fills a one-line or multi-line field and commits it (blur). */
async function setText(page, path, text) {
  const el = page.locator(`[data-testid="inspector"] [data-field="${path}"]`);
  await el.fill(text);
  await el.press("Tab");
}

async function waitSaved(page) {
  await page.waitForFunction(() => /saved/.test(document.querySelector('[data-testid="status"]')?.textContent ?? ""));
}

async function counts(page) {
  await page.click('[data-testid="tab-problems"]');
  const text = await page.textContent('[data-testid="problem-counts"]');
  await page.click('[data-testid="tab-inspector"]');
  const [errors, warnings] = [/(\d+) errors/, /(\d+) warnings/].map((re) => Number(re.exec(text)[1]));
  return { errors, warnings, text };
}

async function problemList(page) {
  await page.click('[data-testid="tab-problems"]');
  const list = await page.locator('[data-testid="problem"]').evaluateAll((els) => els.map((e) => `${e.getAttribute("data-severity")} ${e.textContent}`));
  await page.click('[data-testid="tab-inspector"]');
  return list;
}

/** Zooms out with the canvas controls. */
async function zoomOut(page, times) {
  for (let i = 0; i < times; i++) {
    await canvas(page).locator(".react-flow__controls-zoomout").click();
    await page.waitForTimeout(120);
  }
}

/** Moves a node so its top-left corner is at pane pixel (x, y). */
async function moveNodeTo(page, id, x, y) {
  const box = await nodeEl(page, id).boundingBox();
  const pane = await canvas(page).locator(".react-flow__pane").boundingBox();
  const from = { x: box.x + 30, y: box.y + 10 };
  await drag(page, from, { x: pane.x + x + 30, y: pane.y + y + 10 });
  await waitSaved(page).catch(() => {});
}

/** A workflow with one block of `type` added from the palette (clicked), selected. */
async function workflowWith(page, type, name = "Fields") {
  await newDocument(page, "workflow", name);
  const before = await nodeIds(page);
  await page.click(`[data-testid="palette-item"][data-type="${type}"]`);
  return newNode(page, before);
}

async function inspectorField(page, path) {
  return page.locator(`[data-testid="inspector"] [data-field-wrap="${path}"]`);
}

/** Types into the CodeMirror editor inside `scope` (replacing what is there) and commits. */
async function typeCode(page, scope, text) {
  const content = scope.locator(".cm-content").first();
  await content.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  await page.keyboard.type(text, { delay: 5 });
}

// ---------- the tests ----------

export function registerAuthoring(register, env) {
  // Authoring needs room: a wide window (the canvas is about 1,000 px wide).
  const test = (name, fn, options = BIG) => register(name, fn, options);
  test("new blank workflow: Sim's start block; the palette lists the registry's blocks (screens: blank, palette)", async (page) => {
    const start = await newDocument(page, "workflow", "Blank workflow");
    assert.match(await nodeEl(page, start).textContent(), /Start/);
    assert.match(await page.textContent('[data-testid="doc-title"]'), /Sim workflow/);
    const types = await page.locator('[data-testid="palette-item"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-type")));
    for (const t of ["agent", "condition", "api", "function", "response", "router_v2", "loop", "parallel"]) assert.ok(types.includes(t), `${t} in the palette`);
    assert.ok(types.length >= 30, `${types.length} types`);
    // Legible: the start block opens at a readable zoom.
    const zoom = await page.evaluate(() => {
      const t = document.querySelector('[data-testid="canvas"] .react-flow__viewport')?.style.transform ?? "";
      return Number(/scale\(([\d.]+)\)/.exec(t)?.[1] ?? "0");
    });
    assert.ok(zoom >= 0.85, `opened at zoom ${zoom}`);
    await page.click('[data-testid="palette-toggle"]');
    await page.waitForSelector('[data-testid="palette"]', { state: "detached" });
    await screenshot(page, "01-blank-workflow");
    await page.click('[data-testid="palette-toggle"]');
    await page.fill('[data-testid="palette-search"]', "a");
    await page.fill('[data-testid="palette-search"]', "");
    await screenshot(page, "02-palette-open");
    await page.fill('[data-testid="palette-search"]', "slack");
    assert.deepEqual(await page.locator('[data-testid="palette-item"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-type"))), ["slack"]);
  });

  test("new blank journey: its root state titled with the name; the palette offers chat, tool, fork, end", async (page) => {
    const root = await newDocument(page, "journey", "Support journey");
    assert.match(await nodeEl(page, root).textContent(), /Support journey/);
    const types = await page.locator('[data-testid="palette-item"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-type")));
    assert.deepEqual(types, ["chat", "tool", "fork", "end"]);
    await page.waitForSelector('[data-testid="inspector"][data-what="journey"]');
  });

  test("palette drag: a dropped step lands where it is dropped, named as Sim names it, selected", async (page, core) => {
    await newDocument(page, "workflow", "Drops");
    const pane = await canvas(page).locator(".react-flow__pane").boundingBox();
    const a = await dropStep(page, "agent", 150, 420);
    const b = await dropStep(page, "agent", 500, 420);
    const box = await nodeEl(page, a).boundingBox();
    assert.ok(Math.abs(box.x - (pane.x + 150)) < 80 && Math.abs(box.y - (pane.y + 420)) < 80, `dropped near the pointer: ${JSON.stringify(box)}`);
    assert.match(await nodeEl(page, a).locator(".node-label").textContent(), /^Agent$/);
    assert.match(await nodeEl(page, b).locator(".node-label").textContent(), /^Agent 2$/);
    assert.equal(await page.textContent('[data-testid="inspector-title"]'), "Agent 2");
    // One undo removes the last drop.
    await page.keyboard.press("Control+z");
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`), b);
    const view = await coreView(page, core);
    assert.equal(view.nodes.length, 2);
  });

  test("quick-add: double-click the canvas, search, Enter adds the step there; A opens it too", async (page) => {
    await newDocument(page, "workflow", "Quick add");
    const pane = await canvas(page).locator(".react-flow__pane").boundingBox();
    const before = await nodeIds(page);
    await page.mouse.dblclick(pane.x + 200, pane.y + 500);
    await page.waitForSelector('[data-testid="quick-add"]');
    await page.fill('[data-testid="quick-add-input"]', "func");
    assert.equal(await page.locator('[data-testid="quick-add-item"]').first().getAttribute("data-type"), "function");
    await page.keyboard.press("Enter");
    const fn = await newNode(page, before);
    assert.match(await nodeEl(page, fn).textContent(), /Function/);
    const box = await nodeEl(page, fn).boundingBox();
    assert.ok(Math.abs(box.x - (pane.x + 200)) < 100 && Math.abs(box.y - (pane.y + 500)) < 100, "added where the canvas was double-clicked");
    // The A key, with the pointer on the canvas; Escape closes without adding.
    await page.mouse.move(pane.x + 500, pane.y + 300);
    await page.mouse.click(pane.x + 500, pane.y + 300);
    await page.keyboard.press("a");
    await page.waitForSelector('[data-testid="quick-add"]');
    await page.keyboard.press("Escape");
    await page.waitForSelector('[data-testid="quick-add"]', { state: "detached" });
    assert.equal((await nodeIds(page)).length, 2);
  });

  test("connect-to-empty: a connection dropped on empty canvas adds the chosen step, connected, as one undoable step", async (page, core) => {
    const start = await newDocument(page, "workflow", "Connect to empty");
    const edges = await edgeCount(page);
    const agent = await connectToEmpty(page, start, "source", 520, 300, "agent");
    assert.ok(agent);
    const view = await coreView(page, core);
    const edge = view.edges.find((e) => e.target === agent);
    assert.equal(edge?.source, start);
    assert.equal(edge?.source_handle, "source");
    await page.keyboard.press("Control+z");
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="canvas"] .react-flow__edge').length === n && document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length === 1, edges);
    // A journey: End is offered when a connection is dropped, and connects to the virtual end.
    const root = await newDocument(page, "journey", "Ends");
    const chat = await connectToEmpty(page, root, "source", 450, 200, "chat");
    await connectToEmpty(page, chat, "source", 650, 420, "end");
    const jv = await coreView(page, core);
    assert.ok(jv.edges.some((e) => e.source === chat && e.target === "end"), JSON.stringify(jv.edges));
  });

  // ---------- one test per inspector field type ----------

  test("field type text: renaming a block relabels its node; a taken name is refused at the field", async (page) => {
    const id = await workflowWith(page, "function");
    await setText(page, "name", "Compute total");
    await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-label`)?.textContent === "Compute total", id);
    await setText(page, "name", "start");
    await page.waitForSelector('[data-testid="error"]');
    assert.match(await page.textContent('[data-testid="error"]'), /already named/);
  });

  test("field type long text: a router's context, shown on its node", async (page) => {
    const id = await workflowWith(page, "router_v2");
    await setText(page, "subBlocks.context.value", "Refund request for order <start.orderId>.\nDecide who approves it.");
    await page.waitForFunction((id) => /Refund request for order/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), id);
    assert.equal(await (await inspectorField(page, "subBlocks.context.value")).getAttribute("data-kind"), "long_text");
  });

  test("field type dropdown: an API block's method from the registry's options, on the node", async (page, core) => {
    const id = await workflowWith(page, "api");
    const method = page.locator('[data-testid="inspector"] [data-field="subBlocks.method.value"]');
    const options = await method.locator("option").evaluateAll((els) => els.map((e) => e.value));
    for (const m of ["GET", "POST", "PUT", "DELETE"]) assert.ok(options.includes(m), `${m} offered: ${options}`);
    await method.selectOption("POST");
    await setText(page, "subBlocks.url.value", "https://api.example.com/orders");
    await page.waitForFunction((id) => /POST/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), id);
    await expectCore(page, core, (json) => assert.equal((json.state ?? json).blocks[id].subBlocks.method.value, "POST"));
  });

  test("field type switch: disabling a block greys its node; the advanced toggle shows Sim's advanced fields", async (page) => {
    const id = await workflowWith(page, "agent");
    await toggleSwitch(page, "enabled");
    await page.waitForSelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-disabled`);
    assert.equal(await page.locator('[data-testid="inspector"] [data-field="subBlocks.temperature.value"]').count(), 0);
    await toggleSwitch(page, "advancedMode");
    await page.waitForSelector('[data-testid="inspector"] [data-field="subBlocks.temperature.value"]');
  });

  test("field type slider: an agent's temperature, within the registry's bounds", async (page, core) => {
    const id = await workflowWith(page, "agent");
    await toggleSwitch(page, "advancedMode");
    const slider = page.locator('[data-testid="inspector"] [data-field="subBlocks.temperature.value"]');
    await slider.waitFor();
    assert.equal(await slider.getAttribute("type"), "range");
    const max = Number(await slider.getAttribute("max"));
    assert.ok(max >= 1, `max ${max}`);
    await slider.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="slider-value"]')?.textContent) > 0.3);
    await expectCore(page, core, (json) => {
      const t = Number((json.state ?? json).blocks[id].subBlocks.temperature.value);
      assert.ok(t > 0.3 && t <= max, `temperature ${t}`);
    });
  });

  test("field type combobox: an agent's model, any text or a listed one, on the node", async (page) => {
    const id = await workflowWith(page, "agent");
    await setText(page, "subBlocks.model.value", "gpt-4.1-mini");
    await page.waitForFunction((id) => /gpt-4\.1-mini/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), id);
    assert.equal(await (await inspectorField(page, "subBlocks.model.value")).getAttribute("data-kind"), "combobox");
  });

  test("field type table: an API block's headers, rows of Key and Value", async (page, core) => {
    const id = await workflowWith(page, "api");
    const table = page.locator('[data-testid="inspector"] [data-field="subBlocks.headers.value"]');
    const rows = table.locator('[data-testid="table-row"]');
    if ((await rows.count()) === 0) await table.locator('[data-testid="table-add"]').click();
    await rows.first().locator('[data-column="Key"]').fill("Authorization");
    await rows.first().locator('[data-column="Value"]').fill("Bearer {{API_TOKEN}}");
    await rows.first().locator('[data-column="Value"]').press("Tab");
    await table.locator('[data-testid="table-add"]').click();
    await rows.nth(1).locator('[data-column="Key"]').fill("Accept");
    await rows.nth(1).locator('[data-column="Value"]').fill("application/json");
    await rows.nth(1).locator('[data-column="Value"]').press("Tab");
    await expectCore(page, core, (json) => {
      const headers = (json.state ?? json).blocks[id].subBlocks.headers.value;
      assert.deepEqual(headers.map((r) => r.cells), [{ Key: "Authorization", Value: "Bearer {{API_TOKEN}}" }, { Key: "Accept", Value: "application/json" }]);
      assert.ok(headers.every((r) => typeof r.id === "string" && r.id.length > 0), "rows keep Sim's ids");
    });
  });

  test("field type messages: an agent's system and user messages", async (page, core) => {
    const id = await workflowWith(page, "agent");
    const editor = page.locator('[data-testid="inspector"] [data-field="subBlocks.messages.value"]');
    await editor.locator('[data-testid="message-add"]').click();
    await editor.locator('[data-testid="message-content"]').first().fill("You answer billing questions.");
    await editor.locator('[data-testid="message-content"]').first().press("Tab");
    await editor.locator('[data-testid="message-add"]').click();
    await editor.locator('[data-testid="message-content"]').nth(1).fill("<start.input>");
    await editor.locator('[data-testid="message-content"]').nth(1).press("Tab");
    await page.waitForFunction((id) => /You answer billing questions/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), id);
    await expectCore(page, core, (json) => {
      const messages = (json.state ?? json).blocks[id].subBlocks.messages.value;
      assert.deepEqual(messages.map((m) => [m.role, m.content]), [["system", "You answer billing questions."], ["user", "<start.input>"]]);
    });
  });

  test("field type branches: add, reorder and remove a Condition's else-if; its edge goes with it", async (page, core) => {
    const start = await newDocument(page, "workflow", "Branches");
    const cond = await connectToEmpty(page, start, "source", 420, 260, "condition");
    await selectNode(page, cond);
    const editor = page.locator('[data-testid="inspector"] [data-field="subBlocks.conditions.value"]');
    const titles = () => editor.locator('[data-testid="branch"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-title")));
    assert.deepEqual(await titles(), ["if", "else"]);
    await editor.locator('[data-testid="branch-add"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-field="subBlocks.conditions.value"] [data-testid="branch"]').length === 3);
    assert.deepEqual(await titles(), ["if", "else if", "else"]);
    // The new branch is a port on the node: connect it to empty canvas.
    const view = await coreView(page, core);
    const handles = view.nodes.find((n) => n.id === cond).handles.filter((h) => h.kind === "condition").map((h) => h.id);
    assert.equal(handles.length, 3);
    const fn = await connectToEmpty(page, cond, handles[1], 760, 700, "function");
    await selectNode(page, cond);
    // Reorder: the else-if moves first and becomes the `if`; its edge follows it (same id).
    const moved = handles[1].replace(/^condition-/, "");
    const order = () => editor.locator('[data-testid="branch"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    await editor.locator(`[data-testid="branch"][data-id="${moved}"] [data-testid="branch-up"]`).click();
    await page.waitForFunction((id) => document.querySelector('[data-field="subBlocks.conditions.value"] [data-testid="branch"]')?.getAttribute("data-id") === id, moved);
    assert.deepEqual(await titles(), ["if", "else if", "else"]);
    await expectCore(page, core, (json) => {
      const branches = JSON.parse((json.state ?? json).blocks[cond].subBlocks.conditions.value);
      assert.equal(branches[0].id, moved, "the moved branch is first");
      assert.deepEqual(branches.map((b) => b.title), ["if", "else if", "else"]);
    });
    // Back down, then removed: its edge is removed with it, in the same step.
    await editor.locator(`[data-testid="branch"][data-id="${moved}"] [data-testid="branch-down"]`).click();
    await page.waitForFunction((id) => document.querySelectorAll('[data-field="subBlocks.conditions.value"] [data-testid="branch"]')[1]?.getAttribute("data-id") === id, moved);
    assert.equal((await order())[1], moved);
    await editor.locator(`[data-testid="branch"][data-id="${moved}"] [data-testid="branch-remove"]`).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-field="subBlocks.conditions.value"] [data-testid="branch"]').length === 2);
    const after = await coreView(page, core);
    assert.ok(!after.edges.some((e) => e.target === fn), "the removed branch's edge was removed with it");
    assert.equal((await counts(page)).errors, 0);
  });

  test("field type routes: a router's routes, added, titled and described", async (page, core) => {
    const id = await workflowWith(page, "router_v2");
    const editor = page.locator('[data-testid="inspector"] [data-field="subBlocks.routes.value"]');
    await editor.locator('[data-testid="route-value"]').first().fill("The customer asks for a refund");
    await editor.locator('[data-testid="route-value"]').first().press("Tab");
    await editor.locator('[data-testid="route-add"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-field="subBlocks.routes.value"] [data-testid="route"]').length === 2);
    await editor.locator('[data-testid="route-title"]').nth(1).fill("Billing");
    await editor.locator('[data-testid="route-title"]').nth(1).press("Tab");
    await editor.locator('[data-testid="route-value"]').nth(1).fill("The question is about an invoice");
    await editor.locator('[data-testid="route-value"]').nth(1).press("Tab");
    await page.waitForFunction((id) => /Billing/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .ports`)?.textContent ?? ""), id);
    await expectCore(page, core, (json) => {
      const routes = JSON.parse((json.state ?? json).blocks[id].subBlocks.routes.value);
      assert.deepEqual(routes.map((r) => [r.title, r.value]), [["route1", "The customer asks for a refund"], ["Billing", "The question is about an invoice"]]);
    });
  });

  test("field type code: CodeMirror with the core's problems inline and <block.path> completion", async (page, core) => {
    const start = await newDocument(page, "workflow", "Code");
    const fn = await connectToEmpty(page, start, "source", 450, 300, "function");
    await selectNode(page, fn);
    const field = await inspectorField(page, "subBlocks.code.value");
    assert.equal(await field.getAttribute("data-kind"), "code");
    // A reference to a block that does not exist: the core's W014 shows at the field, marked in the code.
    await typeCode(page, field, "const total = <ordr.total>;\nreturn total;");
    await page.click('[data-testid="inspector-title"]');
    await page.waitForSelector('[data-field-wrap="subBlocks.code.value"] [data-testid="field-problem"][data-code="W014"]');
    await page.waitForSelector('[data-field-wrap="subBlocks.code.value"] .cm-lintRange-error');
    await screenshot(page, "07-code-field-problem-inline");
    // Completion offers what runs before: the start block's outputs.
    await typeCode(page, field, "return <sta");
    await page.waitForSelector(".cm-tooltip-autocomplete");
    const offered = await page.locator(".cm-tooltip-autocomplete li").evaluateAll((els) => els.map((e) => e.textContent));
    assert.ok(offered.some((t) => t.includes("<start.input>")), offered.join(" | "));
    await page.locator(".cm-tooltip-autocomplete li", { hasText: "<start.input>" }).first().click();
    await page.click('[data-testid="inspector-title"]');
    await page.waitForFunction(() => !document.querySelector('[data-field-wrap="subBlocks.code.value"] [data-testid="field-problem"]'));
    await expectCore(page, core, (json) => assert.equal((json.state ?? json).blocks[fn].subBlocks.code.value, "return <start.input>"));
  });

  test("field type rows: a start block's input format, one row per input with its type", async (page, core) => {
    const start = await newDocument(page, "workflow", "Inputs");
    await selectNode(page, start);
    const rows = page.locator('[data-testid="inspector"] [data-field="subBlocks.inputFormat.value"]');
    const first = rows.locator('[data-testid="row"]').first();
    await first.locator('[data-column="name"]').fill("orderId");
    await first.locator('[data-column="name"]').press("Tab");
    await rows.locator('[data-testid="rows-add"]').click();
    await rows.locator('[data-testid="row"]').nth(1).locator('[data-column="name"]').fill("amount");
    await rows.locator('[data-testid="row"]').nth(1).locator('[data-column="type"]').selectOption("number");
    await rows.locator('[data-testid="row"]').nth(1).locator('[data-column="name"]').press("Tab");
    await page.waitForFunction((id) => /orderId, amount/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), start);
    await expectCore(page, core, (json) => {
      const format = (json.state ?? json).blocks[start].subBlocks.inputFormat.value;
      assert.deepEqual(format.map((r) => [r.name, r.type]), [["orderId", "string"], ["amount", "number"]]);
    });
  });

  test("field type text list: a journey's labels, one box each", async (page, core) => {
    await newDocument(page, "journey", "Labels");
    const list = page.locator('[data-testid="inspector"] [data-field="journey.labels"]');
    await list.locator('[data-testid="list-add"]').click();
    await list.locator('[data-testid="list-item"] input').first().fill("booking");
    await list.locator('[data-testid="list-add"]').click();
    await list.locator('[data-testid="list-item"] input').nth(1).fill("travel");
    await list.locator('[data-testid="list-item"] input').nth(1).press("Enter");
    await expectCore(page, core, (json) => assert.deepEqual(json.journey.labels, ["booking", "travel"]));
  });

  test("field type raw JSON: a sub-block Sim does not know is kept and edited as JSON", async (page, core) => {
    await page.setInputFiles('[data-testid="import-file"]', join(REPO, "fixtures/sim/unknown-fields.json"));
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    const view = await coreView(page, core);
    const start = view.nodes.find((n) => n.type === "start_trigger");
    await selectNode(page, start.id);
    const field = page.locator('[data-testid="inspector"] [data-field-wrap="subBlocks.legacyNotes.value"]');
    await field.waitFor();
    assert.equal(await field.getAttribute("data-kind"), "json");
    assert.match(await field.locator('[data-testid="raw-json-reason"]').textContent(), /not a field of `start_trigger`/);
    const box = field.locator("textarea");
    await box.fill('{"kept": [1, 2]}');
    await box.press("Tab");
    await expectCore(page, core, (json) => assert.deepEqual((json.state ?? json).blocks[start.id].subBlocks.legacyNotes.value, { kept: [1, 2] }));
    await box.fill("{not json");
    await box.press("Tab");
    assert.match(await field.locator('[data-testid="field-error"]').textContent(), /not valid JSON/);
  });

  test("field type read-only text: a trigger's setup instructions, shown as text (Sim's display-only `text`)", async (page) => {
    await workflowWith(page, "generic_webhook");
    const field = page.locator('[data-testid="inspector"] [data-field-wrap="subBlocks.triggerInstructions.value"]');
    assert.equal(await field.getAttribute("data-kind"), "read_only");
    const text = await field.locator(".read-only").textContent();
    assert.match(text, /1\. Copy the webhook URL/);
    assert.ok(!text.includes("<strong>"), "the HTML is shown as text");
    // Its `<strong>` is markup, not a reference: no W014 anywhere.
    assert.ok(!(await problemList(page)).some((p) => p.includes("W014")));
  });

  // ---------- one test per journey property ----------

  const journeyProperty = (name, fn) =>
    test(`journey property: ${name}`, async (page, core) => {
      await newDocument(page, "journey", `Property ${name}`);
      await page.waitForSelector('[data-testid="inspector"][data-what="journey"]');
      await fn(page, core);
    });

  journeyProperty("title (relabels the root state)", async (page, core) => {
    const root = (await nodeIds(page))[0];
    await setText(page, "journey.title", "Book a trip");
    await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-label`)?.textContent === "Book a trip", root);
    await expectCore(page, core, (json) => assert.equal(json.journey.title, "Book a trip"));
    await setText(page, "journey.title", "");
    await page.waitForSelector('[data-field-wrap="journey.title"] [data-testid="field-problem"][data-code="J013"]');
  });

  journeyProperty("description", async (page, core) => {
    await setText(page, "journey.description", "Guides the customer through a booking.");
    await expectCore(page, core, (json) => assert.equal(json.journey.description, "Guides the customer through a booking."));
  });

  journeyProperty("activation conditions (a list; J014 at the field until there is one)", async (page, core) => {
    const field = page.locator('[data-field-wrap="journey.conditions"]');
    await field.locator('[data-testid="field-problem"][data-code="J014"]').waitFor();
    await field.locator('[data-testid="list-add"]').click();
    await field.locator('[data-testid="list-item"] input').first().fill("The customer wants to book a flight");
    await field.locator('[data-testid="list-item"] input').first().press("Enter");
    await page.waitForFunction(() => !document.querySelector('[data-field-wrap="journey.conditions"] [data-testid="field-problem"]'));
    await expectCore(page, core, (json) => assert.deepEqual(json.journey.conditions, ["The customer wants to book a flight"]));
  });

  journeyProperty("tags (a malformed agent tag is J015 at the field)", async (page, core) => {
    const field = page.locator('[data-field-wrap="journey.tags"]');
    await field.locator('[data-testid="list-add"]').click();
    await field.locator('[data-testid="list-item"] input').first().fill("agent:");
    await field.locator('[data-testid="list-item"] input').first().press("Enter");
    await field.locator('[data-testid="field-problem"][data-code="J015"]').waitFor();
    await field.locator('[data-testid="list-item"] input').first().fill("agent:travel-concierge");
    await field.locator('[data-testid="list-item"] input').first().press("Enter");
    await page.waitForFunction(() => !document.querySelector('[data-field-wrap="journey.tags"] [data-testid="field-problem"]'));
    await expectCore(page, core, (json) => assert.deepEqual(json.journey.tags, ["agent:travel-concierge"]));
  });

  journeyProperty("composition mode (Parlant's modes)", async (page, core) => {
    const select = page.locator('[data-testid="inspector"] [data-field="journey.composition_mode"]');
    const options = await select.locator("option").evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(options.filter(Boolean), ["fluid", "canned_fluid", "composited_canned", "strict_canned"]);
    await select.selectOption("strict_canned");
    await expectCore(page, core, (json) => assert.equal(json.journey.composition_mode, "strict_canned"));
  });

  journeyProperty("priority (a number)", async (page, core) => {
    assert.equal(await page.getAttribute('[data-field="journey.priority"]', "type"), "number");
    await setText(page, "journey.priority", "7");
    await expectCore(page, core, (json) => assert.equal(json.journey.priority, 7));
  });

  journeyProperty("labels", async (page, core) => {
    const list = page.locator('[data-field="journey.labels"]');
    await list.locator('[data-testid="list-add"]').click();
    await list.locator('[data-testid="list-item"] input').first().fill("flights");
    await list.locator('[data-testid="list-item"] input').first().press("Enter");
    await expectCore(page, core, (json) => assert.deepEqual(json.journey.labels, ["flights"]));
  });

  journeyProperty("guidelines (a table of condition, action, criticality)", async (page, core) => {
    const rows = page.locator('[data-field="guidelines"]');
    await rows.locator('[data-testid="rows-add"]').click();
    const row = rows.locator('[data-testid="row"]').first();
    await row.locator('[data-column="condition"]').fill("The customer asks about baggage allowance");
    await row.locator('[data-column="action"]').fill("Explain the checked and cabin baggage allowance");
    await row.locator('[data-column="criticality"]').selectOption("high");
    await row.locator('[data-column="action"]').press("Tab");
    await expectCore(page, core, (json) =>
      assert.deepEqual(json.guidelines.map((x) => [x.condition, x.action, x.criticality]), [["The customer asks about baggage allowance", "Explain the checked and cabin baggage allowance", "high"]]),
    );
    await screenshot(page, "06-journey-properties");
  });

  journeyProperty("context variables (name, description, preview value)", async (page, core) => {
    const rows = page.locator('[data-field="context_variables"]');
    await rows.locator('[data-testid="rows-add"]').click();
    const row = rows.locator('[data-testid="row"]').first();
    await row.locator('[data-column="name"]').fill("home_airport");
    await row.locator('[data-column="description"]').fill("IATA code of the customer's usual departure airport");
    await row.locator('[data-column="value"]').fill("SFO");
    await row.locator('[data-column="value"]').press("Tab");
    await expectCore(page, core, (json) =>
      assert.deepEqual(json.context_variables.map((x) => [x.name, x.description, x.value]), [["home_airport", "IATA code of the customer's usual departure airport", "SFO"]]),
    );
  });

  journeyProperty("a state's kind (chat becomes tool; the tools field appears)", async (page, core) => {
    const root = (await nodeIds(page))[0];
    const state = await connectToEmpty(page, root, "source", 420, 300, "chat");
    await selectNode(page, state);
    await page.locator('[data-testid="inspector"] [data-field="metadata.journey_node.kind"]').selectOption("tool");
    await page.waitForSelector('[data-testid="inspector"] [data-field="tools"]');
    await page.waitForFunction((id) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] [data-kind]`)?.getAttribute("data-kind") === "tool", state);
    await expectCore(page, core, (json) => assert.equal(json.nodes.find((n) => n.id === state).metadata.journey_node.kind, "tool"));
  });

  journeyProperty("a tool state's tool (service and name; J009 until there is one)", async (page, core) => {
    const root = (await nodeIds(page))[0];
    const state = await connectToEmpty(page, root, "source", 420, 300, "tool");
    await selectNode(page, state);
    const field = page.locator('[data-field-wrap="tools"]');
    await field.locator('[data-testid="field-problem"][data-code="J009"]').waitFor();
    await field.locator('[data-testid="rows-add"]').click();
    const row = field.locator('[data-testid="row"]').first();
    await row.locator('[data-column="service_name"]').fill("travel");
    await row.locator('[data-column="tool_name"]').fill("search_flights");
    await row.locator('[data-column="tool_name"]').press("Tab");
    await page.waitForFunction(() => !document.querySelector('[data-field-wrap="tools"] [data-testid="field-problem"]'));
    await expectCore(page, core, (json) => assert.deepEqual(json.nodes.find((n) => n.id === state).tools, [{ service_name: "travel", tool_name: "search_flights" }]));
  });

  journeyProperty("a transition's condition, edited on the canvas (double-click the edge's label)", async (page, core) => {
    const root = (await nodeIds(page))[0];
    const ask = await connectToEmpty(page, root, "source", 380, 200, "chat");
    const a = await connectToEmpty(page, ask, "source", 650, 80, "chat");
    const b = await connectToEmpty(page, ask, "source", 650, 420, "chat");
    const ea = await edgeBetween(page, core, ask, a);
    // Select the edge (keyboard), then F2: edit on the canvas.
    await selectEdge(page, ea);
    await page.waitForSelector(`[data-testid="edge-label"][data-edge="${ea}"]`);
    await page.dblclick(`[data-testid="edge-label"][data-edge="${ea}"]`);
    await page.fill('[data-testid="edge-label-input"]', "The customer has a destination in mind");
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => document.querySelector(`[data-testid="edge-label"][data-edge="${id}"]`)?.textContent === "The customer has a destination in mind", ea);
    // Double-click the label again: change it.
    await page.dblclick(`[data-testid="edge-label"][data-edge="${ea}"]`);
    await page.fill('[data-testid="edge-label-input"]', "The customer knows where to go");
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => document.querySelector(`[data-testid="edge-label"][data-edge="${id}"]`)?.textContent === "The customer knows where to go", ea);
    const eb = await edgeBetween(page, core, ask, b);
    await selectEdge(page, eb);
    await setText(page, "condition", "The customer does not know where to go");
    await expectCore(page, core, (json) => {
      assert.equal(json.edges.find((e) => e.id === ea).condition, "The customer knows where to go");
      assert.equal(json.edges.find((e) => e.id === eb).condition, "The customer does not know where to go");
    });
  });

  // ---------- whole documents from blank canvases ----------

  test("build the book-flight journey from a blank journey with the palette and the inspector; validate clean; convert; save the workflow; push to Parlant", async (page, core) => {
    const f = BOOK_FLIGHT;
    const root = await newDocument(page, "journey", f.journey.title);
    // The journey's own fields.
    const conds = page.locator('[data-field="journey.conditions"]');
    await conds.locator('[data-testid="list-add"]').click();
    await conds.locator('[data-testid="list-item"] input').first().fill(f.journey.conditions[0]);
    await conds.locator('[data-testid="list-item"] input').first().press("Enter");
    await setText(page, "journey.description", f.journey.description);
    // Room for eleven states: zoom out, the root at the top left.
    await zoomOut(page, 4);
    await moveNodeTo(page, root, 30, 60);
    const grid = {
      "ask-destination": [190, 60],
      "load-destinations": [190, 330],
      "recommend-destination": [360, 330],
      "get-dates": [360, 60],
      "search-flights": [530, 60],
      "present-options": [700, 60],
      "choice-fork": [700, 330],
      "confirm-details": [530, 560],
      book: [360, 560],
      "provide-ticket": [190, 560],
    };
    const ids = { [f.journey.root_id]: root, end: "end" };
    for (const state of f.nodes.filter((n) => n.id !== f.journey.root_id)) {
      const kind = state.metadata.journey_node.kind;
      const [x, y] = grid[state.id];
      const id = await dropStep(page, kind, x + 20, y + 20);
      ids[state.id] = id;
      if (kind === "tool") {
        const field = page.locator('[data-field="tools"]');
        await field.locator('[data-testid="rows-add"]').click();
        const row = field.locator('[data-testid="row"]').first();
        await row.locator('[data-column="service_name"]').fill(state.tools[0].service_name);
        await row.locator('[data-column="tool_name"]').fill(state.tools[0].tool_name);
        await row.locator('[data-column="tool_name"]').press("Tab");
        await page.waitForFunction((id) => /tools:/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), id);
      }
      if (state.action) {
        await setText(page, "action", state.action);
        await page.waitForFunction(([id, action]) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"] .node-label`)?.getAttribute("title") === action, [id, state.action]);
      }
    }
    // The transitions: dragged between states; the first one into `end` is dropped on empty canvas.
    let endDrawn = false;
    for (const e of f.edges) {
      const [s, t] = [ids[e.source], ids[e.target]];
      if (e.target === "end" && !endDrawn) {
        await connectToEmpty(page, s, "source", 870, 640, "end");
        endDrawn = true;
      } else {
        await connect(page, s, "source", t);
      }
      if (e.condition) {
        const edgeId = await edgeBetween(page, core, s, t);
        await selectEdge(page, edgeId);
        await setText(page, "condition", e.condition);
        await page.waitForFunction(([id, c]) => document.querySelector(`[data-testid="edge-label"][data-edge="${id}"]`)?.textContent === c, [edgeId, e.condition]);
      }
    }
    await page.click('[data-testid="auto-layout"]');
    await page.waitForTimeout(600);
    await waitSaved(page);
    // Validate clean: no error, no warning.
    const c = await counts(page);
    assert.deepEqual([c.errors, c.warnings], [0, 0], `${c.text}\n${(await problemList(page)).join("\n")}`);
    // The same journey as the fixture: states by kind and action, transitions and conditions.
    const built = await coreJson(page, core);
    assert.equal(built.journey.title, f.journey.title);
    assert.deepEqual(built.journey.conditions, f.journey.conditions);
    const back = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
    const shape = (doc, name) => ({
      states: doc.nodes.map((n) => [name(n.id), n.metadata?.journey_node?.kind ?? "root", n.action ?? null, (n.tools ?? []).map((t) => `${t.service_name}:${t.tool_name}`)]).sort(),
      edges: doc.edges.map((e) => [name(e.source), name(e.target), e.condition ?? null]).sort(),
    });
    assert.deepEqual(shape(built, (id) => back[id] ?? id), shape(f, (id) => id));
    // Find (Ctrl+F) the start and look at the first steps, laid out.
    await page.keyboard.press("Control+f");
    await page.keyboard.type("Ask if they have");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(500);
    await screenshot(page, "08-book-flight-built");

    // Convert: the workflow beside it, with the approximations listed; one jumps to its step.
    await page.check('[data-testid="convert-toggle"]');
    await page.waitForSelector('[data-testid="canvas-converted"] .react-flow__node');
    await page.waitForSelector('[data-testid="approximation"]');
    const codes = await page.locator('[data-testid="approximation"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-code")));
    assert.ok(codes.length > 0 && codes.every((x) => /^C\d{3}$/.test(x)), codes.join(","));
    await page.locator('[data-testid="approximation"][data-code="C012"] button').first().click();
    // The step found above is still selected until the jump's render: wait for the selection to move.
    const tools = [ids["load-destinations"], ids["search-flights"], ids.book];
    await page
      .waitForFunction((want) => want.includes(document.querySelector('[data-testid="canvas"] .react-flow__node.selected')?.getAttribute("data-id")), tools, { timeout: 5_000 })
      .catch(() => undefined);
    const jumped = await page.locator('[data-testid="canvas"] .react-flow__node.selected').getAttribute("data-id");
    assert.ok(tools.includes(jumped), `jumped to a tool state: ${jumped}`);
    await screenshot(page, "09-convert-view-approximations");
    const journeyDoc = await current(page);
    await page.click('[data-testid="save-converted"]');
    await page.waitForFunction(() => /Sim workflow/.test(document.querySelector('[data-testid="doc-title"]')?.textContent ?? ""));
    const saved = await coreJson(page, core);
    assert.ok(Object.keys((saved.state ?? saved).blocks).length >= f.nodes.length, "the converted workflow was saved");

    // Push the journey to the test Parlant server.
    const parlant = env.parlant();
    if (!parlant) return console.log("     (no Parlant server: push skipped)");
    await page.locator('[data-testid="document-item"]', { hasText: f.journey.title }).first().click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="doc-title"]')?.getAttribute("data-id") === String(id), journeyDoc.id);
    // Earlier tests left pushes to unreachable servers waiting in the outbox; the app retries
    // what is due in the background, and the core's retry would also resend a push that is
    // under way (reported). Their documents go, so only this push runs.
    const waiting = (await api(core, "sync_status", {})).outbox.filter((x) => x.state !== "done" && x.document_id !== journeyDoc.id);
    for (const id of new Set(waiting.map((x) => x.document_id))) await api(core, "delete_document", { id });
    await page.click('[data-testid="tab-sync"]');
    await page.fill('[data-testid="remote-name"]', "parlant-e2e");
    await page.selectOption('[data-testid="remote-kind"]', "parlant");
    await page.fill('[data-testid="remote-url"]', parlant.url);
    await page.click('[data-testid="remote-add-button"]');
    await page.waitForSelector('[data-testid="remote"][data-name="parlant-e2e"]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="sync-remote"] option')].some((o) => o.value === "parlant-e2e"));
    await page.selectOption('[data-testid="sync-remote"]', "parlant-e2e");
    await page.click('[data-testid="push"]');
    await page.waitForSelector('[data-testid="sync-outcome"], [data-testid="sync-error"]', { timeout: 120_000 });
    const result = await page.getAttribute('[data-testid="sync-outcome"]', "data-result").catch(() => null);
    assert.ok(["pushed", "created", "updated"].includes(result), `push: ${result}: ${await page.textContent('[data-testid="sync-outcome"], [data-testid="sync-error"]').catch(() => "")}`);
    const journeys = await (await fetch(`${parlant.url}/journeys`)).json();
    assert.ok(journeys.some((j) => j.title === f.journey.title && j.conditions?.length !== 0), JSON.stringify(journeys).slice(0, 400));
  }, BIG);

  test("build start → agent → condition (two branches) → API / Response from a blank workflow with typed fields; validate clean (screens: agent, condition, API)", async (page, core) => {
    const start = await newDocument(page, "workflow", "Support triage");
    await selectNode(page, start);
    const inputs = page.locator('[data-field="subBlocks.inputFormat.value"]');
    await inputs.locator('[data-testid="row"]').first().locator('[data-column="name"]').fill("message");
    await inputs.locator('[data-testid="row"]').first().locator('[data-column="name"]').press("Tab");
    await zoomOut(page, 2);
    await moveNodeTo(page, start, 30, 200);
    // Agent: from the palette, connected by dragging.
    const agent = await dropStep(page, "agent", 330, 220);
    await connect(page, start, "source", agent);
    await selectNode(page, agent);
    await setText(page, "subBlocks.model.value", "gpt-4.1-mini");
    const messages = page.locator('[data-field="subBlocks.messages.value"]');
    await messages.locator('[data-testid="message-add"]').click();
    await messages.locator('[data-testid="message-content"]').first().fill("Classify the customer's message as billing or other. Answer with one word.");
    await messages.locator('[data-testid="message-content"]').first().press("Tab");
    await messages.locator('[data-testid="message-add"]').click();
    await messages.locator('[data-testid="message-content"]').nth(1).fill("<start.message>");
    await messages.locator('[data-testid="message-content"]').nth(1).press("Tab");
    await toggleSwitch(page, "advancedMode");
    const slider = page.locator('[data-testid="inspector"] [data-field="subBlocks.temperature.value"]');
    await slider.focus();
    await page.keyboard.press("ArrowLeft");
    await page.click('[data-testid="inspector-title"]');
    await screenshot(page, "03-inspector-agent");
    // Condition: dropped, connected, its `if` written with a completed reference.
    const cond = await dropStep(page, "condition", 620, 220);
    await connect(page, agent, "source", cond);
    await selectNode(page, cond);
    const branch = page.locator('[data-testid="branch-code"]').first();
    await typeCode(page, branch, "<agen");
    await page.waitForSelector(".cm-tooltip-autocomplete");
    await page.locator(".cm-tooltip-autocomplete li", { hasText: "<agent.content>" }).first().click();
    await page.keyboard.type(".toLowerCase().includes('billing')", { delay: 5 });
    await page.click('[data-testid="inspector-title"]');
    await page.waitForFunction((id) => /billing/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), cond);
    await screenshot(page, "04-inspector-condition");
    const view = await coreView(page, core);
    const [ifHandle, elseHandle] = view.nodes.find((n) => n.id === cond).handles.filter((h) => h.kind === "condition").map((h) => h.id);
    // API on the `if` branch and Response on `else`: dropped connections.
    const apiBlock = await connectToEmpty(page, cond, ifHandle, 900, 110, "api");
    await selectNode(page, apiBlock);
    await setText(page, "subBlocks.url.value", "https://billing.example.com/tickets");
    await page.locator('[data-testid="inspector"] [data-field="subBlocks.method.value"]').selectOption("POST");
    const headers = page.locator('[data-field="subBlocks.headers.value"]');
    if ((await headers.locator('[data-testid="table-row"]').count()) === 0) await headers.locator('[data-testid="table-add"]').click();
    await headers.locator('[data-testid="table-row"]').first().locator('[data-column="Key"]').fill("Content-Type");
    await headers.locator('[data-testid="table-row"]').first().locator('[data-column="Value"]').fill("application/json");
    await headers.locator('[data-testid="table-row"]').first().locator('[data-column="Value"]').press("Tab");
    await typeCode(page, await inspectorField(page, "subBlocks.body.value"), '{"text": "<start.message>"}');
    await page.click('[data-testid="inspector-title"]');
    await page.waitForFunction((id) => /POST/.test(document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.textContent ?? ""), apiBlock);
    await screenshot(page, "05-inspector-api");
    const response = await connectToEmpty(page, cond, elseHandle, 900, 420, "response");
    assert.ok(response);
    await waitSaved(page);
    const c = await counts(page);
    assert.deepEqual([c.errors, c.warnings], [0, 0], `${c.text}\n${(await problemList(page)).join("\n")}`);
    const json = await coreJson(page, core);
    const state = json.state ?? json;
    const byType = (t) => Object.values(state.blocks).filter((b) => b.type === t);
    assert.deepEqual(["start_trigger", "agent", "condition", "api", "response"].map((t) => byType(t).length), [1, 1, 1, 1, 1]);
    const conditions = JSON.parse(byType("condition")[0].subBlocks.conditions.value);
    assert.equal(conditions[0].value, "<agent.content>.toLowerCase().includes('billing')");
    assert.equal(byType("api")[0].subBlocks.method.value, "POST");
    assert.deepEqual(byType("agent")[0].subBlocks.messages.value.map((m) => m.role), ["system", "user"]);
    assert.equal(state.edges.length, 4);
    // The palette put away: the whole workflow at the zoom it was built at.
    await page.click('[data-testid="palette-toggle"]');
    await screenshot(page, "10-triage-workflow-built");
  }, BIG);

  // ---------- convert view: save and push; shortcuts; templates ----------

  test("convert view: save and push a converted journey to a chosen Parlant remote", async (page, core) => {
    const parlant = env.parlant();
    await page.setInputFiles('[data-testid="import-file"]', join(REPO, "fixtures/sim/refund-router.json"));
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    await page.check('[data-testid="convert-toggle"]');
    await page.waitForSelector('[data-testid="approximations"]');
    if (!parlant) {
      assert.equal(await page.locator('[data-testid="save-push"]').isDisabled(), true, "no remote: nothing to push to");
      return console.log("     (no Parlant server: push skipped)");
    }
    await api(core, "remote_add", { name: "parlant-convert", kind: "parlant", url: parlant.url });
    // The remote list is read when the view opens: toggle it again.
    await page.uncheck('[data-testid="convert-toggle"]');
    await page.check('[data-testid="convert-toggle"]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="push-remote"] option')].some((o) => o.value === "parlant-convert"));
    await page.selectOption('[data-testid="push-remote"]', "parlant-convert");
    await page.click('[data-testid="save-push"]');
    await page.waitForSelector('[data-testid="push-outcome"]', { timeout: 120_000 });
    const result = await page.getAttribute('[data-testid="push-outcome"]', "data-result");
    assert.ok(["pushed", "created"].includes(result), `${result}: ${await page.textContent('[data-testid="push-outcome"]')}`);
    const docs = (await api(core, "list_documents", {})).documents;
    assert.ok(docs.some((d) => d.kind === "parlant_journey"), "the converted journey was saved");
  });

  test("the shortcut list opens with ? and lists the editor's keys", async (page) => {
    await newDocument(page, "workflow", "Keys");
    await page.click('[data-testid="canvas"] .react-flow__pane');
    await page.keyboard.press("?");
    await page.waitForSelector('[data-testid="shortcuts"]');
    const text = await page.textContent('[data-testid="shortcuts"]');
    for (const k of ["Ctrl+Z", "Ctrl+Y", "Ctrl+C", "Ctrl+F", "Ctrl+S", "Delete"]) assert.ok(text.includes(k), `${k} listed`);
    await page.keyboard.press("Escape");
    await page.waitForSelector('[data-testid="shortcuts"]', { state: "detached" });
  });

  test("save the open journey as a template with a parameter picked from its text; lint in Problems; a new version is picked and checked as typed", async (page) => {
    await page.setInputFiles('[data-testid="import-file"]', join(REPO, "fixtures/journeys/book-flight.json"));
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    await page.click('[data-testid="save-as-template"]');
    await page.waitForSelector('[data-testid="tpl-text"]');
    await page.fill('[data-testid="tpl-id"]', "flight-booking");
    await page.fill('[data-testid="tpl-filter"]', "Book Flight");
    await page.locator('[data-testid="tpl-text"]', { hasText: "Book Flight" }).first().locator('[data-testid="tpl-pick"]').check();
    await page.fill('[data-testid="tpl-param-name"]', "title");
    await page.click('[data-testid="tpl-save"]');
    await page.waitForSelector('[data-testid="template-problems"][data-template="flight-booking@1.0.0"] [data-testid="template-clean"]');
    // Saving the same version again is refused, with the reason.
    await page.click('[data-testid="save-as-template"]');
    await page.fill('[data-testid="tpl-id"]', "flight-booking");
    await page.click('[data-testid="tpl-save"]');
    await page.waitForSelector('[data-testid="tpl-error"]');
    assert.match(await page.textContent('[data-testid="tpl-error"]'), /already exists/);
    await page.fill('[data-testid="tpl-version"]', "1.1.0");
    await page.click('[data-testid="tpl-save"]');
    await page.waitForSelector('[data-testid="template-problems"][data-template="flight-booking@1.1.0"]');
    // The gallery: both versions, pick the older; parameters checked as typed.
    await page.click('[data-testid="open-templates"]');
    await page.fill('[data-testid="template-search"]', "flight-booking");
    await page.locator('[data-testid="template-card"][data-id="flight-booking"]').click();
    await page.waitForSelector('[data-testid="template-version"] option[value="1.0.0"]', { state: "attached" });
    const versions = await page.locator('[data-testid="template-version"] option').evaluateAll((els) => els.map((e) => e.value));
    assert.deepEqual(versions, ["1.1.0", "1.0.0"]);
    await page.selectOption('[data-testid="template-version"]', "1.0.0");
    await page.waitForFunction(() => document.querySelector('[data-testid="template-version"]')?.value === "1.0.0");
    // 1.0.0 is the one with the `title` parameter (1.1.0 was saved without one).
    const title = page.locator('[data-param="title"] input');
    assert.equal(await title.inputValue(), "Book Flight", "the parameter's default is the text it replaced");
    await page.click('[data-testid="template-lint"]');
    await page.waitForSelector('[data-testid="template-problems"][data-template="flight-booking@1.0.0"] [data-testid="template-clean"]');
    await page.click('[data-testid="open-templates"]');
    await page.fill('[data-testid="template-search"]', "flight-booking");
    await page.locator('[data-testid="template-card"][data-id="flight-booking"]').click();
    await page.waitForSelector('[data-testid="template-version"] option[value="1.0.0"]', { state: "attached" });
    await page.selectOption('[data-testid="template-version"]', "1.0.0");
    await title.fill("Book a trip");
    await page.click('[data-testid="template-create"]');
    await page.waitForFunction(() => /Book a trip/.test(document.querySelector('[data-testid="canvas"] .react-flow__node')?.textContent ?? ""));
    // A built-in template checked as typed: a too-short company name is refused before creating.
    await page.click('[data-testid="open-templates"]');
    await page.locator('[data-testid="template-card"][data-id="refund-request"]').click();
    await page.locator('[data-param="company"] input').fill("X");
    await page.waitForSelector('[data-param="company"] [data-testid="param-error"]');
    await page.locator('[data-param="company"] input').fill("Harbor & Pine");
    await page.waitForFunction(() => !document.querySelector('[data-param="company"] [data-testid="param-error"]'));
  });
}
