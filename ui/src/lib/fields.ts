// Text in the inspector's controls and back: how each field kind the core names is written in a
// text box and read again. The kinds and values come from the core (`inspect`).
import type { InspectorField, JsonValue } from "../api/types";

/** A field's value as its control shows it. */
export function fieldText(f: InspectorField): string {
  const v = f.value;
  switch (f.kind) {
    case "json":
      return v === null || v === undefined ? "" : JSON.stringify(v, null, 2);
    case "text_list":
      return Array.isArray(v) ? v.map((x) => String(x)).join("\n") : "";
    case "bool":
      return String(v === true);
    default:
      return v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  }
}

/** The value a control's text means; an empty optional field is `null`. */
export function parseFieldText(f: InspectorField, text: string): { value?: JsonValue; error?: string } {
  const empty = text.trim() === "";
  if (empty && f.optional && f.kind !== "bool") return { value: null };
  switch (f.kind) {
    case "bool":
      return { value: text === "true" };
    case "number": {
      if (empty) return { error: `${f.label} needs a number` };
      const n = Number(text);
      return Number.isFinite(n) ? { value: n } : { error: `${f.label}: \`${text}\` is not a number` };
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
