// The chat preview as a designer uses it on fixtures/journeys/book-flight.json, with customers'
// own words (not the conditions'): each turn shows the transitions the matcher scored (best first,
// the winner marked, why it won) and Parlant's pacing decision (stayed, skipped, went back,
// exited, resumed); the settings' threshold and matcher reach the core's session; without the
// sentence-embedding model the keyword matcher runs and the app says so.
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO, api, startCore } from "./harness.mjs";
import { screenshot } from "./authoring.mjs";

const FIXTURE = join(REPO, "fixtures/journeys/book-flight.json");
const TALL = { viewport: { width: 1500, height: 1100 } };

async function openBookFlight(page) {
  await page.setInputFiles('[data-testid="import-file"]', FIXTURE);
  await page.waitForSelector('[data-testid="canvas"] .react-flow__node');
}

async function startChat(page) {
  await page.click('[data-testid="tab-chat"]');
  await page.click('[data-testid="chat-start"]');
  await page.waitForSelector('[data-testid="chat-turn"]');
  await page.waitForSelector('[data-testid="chat-matcher"]');
}

/** Sends a customer message and waits for its turn; answers the turn's locator. */
async function say(page, text) {
  const before = await page.locator('[data-testid="chat-turn"]').count();
  await page.fill('[data-testid="chat-input"]', text);
  await page.press('[data-testid="chat-input"]', "Enter");
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="chat-turn"]').length === n + 1, before);
  return page.locator('[data-testid="chat-turn"]').last();
}

const active = (page) => page.textContent('[data-testid="chat-active"]');
const paces = (turn) => turn.locator('[data-testid="chat-pace"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-decision")));
const decisions = (turn) => turn.locator('[data-testid="chat-decision"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-edge")));

async function requireParaphrase(page) {
  const notice = page.locator('[data-testid="chat-matcher"]');
  const kind = await notice.getAttribute("data-matcher");
  assert.equal(kind, "paraphrase", `the e2e run needs the paraphrase model (scripts/setup): ${await notice.textContent()}`);
}

/** The chat log as text has no raw JSON of events or candidates. */
async function assertReadable(page) {
  const text = await page.textContent('[data-testid="chat-log"]');
  for (const raw of ['"edge"', '"type"', '"score"', '"decision"', "[object Object]"]) assert.ok(!text.includes(raw), `no raw ${raw} in the chat log`);
}

const DEFAULT_PREVIEW = { matcher: "auto", threshold: 0.5, parlant_pace: true, max_skip: 3, max_tool_rounds: 3, wait_for_activation: false };

export function registerPreview(register) {
  const test = (name, fn, options = TALL) => register(name, fn, options);

  test("preview: book-flight in customers' words: candidates with scores and why, then stayed, went back, exited, resumed (screen: chat-turns)", async (page) => {
    await openBookFlight(page);
    await startChat(page);
    await requireParaphrase(page);
    assert.equal(await active(page), "ask-destination");

    // A destination in the customer's words: the winner first, its score, why it won.
    let turn = await say(page, "I'd love to go to Paris");
    assert.deepEqual(await decisions(turn), ["e-has-destination"]);
    const rows = turn.locator('[data-testid="chat-candidate"]');
    assert.equal(await rows.count(), 2, "both transitions out of ask-destination are listed");
    assert.equal(await rows.first().getAttribute("data-edge"), "e-has-destination");
    assert.equal(await rows.first().getAttribute("data-winner"), "true");
    assert.equal(await rows.nth(1).getAttribute("data-edge"), "e-no-destination");
    const [best, other] = [Number(await rows.first().getAttribute("data-score")), Number(await rows.nth(1).getAttribute("data-score"))];
    assert.ok(best >= 0.5 && other < best, `scores ${best} > ${other}`);
    assert.match(await rows.first().textContent(), new RegExp(best.toFixed(2)));
    assert.match(await rows.first().textContent(), /paraphrase \d\.\d\d · keywords \d\.\d\d/);
    assert.match(await turn.locator('[data-testid="chat-why"]').textContent(), /Why: reached the threshold 0\.50: paraphrase .*cosine/);
    assert.equal(await active(page), "get-dates");

    // Not an answer: the step is not complete, the agent asks again.
    turn = await say(page, "let me check with my wife first");
    assert.deepEqual(await paces(turn), ["stayed"]);
    assert.match(await turn.locator('[data-testid="chat-pace"]').textContent(), /Stayed.*not complete.*asks again/s);
    assert.equal(await active(page), "get-dates");

    // The customer changes an earlier answer: back to ask-destination, the other way.
    turn = await say(page, "actually I have no idea where I want to go");
    assert.deepEqual(await paces(turn), ["went_back"]);
    assert.ok((await decisions(turn)).includes("e-no-destination"));
    assert.match(await turn.locator('[data-testid="chat-pace"]').textContent(), /Went back.*changed an earlier answer/s);
    assert.equal(await active(page), "recommend-destination");
    // The active step, far to the right of the opening view, was brought into sight.
    await page.waitForTimeout(400);
    const pane = await page.locator(".react-flow").boundingBox();
    const lit = await page.locator('.react-flow__node.is-active').boundingBox();
    assert.ok(lit, "the active step is drawn");
    assert.ok(lit.x >= pane.x && lit.x + lit.width <= pane.x + pane.width && lit.y >= pane.y && lit.y + lit.height <= pane.y + pane.height, `the active step is in view: ${JSON.stringify({ lit, pane })}`);
    await assertReadable(page);
    await screenshot(page, "20-chat-turns");

    // Giving up exits; asking again resumes.
    turn = await say(page, "forget it, I don't want to book anymore");
    assert.deepEqual(await paces(turn), ["exited"]);
    await page.waitForSelector('[data-testid="chat-ended"]');
    turn = await say(page, "wait, I do want to book that flight");
    assert.deepEqual(await paces(turn), ["resumed"]);
    assert.equal(await active(page), "ask-destination");
    await assertReadable(page);
    await screenshot(page, "21-chat-exit-resume");

    // Back undoes the last turn in the core and in the log.
    const turns = await page.locator('[data-testid="chat-turn"]').count();
    await page.click('[data-testid="chat-back"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="chat-turn"]').length === n - 1, turns);
    await page.waitForSelector('[data-testid="chat-ended"]');
  });

  test("preview: one message that answers two steps skips the answered one", async (page) => {
    await openBookFlight(page);
    await startChat(page);
    await requireParaphrase(page);
    const turn = await say(page, "I'd like to fly to Paris next friday to sunday, just me");
    assert.deepEqual(await paces(turn), ["skipped"]);
    assert.match(await turn.locator('[data-testid="chat-pace"]').textContent(), /Skipped.*get-dates.*already/s);
    assert.match(await turn.locator('[data-testid="chat-turn-summary"]').textContent(), /Skipped · → get-dates → search-flights → present-options/);
    assert.equal(await active(page), "present-options");
  });

  test("preview: the settings' matcher and threshold reach the core's session", async (page, core) => {
    await openBookFlight(page);
    try {
      await page.click('[data-testid="tab-settings"]');
      await page.selectOption('[data-testid="setting-matcher"]', "keywords");
      await page.fill('[data-testid="setting-threshold"]', "0.9");
      for (let i = 0; i < 50; i++) {
        const s = await api(core, "settings_get", {});
        if (s.preview.threshold === 0.9 && s.preview.matcher === "keywords") break;
        await page.waitForTimeout(100);
      }
      const saved = (await api(core, "settings_get", {})).preview;
      assert.deepEqual(saved, { ...DEFAULT_PREVIEW, matcher: "keywords", threshold: 0.9 });
      await startChat(page);
      const notice = page.locator('[data-testid="chat-matcher"]');
      assert.equal(await notice.getAttribute("data-matcher"), "keywords");
      assert.match(await notice.textContent(), /Keyword matcher only.*Why: chosen in the session's options.*threshold 0\.90/s);
      // No keyword of either condition: nothing reaches 0.90, the step stays.
      const turn = await say(page, "Paris, please");
      assert.deepEqual(await decisions(turn), [""]);
      assert.match(await turn.locator('[data-testid="chat-decision"]').textContent(), /No transition out of ask-destination reached 0\.90/);
      assert.deepEqual(await paces(turn), ["stayed"]);
      await screenshot(page, "22-chat-settings-keywords");
    } finally {
      await api(core, "settings_update", { patch: { preview: DEFAULT_PREVIEW } });
    }
  });

  test("preview: without the model the keyword matcher runs and the app says so", async (page) => {
    // A core whose model folder is missing (as on a machine where scripts/setup did not fetch it).
    const bare = await startCore({ env: { JOURNEY_STUDIO_MODEL_DIR: join(REPO, "target/no-model-here") } });
    try {
      await page.goto(bare.url);
      await openBookFlight(page);
      await startChat(page);
      const notice = page.locator('[data-testid="chat-matcher"]');
      assert.equal(await notice.getAttribute("data-matcher"), "keywords");
      assert.ok(await notice.isVisible());
      assert.match(await notice.textContent(), /Keyword matcher only.*Why: the sentence-embedding model.*could not be loaded.*no-model-here.*scripts\/setup/s);
      // The keyword matcher still routes the condition's own words.
      const turn = await say(page, "I have a destination in mind: Lisbon");
      assert.deepEqual(await decisions(turn), ["e-has-destination"]);
      assert.doesNotMatch(await turn.textContent(), /paraphrase/);
      await screenshot(page, "23-chat-no-model");
    } finally {
      bare.stop();
    }
  });
}
