// The template parameter form: one field per parameter, values read according to the
// parameter's type, and the core's problems placed under the field they name.
import type { TemplateParameter } from "../api/types";

export type FieldKind = "text" | "number" | "checkbox" | "select" | "list";

export function fieldKind(p: TemplateParameter): FieldKind {
  switch (p.type) {
    case "number":
      return "number";
    case "boolean":
      return "checkbox";
    case "enum":
      return "select";
    case "list":
      return "list";
    default:
      return "text";
  }
}

/** The initial text of a field: the default rendered for editing. */
export function initialText(p: TemplateParameter): string {
  const d = p.default;
  if (d === undefined || d === null) return p.type === "boolean" ? "false" : "";
  if (p.type === "list") return JSON.stringify(d, null, 2);
  return String(d);
}

/**
 * Reads a field's text as the parameter's type. Returns {value} or {error}; an empty optional
 * field is left out (value undefined) so the core applies the default. Range and pattern checks
 * are the core's job: its messages come back inline.
 */
export function readField(p: TemplateParameter, text: string): { value?: unknown; error?: string } {
  const t = text.trim();
  if (t === "" && p.type !== "boolean") return {};
  switch (p.type) {
    case "number": {
      const n = Number(t);
      if (!Number.isFinite(n)) return { error: `\`${t}\` is not a number` };
      return { value: n };
    }
    case "boolean":
      return { value: t === "true" };
    case "list": {
      try {
        const v = JSON.parse(t);
        if (!Array.isArray(v)) return { error: "a list is written as a JSON array, e.g. [\"a\", \"b\"]" };
        return { value: v };
      } catch (e) {
        return { error: `not valid JSON: ${(e as Error).message}` };
      }
    }
    default:
      return { value: text };
  }
}

/**
 * Splits the core's problems into per-parameter messages. Problems are lines like
 * `parameters.sla_hours: 500 is more than the maximum 72` (or objects with a path); anything
 * not naming a known parameter goes to `general`.
 */
export function problemsByParam(
  names: string[],
  problems: unknown,
): { byParam: Record<string, string[]>; general: string[] } {
  const byParam: Record<string, string[]> = {};
  const general: string[] = [];
  const lines: string[] = [];
  const collect = (p: unknown) => {
    if (p == null) return;
    if (typeof p === "string") lines.push(...p.split("\n").map((l) => l.trim().replace(/^-\s*/, "")).filter(Boolean));
    else if (Array.isArray(p)) p.forEach(collect);
    else if (typeof p === "object") {
      const o = p as Record<string, unknown>;
      const at = typeof o.at === "string" ? o.at : typeof o.path === "string" ? o.path : null;
      if (typeof o.message === "string") lines.push(at ? `${at}: ${o.message}` : o.message);
      else if (Array.isArray(o.problems)) o.problems.forEach(collect);
      else lines.push(JSON.stringify(p));
    }
  };
  collect(problems);
  const known = new Set(names);
  for (const line of lines) {
    const m = /^parameters\.([A-Za-z0-9_-]+)(?:[.[][^:]*)?:\s*(.*)$/.exec(line);
    if (m && known.has(m[1])) (byParam[m[1]] ??= []).push(m[2]);
    else general.push(line);
  }
  return { byParam, general };
}
