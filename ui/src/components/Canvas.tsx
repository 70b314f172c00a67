// The React Flow canvas for one document view. The core's view is the source of truth; local
// node state only carries what React Flow needs between core round trips (drags, selection,
// measured sizes). Selection is reported upward as ids, never stored in the app's nodes.
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
  type NodeChange,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import type { CanvasView, Edit } from "../api/types";
import { toFlowEdges, toFlowNodes, type StepNode } from "../lib/flow";
import { searchNodes } from "../lib/search";
import { runLayout } from "../lib/runLayout";
import { NODE_H, NODE_W } from "../lib/layout";
import { nodeTypes } from "./nodes";

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
  onEdits?: (edits: Edit[]) => void;
  onSelect?: (sel: Selection) => void;
  onUndo?: () => void;
  onRedo?: () => void;
  testId?: string;
  minimap?: boolean;
  snapToGrid?: boolean;
}

const EMPTY = new Set<string>();
const SNAP: [number, number] = [24, 24];
/** Below this zoom, a big graph's text is too small to read: it is not painted (cheaper frames). */
const FAR_ZOOM = 0.45;
const isFar = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;
/** From this many nodes on, only the nodes on screen are drawn. */
const BIG_GRAPH = 300;
const OPENING_NODES = 12;
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
    const cls = it.id === active ? "is-active" : highlight.has(it.id) ? "is-highlight" : undefined;
    if ((it.className || undefined) === cls) return it;
    changed = true;
    return { ...it, className: cls };
  });
  return changed ? out : items;
}

function CanvasInner(props: CanvasProps) {
  const { view, problems, highlight = EMPTY, active, readOnly, keyboard, focus, onEdits, onSelect, onUndo, onRedo, minimap = true, snapToGrid = false } = props;
  const rf = useReactFlow();
  // A boolean selector: re-renders only when the zoom crosses FAR_ZOOM, not on every frame.
  const far = useStore(isFar);
  const [nodes, setNodes] = useState<StepNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const selection = useRef<Selection>({ nodes: [], edges: [] });
  const [query, setQuery] = useState("");
  const searchBox = useRef<HTMLInputElement>(null);
  const big = view.nodes.length > BIG_GRAPH;
  // A big graph opens on its first steps at a readable zoom (only what is on screen is drawn);
  // "fit view" in the controls still shows the whole graph.
  const fitViewOptions = useMemo(
    () => (big ? { nodes: view.nodes.filter((n) => !n.parent).slice(0, OPENING_NODES).map((n) => ({ id: n.id })), minZoom: 0.5, maxZoom: 1 } : undefined),
    // Only when a different document is opened, not on every edit.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [big],
  );

  // Rebuild from the core's view; keep the current selection flags.
  useEffect(() => {
    const selN = new Set(selection.current.nodes);
    const selE = new Set(selection.current.edges);
    setNodes(withClass(toFlowNodes(view, problems).map((n) => (selN.has(n.id) ? { ...n, selected: true } : n)), highlight, active));
    setEdges(withClass(toFlowEdges(view).map((e) => (selE.has(e.id) ? { ...e, selected: true } : e)), highlight, active));
    // highlight/active are applied by the effect below; a view change re-applies them here once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view, problems]);

  useEffect(() => {
    setNodes((ns) => withClass(ns, highlight, active));
    setEdges((es) => withClass(es, highlight, active));
  }, [highlight, active]);

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

  const onNodesChange = useCallback((changes: NodeChange<StepNode>[]) => {
    const allowed = readOnly ? changes.filter((c) => c.type === "select" || c.type === "dimensions") : changes.filter((c) => c.type !== "remove");
    setNodes((ns) => applyNodeChanges(allowed, ns));
  }, [readOnly]);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type === "select"), es));
  }, []);

  const onNodeDragStop = useCallback(
    (_e: unknown, _n: StepNode, dragged: StepNode[]) => {
      if (readOnly || !onEdits) return;
      onEdits(dragged.map((n) => ({ op: "move_node", id: n.id, x: Math.round(n.position.x), y: Math.round(n.position.y) })));
    },
    [onEdits, readOnly],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !onEdits) return;
      onEdits([{ op: "connect", source: c.source, source_handle: c.sourceHandle ?? undefined, target: c.target }]);
    },
    [onEdits, readOnly],
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
    onEdits(Object.entries(pos).map(([id, p]) => ({ op: "move_node" as const, id, x: p.x, y: p.y })));
    setTimeout(() => rf.fitView({ duration: 200 }), 50);
  }, [onEdits, rf, view]);

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
          onEdits([{ op: "delete", node_ids: sel.nodes, edge_ids: sel.edges }]);
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
          onEdits([{ op: "duplicate", node_ids: ids, offset: { x: 40, y: 40 } }]);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [keyboard, readOnly, onEdits, onUndo, onRedo, view]);

  const results = useMemo(() => searchNodes(view.nodes, query).slice(0, 8), [view.nodes, query]);

  return (
    <ReactFlow
      className={big && far ? "far" : undefined}
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onNodeDragStop={onNodeDragStop}
      onConnect={onConnect}
      onSelectionChange={onSelectionChange}
      nodesDraggable={!readOnly}
      nodesConnectable={!readOnly}
      deleteKeyCode={null}
      multiSelectionKeyCode={["Shift", "Meta", "Control"]}
      selectionOnDrag={false}
      onlyRenderVisibleElements={big}
      snapToGrid={snapToGrid}
      snapGrid={SNAP}
      minZoom={0.05}
      fitView
      fitViewOptions={fitViewOptions}
      proOptions={{ hideAttribution: true }}
    >
      <Background gap={24} />
      <Controls />
      {minimap && <MiniMap pannable zoomable />}
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
    </ReactFlow>
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
