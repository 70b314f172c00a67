import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { call } from "./api/client";
import type { CanvasView, DocumentSummary, Edit, JsonValue, Mapping, Report, Settings as SettingsT } from "./api/types";
import { Canvas, type Selection } from "./components/Canvas";
import { Chat } from "./components/Chat";
import { Inspector } from "./components/Inspector";
import { Problems } from "./components/Problems";
import { Settings } from "./components/Settings";
import { Sync } from "./components/Sync";
import { Templates } from "./components/Templates";
import { Workspace } from "./components/Workspace";
import { documentKindLabel, windowTitle } from "./documentKind";
import { History } from "./lib/history";
import { counterparts, sideOf } from "./lib/mapping";
import { problemsByNode } from "./lib/problems";

interface OpenDoc {
  id: number;
  name: string;
  kind: string;
  content: JsonValue;
  revision: number;
}

type Tab = "inspector" | "problems" | "chat" | "sync" | "settings";
const TABS: Tab[] = ["inspector", "problems", "chat", "sync", "settings"];
const NO_SEL: Selection = { nodes: [], edges: [] };
const NO_PROBLEMS = new Map<string, { worst: "error" | "warning" | "info"; count: number }>();
const SAVE_DELAY_MS = 400;

export function App() {
  const [docs, setDocs] = useState<DocumentSummary[]>([]);
  const [query, setQuery] = useState("");
  const [doc, setDoc] = useState<OpenDoc | null>(null);
  const [view, setView] = useState<CanvasView | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [sel, setSel] = useState<Selection>(NO_SEL);
  const [tab, setTab] = useState<Tab>("inspector");
  const [status, setStatus] = useState<string>("");
  const [error, setError] = useState<string | null>(null);
  const [showTemplates, setShowTemplates] = useState(false);
  const [converted, setConverted] = useState<{ view: CanvasView; mapping: Mapping } | null>(null);
  const [convertOn, setConvertOn] = useState(false);
  const [otherSel, setOtherSel] = useState<Selection>(NO_SEL);
  const [active, setActive] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ id: string; nonce: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [settings, setSettings] = useState<SettingsT | null>(null);
  const settingsRef = useRef<SettingsT | null>(null);
  settingsRef.current = settings;
  const history = useRef(new History<JsonValue>());
  const docRef = useRef<OpenDoc | null>(null);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const saveTimer = useRef<number | undefined>(undefined);
  const fileInput = useRef<HTMLInputElement>(null);
  docRef.current = doc;

  const fail = useCallback((e: unknown) => setError(e instanceof Error ? e.message : String(e)), []);

  const refreshList = useCallback(() => {
    call("list_documents", { query: query || undefined }).then((l) => setDocs(l.documents)).catch(fail);
  }, [query, fail]);
  useEffect(refreshList, [refreshList]);

  useEffect(() => {
    call("settings_get", {}).then(setSettings).catch(fail);
  }, [fail]);
  useEffect(() => {
    if (settings) document.documentElement.dataset.theme = settings.theme;
  }, [settings]);
  const changeSettings = useCallback(
    (patch: Partial<SettingsT>) => {
      // Shown at once; the core's answer (merged and saved) replaces it.
      setSettings((cur) => (cur ? { ...cur, ...patch } : cur));
      call("settings_update", { patch }).then(setSettings).catch(fail);
    },
    [fail],
  );

  useEffect(() => {
    document.title = windowTitle(doc ? { name: doc.name, kind: doc.kind } : null);
  }, [doc]);

  const open = useCallback(
    async (id: number) => {
      try {
        setError(null);
        const d = await call("get_document", { id });
        const [v, r] = await Promise.all([call("canvas_view", { content: d.content }), call("validate", { content: d.content })]);
        history.current.clear();
        setDoc(d);
        setView(v);
        setReport(r);
        setSel(NO_SEL);
        setActive(null);
        setConverted(null);
      } catch (e) {
        fail(e);
      }
    },
    [fail],
  );

  const saveNow = useCallback(() => {
    window.clearTimeout(saveTimer.current);
    {
      const d = docRef.current;
      if (!d) return;
      queue.current = queue.current.then(async () => {
        try {
          const r = await call("save_document", { id: d.id, content: d.content });
          setDoc((cur) => (cur && cur.id === d.id ? { ...cur, revision: r.revision } : cur));
          setReport(r.diagnostics);
          setStatus(`saved (revision ${r.revision})`);
        } catch (e) {
          setStatus("save failed");
          fail(e);
        }
      });
    }
  }, [fail]);

  const scheduleSave = useCallback(() => {
    window.clearTimeout(saveTimer.current);
    const s = settingsRef.current;
    if (s && !s.autosave) {
      setStatus("unsaved changes");
      return;
    }
    setStatus("editing…");
    saveTimer.current = window.setTimeout(saveNow, s ? s.autosave_delay_ms : SAVE_DELAY_MS);
  }, [saveNow]);

  /** Edits go to the core one after the other, each on the content the previous one returned. */
  const applyEdits = useCallback(
    (edits: Edit[]) => {
      if (edits.length === 0) return;
      queue.current = queue.current.then(async () => {
        const d = docRef.current;
        if (!d) return;
        try {
          const r = await call("apply_edits", { content: d.content, edits });
          history.current.record(d.content);
          const next = { ...d, content: r.content };
          docRef.current = next;
          setDoc(next);
          setView(r.view);
          setReport(r.diagnostics);
          setError(null);
          scheduleSave();
        } catch (e) {
          fail(e);
        }
      });
    },
    [scheduleSave, fail],
  );

  const replaceContent = useCallback(
    (content: JsonValue) => {
      queue.current = queue.current.then(async () => {
        const d = docRef.current;
        if (!d) return;
        try {
          const [v, r] = await Promise.all([call("canvas_view", { content }), call("validate", { content })]);
          const next = { ...d, content };
          docRef.current = next;
          setDoc(next);
          setView(v);
          setReport(r);
          scheduleSave();
        } catch (e) {
          fail(e);
        }
      });
    },
    [scheduleSave, fail],
  );

  const undo = useCallback(() => {
    const d = docRef.current;
    const prev = d && history.current.undo(d.content);
    if (prev !== null && prev !== undefined) replaceContent(prev);
  }, [replaceContent]);
  const redo = useCallback(() => {
    const d = docRef.current;
    const next = d && history.current.redo(d.content);
    if (next !== null && next !== undefined) replaceContent(next);
  }, [replaceContent]);

  const importText = useCallback(
    async (name: string, text: string) => {
      try {
        const ref = await call("import_document", { name: name.replace(/\.json$/i, ""), content: text });
        refreshList();
        await open(ref.id);
      } catch (e) {
        fail(e);
      }
    },
    [open, refreshList, fail],
  );

  const importFiles = useCallback(
    async (files: FileList | null) => {
      for (const f of Array.from(files ?? [])) await importText(f.name, await f.text());
    },
    [importText],
  );

  // Nothing open: no document, view, problems or conversion, and a fresh undo history.
  const closeDoc = useCallback(() => {
    docRef.current = null;
    setDoc(null);
    setView(null);
    setReport(null);
    setConverted(null);
    history.current = new History<JsonValue>();
  }, []);

  const deleteDoc = useCallback(
    async (id: number, name: string) => {
      if (!window.confirm(`Delete "${name}" and its history from the workspace?`)) return;
      try {
        await call("delete_document", { id });
        if (docRef.current?.id === id) closeDoc();
        refreshList();
      } catch (e) {
        fail(e);
      }
    },
    [refreshList, fail, closeDoc],
  );

  const exportDoc = useCallback(async () => {
    if (!doc) return;
    try {
      const { name, text } = await call("export_document", { id: doc.id });
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      a.download = name.endsWith(".json") ? name : `${name || doc.id}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (e) {
      fail(e);
    }
  }, [doc, fail]);

  // Drag-and-drop of .json files onto the window.
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) {
        e.preventDefault();
        setDragging(true);
      }
    };
    const leave = () => setDragging(false);
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      setDragging(false);
      void importFiles(e.dataTransfer.files);
    };
    window.addEventListener("dragover", over);
    window.addEventListener("dragleave", leave);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragover", over);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("drop", drop);
    };
  }, [importFiles]);

  // Convert view: recomputed from the current content while the split view is on.
  useEffect(() => {
    if (!convertOn || !doc) return;
    let live = true;
    const t = window.setTimeout(async () => {
      try {
        const to = sideOf(doc.kind) === "workflow" ? "journey" : "workflow";
        const r = await call("convert", { content: doc.content, to });
        const v = await call("canvas_view", { content: r.output });
        if (live) setConverted({ view: v, mapping: r.mapping as unknown as Mapping });
      } catch (e) {
        if (live) fail(e);
      }
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [convertOn, doc, fail]);

  const problems = useMemo(() => (report ? problemsByNode(report.diagnostics) : NO_PROBLEMS), [report]);
  const mainSide = doc ? sideOf(doc.kind) : "workflow";
  const otherSide = mainSide === "workflow" ? "journey" : "workflow";
  const mainHighlight = useMemo(
    () => new Set(converted ? [...otherSel.nodes, ...otherSel.edges].flatMap((id) => counterparts(converted.mapping, otherSide, id)) : []),
    [converted, otherSel, otherSide],
  );
  const otherHighlight = useMemo(
    () => new Set(converted ? [...sel.nodes, ...sel.edges].flatMap((id) => counterparts(converted.mapping, mainSide, id)) : []),
    [converted, sel, mainSide],
  );

  // Another workspace: nothing of the old one stays open.
  const onWorkspaceOpened = useCallback(() => {
    closeDoc();
    refreshList();
    call("settings_get", {}).then(setSettings).catch(fail);
  }, [refreshList, fail, closeDoc]);

  const onWorkspaceChanged = useCallback(
    (openId?: number) => {
      refreshList();
      const current = docRef.current;
      if (openId !== undefined) void open(openId);
      else if (current) void open(current.id);
    },
    [refreshList, open],
  );

  const focusOn = useCallback((id: string) => setFocus({ id, nonce: Date.now() }), []);
  const selected = sel.nodes.length === 1 && sel.edges.length === 0 ? sel.nodes[0] : sel.edges.length === 1 && sel.nodes.length === 0 ? sel.edges[0] : null;

  return (
    <div className={`app${dragging ? " dropping" : ""}`}>
      <header className="topbar">
        <h1>Journey Studio</h1>
        {doc && (
          <span className="doc-title" data-testid="doc-title">
            {doc.name} <small>{documentKindLabel(doc.kind)}</small>
          </span>
        )}
        <span className="status" data-testid="status">{status}</span>
        <div className="spacer" />
        {settings && !settings.autosave && (
          <button onClick={saveNow} disabled={!doc} data-testid="save">Save</button>
        )}
        <button onClick={undo} title="Undo (Ctrl+Z)" disabled={!doc}>Undo</button>
        <button onClick={redo} title="Redo (Ctrl+Shift+Z)" disabled={!doc}>Redo</button>
        <label className="toggle">
          <input type="checkbox" checked={convertOn} disabled={!doc} onChange={(e) => setConvertOn(e.target.checked)} data-testid="convert-toggle" /> Convert
        </label>
        <button onClick={() => setShowTemplates(true)} data-testid="open-templates">Templates</button>
      </header>
      {error && (
        <div className="error-bar" role="alert" data-testid="error">
          {error} <button onClick={() => setError(null)}>dismiss</button>
        </div>
      )}
      <div className="body">
        <aside className="sidebar">
          <Workspace recent={settings?.recent_workspaces ?? []} onOpened={onWorkspaceOpened} onError={fail} />
          <input placeholder="Search documents" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="doc-search" />
          <div className="row">
            <button onClick={() => fileInput.current?.click()} data-testid="import">Import…</button>
            <button onClick={exportDoc} disabled={!doc}>Export</button>
          </div>
          <input ref={fileInput} type="file" accept=".json,application/json" multiple hidden onChange={(e) => void importFiles(e.target.files)} data-testid="import-file" />
          <ul className="doc-list" data-testid="doc-list">
            {docs.map((d) => (
              <li key={d.id} className={doc?.id === d.id ? "current" : undefined}>
                <button onClick={() => void open(d.id)} data-testid="document-item">
                  {d.name}
                  <small>{documentKindLabel(d.kind)}</small>
                </button>
                <button className="delete" title={`Delete ${d.name}`} onClick={() => void deleteDoc(d.id, d.name)} data-testid="document-delete">×</button>
              </li>
            ))}
            {docs.length === 0 && <li className="muted">No documents. Import a .json or drop one here.</li>}
          </ul>
        </aside>
        <main className={`center${convertOn && converted ? " split" : ""}`}>
          {view ? (
            <Canvas
              view={view}
              problems={problems}
              highlight={mainHighlight}
              active={active}
              keyboard
              focus={focus}
              onEdits={applyEdits}
              onSelect={setSel}
              onUndo={undo}
              onRedo={redo}
              testId="canvas"
              minimap={settings?.show_minimap ?? true}
              snapToGrid={settings?.snap_to_grid ?? false}
            />
          ) : (
            <div className="empty">Open a document, import one, or start from a template.</div>
          )}
          {convertOn && converted && (
            <Canvas view={converted.view} problems={NO_PROBLEMS} highlight={otherHighlight} readOnly onSelect={setOtherSel} testId="canvas-converted" />
          )}
        </main>
        <aside className="panel">
          <nav className="tabs">
            {TABS.map((t) => (
              <button key={t} className={tab === t ? "on" : undefined} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
                {t === "problems" && report ? `Problems (${report.diagnostics.length})` : t[0].toUpperCase() + t.slice(1)}
              </button>
            ))}
          </nav>
          <div className="tab-body">
            {tab === "inspector" && doc && <Inspector content={doc.content} kind={doc.kind} selected={selected} onEdits={applyEdits} />}
            {tab === "problems" && <Problems report={report} onFocus={focusOn} />}
            {tab === "chat" && doc && <Chat content={doc.content} documentId={doc.id} view={view} onActive={setActive} />}
            {tab === "sync" && <Sync documentId={doc?.id ?? null} documentName={doc?.name ?? null} onChanged={onWorkspaceChanged} />}
            {tab === "settings" && <Settings settings={settings} onChange={changeSettings} />}
          </div>
        </aside>
      </div>
      {showTemplates && (
        <Templates
          onClose={() => setShowTemplates(false)}
          onCreated={(id) => {
            setShowTemplates(false);
            refreshList();
            void open(id);
          }}
        />
      )}
    </div>
  );
}
