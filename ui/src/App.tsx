import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { call } from "./api/client";
import type { ConvertPreview, DocumentSummary, Edit, EditResult, Settings as SettingsT, SyncOutcome } from "./api/types";
import { Canvas, type Selection } from "./components/Canvas";
import { Chat } from "./components/Chat";
import { Scenarios } from "./components/Scenarios";
import { Live } from "./components/Live";
import { ConvertedBar } from "./components/Converted";
import { Inspector } from "./components/Inspector";
import { NewDocument } from "./components/NewDocument";
import { usePalette } from "./components/Palette";
import { Problems } from "./components/Problems";
import { RunPanel } from "./components/RunPanel";
import type { RunMarks } from "./api/generated/RunMarks";
import { SaveTemplate } from "./components/SaveTemplate";
import { Settings } from "./components/Settings";
import { Shortcuts } from "./components/Shortcuts";
import { Sync } from "./components/Sync";
import { Templates, type TemplateProblemsReport } from "./components/Templates";
import { Workspace } from "./components/Workspace";
import { counterparts, sideOf } from "./lib/mapping";
import { problemsByNode } from "./lib/problems";
import { KIND_LABEL, applyDelta, fromOpened, windowTitle, type OpenDoc } from "./lib/session";

type Tab = "inspector" | "problems" | "chat" | "scenarios" | "live" | "sync" | "settings";
const TABS: Tab[] = ["inspector", "problems", "chat", "scenarios", "live", "sync", "settings"];
const NO_SEL: Selection = { nodes: [], edges: [] };
const NO_PROBLEMS = new Map<string, { worst: "error" | "warning" | "info"; count: number }>();
/** While edits are unsaved, how often the saving status is asked again. */
const STATUS_POLL_MS = 700;
/** How often the outbox is looked at, and what is due sent again. */
const OUTBOX_POLL_MS = 15_000;

function statusText(doc: OpenDoc | null, autosave: boolean): string {
  if (!doc) return "";
  const s = doc.status;
  if (s.save_error) return `save failed: ${s.save_error}`;
  if (s.dirty) return autosave ? "editing…" : "unsaved changes";
  return `saved (revision ${s.revision})`;
}

export function App() {
  const [docs, setDocs] = useState<DocumentSummary[]>([]);
  const [query, setQuery] = useState("");
  const [doc, setDoc] = useState<OpenDoc | null>(null);
  const [sel, setSel] = useState<Selection>(NO_SEL);
  const [tab, setTab] = useState<Tab>("inspector");
  const [error, setError] = useState<string | null>(null);
  const [showTemplates, setShowTemplates] = useState(false);
  const [converted, setConverted] = useState<ConvertPreview | null>(null);
  const [convertOn, setConvertOn] = useState(false);
  const [otherSel, setOtherSel] = useState<Selection>(NO_SEL);
  const [active, setActive] = useState<string | null>(null);
  // The Run panel's workflow run, drawn on the canvas.
  const [runMarks, setRunMarks] = useState<RunMarks | null>(null);
  const [focus, setFocus] = useState<{ id: string; nonce: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [settings, setSettings] = useState<SettingsT | null>(null);
  const [showNew, setShowNew] = useState(false);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [showSaveTemplate, setShowSaveTemplate] = useState(false);
  const [showPalette, setShowPalette] = useState(true);
  const [templateReport, setTemplateReport] = useState<TemplateProblemsReport | null>(null);
  // "Journey properties" asked for while a step is selected (until the selection changes).
  const [journeyProps, setJourneyProps] = useState(false);
  const select = useCallback((s: Selection) => {
    setJourneyProps(false);
    setSel(s);
  }, []);
  const [outboxWaiting, setOutboxWaiting] = useState(0);
  const docRef = useRef<OpenDoc | null>(null);
  docRef.current = doc;
  // Calls that change the open document go one after the other, in the order they were made.
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const fileInput = useRef<HTMLInputElement>(null);

  const fail = useCallback((e: unknown) => setError(e instanceof Error ? e.message : String(e)), []);
  const enqueue = useCallback((f: () => Promise<void>) => {
    queue.current = queue.current.then(f).catch(fail);
  }, [fail]);

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
    document.title = windowTitle(doc ? { name: doc.name, kind: doc.kind, dirty: doc.status.dirty } : null);
  }, [doc]);

  const open = useCallback(
    (id: number) =>
      enqueue(async () => {
        setError(null);
        const current = docRef.current;
        if (current && current.id !== id) await call("close_document", { session: current.session }).catch(() => undefined);
        const opened = fromOpened(await call("open_document", { id }));
        docRef.current = opened;
        setDoc(opened);
        setSel(NO_SEL);
        setActive(null);
        setConverted(null);
      }),
    [enqueue],
  );

  /** A change answered by the core: its delta goes onto what the UI holds. */
  const applyResult = useCallback((session: string, r: EditResult) => {
    const d = docRef.current;
    if (!d || d.session !== session) return;
    const next = applyDelta(d, r.delta, r.status);
    docRef.current = next;
    setDoc(next);
  }, []);

  /** Sends edits as one step; answers the ids they created (empty when refused). */
  const applyEdits = useCallback(
    (edits: Edit[]): Promise<string[]> => {
      if (edits.length === 0) return Promise.resolve([]);
      return new Promise<string[]>((resolve) => {
        enqueue(async () => {
          const d = docRef.current;
          if (!d) return resolve([]);
          try {
            const r = await call("apply_edits", { session: d.session, edits });
            applyResult(d.session, r);
            setError(null);
            resolve(r.created);
          } catch (e) {
            resolve([]);
            throw e;
          }
        });
      });
    },
    [enqueue, applyResult],
  );
  const applyEditsVoid = useCallback((edits: Edit[]) => void applyEdits(edits), [applyEdits]);

  const undo = useCallback(
    () =>
      enqueue(async () => {
        const d = docRef.current;
        if (d) applyResult(d.session, await call("undo", { session: d.session }));
      }),
    [enqueue, applyResult],
  );
  const redo = useCallback(
    () =>
      enqueue(async () => {
        const d = docRef.current;
        if (d) applyResult(d.session, await call("redo", { session: d.session }));
      }),
    [enqueue, applyResult],
  );
  const saveNow = useCallback(
    () =>
      enqueue(async () => {
        const d = docRef.current;
        if (!d) return;
        const status = await call("save_now", { session: d.session });
        if (docRef.current?.session === d.session) {
          const next = { ...docRef.current, status };
          docRef.current = next;
          setDoc(next);
        }
      }),
    [enqueue],
  );

  // The core saves by itself; while edits are unsaved, follow its status.
  const dirty = doc?.status.dirty ?? false;
  const session = doc?.session;
  useEffect(() => {
    if (!dirty || !session) return;
    const t = window.setInterval(() => {
      call("session_status", { session })
        .then((status) => {
          const d = docRef.current;
          if (d && d.session === session) {
            const next = { ...d, status };
            docRef.current = next;
            setDoc(next);
          }
        })
        .catch(() => undefined);
    }, STATUS_POLL_MS);
    return () => window.clearInterval(t);
  }, [dirty, session]);

  // The outbox in the background: what is due is sent again; how much waits is always shown.
  useEffect(() => {
    let live = true;
    // An entry `started` when the app opens is a push a crash interrupted: sent again. One that is
    // `started` later is a push under way in this app: sending it again meanwhile would write the
    // same document twice at once (nodes deleted under the other push's edges).
    let first = true;
    const look = async () => {
      try {
        const status = await call("sync_status", {});
        const now = Date.now() / 1000;
        const waiting = status.outbox.filter((e) => e.state === "pending" || (first && e.state === "started"));
        first = false;
        if (waiting.some((e) => e.next_attempt_at <= now)) {
          await call("sync_retry", {});
          const after = await call("sync_status", {});
          if (live) setOutboxWaiting(after.outbox.filter((e) => e.state !== "done").length);
        } else if (live) {
          setOutboxWaiting(status.outbox.filter((e) => e.state !== "done").length);
        }
      } catch {
        /* shown by the Sync panel when opened */
      }
    };
    void look();
    const t = window.setInterval(() => void look(), OUTBOX_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(t);
    };
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
        e.preventDefault();
        saveNow();
      }
      const el = e.target as HTMLElement | null;
      const typing = el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
      if (e.key === "?" && !typing) {
        e.preventDefault();
        setShowShortcuts((v) => !v);
      }
      if (e.key === "Escape") setShowShortcuts(false);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [saveNow]);

  const importText = useCallback(
    async (name: string, text: string) => {
      try {
        const ref = await call("import_document", { name: name.replace(/\.json$/i, ""), content: text });
        refreshList();
        open(ref.id);
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

  const deleteDoc = useCallback(
    async (id: number, name: string) => {
      if (!window.confirm(`Delete "${name}" and its history from the workspace?`)) return;
      try {
        if (docRef.current?.id === id) {
          // Deleted, not saved: the core discards the open session.
          docRef.current = null;
          setDoc(null);
          setConverted(null);
        }
        await call("delete_document", { id });
        refreshList();
      } catch (e) {
        fail(e);
      }
    },
    [refreshList, fail],
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

  // Convert view: the core converts the open document as it is now, a moment after each change.
  const version = doc?.version;
  const convertTo = doc ? (sideOf(doc.kind) === "workflow" ? "journey" : "workflow") : null;
  useEffect(() => {
    if (!convertOn || !session || !convertTo) return;
    let live = true;
    const t = window.setTimeout(() => {
      call("convert", { session, to: convertTo }).then((r) => live && setConverted(r), (e) => live && fail(e));
    }, 200);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [convertOn, session, convertTo, version, fail]);

  const saveConverted = useCallback(async () => {
    if (!session || !convertTo) return;
    try {
      const ref = await call("save_converted", { session, to: convertTo });
      refreshList();
      open(ref.id);
    } catch (e) {
      fail(e);
    }
  }, [session, convertTo, refreshList, open, fail]);

  /** Saves the converted document, then pushes it to `remote` (the open document stays open). */
  const saveAndPush = useCallback(
    async (remote: string): Promise<SyncOutcome> => {
      if (!session || !convertTo) throw new Error("nothing to convert");
      const ref = await call("save_converted", { session, to: convertTo });
      refreshList();
      return call("push", { document_id: ref.id, remote });
    },
    [session, convertTo, refreshList],
  );

  const paletteKind = doc ? (doc.kind === "parlant_journey" ? "journey" : "workflow") : null;
  const palette = usePalette(paletteKind);
  const created = useCallback(
    (id: number) => {
      setShowNew(false);
      setShowTemplates(false);
      refreshList();
      open(id);
    },
    [refreshList, open],
  );

  const problems = useMemo(() => (doc ? problemsByNode(doc.diagnostics.values()) : NO_PROBLEMS), [doc?.diagnostics]); // eslint-disable-line react-hooks/exhaustive-deps
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

  // Another workspace: nothing of the old one stays open (the core closed its documents).
  const onWorkspaceOpened = useCallback(() => {
    docRef.current = null;
    setDoc(null);
    setConverted(null);
    refreshList();
    call("settings_get", {}).then(setSettings).catch(fail);
  }, [refreshList, fail]);

  // A restore, pull or conflict resolution changed a document's head: the core closed its
  // session; open it again.
  const onWorkspaceChanged = useCallback(
    (openId?: number) => {
      refreshList();
      const current = docRef.current;
      if (openId !== undefined) open(openId);
      else if (current) open(current.id);
    },
    [refreshList, open],
  );

  const focusOn = useCallback((id: string) => setFocus({ id, nonce: Date.now() }), []);
  const selected = sel.nodes.length === 1 && sel.edges.length === 0 ? sel.nodes[0] : sel.edges.length === 1 && sel.nodes.length === 0 ? sel.edges[0] : null;
  const isJourney = doc?.kind === "parlant_journey";
  const inspected = (journeyProps && isJourney ? null : selected) ?? (isJourney ? "journey" : null);
  const autosave = settings?.autosave ?? true;
  const names = useMemo(() => new Map((doc?.view.nodes ?? []).map((n) => [n.id, n.label || n.id])), [doc?.view.nodes]);

  return (
    <div className={`app${dragging ? " dropping" : ""}`}>
      <header className="topbar">
        <h1>Journey Studio</h1>
        {doc && (
          <span className="doc-title" data-testid="doc-title" data-id={doc.id} data-session={doc.session}>
            {doc.name} <small>{KIND_LABEL[doc.kind]}</small>
          </span>
        )}
        <span className="status" data-testid="status">{statusText(doc, autosave)}</span>
        {outboxWaiting > 0 && (
          <button className="link" onClick={() => setTab("sync")} data-testid="outbox-indicator" title="Pushes waiting in the outbox">
            outbox: {outboxWaiting} waiting
          </button>
        )}
        <div className="spacer" />
        <button className="primary" onClick={() => setShowNew(true)} data-testid="new-document-button" title="A blank journey or workflow, or one from a template">New…</button>
        <label className="toggle" title="Show the palette of steps">
          <input type="checkbox" checked={showPalette} disabled={!doc} onChange={(e) => setShowPalette(e.target.checked)} data-testid="palette-toggle" /> Palette
        </label>
        <button onClick={saveNow} disabled={!doc || !doc.status.dirty} title="Save now (Ctrl+S)" data-testid="save">Save</button>
        <button onClick={undo} title="Undo (Ctrl+Z)" disabled={!doc?.status.can_undo} data-testid="undo">Undo</button>
        <button onClick={redo} title="Redo (Ctrl+Shift+Z)" disabled={!doc?.status.can_redo} data-testid="redo">Redo</button>
        <label className="toggle">
          <input type="checkbox" checked={convertOn} disabled={!doc} onChange={(e) => setConvertOn(e.target.checked)} data-testid="convert-toggle" /> Convert
        </label>
        <button onClick={() => setShowTemplates(true)} data-testid="open-templates">Templates</button>
        <button onClick={() => setShowSaveTemplate(true)} disabled={!doc} data-testid="save-as-template" title="Save the open document as a template">Save as template</button>
        <button onClick={() => setShowShortcuts(true)} data-testid="shortcuts-button" title="Keyboard shortcuts (?)">?</button>
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
                <button onClick={() => open(d.id)} data-testid="document-item">
                  {d.name}
                  <small>{KIND_LABEL[d.kind]}</small>
                </button>
                <button className="delete" title={`Delete ${d.name}`} onClick={() => void deleteDoc(d.id, d.name)} data-testid="document-delete">×</button>
              </li>
            ))}
            {docs.length === 0 && <li className="muted">No documents. Import a .json or drop one here.</li>}
          </ul>
        </aside>
        <main className={`center${convertOn && converted ? " split" : ""}`}>
          {doc ? (
            <Canvas
              key={doc.session}
              view={doc.view}
              problems={problems}
              highlight={mainHighlight}
              active={active}
              marks={runMarks}
              keyboard
              focus={focus}
              palette={palette}
              showPalette={showPalette && !convertOn}
              onEdits={applyEdits}
              onSelect={select}
              onUndo={undo}
              onRedo={redo}
              testId="canvas"
              minimap={settings?.show_minimap ?? true}
              snapToGrid={settings?.snap_to_grid ?? false}
            />
          ) : (
            <div className="empty">
              <p>Open a document, import one, or start a new one.</p>
              <button className="primary" onClick={() => setShowNew(true)} data-testid="empty-new">New document…</button>
            </div>
          )}
          {convertOn && converted && (
            <div className="converted">
              <ConvertedBar converted={converted} onSave={saveConverted} onSaveAndPush={saveAndPush} onFocus={focusOn} />
              <Canvas key={`${doc?.session}-converted`} view={converted.view} problems={NO_PROBLEMS} highlight={otherHighlight} readOnly onSelect={setOtherSel} testId="canvas-converted" />
            </div>
          )}
        </main>
        <aside className="panel">
          <nav className="tabs">
            {TABS.map((t) => (
              <button key={t} className={tab === t ? "on" : undefined} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
                {t === "problems" && doc ? `Problems (${doc.diagnostics.size})` : t === "chat" && doc && !isJourney ? "Run" : t[0].toUpperCase() + t.slice(1)}
              </button>
            ))}
          </nav>
          <div className="tab-body">
            {tab === "inspector" && doc && isJourney && inspected !== "journey" && (
              <button className="link journey-props" onClick={() => setJourneyProps(true)} data-testid="journey-properties">
                ← Journey properties
              </button>
            )}
            {tab === "inspector" && doc && <Inspector session={doc.session} target={inspected} version={doc.version} edges={doc.view.edges} onEdits={applyEditsVoid} onFocus={focusOn} />}
            {tab === "problems" && (
              <Problems diagnostics={doc?.diagnostics ?? null} counts={doc?.counts ?? null} onFocus={focusOn} template={templateReport} onDismissTemplate={() => setTemplateReport(null)} />
            )}
            {tab === "chat" && doc && isJourney && <Chat key={doc.session} session={doc.session} view={doc.view} onActive={setActive} />}
            {tab === "chat" && doc && !isJourney && (
              <RunPanel key={doc.session} session={doc.session} selected={sel.nodes.length === 1 ? sel.nodes[0] : null} names={names} onMarks={setRunMarks} onFocus={focusOn} />
            )}
            {tab === "scenarios" && doc && <Scenarios key={doc.session} session={doc.session} view={doc.view} />}
            {tab === "live" && (
              <Live key={doc?.session ?? "none"} session={doc?.session ?? null} kind={doc ? (isJourney ? "journey" : "workflow") : null} names={names} onActive={setActive} onMarks={setRunMarks} />
            )}
            {tab === "sync" && <Sync documentId={doc?.id ?? null} documentName={doc?.name ?? null} onChanged={onWorkspaceChanged} />}
            {tab === "settings" && <Settings settings={settings} onChange={changeSettings} />}
          </div>
        </aside>
      </div>
      {showTemplates && (
        <Templates
          onClose={() => setShowTemplates(false)}
          onCreated={created}
          onLint={(r) => {
            setTemplateReport(r);
            setShowTemplates(false);
            setTab("problems");
          }}
        />
      )}
      {showNew && (
        <NewDocument
          onClose={() => setShowNew(false)}
          onCreated={created}
          onTemplate={() => {
            setShowNew(false);
            setShowTemplates(true);
          }}
        />
      )}
      {showSaveTemplate && doc && (
        <SaveTemplate
          session={doc.session}
          name={doc.name}
          onClose={() => setShowSaveTemplate(false)}
          onSaved={(r) => {
            setShowSaveTemplate(false);
            setTemplateReport({ template: r.template, problems: r.problems });
            setTab("problems");
          }}
        />
      )}
      {showShortcuts && <Shortcuts onClose={() => setShowShortcuts(false)} />}
    </div>
  );
}
