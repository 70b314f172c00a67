// What can be added: the palette (drag an item onto the canvas, or click it) and the quick-add
// search (double-click the canvas, press A, or drop a dragged connection on empty canvas). The
// items come from the core's `palette` (Sim's block registry, or the journey state kinds).
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { call } from "../api/client";
import type { Commands } from "../api/generated/commands";
import { TypeIcon } from "./icons";

export type PaletteEntry = Commands["palette"]["result"]["items"][number];
export type PaletteKind = "workflow" | "journey";

/** The MIME type a palette item is dragged with. */
export const DRAG_MIME = "application/x-journey-studio-step";

const cache = new Map<PaletteKind, Promise<PaletteEntry[]>>();

/** The palette of a document kind (asked once per kind). */
export function usePalette(kind: PaletteKind | null): PaletteEntry[] | null {
  const [items, setItems] = useState<PaletteEntry[] | null>(null);
  useEffect(() => {
    if (!kind) return;
    let live = true;
    let p = cache.get(kind);
    if (!p) {
      p = call("palette", { kind }).then((r) => r.items);
      p.catch(() => cache.delete(kind));
      cache.set(kind, p);
    }
    p.then((v) => live && setItems(v), () => live && setItems([]));
    return () => {
      live = false;
    };
  }, [kind]);
  return items;
}

/** Items matching every word of `query`, names first. */
export function searchPalette(items: PaletteEntry[], query: string): PaletteEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return items;
  const scored: { i: PaletteEntry; s: number }[] = [];
  for (const i of items) {
    const name = i.name.toLowerCase();
    const hay = `${name} ${i.type.toLowerCase()} ${i.keywords.toLowerCase()} ${i.description.toLowerCase()}`;
    if (!words.every((w) => hay.includes(w))) continue;
    scored.push({ i, s: name.startsWith(words[0]) ? 0 : words.every((w) => name.includes(w)) ? 1 : 2 });
  }
  return scored.sort((a, b) => a.s - b.s).map((x) => x.i);
}

const GROUPS: { category: string; title: string }[] = [
  { category: "states", title: "States" },
  { category: "blocks", title: "Blocks" },
  { category: "triggers", title: "Triggers" },
  { category: "tools", title: "Integrations" },
];

export const Palette = memo(function Palette({ items, onAdd }: { items: PaletteEntry[]; onAdd: (type: string) => void }) {
  const [query, setQuery] = useState("");
  const shown = useMemo(() => searchPalette(items, query), [items, query]);
  return (
    <aside className="palette" data-testid="palette">
      <div className="palette-head">
        <b>Add a step</b>
        <small className="muted">drag onto the canvas</small>
      </div>
      <input placeholder="Search blocks" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="palette-search" />
      <div className="palette-list">
        {GROUPS.map((g) => {
          const group = shown.filter((i) => i.category === g.category);
          if (!group.length) return null;
          return (
            <section key={g.category}>
              <h4>{g.title}</h4>
              {group.map((i) =>
                i.type === "end" ? (
                  // Parlant's end is virtual: a transition leads to it (drop a connection on empty canvas).
                  <div key={i.type} className="palette-item palette-note" data-testid="palette-item" data-type={i.type} title="Drag a connection from a state to empty canvas and choose End">
                    <TypeIcon icon={i.icon} kind={i.type} color={i.color} size={24} />
                    <span className="palette-name">
                      {i.name} <small className="muted">— drop a connection</small>
                    </span>
                  </div>
                ) : (
                <button
                  key={i.type}
                  className="palette-item"
                  draggable
                  data-testid="palette-item"
                  data-type={i.type}
                  title={i.description}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_MIME, i.type);
                    e.dataTransfer.effectAllowed = "copy";
                  }}
                  onClick={() => onAdd(i.type)}
                >
                  <TypeIcon icon={i.icon} kind={i.type} color={i.color} size={24} />
                  <span className="palette-name">{i.name}</span>
                </button>
                ),
              )}
            </section>
          );
        })}
        {shown.length === 0 && <p className="muted">Nothing matches.</p>}
      </div>
    </aside>
  );
});

export interface QuickAddProps {
  items: PaletteEntry[];
  /** Where to show it, in the canvas host's pixels. */
  at: { x: number; y: number };
  /** Opened from a dropped connection: only what can take one. */
  connecting: boolean;
  onPick: (type: string) => void;
  onClose: () => void;
}

/** The quick-add search: type, arrows, Enter. */
export function QuickAdd({ items, at, connecting, onPick, onClose }: QuickAddProps) {
  const [query, setQuery] = useState("");
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const usable = useMemo(() => items.filter((i) => (connecting ? i.handles.target : i.type !== "end")), [items, connecting]);
  const shown = useMemo(() => searchPalette(usable, query).slice(0, 9), [usable, query]);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => setIndex(0), [query]);
  return (
    <div className="quick-add" style={{ left: at.x, top: at.y }} data-testid="quick-add" onMouseDown={(e) => e.stopPropagation()}>
      <input
        ref={input}
        value={query}
        placeholder={connecting ? "Add a connected step…" : "Add a step…"}
        data-testid="quick-add-input"
        onChange={(e) => setQuery(e.target.value)}
        onBlur={() => setTimeout(onClose, 150)}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "ArrowDown") setIndex((i) => Math.min(i + 1, shown.length - 1));
          else if (e.key === "ArrowUp") setIndex((i) => Math.max(i - 1, 0));
          else if (e.key === "Enter" && shown[index]) onPick(shown[index].type);
          else if (e.key === "Escape") onClose();
        }}
      />
      <ul>
        {shown.map((i, n) => (
          <li key={i.type}>
            <button className={n === index ? "on" : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => onPick(i.type)} data-testid="quick-add-item" data-type={i.type}>
              <TypeIcon icon={i.icon} kind={i.type} color={i.color} size={20} />
              <span>{i.name}</span>
              <small className="muted">{i.description}</small>
            </button>
          </li>
        ))}
        {shown.length === 0 && <li className="muted">Nothing matches.</li>}
      </ul>
    </div>
  );
}
