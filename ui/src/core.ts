// Calls into the Rust core through the Tauri shell. In a plain browser (vite dev server, e2e
// tests against ui/dist) there is no shell, and these resolve to null.
import { invoke, isTauri } from "@tauri-apps/api/core";

export async function coreVersion(): Promise<string | null> {
  if (!isTauri()) return null;
  return invoke<string>("core_version");
}
