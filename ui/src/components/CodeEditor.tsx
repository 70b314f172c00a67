// A CodeMirror 6 editor for a code field: JavaScript highlighting, the core's diagnostics for the
// field inline (a reference the message quotes is marked where it is written; anything else on
// the first line), the editor's own syntax errors, and completion of Sim references
// (`<block.path>`) from the core's `references` command. The text is committed on blur or Ctrl+Enter.
import { memo, useEffect, useRef } from "react";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder as cmPlaceholder, lineNumbers } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { javascript, javascriptLanguage } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { autocompletion, completionKeymap, type Completion, type CompletionContext } from "@codemirror/autocomplete";
import { linter, lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting, syntaxTree } from "@codemirror/language";
import type { Diagnostic } from "../api/types";
import { placeDiagnostics, withoutReferences } from "../lib/code";

export interface Reference {
  text: string;
  source: string;
  type: string;
  description?: string;
}

export interface CodeEditorProps {
  value: string;
  language?: string;
  /** The core's problems at this field. */
  diagnostics: Diagnostic[];
  /** Loads the references this block's fields can use (asked when the editor gets focus). */
  references?: () => Promise<Reference[]>;
  onCommit: (text: string) => void;
  placeholder?: string;
  /** One expression (a branch): no line numbers, smaller. */
  compact?: boolean;
  label?: string;
  testId?: string;
}

export const CodeEditor = memo(function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const committed = useRef(props.value);
  const refs = useRef<Reference[] | null>(null);
  const lintNow = useRef<((v: EditorView) => CmDiagnostic[]) | null>(null);

  useEffect(() => {
    if (!host.current) return;
    const language = latest.current.language ?? "javascript";
    const isJs = language === "javascript";
    const commit = (v: EditorView) => {
      const text = v.state.doc.toString();
      if (text !== committed.current) {
        committed.current = text;
        latest.current.onCommit(text);
      }
      return true;
    };
    const complete = async (ctx: CompletionContext) => {
      const m = ctx.matchBefore(/<[\w.\-]*$/);
      if (!m || (m.from === m.to && !ctx.explicit)) return null;
      if (!refs.current && latest.current.references) refs.current = await latest.current.references().catch(() => []);
      const options: Completion[] = (refs.current ?? []).map((r) => ({ label: r.text, detail: r.type, info: r.description ?? r.source, type: "variable", apply: r.text }));
      return { from: m.from, options, validFor: /^<[\w.\-]*$/ };
    };
    const lint = (v: EditorView): CmDiagnostic[] => {
      const text = v.state.doc.toString();
      const out = placeDiagnostics(text, latest.current.diagnostics);
      if (isJs && text.trim()) {
        // References are not JavaScript: parse the text with them replaced (same positions). A
        // JSON body (`{...}`, an API call's) is checked as the object it is: in parentheses.
        const object = /^\s*[[{]/.test(text);
        const shift = object ? 1 : 0;
        const source = object ? `(${withoutReferences(text)})` : withoutReferences(text);
        const tree = text.includes("<") || object ? javascriptLanguage.parser.parse(source) : syntaxTree(v.state);
        tree.iterate({
          enter: (n) => {
            if (n.type.isError) {
              const from = Math.max(0, Math.min(n.from - shift, text.length));
              out.push({ from, to: Math.min(text.length, Math.max(n.to - shift, from + 1)), severity: "error", message: "syntax error", source: "editor" });
            }
          },
        });
      }
      return out;
    };
    lintNow.current = lint;
    const state = EditorState.create({
      doc: latest.current.value,
      extensions: [
        history(),
        ...(latest.current.compact ? [] : [lineNumbers()]),
        bracketMatching(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        ...(isJs ? [javascript()] : language === "json" ? [json()] : []),
        lintGutter(),
        linter(lint, { delay: 300 }),
        autocompletion({ override: [complete], activateOnTyping: true }),
        keymap.of([{ key: "Mod-Enter", run: commit }, ...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        cmPlaceholder(latest.current.placeholder ?? ""),
        EditorView.lineWrapping,
        EditorView.domEventHandlers({
          blur: (_e, v) => {
            commit(v);
            return false;
          },
          focus: () => {
            // References may have changed since the last time (blocks connected or renamed).
            refs.current = null;
            return false;
          },
        }),
        EditorView.contentAttributes.of({ "aria-label": latest.current.label ?? "code" }),
      ],
    });
    const v = new EditorView({ state, parent: host.current });
    view.current = v;
    return () => {
      // Leaving (another block selected): keep what was typed.
      commit(v);
      v.destroy();
      view.current = null;
    };
  }, []);

  // A new value from the core (undo, another edit): shown unless the designer is typing.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    committed.current = props.value;
    if (v.hasFocus) return;
    if (v.state.doc.toString() !== props.value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: props.value } });
  }, [props.value]);

  // The core's problems changed: shown now (the linter itself runs only after typing).
  useEffect(() => {
    const v = view.current;
    if (v && lintNow.current) v.dispatch(setDiagnostics(v.state, lintNow.current(v)));
  }, [props.diagnostics]);

  return <div ref={host} className={`code-editor${props.compact ? " compact" : ""}`} data-testid={props.testId ?? "code-editor"} />;
});
