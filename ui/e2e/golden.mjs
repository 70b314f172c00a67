// Golden conversations in the app: a chat saved as a scenario from the Chat tab, listed in the
// Scenarios tab, replayed with a pass badge, then failing after its expectations are edited in
// the typed form, with the first failed expectation shown. Screenshots into target/e2e-screens.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, api, startParlant } from "./harness.mjs";
import { screenshot } from "./authoring.mjs";

const FIXTURE = join(REPO, "fixtures/journeys/book-flight.json");
const MOCKS = JSON.parse(readFileSync(join(REPO, "fixtures/scenarios/book-flight.json"), "utf8")).mocks;

async function importFixture(page) {
  await page.setInputFiles('[data-testid="import-file"]', FIXTURE);
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
}

async function say(page, text) {
  const before = await page.locator('[data-testid="chat-log"] .bubble').count();
  await page.fill('[data-testid="chat-input"]', text);
  await page.press('[data-testid="chat-input"]', "Enter");
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="chat-log"] .bubble').length > n, before);
}

const scenario = (page, name) => page.locator(`[data-testid="scenario"][data-name="${name}"]`);

export function registerGolden(test) {
  test("golden/scenarios: a chat saved as a scenario is listed, replayed (pass), and fails after an edit with its first failed expectation", async (page) => {
    await importFixture(page);
    await page.click('[data-testid="tab-chat"]');
    await page.click('[data-testid="chat"] details summary');
    await page.fill('[data-testid="chat-mocks"]', JSON.stringify(MOCKS));
    await page.click('[data-testid="chat-start"]');
    await page.waitForSelector('[data-testid="chat-active"]');
    await say(page, "I have a destination in mind: Lisbon");
    await say(page, "June 3 to June 10, two passengers");
    const active = await page.textContent('[data-testid="chat-active"]');
    await page.fill('input[placeholder="Scenario name"]', "lisbon golden");
    await page.click('button:has-text("Save as scenario")');
    await page.waitForFunction(() => document.querySelector('input[placeholder="Scenario name"]')?.value === "");

    // Listed with its turns, not run yet.
    await page.click('[data-testid="tab-scenarios"]');
    const row = scenario(page, "lisbon golden");
    await row.waitFor();
    assert.equal(await row.locator('[data-testid="scenario-badge"]').getAttribute("data-result"), "none");
    await row.locator("details summary").click();
    assert.match(await row.locator(".scenario-turns").textContent(), /customer: I have a destination in mind: Lisbon/);

    // Replayed: it passes.
    await page.click('[data-testid="scenarios-run-all"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario"][data-name="lisbon golden"] [data-testid="scenario-badge"]')?.getAttribute("data-result") === "pass");
    assert.match(await page.textContent('[data-testid="scenarios-summary"]'), /1 passed, 0 failed/);
    await screenshot(page, "golden-scenarios-pass");

    // An edit of the journey: the state asks something else now, so the replay fails on it.
    await page.click('[data-testid="tab-inspector"]');
    // The preview left the canvas on its last step: find the state, as a designer would, then pick it.
    await page.fill('[data-testid="canvas-search"]', "Ask if they have a destination");
    await page.press('[data-testid="canvas-search"]', "Enter");
    await page.fill('[data-testid="canvas-search"]', "");
    await page.waitForTimeout(400);
    await page.click('[data-testid="canvas"] .react-flow__node[data-id="ask-destination"]');
    const action = page.locator('[data-testid="inspector"] [data-field="action"]');
    const before = await action.inputValue();
    await action.fill("Ask where they would like to fly");
    await action.press("Tab");
    await page.waitForFunction(() => !document.querySelector('[data-testid="undo"]')?.disabled);
    await page.click('[data-testid="tab-scenarios"]');
    await page.click('[data-testid="scenarios-run-all"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario"][data-name="lisbon golden"] [data-testid="scenario-badge"]')?.getAttribute("data-result") === "fail");
    assert.equal(
      await row.locator('[data-testid="scenario-first-failure"]').textContent(),
      `messages: no agent message contains \`${before}\``,
    );
    await screenshot(page, "golden-scenarios-fail-after-edit");
    // Undone, it passes again.
    await page.click('[data-testid="undo"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="undo"]')?.disabled);
    await page.click('[data-testid="scenarios-run-all"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario"][data-name="lisbon golden"] [data-testid="scenario-badge"]')?.getAttribute("data-result") === "pass");

    // The expectations are a typed form: the saved path, final state and agent messages.
    await row.locator('[data-testid="scenario-edit"]').click();
    const form = row.locator('[data-testid="expectations-form"]');
    await form.waitFor();
    const path = await form.locator('[data-testid="expect-path-item"]').evaluateAll((els) => els.map((e) => e.value));
    assert.equal(path.at(-1), active.trim(), "the saved path ends where the chat was");
    assert.equal(await form.locator('[data-testid="expect-final-state"]').inputValue(), active.trim());
    assert.ok((await form.locator('[data-testid="expect-messages-item"]').count()) >= 1, "the agent's messages are expected");
    await form.locator('[data-testid="expect-messages-add"]').click();
    await form.locator('[data-testid="expect-messages-item"]').last().fill("your refund is on its way");
    await screenshot(page, "golden-scenarios-form");
    await form.locator('[data-testid="expect-save"]').click();
    await form.waitFor({ state: "detached" });

    // Replayed again: it fails, and the first failed expectation is the one just added.
    await row.locator('[data-testid="scenario-run"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="scenario"][data-name="lisbon golden"] [data-testid="scenario-badge"]')?.getAttribute("data-result") === "fail");
    assert.match(await row.locator('[data-testid="scenario-first-failure"]').textContent(), /no agent message contains `your refund is on its way`/);
    await screenshot(page, "golden-scenarios-fail");
  });

  test("golden/live: chat with the real agent on a Parlant remote (echo engine); the answers stream in", async (page, core) => {
    const parlant = await startParlant({ echo: true });
    if (!parlant) return; // no venv outside CI (startParlant throws under CI=true)
    try {
      const res = await fetch(`${parlant.url}/agents`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Echo agent" }),
      });
      assert.ok(res.ok, `create the agent: ${res.status}`);
      await api(core, "remote_add", { name: "live-echo", kind: "parlant", url: parlant.url, agent: "Echo agent" });
      await page.click('[data-testid="tab-live"]');
      await page.selectOption('[data-testid="live-remote"]', "live-echo");
      await page.fill('[data-testid="live-agent"]', "Echo agent");
      await page.click('[data-testid="live-start"]');
      await page.waitForSelector('[data-testid="live-session"]');
      assert.match(await page.textContent('[data-testid="live-session"]'), /with Echo agent on live-echo/);
      for (const [i, text] of ["Hello there", "Where is my order?"].entries()) {
        await page.fill('[data-testid="live-input"]', text);
        await page.press('[data-testid="live-input"]', "Enter");
        await page.waitForFunction((n) => document.querySelectorAll('[data-testid="live-agent-message"]').length === n, i + 1, { timeout: 60_000 });
        assert.equal(await page.locator('[data-testid="live-agent-message"]').nth(i).textContent(), `echo: ${text}`);
        await page.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute("data-status") === "ready");
      }
      assert.equal(await page.locator('[data-testid="live-error"]').count(), 0);
      await screenshot(page, "live-chat");
    } finally {
      await api(core, "remote_remove", { name: "live-echo" }).catch(() => undefined);
      await parlant.stop();
    }
  });
}
