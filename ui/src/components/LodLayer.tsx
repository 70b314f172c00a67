// A big graph zoomed out, drawn on one <canvas> (the level-of-detail scene of lib/lod): a box per
// node in its kind's colour, a ring for the active, highlighted, selected or run-marked step, a
// corner mark for problems, a straight line per edge. It follows React Flow's viewport by
// subscribing to its store and repaints at most once a frame, without a React render; only what
// is on screen is painted. Clicks go through to the pane (Canvas picks the box under them).
// `data-drawn` (boxes painted in the last frame) and `data-frame` (frames painted) let the bench
// and the tests see it drawn.
import { useEffect, useRef } from "react";
import { useStoreApi } from "@xyflow/react";
import { overlaps, type LodScene } from "../lib/lod";

/** Paints `scene` under the viewport transform; answers the boxes painted. */
function paint(canvas: HTMLCanvasElement, scene: LodScene, [tx, ty, zoom]: [number, number, number], width: number, height: number): number {
  const dpr = window.devicePixelRatio || 1;
  const bw = Math.max(1, Math.round(width * dpr));
  const bh = Math.max(1, Math.round(height * dpr));
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
  }
  const ctx = canvas.getContext("2d");
  if (!ctx) return 0;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, bw, bh);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
  // One screen pixel in flow units; the visible flow rectangle.
  const px = 1 / zoom;
  const view = { x: -tx / zoom, y: -ty / zoom, w: width / zoom, h: height / zoom };

  // Lines first (under the boxes), one path per colour.
  const lines = new Map<string, Path2D>();
  for (const l of scene.lines) {
    const box = { x: Math.min(l.x1, l.x2), y: Math.min(l.y1, l.y2), w: Math.abs(l.x2 - l.x1) + px, h: Math.abs(l.y2 - l.y1) + px };
    if (!overlaps(box, view)) continue;
    let p = lines.get(l.color);
    if (!p) lines.set(l.color, (p = new Path2D()));
    p.moveTo(l.x1, l.y1);
    p.lineTo(l.x2, l.y2);
  }
  ctx.lineWidth = px;
  for (const [color, p] of lines) {
    ctx.strokeStyle = color;
    ctx.stroke(p);
  }

  // Boxes, one path per colour (greyed ones apart); containers as dashed outlines.
  const fills = new Map<string, Path2D>();
  const dim = new Path2D();
  const containers = new Path2D();
  const rings = new Map<string, Path2D>();
  const marks = new Map<string, Path2D>();
  const ringGap = 2 * px;
  const markSide = (h: number) => Math.max(h * 0.4, 6 * px);
  let drawn = 0;
  for (const b of scene.boxes) {
    if (!overlaps(b, view)) continue;
    drawn++;
    if (b.container) containers.rect(b.x, b.y, b.w, b.h);
    else if (b.dim) dim.rect(b.x, b.y, b.w, b.h);
    else {
      let p = fills.get(b.fill);
      if (!p) fills.set(b.fill, (p = new Path2D()));
      p.rect(b.x, b.y, b.w, b.h);
    }
    if (b.ring) {
      let p = rings.get(b.ring);
      if (!p) rings.set(b.ring, (p = new Path2D()));
      p.rect(b.x - ringGap, b.y - ringGap, b.w + 2 * ringGap, b.h + 2 * ringGap);
    }
    if (b.mark) {
      let p = marks.get(b.mark);
      if (!p) marks.set(b.mark, (p = new Path2D()));
      const s = markSide(b.h);
      p.rect(b.x + b.w - s, b.y, s, s);
    }
  }
  ctx.setLineDash([6 * px, 4 * px]);
  ctx.strokeStyle = "#829ab1";
  ctx.stroke(containers);
  ctx.setLineDash([]);
  for (const [color, p] of fills) {
    ctx.fillStyle = color;
    ctx.fill(p);
  }
  ctx.fillStyle = "#bcccdc";
  ctx.fill(dim);
  ctx.lineWidth = 3 * px;
  for (const [color, p] of rings) {
    ctx.strokeStyle = color;
    ctx.stroke(p);
  }
  for (const [color, p] of marks) {
    ctx.fillStyle = color;
    ctx.fill(p);
    ctx.lineWidth = px;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke(p);
  }
  return drawn;
}

export function LodLayer({ scene }: { scene: LodScene }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const store = useStoreApi();
  useEffect(() => {
    let raf = 0;
    let frames = 0;
    const draw = () => {
      raf = 0;
      const canvas = ref.current;
      if (!canvas) return;
      const { transform, width, height } = store.getState();
      const drawn = paint(canvas, scene, transform, width, height);
      canvas.dataset.drawn = String(drawn);
      canvas.dataset.frame = String(++frames);
    };
    const schedule = () => {
      if (!raf) raf = requestAnimationFrame(draw);
    };
    schedule();
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule();
    });
    return () => {
      unsubscribe();
      cancelAnimationFrame(raf);
    };
  }, [store, scene]);
  return <canvas ref={ref} className="lod-layer" data-testid="lod-canvas" aria-hidden="true" />;
}
