// Which raw fields of the selected node/edge the inspector offers, read from the document
// content (journey: `nodes[]`/`edges[]`; Sim: `state.blocks{}`/`state.edges[]`).

import type { JsonValue } from "../api/types";

export interface Field {
  /** Keys from the node/edge down to the value, as `set_field` takes them. */
  path: string[];
  label: string;
  /** text: edited as a string; json: any JSON value; bool: a checkbox. */
  as: "text" | "json" | "bool";
  value: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);

function simState(content: unknown): Obj | null {
  if (!isObj(content)) return null;
  if (isObj(content.state)) return content.state;
  if (isObj(content.blocks)) return content;
  return null;
}

export function findElement(content: unknown, id: string): { what: "node" | "edge"; raw: Obj } | null {
  if (!isObj(content)) return null;
  if (Array.isArray(content.nodes)) {
    const n = (content.nodes as unknown[]).find((x) => isObj(x) && x.id === id);
    if (isObj(n)) return { what: "node", raw: n };
    const e = (Array.isArray(content.edges) ? (content.edges as unknown[]) : []).find((x) => isObj(x) && x.id === id);
    if (isObj(e)) return { what: "edge", raw: e };
    return null;
  }
  const s = simState(content);
  if (!s) return null;
  if (isObj(s.blocks) && isObj(s.blocks[id])) return { what: "node", raw: s.blocks[id] as Obj };
  const e = (Array.isArray(s.edges) ? (s.edges as unknown[]) : []).find((x) => isObj(x) && x.id === id);
  if (isObj(e)) return { what: "edge", raw: e };
  return null;
}

/** The editable fields of an element of a document of `docKind`. */
export function fieldsOf(docKind: string, el: { what: "node" | "edge"; raw: Obj }): Field[] {
  const r = el.raw;
  if (docKind.includes("journey")) {
    if (el.what === "edge") return [{ path: ["condition"], label: "Condition", as: "text", value: r.condition ?? "" }];
    return [
      { path: ["action"], label: "Action", as: "text", value: r.action ?? "" },
      { path: ["tools"], label: "Tools", as: "json", value: r.tools ?? [] },
    ];
  }
  if (el.what === "edge") return [];
  const out: Field[] = [
    { path: ["name"], label: "Name", as: "text", value: r.name ?? "" },
    { path: ["enabled"], label: "Enabled", as: "bool", value: r.enabled !== false },
  ];
  if (isObj(r.subBlocks)) {
    for (const [id, sb] of Object.entries(r.subBlocks)) {
      if (!isObj(sb)) continue;
      const v = sb.value;
      out.push({ path: ["subBlocks", id, "value"], label: id, as: typeof v === "string" || v == null ? "text" : "json", value: v ?? "" });
    }
  }
  return out;
}

/** Reads an edited field back; json fields must parse. Empty text on a journey condition means unconditional (null). */
export function parseField(f: Field, text: string): { value?: JsonValue; error?: string } {
  if (f.as === "json") {
    try {
      return { value: JSON.parse(text) as JsonValue };
    } catch (e) {
      return { error: `not valid JSON: ${(e as Error).message}` };
    }
  }
  if (f.as === "bool") return { value: text === "true" };
  const last = f.path[f.path.length - 1];
  if ((last === "condition" || last === "action") && f.path.length === 1 && text.trim() === "") return { value: null };
  return { value: text };
}

export function fieldText(f: Field): string {
  if (f.as === "json") return JSON.stringify(f.value, null, 2);
  if (f.as === "bool") return String(f.value);
  return f.value == null ? "" : String(f.value);
}
