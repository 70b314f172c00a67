// The inspector's values and back: how each field kind the core names is shown in its control
// and written again. The kinds, values and choices come from the core (`inspect`); these helpers
// only move text, rows and branches around and never decide what a document may hold.
import type { InspectorField, JsonValue } from "../api/types";

type Json = JsonValue;
type Obj = { [key: string]: Json | undefined };

/** A field's value as a one-box control (text, number, JSON) shows it. */
export function fieldText(f: InspectorField): string {
  const v = f.value;
  switch (f.kind) {
    case "json":
      return v === null || v === undefined ? "" : JSON.stringify(v, null, 2);
    case "text_list":
      return Array.isArray(v) ? v.map((x) => String(x)).join("\n") : "";
    case "bool":
      return String(v === true || v === "true");
    default:
      return v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** The value a control's text means; an empty optional field is `null`. */
export function parseFieldText(f: InspectorField, text: string): { value?: JsonValue; error?: string } {
  const empty = text.trim() === "";
  if (empty && f.optional && f.kind !== "bool" && f.kind !== "text_list") return { value: null };
  switch (f.kind) {
    case "bool":
      return { value: text === "true" };
    case "number":
    case "slider": {
      if (empty) return { error: `${f.label} needs a number` };
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: `${f.label}: \`${text}\` is not a number` };
      if (f.min != null && n < f.min) return { error: `${f.label}: at least ${f.min}` };
      if (f.max != null && n > f.max) return { error: `${f.label}: at most ${f.max}` };
      return { value: n };
    }
    case "text_list":
      return { value: text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0) };
    case "json":
      try {
        return { value: JSON.parse(text) as JsonValue };
      } catch (e) {
        return { error: `not valid JSON: ${(e as Error).message}` };
      }
    default:
      return { value: text };
  }
}

/** What is written for a list field: its JSON text when the core says Sim stores it so. */
export function encodeList(f: InspectorField, list: Json[]): Json {
  return f.text_encoded ? JSON.stringify(list) : list;
}

/** A list field's items (objects), whatever the stored value is. */
export function listOf(value: Json | undefined): Obj[] {
  return Array.isArray(value) ? value.filter((x): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x)) : [];
}

/** A fresh id for a new row, as Sim's editor makes them (`crypto.randomUUID`). */
export function newId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && "randomUUID" in c) return c.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

// ---------- a Condition block's branches (Sim's condition-input) ----------

/** Sim's titles by position: the first branch is `if`, the last `else`, the rest `else if`. */
export function titled(list: Obj[]): Obj[] {
  return list.map((b, i) => {
    const title = i === 0 ? "if" : i === list.length - 1 && list.length > 1 ? "else" : "else if";
    return b.title === title ? b : { ...b, title };
  });
}

/** The keys Sim's editor stores beside each branch's id, title and value. */
function branchExtras(list: Obj[]): Obj {
  const extras: Obj = { showTags: false, showEnvVars: false, searchTerm: "", cursorPosition: 0, activeSourceBlockId: null };
  const sample = list[0];
  if (!sample) return extras;
  const out: Obj = {};
  for (const k of Object.keys(sample)) if (!["id", "title", "value"].includes(k)) out[k] = extras[k] ?? sample[k];
  return out;
}

/** Adds an `else if` before the `else` (Sim's id: `<block>-else-if-<time>`). */
export function addBranch(list: Obj[], blockId: string, now: number): Obj[] {
  const fresh: Obj = { id: `${blockId}-else-if-${now}`, title: "else if", value: "", ...branchExtras(list) };
  const at = list.length >= 2 ? list.length - 1 : list.length;
  return titled([...list.slice(0, at), fresh, ...list.slice(at)]);
}

/** Whether a branch may be removed: a Condition keeps its `if` and its `else`. */
export function canRemoveBranch(list: Obj[], index: number): boolean {
  return index > 0 && index < list.length - 1;
}

/** Whether a branch may move by `dir` (the `else` stays last). */
export function canMoveBranch(list: Obj[], index: number, dir: -1 | 1): boolean {
  const last = list.length - 1;
  const to = index + dir;
  return index !== last && to >= 0 && to < last;
}

export function moveItem<T>(list: T[], index: number, dir: -1 | 1): T[] {
  const to = index + dir;
  if (to < 0 || to >= list.length) return list;
  const out = [...list];
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

// ---------- a router's routes (Sim's router-input) ----------

/** Adds a route (Sim's id: `<block>-route-<time>`), titled `routeN`. */
export function addRoute(list: Obj[], blockId: string, now: number): Obj[] {
  let n = list.length + 1;
  const titles = new Set(list.map((r) => r.title));
  while (titles.has(`route${n}`)) n += 1;
  return [...list, { id: `${blockId}-route-${now}`, title: `route${n}`, value: "", ...branchExtras(list) }];
}

// ---------- an agent's messages ----------

export interface Message {
  role: string;
  content: string;
  [key: string]: Json | undefined;
}

/** An agent's messages; a text is one system message (Sim's `messages-input` reads it so). */
export function messagesOf(value: Json | undefined): Message[] {
  if (typeof value === "string") return value.trim() ? [{ role: "system", content: value }] : [];
  return listOf(value).map((m) => ({ ...m, role: typeof m.role === "string" ? m.role : "user", content: typeof m.content === "string" ? m.content : m.content == null ? "" : JSON.stringify(m.content) }));
}

export const MESSAGE_ROLES = ["system", "user", "assistant"];

// ---------- tables and rows ----------

/** A new row of Sim's table: every column empty. */
export function newTableRow(columns: string[]): Obj {
  const cells: Obj = {};
  for (const c of columns) cells[c] = "";
  return { id: newId(), cells };
}

/** A new row of a list of objects: the columns empty (a select gets its first option). */
export function newRow(f: InspectorField): Obj {
  const row: Obj = {};
  for (const c of f.columns ?? []) row[c.key] = c.kind === "select" && c.options?.length ? c.options[0].id : "";
  // Sim's input format rows carry an id and a collapsed flag.
  if (f.sim_type === "input-format" || f.sim_type === "response-format") Object.assign(row, { id: newId(), type: "string", collapsed: false });
  return row;
}

/** A table row's cell as text. */
export function cellText(row: Obj, column: string): string {
  const cells = row.cells;
  const v = cells && typeof cells === "object" && !Array.isArray(cells) ? (cells as Obj)[column] : undefined;
  return v == null ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

export function withCell(row: Obj, column: string, text: string): Obj {
  const cells = row.cells && typeof row.cells === "object" && !Array.isArray(row.cells) ? (row.cells as Obj) : {};
  return { ...row, cells: { ...cells, [column]: text } };
}

/** A row's value of a column as text. */
export function rowText(row: Obj, key: string): string {
  const v = row[key];
  return v == null ? "" : typeof v === "string" ? v : JSON.stringify(v);
}

/** Sets a row's column; an empty optional text on an object key is removed (Parlant omits it). */
export function withValue(row: Obj, key: string, text: string, kind: string): Obj {
  if (kind === "number") {
    const n = Number(text);
    return { ...row, [key]: text.trim() === "" || !Number.isFinite(n) ? null : n };
  }
  return { ...row, [key]: text };
}

/** Removes HTML tags (Sim's display-only setup instructions). */
export function plainText(html: string): string {
  return html
    .replace(/<\/(div|p|li)>/gi, "\n")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .trim();
}

/** The `<…>` references a diagnostic's message quotes (`reads \`<agent.contnt>\``). */
export function quotedReferences(message: string): string[] {
  const out: string[] = [];
  const re = /`(<[^`<>]+>)`/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(message))) out.push(m[1]);
  return out;
}
