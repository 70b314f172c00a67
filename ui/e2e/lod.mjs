// A big journey seen whole (fit view) is drawn at a lower level of detail: boxes and lines on one
// <canvas> instead of 600 DOM nodes, with the chat preview's active step ringed and a problem's
// corner mark still visible; a click on a box brings that step up close, full node, readable and
// selected. Screens: lod-far, lod-near (target/e2e-screens).
import assert from "node:assert/strict";
import { api } from "./harness.mjs";
import { screenshot } from "./authoring.mjs";
import { journey } from "../bench/graphs.mjs";

const STATES = 600;
const STEP_X = 260;

/** The canvas pixel (CSS px from the React Flow pane's corner) as [r, g, b, a]. */
const pixel = (page, x, y) =>
  page.evaluate(([x, y]) => [...document.querySelector('[data-testid="lod-canvas"]').getContext("2d").getImageData(Math.round(x * devicePixelRatio), Math.round(y * devicePixelRatio), 1, 1).data], [x, y]);
const near = (px, [r, g, b]) => Math.abs(px[0] - r) + Math.abs(px[1] - g) + Math.abs(px[2] - b) < 90 && px[3] > 200;
const viewport = (page) =>
  page.evaluate(() => {
    const m = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(document.querySelector('[data-testid="canvas"] .react-flow__viewport').style.transform);
    return { tx: Number(m[1]), ty: Number(m[2]), zoom: Number(m[3]) };
  });

export function registerLod(register) {
  register(
    "canvas: a 600-state journey seen whole is boxes on one canvas (active step and problems visible); a click brings a step up close (screens: lod-far, lod-near)",
    async (page, core) => {
      const doc = journey(STATES);
      // A tool state without its tool: a problem on s7.
      doc.nodes.find((n) => n.id === "s7").tools = [];
      await api(core, "import_document", { name: "lod-600", content: JSON.stringify(doc) });
      await page.reload();
      await page.locator('[data-testid="document-item"]', { hasText: /^lod-600/ }).first().click();
      await page.waitForSelector('[data-testid="canvas"] .react-flow__node[data-id="s1"]');
      await page.waitForFunction(() => /\(1\)/.test(document.querySelector('[data-testid="tab-problems"]')?.textContent ?? ""));
      // The chat preview lights its active step.
      await page.click('[data-testid="tab-chat"]');
      await page.click('[data-testid="chat-start"]');
      await page.waitForSelector('[data-testid="chat-turn"]');
      const active = (await page.textContent('[data-testid="chat-active"]')).trim();
      await page.waitForSelector(`[data-testid="canvas"] .react-flow__node.is-active[data-id="${active}"]`);

      await page.click('[data-testid="canvas"] .react-flow__controls-fitview');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="lod-canvas"]')?.dataset.drawn) > 0);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="canvas"] .react-flow__node').length === 0);
      const { tx, ty, zoom } = await viewport(page);
      assert.ok(zoom < 0.45, `fit view of ${STATES} states is far out (zoom ${zoom})`);
      assert.equal(Number(await page.getAttribute('[data-testid="lod-canvas"]', "data-drawn")), STATES + 1, "every state and the end drawn as a box");
      const positions = doc.editor.positions;
      // The active step's ring (green, just left of its box).
      const a = positions[active];
      assert.ok(near(await pixel(page, tx + a.x * zoom - 2, ty + (a.y + 48) * zoom), [47, 158, 68]), `the active step ${active} is ringed green`);
      // The problem's corner mark on s7 (error red or warning amber), top right of its box.
      const s7 = positions.s7;
      const mark = await pixel(page, tx + (s7.x + 200) * zoom - 2, ty + s7.y * zoom + 2);
      assert.ok(near(mark, [198, 40, 40]) || near(mark, [230, 119, 0]), `s7 shows its problem mark (pixel ${mark})`);
      // A plain chat state: its kind's colour, no ring.
      const s3 = positions.s3;
      const body = await pixel(page, tx + (s3.x + 100) * zoom, ty + (s3.y + 48) * zoom);
      assert.ok(body[3] > 200 && !near(body, [47, 158, 68]), `s3 is a coloured box (pixel ${body})`);
      await screenshot(page, "lod-far");

      // A click on s25's box: it comes up close, drawn whole, selected and readable.
      const s25 = positions.s25;
      const box = await page.locator('[data-testid="canvas"] .react-flow__pane').boundingBox();
      const host = await page.locator('[data-testid="canvas"] .react-flow').boundingBox();
      assert.ok(host.x <= box.x);
      await page.mouse.click(host.x + tx + (s25.x + 100) * zoom, host.y + ty + (s25.y + 48) * zoom);
      await page.waitForSelector('[data-testid="canvas"] .react-flow__node.selected[data-id="s25"] .node-label');
      await page.waitForFunction(() => !document.querySelector('[data-testid="lod-canvas"]'));
      await page.waitForTimeout(400);
      const after = await viewport(page);
      assert.ok(after.zoom >= 1, `zoomed in to read (zoom ${after.zoom})`);
      const label = page.locator('[data-testid="canvas"] .react-flow__node[data-id="s25"] .node-label');
      assert.equal((await label.textContent()).trim(), "Ask the customer about step 25");
      const px = await label.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      assert.ok(px * after.zoom >= 11, `label text ${px * after.zoom} px on screen`);
      assert.ok((await page.locator('[data-testid="canvas"] .react-flow__node').count()) < 100, "only the steps on screen are in the DOM");
      await screenshot(page, "lod-near");
    },
    { viewport: { width: 1500, height: 1000 } },
  );
}
