// The React Flow canvas for one document view. The core's view is the source of truth; local
// node state only carries what React Flow needs between core round trips (drags, selection,
// measured sizes). Selection is reported upward as ids, never stored in the app's nodes.
// Authoring: drop a palette item, double-click the canvas or press A (quick-add), or drop a
// dragged connection on empty canvas (quick-add, and the new step comes connected).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import type { CanvasView, Edit } from "../api/types";
import type { RunMarks } from "../api/generated/RunMarks";
import { withMarks } from "../lib/runMarks";
import { STEP_HEIGHT, toFlowEdges, widthOf, toFlowNodes, type StepNode } from "../lib/flow";
import { searchNodes } from "../lib/search";
import { runLayout } from "../lib/runLayout";
import { NODE_H, NODE_W } from "../lib/layout";
import { FAR_ZOOM, LOD_MIN_NODES, boxAt, lodScene } from "../lib/lod";
import { nodeTypes } from "./nodes";
import { LodLayer } from "./LodLayer";
import { colorFor } from "./icons";
import { EdgeEditContext, edgeTypes } from "./edges";
import { DRAG_MIME, Palette, QuickAdd, type PaletteEntry } from "./Palette";

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface CanvasProps {
  view: CanvasView;
  problems: Map<string, { worst: "error" | "warning" | "info"; count: number }>;
  /** Ids drawn highlighted (the simulator's active state, the mapped step of the other side). */
  highlight?: Set<string>;
  active?: string | null;
  readOnly?: boolean;
  /** Handle global shortcuts (only the main canvas). */
  keyboard?: boolean;
  focus?: { id: string; nonce: number } | null;
  /** Sends edits; answers the ids they created. */
  onEdits?: (edits: Edit[]) => Promise<string[]>;
  onSelect?: (sel: Selection) => void;
  onUndo?: () => void;
  onRedo?: () => void;
  testId?: string;
  minimap?: boolean;
  snapToGrid?: boolean;
  /** What can be added (the palette is shown when given and `showPalette`). */
  palette?: PaletteEntry[] | null;
  showPalette?: boolean;
  /** A workflow run drawn on the canvas: blocks lit in order, dead paths greyed, iterations. */
  marks?: RunMarks | null;
}

const EMPTY = new Set<string>();
const SNAP: [number, number] = [24, 24];
/** Below FAR_ZOOM a big graph's text is too small to read: it is drawn as boxes and lines (lib/lod). */
const isFar = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;
/** From this many nodes on, only the nodes on screen are drawn, and far zoom draws boxes. */
const BIG_GRAPH = LOD_MIN_NODES;
/** Fit view takes in every node, the ones hidden behind the level-of-detail layer too. */
const FIT_ALL = { includeHiddenNodes: true };
const fillOf = (n: StepNode) => colorFor(n.data.view.color ?? undefined, n.data.view.kind);
/** A node or edge React Flow keeps in its store but does not draw (the boxes stand for it). */
function hide<T extends { hidden?: boolean }>(x: T): T {
  return x.hidden ? x : { ...x, hidden: true };
}
/** A document never opens zoomed out below this (node text stays at 11 px or more)... */
export const READABLE_ZOOM = 0.85;
/** ...nor zoomed in beyond this. */
const OPEN_MAX_ZOOM = 1.15;
// Node ids copied with Ctrl+C; Ctrl+V asks the core to duplicate those still in the view.
let clipboard: string[] = [];

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable;
}

function withClass<T extends { id: string; className?: string }>(items: T[], highlight: Set<string>, active: string | null | undefined): T[] {
  let changed = false;
  const out = items.map((it) => {
    const base = (it.className ?? "").split(" ").filter((c) => c && c !== "is-active" && c !== "is-highlight");
    const extra = it.id === active ? "is-active" : highlight.has(it.id) ? "is-highlight" : undefined;
    const cls = [...base, ...(extra ? [extra] : [])].join(" ") || undefined;
    if ((it.className || undefined) === cls) return it;
    changed = true;
    return { ...it, className: cls };
  });
  return changed ? out : items;
}

interface QuickAddAt {
  /** In the host's pixels. */
  screen: { x: number; y: number };
  /** On the canvas. */
  flow: { x: number; y: number };
  from?: { source: string; source_handle?: string };
}

function CanvasInner(props: CanvasProps) {
  const { view, problems, highlight = EMPTY, active, readOnly, keyboard, focus, onEdits, onSelect, onUndo, onRedo, minimap = true, snapToGrid = false, palette, showPalette, marks = null } = props;
  const rf = useReactFlow();
  // A boolean selector: re-renders only when the zoom crosses FAR_ZOOM, not on every frame.
  const far = useStore(isFar);
  const [nodes, setNodes] = useState<StepNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const selection = useRef<Selection>({ nodes: [], edges: [] });
  const [query, setQuery] = useState("");
  const [quickAdd, setQuickAdd] = useState<QuickAddAt | null>(null);
  const [editingEdge, setEditingEdge] = useState<string | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const mouse = useRef<{ x: number; y: number } | null>(null);
  const opened = useRef(false);
  const big = view.nodes.length > BIG_GRAPH;
  // Level of detail: a big graph zoomed out is drawn on one <canvas> (LodLayer); React Flow keeps
  // every node (fit view, search, selection) but draws none, and keeps only the selected edges.
  const lod = big && far;
  const shownNodes = useMemo(() => (lod ? nodes.map(hide) : nodes), [lod, nodes]);
  const shownEdges = useMemo(() => (lod ? edges.filter((e) => e.selected).map(hide) : edges), [lod, edges]);
  const scene = useMemo(() => (lod ? lodScene(nodes, edges, fillOf) : null), [lod, nodes, edges]);

  // Rebuild from the core's view; keep the current selection flags.
  useEffect(() => {
    const selN = new Set(selection.current.nodes);
    const selE = new Set(selection.current.edges);
    const [ns, es] = withMarks(
      withClass(toFlowNodes(view, problems).map((n) => (selN.has(n.id) ? { ...n, selected: true } : n)), highlight, active),
      withClass(toFlowEdges(view).map((e) => (selE.has(e.id) ? { ...e, selected: true } : e)), highlight, active),
      marks,
    );
    setNodes(ns);
    setEdges(es);
    // highlight/active are applied by the effect below; a view change re-applies them here once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view, problems]);

  useEffect(() => {
    setNodes((ns) => withClass(ns, highlight, active));
    setEdges((es) => withClass(es, highlight, active));
  }, [highlight, active]);

  // The active step (the preview's, a run's) stays in sight: when it moves out of the visible
  // canvas, the view pans to it at the same zoom. One inside the view is left where it is.
  useEffect(() => {
    if (!active || !host.current) return;
    const n = rf.getInternalNode(active);
    if (!n) return;
    const { x, y, zoom } = rf.getViewport();
    const nw = (n.measured.width ?? NODE_W) * zoom;
    const nh = (n.measured.height ?? NODE_H) * zoom;
    const left = n.internals.positionAbsolute.x * zoom + x;
    const top = n.internals.positionAbsolute.y * zoom + y;
    const inside = left >= 0 && top >= 0 && left + nw <= host.current.clientWidth && top + nh <= host.current.clientHeight;
    if (!inside) {
      rf.setCenter(n.internals.positionAbsolute.x + nw / zoom / 2, n.internals.positionAbsolute.y + nh / zoom / 2, { zoom, duration: 250 });
    }
  }, [active, rf]);

  useEffect(() => {
    setNodes((ns) => withMarks(ns, [], marks)[0]);
    setEdges((es) => withMarks([], es, marks)[1]);
  }, [marks]);

  /**
   * The first view of a document is legible: the whole graph when it fits at a readable zoom,
   * else its start (trigger or root) at a readable zoom, with what follows it to the right.
   */
  const openView = useCallback(() => {
    if (opened.current || !host.current) return;
    opened.current = true;
    const w = host.current.clientWidth || 800;
    const h = host.current.clientHeight || 600;
    const top = view.nodes.filter((n) => !n.parent);
    if (top.length === 0) return;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (const n of top) {
      const nw = n.size?.width ?? widthOf(n.kind);
      const nh = n.size?.height ?? STEP_HEIGHT;
      minX = Math.min(minX, n.position.x);
      minY = Math.min(minY, n.position.y);
      maxX = Math.max(maxX, n.position.x + nw);
      maxY = Math.max(maxY, n.position.y + nh);
    }
    const pad = 60;
    const fit = Math.min((w - 2 * pad) / Math.max(1, maxX - minX), (h - 2 * pad) / Math.max(1, maxY - minY));
    if (fit >= READABLE_ZOOM) {
      const zoom = Math.min(fit, OPEN_MAX_ZOOM);
      rf.setViewport({ x: w / 2 - ((minX + maxX) / 2) * zoom, y: h / 2 - ((minY + maxY) / 2) * zoom, zoom });
      return;
    }
    const start = top.find((n) => n.kind === "trigger" || n.kind === "root") ?? top.reduce((a, b) => (b.position.x < a.position.x ? b : a));
    const zoom = big ? 1 : READABLE_ZOOM;
    rf.setViewport({ x: pad - start.position.x * zoom, y: h / 2 - (start.position.y + STEP_HEIGHT / 2) * zoom, zoom });
  }, [rf, view.nodes, big]);

  const focusNode = useCallback(
    (id: string) => {
      const n = rf.getInternalNode(id);
      if (!n) return;
      const w = n.measured.width ?? NODE_W;
      const h = n.measured.height ?? NODE_H;
      rf.setCenter(n.internals.positionAbsolute.x + w / 2, n.internals.positionAbsolute.y + h / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
      setNodes((ns) => ns.map((x) => (x.selected === (x.id === id) ? x : { ...x, selected: x.id === id })));
    },
    [rf],
  );

  useEffect(() => {
    if (focus) focusNode(focus.id);
  }, [focus, focusNode]);

  /** Selects a node the core just created (the inspector shows it). */
  const selectCreated = useCallback(
    (ids: string[]) => {
      const id = ids[0];
      if (!id) return;
      selection.current = { nodes: [id], edges: [] };
      setNodes((ns) => ns.map((x) => (x.selected === (x.id === id) ? x : { ...x, selected: x.id === id })));
      setEdges((es) => es.map((x) => (x.selected ? { ...x, selected: false } : x)));
      onSelect?.({ nodes: [id], edges: [] });
    },
    [onSelect],
  );

  /** Adds a step of `type` at a canvas point, connected from `from` when given. */
  const addStep = useCallback(
    (type: string, at: { x: number; y: number }, from?: { source: string; source_handle?: string }) => {
      if (!onEdits || readOnly) return;
      const position = { x: Math.round(at.x), y: Math.round(at.y) };
      // A journey's `end` is not a state to add: a dropped connection leads to it.
      if (type === "end") {
        if (!from) return;
        const edits: Edit[] = [{ op: "connect", source: from.source, source_handle: from.source_handle, target: "end" }];
        // Drawn for the first time: where the connection was dropped.
        if (!view.nodes.some((n) => n.id === "end")) edits.push({ op: "move_node", id: "end", x: position.x, y: position.y });
        void onEdits(edits);
        return;
      }
      void onEdits([{ op: "add_node", kind: type, position, from }]).then(selectCreated);
    },
    [onEdits, readOnly, selectCreated, view.nodes],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<StepNode>[]) => {
      const allowed = readOnly ? changes.filter((c) => c.type === "select" || c.type === "dimensions") : changes.filter((c) => c.type !== "remove");
      setNodes((ns) => applyNodeChanges(allowed, ns));
    },
    [readOnly],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type === "select"), es));
  }, []);

  const onNodeDragStop = useCallback(
    (_e: unknown, _n: StepNode, dragged: StepNode[]) => {
      if (readOnly || !onEdits) return;
      void onEdits(dragged.map((n) => ({ op: "move_node", id: n.id, x: Math.round(n.position.x), y: Math.round(n.position.y) })));
    },
    [onEdits, readOnly],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !onEdits) return;
      void onEdits([{ op: "connect", source: c.source, source_handle: c.sourceHandle ?? undefined, target: c.target }]);
    },
    [onEdits, readOnly],
  );

  const hostPoint = useCallback((clientX: number, clientY: number) => {
    const r = host.current?.getBoundingClientRect();
    return { x: clientX - (r?.left ?? 0), y: clientY - (r?.top ?? 0) };
  }, []);

  // A connection dropped on empty canvas: quick-add there, and the new step comes connected.
  const onConnectEnd = useCallback(
    (event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (readOnly || !onEdits || !palette || state.isValid || !state.fromNode || !state.fromHandle) return;
      if (state.fromHandle.type !== "source") return;
      const target = event.target as HTMLElement | null;
      if (!target?.classList.contains("react-flow__pane")) return;
      const point = "changedTouches" in event ? event.changedTouches[0] : event;
      setQuickAdd({
        screen: hostPoint(point.clientX, point.clientY),
        flow: rf.screenToFlowPosition({ x: point.clientX, y: point.clientY }),
        from: { source: state.fromNode.id, source_handle: state.fromHandle.id ?? undefined },
      });
    },
    [readOnly, onEdits, palette, rf, hostPoint],
  );

  const onSelectionChange = useCallback(
    ({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
      const sel = { nodes: ns.map((n) => n.id), edges: es.map((e) => e.id) };
      selection.current = sel;
      onSelect?.(sel);
    },
    [onSelect],
  );

  const autoLayout = useCallback(async () => {
    if (!onEdits) return;
    const layoutNodes = view.nodes.map((n) => {
      const inner = rf.getInternalNode(n.id);
      return {
        id: n.id,
        parent: n.parent,
        width: inner?.measured.width ?? n.size?.width ?? NODE_W,
        height: inner?.measured.height ?? n.size?.height ?? NODE_H,
      };
    });
    const pos = await runLayout(layoutNodes, view.edges);
    await onEdits(Object.entries(pos).map(([id, p]) => ({ op: "move_node" as const, id, x: p.x, y: p.y })));
    // Asked for: the whole graph, however small (the designer zooms in from there).
    setTimeout(() => rf.fitView({ ...FIT_ALL, duration: 200, maxZoom: OPEN_MAX_ZOOM }), 50);
  }, [onEdits, rf, view]);

  const openQuickAdd = useCallback(
    (clientX: number, clientY: number) => {
      if (readOnly || !onEdits || !palette) return;
      setQuickAdd({ screen: hostPoint(clientX, clientY), flow: rf.screenToFlowPosition({ x: clientX, y: clientY }) });
    },
    [readOnly, onEdits, palette, hostPoint, rf],
  );

  // Keyboard shortcuts on the main canvas.
  useEffect(() => {
    if (!keyboard) return;
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "f") {
        e.preventDefault();
        searchBox.current?.focus();
        searchBox.current?.select();
        return;
      }
      if (isTyping(e.target)) return;
      if (readOnly || !onEdits) return;
      const sel = selection.current;
      if (e.key === "Delete" || e.key === "Backspace") {
        if (sel.nodes.length || sel.edges.length) {
          e.preventDefault();
          void onEdits([{ op: "delete", node_ids: sel.nodes, edge_ids: sel.edges }]);
        }
      } else if (mod && e.key.toLowerCase() === "z") {
        e.preventDefault();
        if (e.shiftKey) onRedo?.();
        else onUndo?.();
      } else if (mod && e.key.toLowerCase() === "y") {
        e.preventDefault();
        onRedo?.();
      } else if (mod && e.key.toLowerCase() === "c") {
        clipboard = [...sel.nodes];
      } else if (mod && e.key.toLowerCase() === "v") {
        // The core copies the nodes whole (settings, branches, inner edges) with new ids.
        const present = new Set(view.nodes.map((n) => n.id));
        const ids = clipboard.filter((id) => present.has(id));
        if (ids.length) {
          e.preventDefault();
          void onEdits([{ op: "duplicate", node_ids: ids, offset: { x: 40, y: 40 } }]);
        }
      } else if (!mod && !e.altKey && e.key.toLowerCase() === "a") {
        // Quick-add where the mouse is (or in the middle of the canvas).
        const r = host.current?.getBoundingClientRect();
        if (!r) return;
        e.preventDefault();
        const at = mouse.current ?? { x: r.left + r.width / 2, y: r.top + r.height / 2 };
        openQuickAdd(at.x, at.y);
      } else if (e.key === "F2" && sel.edges.length === 1) {
        setEditingEdge(sel.edges[0]);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [keyboard, readOnly, onEdits, onUndo, onRedo, view, openQuickAdd]);

  const results = useMemo(() => searchNodes(view.nodes, query).slice(0, 8), [view.nodes, query]);

  // A transition's condition, edited on its label.
  const editableEdges = useMemo(() => new Set(view.edges.filter((e) => e.kind === "transition" || e.kind === "conditional").map((e) => e.id)), [view.edges]);
  const edgeEditing = useMemo(
    () => ({
      editing: editingEdge,
      start: (id: string) => !readOnly && editableEdges.has(id) && setEditingEdge(id),
      finish: (id: string, text: string | null) => {
        setEditingEdge((cur) => (cur === id ? null : cur));
        const before = view.edges.find((e) => e.id === id)?.label ?? "";
        if (text === null || !onEdits || text.trim() === before.trim()) return;
        void onEdits([{ op: "set_label", target: id, label: text.trim() }]);
      },
    }),
    [editingEdge, readOnly, editableEdges, view.edges, onEdits],
  );

  const addAtCenter = useCallback(
    (type: string) => {
      const r = host.current?.getBoundingClientRect();
      if (!r) return;
      // A little offset for each click, so items added one after the other do not pile up.
      const jitter = (view.nodes.length % 5) * 30;
      addStep(type, rf.screenToFlowPosition({ x: r.left + r.width / 2 + jitter, y: r.top + r.height / 3 + jitter }));
    },
    [addStep, rf, view.nodes.length],
  );

  return (
    <div className="canvas-wrap">
      {showPalette && palette && !readOnly && <Palette items={palette} onAdd={addAtCenter} />}
      <div
        className="flow-host"
        ref={host}
        onMouseMove={(e) => (mouse.current = { x: e.clientX, y: e.clientY })}
        onDoubleClick={(e) => {
          if ((e.target as HTMLElement).classList.contains("react-flow__pane")) openQuickAdd(e.clientX, e.clientY);
        }}
        onDragOver={(e) => {
          if (!readOnly && e.dataTransfer.types.includes(DRAG_MIME)) {
            e.preventDefault();
            e.dataTransfer.dropEffect = "copy";
          }
        }}
        onDrop={(e) => {
          const type = e.dataTransfer.getData(DRAG_MIME);
          if (!type || readOnly) return;
          e.preventDefault();
          e.stopPropagation();
          const at = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
          // The node's top-left goes a little up-left of the pointer, so it lands under it.
          addStep(type, { x: at.x - 40, y: at.y - 20 });
        }}
      >
        <EdgeEditContext.Provider value={edgeEditing}>
          <ReactFlow
            className={lod ? "lod-far" : undefined}
            nodes={shownNodes}
            edges={shownEdges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onNodeDragStop={onNodeDragStop}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            onSelectionChange={onSelectionChange}
            onEdgeDoubleClick={(_e, edge) => edgeEditing.start(edge.id)}
            onPaneClick={(e) => {
              // Far out, a click on a box brings that step up close, selected.
              if (!scene) return;
              const at = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
              const id = boxAt(scene, at.x, at.y);
              if (id) focusNode(id);
            }}
            onInit={() => requestAnimationFrame(openView)}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            deleteKeyCode={null}
            zoomOnDoubleClick={false}
            multiSelectionKeyCode={["Shift", "Meta", "Control"]}
            selectionOnDrag={false}
            onlyRenderVisibleElements={big}
            snapToGrid={snapToGrid}
            snapGrid={SNAP}
            minZoom={0.02}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={24} />
            {scene && <LodLayer scene={scene} />}
            <Controls fitViewOptions={FIT_ALL} />
            {/* Far out the canvas itself shows the whole graph; the minimap would draw no hidden node. */}
            {minimap && !lod && <MiniMap pannable zoomable />}
            <Panel position="top-left" className="canvas-tools">
              <input
                ref={searchBox}
                className="canvas-search"
                placeholder="Find a step (Ctrl+F)"
                value={query}
                data-testid="canvas-search"
                onChange={(e) => setQuery(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && results[0]) focusNode(results[0].id);
                  if (e.key === "Escape") setQuery("");
                }}
              />
              {!readOnly && (
                <button onClick={autoLayout} data-testid="auto-layout" title="Arrange the graph (dagre)">
                  Auto-layout
                </button>
              )}
              {query && (
                <ul className="search-results">
                  {results.map((n) => (
                    <li key={n.id}>
                      <button onClick={() => focusNode(n.id)}>
                        {n.label || n.id} <small>{n.kind}</small>
                      </button>
                    </li>
                  ))}
                  {results.length === 0 && <li className="muted">no match</li>}
                </ul>
              )}
            </Panel>
            {!readOnly && palette && view.nodes.length <= 1 && (
              <Panel position="bottom-center" className="canvas-hint">
                Drag a step from the palette, double-click the canvas or press <kbd>A</kbd> to add one; drag from a step's right edge to connect.
              </Panel>
            )}
          </ReactFlow>
        </EdgeEditContext.Provider>
        {quickAdd && palette && (
          <QuickAdd
            items={palette}
            at={{
              x: Math.max(8, Math.min(quickAdd.screen.x, (host.current?.clientWidth ?? 800) - 330)),
              y: Math.max(8, Math.min(quickAdd.screen.y, (host.current?.clientHeight ?? 600) - 380)),
            }}
            connecting={Boolean(quickAdd.from)}
            onClose={() => setQuickAdd(null)}
            onPick={(type) => {
              const at = quickAdd;
              setQuickAdd(null);
              addStep(type, { x: at.flow.x - 20, y: at.flow.y - 30 }, at.from);
            }}
          />
        )}
      </div>
    </div>
  );
}

export function Canvas(props: CanvasProps) {
  return (
    <div className="canvas-host" data-testid={props.testId ?? "canvas"}>
      <ReactFlowProvider>
        <CanvasInner {...props} />
      </ReactFlowProvider>
    </div>
  );
}

