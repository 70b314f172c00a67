// Runs of Sim workflows in the app, against the real core: the Run tab's typed start form, the
// run drawn on the canvas (blocks lit in order, the dead branch greyed, the loop's iterations), a
// block's input and output inspected, a human-in-the-loop pause answered in the panel, and parity
// of a workflow with its converted journey side by side. Screenshots into target/e2e-screens.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, api } from "./harness.mjs";
import { screenshot } from "./authoring.mjs";

const EXPENSES = join(REPO, "fixtures/sim/expense-approval.json");
const REFUNDS = join(REPO, "fixtures/sim/refund-router.json");
const BIG = { viewport: { width: 1800, height: 1100 } };

const node = (page, id) => page.locator(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`);
const hasClass = (page, id, cls) =>
  page.waitForFunction(([id, cls]) => document.querySelector(`[data-testid="canvas"] .react-flow__node[data-id="${id}"]`)?.classList.contains(cls), [id, cls]);
const edgeHasClass = (page, id, cls) =>
  page.waitForFunction(([id, cls]) => document.querySelector(`[data-testid="canvas"] [data-testid="rf__edge-${id}"]`)?.classList.contains(cls), [id, cls]);

async function openFixture(page, file) {
  await page.setInputFiles('[data-testid="import-file"]', file);
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
  await page.click('[data-testid="tab-chat"]');
  await page.waitForSelector('[data-testid="run-panel"]');
}

async function runWith(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const el = page.locator(`[data-testid="run-input-${name}"]`);
    if (typeof value === "boolean") await el.setChecked(value);
    else await el.fill(value);
  }
  await page.click('[data-testid="run-start"]');
}

/** The whole run in view for a screenshot: the palette closed, the graph fitted. */
async function showAll(page) {
  if (await page.isChecked('[data-testid="palette-toggle"]')) await page.click('[data-testid="palette-toggle"]');
  await page.click('[data-testid="canvas"] .react-flow__controls-fitview');
  await page.waitForTimeout(400);
}

const status = (page) => page.textContent('[data-testid="run-status"]');

export function registerRuns(register) {
  const test = (name, fn, options = BIG) => register(name, fn, options);

  test("a Sim workflow run: trace on the canvas (dead path greyed, loop iterations), a block's output inspected (screen: run-trace)", async (page) => {
    await openFixture(page, EXPENSES);
    assert.equal((await page.textContent('[data-testid="tab-chat"]')).trim(), "Run");
    // The start block's declared fields are typed controls, not JSON.
    assert.equal(await page.getAttribute('[data-testid="run-input-amount"]', "type"), "number");
    assert.equal(await page.getAttribute('[data-testid="run-input-urgent"]', "type"), "checkbox");
    assert.equal(await page.inputValue('[data-testid="run-input-employee"]'), "Ada Lovelace");
    await runWith(page, { amount: "120", items: '["hotel", "train", "taxi"]' });
    await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.startsWith("completed"));
    await hasClass(page, "autoApprove", "run-ran");
    await hasClass(page, "managerApproval", "run-dead");
    await hasClass(page, "recordDecision", "run-dead");
    await edgeHasClass(page, "e-cond-human", "run-dead");
    await edgeHasClass(page, "e-cond-auto", "run-taken");
    assert.match(await node(page, "itemLoop").locator('[data-testid="run-iterations"]').textContent(), /3 iterations/);
    assert.equal(await node(page, "start").locator('[data-testid="run-badge"]').textContent(), "#1");
    assert.equal(await node(page, "managerApproval").locator('[data-testid="run-badge"]').count(), 0);
    // The trace lists every pass of the loop body.
    const traced = await page.locator('[data-testid="run-trace-item"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-block")));
    assert.equal(traced.filter((b) => b === "checkItem").length, 3);
    // A block clicked on the canvas: its runs with their inputs and outputs.
    await node(page, "checkItem").click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="run-block-output"]').length === 3);
    assert.match(await page.locator('[data-testid="run-block-output"]').nth(2).textContent(), /"item": "taxi"/);
    // One picked in the trace.
    await page.click('[data-testid="run-trace-item"][data-block="autoApprove"]');
    await page.waitForFunction(() => /"amount": 120\b/.test(document.querySelector('[data-testid="run-block-output"]')?.textContent ?? ""));
    assert.match(await page.textContent('[data-testid="run-block-input"]'), /Ada Lovelace/);
    await showAll(page);
    await screenshot(page, "runs-01-trace");

    // Bad input is named at its field; the run shown stays.
    await page.fill('[data-testid="run-input-items"]', '{"not": "a list"}');
    await page.click('[data-testid="run-start"]');
    await page.waitForSelector('[data-testid="run-error"]');
    assert.match(await page.textContent('[data-testid="run-error"]'), /items.*is not an array/);
  });

  test("a human-in-the-loop pause is answered in the panel and the run goes on (screens: run-paused, run-resumed)", async (page) => {
    await openFixture(page, EXPENSES);
    await runWith(page, { amount: "900", urgent: true, items: '["flight"]' });
    await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.startsWith("paused"));
    await hasClass(page, "managerApproval", "run-paused");
    await hasClass(page, "recordDecision", "run-pending");
    await hasClass(page, "autoApprove", "run-dead");
    const pause = page.locator('[data-testid="run-pause"]');
    assert.match(await pause.textContent(), /Manager Approval waits for a human/);
    assert.equal(await page.getAttribute('[data-testid="run-answer-approved"]', "type"), "checkbox");
    await page.check('[data-testid="run-answer-approved"]');
    await page.fill('[data-testid="run-answer-note"]', "ok by me");
    await showAll(page);
    await screenshot(page, "runs-02-paused");
    await page.click('[data-testid="run-resume"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent?.startsWith("completed"));
    assert.equal(await pause.count(), 0);
    await hasClass(page, "recordDecision", "run-ran");
    await hasClass(page, "managerApproval", "run-ran");
    await node(page, "recordDecision").click();
    await page.waitForFunction(() => /ok by me/.test(document.querySelector('[data-testid="run-block-output"]')?.textContent ?? ""));
    assert.match(await page.textContent('[data-testid="run-block-output"]'), /"approved": true/);
    assert.match(await status(page), /completed/);
    await showAll(page);
    await screenshot(page, "runs-03-resumed");
  });

  test("parity of a workflow and its converted journey, side by side (screen: parity)", async (page, core) => {
    await page.setInputFiles('[data-testid="import-file"]', REFUNDS);
    await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
    const session = await page.getAttribute('[data-testid="doc-title"]', "data-session");
    // The converted journey saved in the workspace (as the Convert view's Save does).
    const journey = await api(core, "save_converted", { session, to: "journey" });
    await page.click('[data-testid="tab-chat"]');
    await page.waitForSelector('[data-testid="run-panel"]');
    const cases = JSON.parse(readFileSync(join(REPO, "fixtures/scenarios/parity/refund-router.json"), "utf8"));
    const mocksOf = (i) => {
      const m = structuredClone(cases.mocks);
      for (const [section, entries] of Object.entries(cases.scenarios[i].mocks)) m[section] = { ...(m[section] ?? {}), ...entries };
      return JSON.stringify(m, null, 1);
    };
    await page.click('[data-testid="run-panel"] details summary');
    await page.fill('[data-testid="run-mocks"]', mocksOf(0));
    await page.fill('[data-testid="parity-message"]', cases.scenarios[0].turns[0]);
    await page.click('[data-testid="parity-check"]');
    await page.waitForSelector('[data-testid="parity-verdict"]');
    assert.match(await page.textContent('[data-testid="parity-verdict"]'), /Same steps on both sides/);
    const steps = (side) => page.locator(`[data-testid="parity-${side}"] li`).allTextContents();
    assert.deepEqual(await steps("workflow"), await steps("journey"));
    assert.ok((await steps("workflow")).includes("refundConfirmation"));

    // The saved journey, with the router mocked to a path the customer's words do not lead to.
    await page.selectOption('[data-testid="parity-journey"]', String(journey.id));
    await page.fill('[data-testid="run-mocks"]', mocksOf(2));
    await page.click('[data-testid="parity-check"]');
    await page.waitForFunction(() => /diverge/.test(document.querySelector('[data-testid="parity-verdict"]')?.textContent ?? ""));
    assert.match(await page.textContent('[data-testid="parity-verdict"]'), new RegExp(journey.name.replace(/[()]/g, ".")));
    assert.match(await page.textContent('[data-testid="parity-divergence"]'), /managerApproval/);
    assert.equal(await page.locator('[data-testid="parity-workflow"] li.diverged').count(), 1);
    await page.locator('[data-testid="parity"]').scrollIntoViewIfNeeded();
    await screenshot(page, "runs-04-parity");
  });
}
