// The one door to the core. In the Tauri shell it goes through `invoke("call", {command, args})`;
// in a browser (`journey-studio serve`) it POSTs to `/api/<command>` with the token the server put
// in the URL fragment. Both reach the same `api::dispatch` in the core.
import type { Commands, CommandName } from "./generated/commands";
import type { CoreError } from "./generated/CoreError";
import type { ErrorKind } from "./generated/ErrorKind";
import type { Location } from "./generated/Location";
import type { Problem } from "./generated/Problem";

export type { CoreError };

/** The core's error kinds, and what can fail before the core answers (the transport). */
export type CallErrorKind = ErrorKind | "unauthorized" | "transport" | "unknown";

/** A failed call: the core's error (src/error.rs, generated types) or the transport's. */
export class CallError extends Error {
  readonly kind: CallErrorKind;
  readonly location: Location | null;
  readonly problems: Problem[];
  constructor(err: { kind: CallErrorKind; message: string; location?: Location | null; problems?: Problem[] }) {
    super(err.message);
    this.kind = err.kind;
    this.location = err.location ?? null;
    this.problems = Array.isArray(err.problems) ? err.problems : [];
  }
}

/** Reads `token=...` from a URL fragment such as `#token=abc&x=1`; null when absent. */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const token = params.get("token");
  return token && token.length > 0 ? token : null;
}

/** Normalises whatever a transport rejected with into a CallError. */
export function toCallError(raw: unknown): CallError {
  if (raw instanceof CallError) return raw;
  if (raw && typeof raw === "object" && "message" in raw) {
    const r = raw as Partial<CoreError>;
    return new CallError({ kind: r.kind ?? "unknown", message: String(r.message), location: r.location, problems: r.problems });
  }
  if (typeof raw === "string") return new CallError({ kind: "unknown", message: raw });
  return new CallError({ kind: "unknown", message: String(raw) });
}

let savedToken: string | null = null;
function token(): string | null {
  if (savedToken) return savedToken;
  savedToken = tokenFromHash(window.location.hash);
  return savedToken;
}

function inTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

/** Runs one core command; the types come from the core's `commands!` table. */
export async function call<K extends CommandName>(command: K, args: Commands[K]["args"]): Promise<Commands[K]["result"]> {
  if (inTauri()) {
    const { invoke } = await import("@tauri-apps/api/core");
    try {
      return await invoke<Commands[K]["result"]>("call", { command, args });
    } catch (e) {
      throw toCallError(e);
    }
  }
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  let res: Response;
  try {
    res = await fetch(`/api/${command}`, { method: "POST", headers, body: JSON.stringify(args ?? {}) });
  } catch (e) {
    throw new CallError({ kind: "transport", message: `cannot reach the core: ${String(e)}` });
  }
  if (res.status === 401) {
    throw new CallError({ kind: "unauthorized", message: "the core refused the token; open the URL printed by `journey-studio serve`" });
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new CallError({ kind: "transport", message: `unexpected answer from the core (HTTP ${res.status})` });
  }
  const b = body as { ok?: unknown; error?: CoreError };
  if (b && typeof b === "object" && "error" in b && b.error) throw toCallError(b.error);
  if (b && typeof b === "object" && "ok" in b) return b.ok as Commands[K]["result"];
  throw new CallError({ kind: "transport", message: `unexpected answer from the core (HTTP ${res.status})` });
}
